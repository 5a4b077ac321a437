package main

import (
	"fmt"
	"io"
	"math/rand/v2"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/sparse"
)

// The fused bag step: Table.StepBags against the unfused pair
// BagBackward + Step that it replaces, on the same batches, in turns, one
// worker. sparse's BenchmarkBags measures the same with go test.

// bagBatch is the number of indices per batch, cut into bags.
const bagBatch = 16 << 10

// bagShapes are the tables measured by default: rows x dim.
var bagShapes = [][2]int{{1_000_000, 64}, {1_000_000, 128}}

// bagSizes are the indices per bag.
var bagSizes = []int{1, 20, 100}

// bagBatches is how many different batches each way cycles through.
const bagBatches = 4

// bagResult is one table, layout, bag size and pooling.
type bagResult struct {
	Rows    int    `json:"rows"`
	Dim     int    `json:"dim"`
	Layout  string `json:"layout"`
	Bag     int    `json:"bag"` // indices per bag
	Pooling string `json:"pooling"`
	// Million index rows per second (batch indices, duplicates included),
	// medians over the samples.
	UnfusedMrowsPerS float64 `json:"unfused_mrows_per_s"`
	FusedMrowsPerS   float64 `json:"fused_mrows_per_s"`
	// Ratio is the median over the rounds of the fused rate over the
	// unfused one of the same round.
	Ratio          float64   `json:"fused_over_unfused"`
	UnfusedSamples []float64 `json:"unfused_samples_ns_per_batch"`
	FusedSamples   []float64 `json:"fused_samples_ns_per_batch"`
}

// measureBags measures every shape, layout, bag size and pooling, one
// table at a time.
func measureBags(cfg config) ([]bagResult, error) {
	var rs []bagResult
	for _, shape := range cfg.bags {
		rows, dim := shape[0], shape[1]
		idx := bagIndices(rows, bagBatches)
		for _, layout := range []sparse.Layout{sparse.Elementwise, sparse.Rowwise} {
			if cfg.progress != nil {
				fmt.Fprintf(cfg.progress, "measuring bags %d x %d %v\n", rows, dim, layout)
			}
			o := adagrad.Defaults()
			o.InitialAccumulatorValue = 0.1
			tab, err := sparse.New(rows, dim, layout, o)
			if err != nil {
				return nil, err
			}
			tab.SetWorkers(1)
			w := tab.Weights()
			for i := range w { // write every page before timing, as sparse's benchmarks do
				w[i] = float32(i%1000) * 1e-3
			}
			for _, size := range bagSizes {
				for _, p := range []sparse.Pooling{sparse.Sum, sparse.Mean} {
					r, err := measureBag(tab, idx, size, p, cfg)
					if err != nil {
						tab.Close()
						return nil, err
					}
					r.Rows, r.Dim, r.Layout = rows, dim, layout.String()
					rs = append(rs, r)
				}
			}
			tab.Close()
			tab = nil
			freeMemory()
		}
	}
	return rs, nil
}

// bagIndices returns n batches of bagBatch indices drawn as rows*u^3 (u
// uniform): many duplicates, as in recommendation data.
func bagIndices(rows, n int) [][]int64 {
	r := rand.New(rand.NewPCG(uint64(rows), 7))
	idx := make([][]int64, n)
	for k := range idx {
		idx[k] = make([]int64, bagBatch)
		for i := range idx[k] {
			u := r.Float64()
			idx[k][i] = int64(float64(rows) * u * u * u)
		}
	}
	return idx
}

// measureBag measures one bag size and pooling on tab: the unfused pair
// and StepBags take samples in turns, each cycling through the batches.
func measureBag(tab *sparse.Table, idx [][]int64, size int, p sparse.Pooling, cfg config) (bagResult, error) {
	dim := tab.Dim()
	var offsets []int64
	for at := 0; at < bagBatch; at += size {
		offsets = append(offsets, int64(at))
	}
	r := rand.New(rand.NewPCG(5, uint64(size)))
	pooled := make([]float32, len(offsets)*dim)
	for i := range pooled {
		pooled[i] = float32(r.NormFloat64() * 0.01)
	}
	grads := make([]float32, bagBatch*dim)
	var err error
	keep := func(e error) {
		if e != nil && err == nil {
			err = e
		}
	}
	ku, kf := 0, 0
	unfused := func() {
		keep(tab.BagBackward(grads, pooled, offsets, p, nil))
		keep(tab.Step(idx[ku], grads))
		ku = (ku + 1) % len(idx)
	}
	fused := func() {
		keep(tab.StepBags(idx[kf], offsets, pooled, p, nil))
		kf = (kf + 1) % len(idx)
	}
	samples, _ := inTurns([]func(){unfused, fused}, cfg.reps, cfg.sample)
	if err != nil {
		return bagResult{}, err
	}
	rate := func(ns float64) float64 { return bagBatch / ns * 1e3 } // Mrows/s
	ratios := make([]float64, len(samples[0]))
	for i := range ratios {
		ratios[i] = samples[0][i] / samples[1][i]
	}
	return bagResult{
		Bag: size, Pooling: p.String(),
		UnfusedMrowsPerS: rate(median(samples[0])),
		FusedMrowsPerS:   rate(median(samples[1])),
		Ratio:            median(ratios),
		UnfusedSamples:   samples[0],
		FusedSamples:     samples[1],
	}, nil
}

// writeBags prints the bag results as a table, or as Markdown.
func writeBags(w io.Writer, rs []bagResult, markdown bool) {
	if len(rs) == 0 {
		return
	}
	fmt.Fprintln(w)
	title := fmt.Sprintf("fused bags: StepBags against BagBackward + Step, %s indices per batch, 1 worker, Mrows/s", formatSize(bagBatch))
	if markdown {
		fmt.Fprintf(w, "| %s | layout | bag | pooling | unfused | fused | fused over unfused | spread |\n", title)
		fmt.Fprintln(w, "|---|---|---:|---|---:|---:|---:|---:|")
	} else {
		fmt.Fprintln(w, title)
		fmt.Fprintf(w, "%-12s  %-11s  %4s  %-7s  %8s  %8s  %8s  %6s\n", "table", "layout", "bag", "pooling", "unfused", "fused", "ratio", "spread")
	}
	for _, r := range rs {
		cells := []any{fmt.Sprintf("%s x %d", formatRows(r.Rows), r.Dim), r.Layout, r.Bag, r.Pooling,
			fmt.Sprintf("%.2f", r.UnfusedMrowsPerS), fmt.Sprintf("%.2f", r.FusedMrowsPerS), formatRatio(r.Ratio), 100 * bagSpread(r)}
		if markdown {
			fmt.Fprintf(w, "| %s | %s | %d | %s | %s | %s | %s | %.0f%% |\n", cells...)
		} else {
			fmt.Fprintf(w, "%-12s  %-11s  %4d  %-7s  %8s  %8s  %8s  %5.0f%%\n", cells...)
		}
	}
	if !markdown {
		fmt.Fprintln(w, "ratio: the median over the rounds of the fused rate over the unfused one; spread: the larger of the two ways' (slowest - fastest sample) / median.")
	}
}

// bagSpread is the larger spread of the two ways' samples.
func bagSpread(r bagResult) float64 {
	return max(sampleSpread(r.UnfusedSamples, median(r.UnfusedSamples)), sampleSpread(r.FusedSamples, median(r.FusedSamples)))
}

// formatRows writes a row count in decimal millions when it is whole ones.
func formatRows(n int) string {
	if n >= 1_000_000 && n%1_000_000 == 0 {
		return fmt.Sprintf("%dM", n/1_000_000)
	}
	return fmt.Sprint(n)
}

package main

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/kernel"
	"github.com/adagrad-go/adagrad/optim"
)

// The model-shaped step: one optimizer step over the float32 parameters of
// a model, many of them small, measured four ways in turns. optim's
// BenchmarkModel measures the same set with go test.

// modelSizes are the element counts of the model's 64 parameters: 32
// spread evenly on a log scale from 1K to 1M (multiples of 16, the
// weights) and 32 from 16 to 4K (the biases, norms and small heads);
// 5.25M elements in all.
func modelSizes() []int {
	var sizes []int
	for i := range 32 {
		sizes = append(sizes, int(1024*math.Pow(1024, float64(i)/31)+0.5)&^15)
		sizes = append(sizes, int(16*math.Pow(256, float64(i)/31)+0.5))
	}
	return sizes
}

// smallParam is the largest parameter counted as small.
const smallParam = 4096

// Ways of doing the model's step.
const (
	modelOptim1  = "optim, 1 worker"
	modelOptim2  = "optim, 2 workers"
	modelPlain   = plainGoName + ", per parameter"
	modelConcat  = "kernel, one call over all"
	modelOptimSm = "optim, 1 worker, small only"
	modelPlainSm = plainGoName + ", small only"
)

// modelResult is one way of doing the step.
type modelResult struct {
	How       string  `json:"how"`
	Params    int     `json:"params"`
	Elements  int     `json:"elements"`
	NsPerStep float64 `json:"ns_per_step"` // median over the samples
	// OverConcat is NsPerStep over the one kernel call's, for the ways
	// over all parameters; OverPlain is NsPerStep over the plain loop's
	// over the same parameters.
	OverConcat float64   `json:"over_concat,omitempty"`
	OverPlain  float64   `json:"over_plain_go,omitempty"`
	Samples    []float64 `json:"samples_ns_per_step"`
}

// measureModel measures the model's step by the optimizer with 1 and 2
// workers, by plainLoop32 parameter by parameter, and by one kernel call
// over the same number of elements in one slice; then the small
// parameters alone, by the optimizer and by the plain loop. All six take
// their samples in turns.
func measureModel(cfg config) ([]modelResult, error) {
	r := rand.New(rand.NewPCG(2, 2))
	o := adagrad.Defaults()
	lr, eps := float32(o.LR), float32(o.Eps)
	var all, small []optim.Param
	var sums [][]float32 // plain-go's state, one per parameter
	total, smallTotal := 0, 0
	for i, n := range modelSizes() {
		w := newWorkload[float32](n, r.Uint64())
		p := &optim.Param32{Name: fmt.Sprint("p", i), Value: w.param, Grad: w.grad}
		all = append(all, p)
		sums = append(sums, w.sum)
		total += n
		if n <= smallParam {
			small = append(small, p)
			smallTotal += n
		}
	}
	newOpt := func(ps []optim.Param, workers int) (*optim.Adagrad, error) {
		a, err := optim.New(o, ps...)
		if err != nil {
			return nil, err
		}
		a.SetWorkers(workers)
		return a, nil
	}
	opt1, err := newOpt(all, 1)
	if err != nil {
		return nil, err
	}
	defer opt1.Close()
	opt2, err := newOpt(all, 2)
	if err != nil {
		return nil, err
	}
	defer opt2.Close()
	optSm, err := newOpt(small, 1)
	if err != nil {
		return nil, err
	}
	defer optSm.Close()
	plain := func(ps []optim.Param) func() {
		return func() {
			for i, p := range ps {
				v := p.(*optim.Param32)
				plainLoop32(v.Value, v.Grad, sums[i], lr, eps)
			}
		}
	}
	var smallSums [][]float32
	for i, p := range all {
		if len(p.(*optim.Param32).Value) <= smallParam {
			smallSums = append(smallSums, sums[i])
		}
	}
	plainSmall := func() {
		for i, p := range small {
			v := p.(*optim.Param32)
			plainLoop32(v.Value, v.Grad, smallSums[i], lr, eps)
		}
	}
	concat := newWorkload[float32](total, 3)
	ko := kernel.Options{LR: o.LR, Eps: o.Eps}
	step := func(a *optim.Adagrad) func() {
		return func() {
			if err := a.Step(); err != nil {
				panic(err) // the set was accepted by New: Step cannot refuse it
			}
		}
	}
	ways := []struct {
		how              string
		params, elements int
		run              func()
	}{
		{modelOptim1, len(all), total, step(opt1)},
		{modelOptim2, len(all), total, step(opt2)},
		{modelPlain, len(all), total, plain(all)},
		{modelConcat, 1, total, func() { kernel.Step32(concat.param, concat.grad, concat.sum, ko) }},
		{modelOptimSm, len(small), smallTotal, step(optSm)},
		{modelPlainSm, len(small), smallTotal, plainSmall},
	}
	runs := make([]func(), len(ways))
	for i, w := range ways {
		runs[i] = w.run
	}
	samples, _ := inTurns(runs, cfg.reps, cfg.sample)
	rs := make([]modelResult, len(ways))
	for i, w := range ways {
		rs[i] = modelResult{How: w.how, Params: w.params, Elements: w.elements,
			NsPerStep: median(samples[i]), Samples: samples[i]}
	}
	deriveModel(rs)
	return rs, nil
}

// deriveModel fills OverConcat and OverPlain.
func deriveModel(rs []modelResult) {
	ns := map[string]float64{}
	for _, r := range rs {
		ns[r.How] = r.NsPerStep
	}
	for i := range rs {
		r := &rs[i]
		switch r.How {
		case modelOptim1, modelOptim2, modelPlain:
			if c := ns[modelConcat]; c > 0 {
				r.OverConcat = r.NsPerStep / c
			}
		}
		switch r.How {
		case modelOptim1, modelOptim2, modelConcat:
			if p := ns[modelPlain]; p > 0 {
				r.OverPlain = r.NsPerStep / p
			}
		case modelOptimSm:
			if p := ns[modelPlainSm]; p > 0 {
				r.OverPlain = r.NsPerStep / p
			}
		}
	}
}

// workerGain is the 1-worker step's time over the 2-worker step's, or 0.
func workerGain(rs []modelResult) float64 {
	var one, two float64
	for _, r := range rs {
		switch r.How {
		case modelOptim1:
			one = r.NsPerStep
		case modelOptim2:
			two = r.NsPerStep
		}
	}
	if one <= 0 || two <= 0 {
		return 0
	}
	return one / two
}

// writeModel prints the model's step as a table, or as Markdown.
func writeModel(w io.Writer, rs []modelResult, markdown bool) {
	if len(rs) == 0 {
		return
	}
	fmt.Fprintln(w)
	title := fmt.Sprintf("model-shaped step: %d float32 parameters of 16 to 1M elements, %s elements in all; small: up to %s elements",
		rs[0].Params, formatCount(rs[0].Elements), formatSize(smallParam))
	if markdown {
		fmt.Fprintf(w, "| %s | params | elements | time/step | over one call | over plain-go | spread |\n", title)
		fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|")
	} else {
		fmt.Fprintln(w, title)
		fmt.Fprintf(w, "%-30s  %6s  %8s  %10s  %13s  %13s  %6s\n", "how", "params", "elements", "time/step", "over one call", "over plain-go", "spread")
	}
	for _, r := range rs {
		cells := []any{r.How, r.Params, formatCount(r.Elements), formatDuration(r.NsPerStep),
			formatRatio(r.OverConcat), formatRatio(r.OverPlain), 100 * sampleSpread(r.Samples, r.NsPerStep)}
		if markdown {
			fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s | %.0f%% |\n", cells...)
		} else {
			fmt.Fprintf(w, "%-30s  %6d  %8s  %10s  %13s  %13s  %5.0f%%\n", cells...)
		}
	}
	if g := workerGain(rs); g > 0 {
		if markdown {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "speed-up of 2 workers over 1: %.2fx\n", g)
	}
}

// formatCount writes a count of elements, in decimal millions with two
// decimals from 1M on.
func formatCount(n int) string {
	if n >= 1_000_000 {
		return fmt.Sprintf("%.2fM", float64(n)/1e6)
	}
	return fmt.Sprint(n)
}

// formatDuration writes ns in ns, µs or ms with three significant digits.
func formatDuration(ns float64) string {
	switch {
	case ns >= 1e6:
		return formatNs(ns/1e6) + " ms"
	case ns >= 1e3:
		return formatNs(ns/1e3) + " µs"
	}
	return formatNs(ns) + " ns"
}

// sampleSpread is (max-min)/median of samples, or 0.
func sampleSpread(samples []float64, med float64) float64 {
	if len(samples) < 2 || med <= 0 {
		return 0
	}
	lo, hi := samples[0], samples[0]
	for _, x := range samples {
		lo, hi = min(lo, x), max(hi, x)
	}
	return (hi - lo) / med
}

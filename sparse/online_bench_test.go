package sparse

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/kernel"
)

// BenchmarkOnline: a one-weight-per-feature table (dim 1) of 2^24 rows,
// batches of 16K indices drawn rows*u^3, for each kind: the table with one
// worker and with two, against a straightforward Go loop over plain
// float32 slices (weights, accumulators, and FTRL's linear terms) that
// updates each index in batch order with the same arithmetic, blocks of 8
// batches of each in turn. Rates in million index rows per second, from
// the median time of a batch (inTurnsMedian), and each table's ratio to
// the loop.
//
//	go test ./sparse -run '^$' -bench Online -benchtime 480x -count 5
func BenchmarkOnline(b *testing.B) {
	const rows = 1 << 24
	idx, grads := benchBatches(rows, 1, 8)
	for _, o := range benchKinds() {
		b.Run(o.Kind.String(), func(b *testing.B) {
			// One table per number of workers: switching a table's
			// workers between turns would restart its goroutines.
			tabs := make([]*Table, 2)
			for i := range tabs {
				tab, err := New(rows, 1, Elementwise, o)
				if err != nil {
					b.Fatal(err)
				}
				defer tab.Close()
				tab.SetWorkers(i + 1)
				tabs[i] = tab
			}
			w := make([]float32, rows)
			s := make([]float32, rows)
			lin := make([]float32, rows)
			for i := range s {
				s[i] = float32(o.InitialAccumulatorValue)
			}
			loop := func(k int) { straightforward(o, tabs[0].steps+1, w, s, lin, idx[k], grads[k]) }
			step := func(workers int) func(int) {
				return func(k int) {
					if err := tabs[workers-1].Step(idx[k], grads[k]); err != nil {
						b.Fatal(err)
					}
				}
			}
			for k := range idx { // warm up: touch the pages
				loop(k)
				step(1)(k)
				step(2)(k)
			}
			rate := inTurnsMedian(b, 8, len(idx), loop, step(1), step(2))
			b.ReportMetric(rate[0], "Mrows/s-loop")
			b.ReportMetric(rate[1], "Mrows/s-1worker")
			b.ReportMetric(rate[2], "Mrows/s-2workers")
			b.ReportMetric(rate[1]/rate[0], "ratio-1worker")
			b.ReportMetric(rate[2]/rate[0], "ratio-2workers")
			b.ReportMetric(0, "ns/op")
		})
	}
}

func benchKinds() []adagrad.Options {
	ada := adagrad.Defaults()
	ada.InitialAccumulatorValue = 0.1
	prox := ada
	prox.Kind, prox.L1, prox.L2 = adagrad.ProximalAdagrad, 1e-3, 1e-3
	ftrl := ada
	ftrl.Kind, ftrl.L1, ftrl.L2, ftrl.Beta = adagrad.FTRL, 1e-3, 1e-3, 1
	return []adagrad.Options{ada, prox, ftrl}
}

// straightforward is the plain loop: each index in batch order, its
// element updated in place with the generic formulas of the kind.
func straightforward(o adagrad.Options, t int64, w, s, lin []float32, idx []int64, g []float32) {
	switch o.Kind {
	case adagrad.ProximalAdagrad:
		lr, l1, l2 := float32(o.LR), float32(o.L1), float32(o.L2)
		for i, r := range idx {
			gi := g[i]
			a := s[r] + gi*gi
			eta := lr / float32(math.Sqrt(float64(a)))
			v := w[r] - eta*gi
			m := float32(math.Abs(float64(v))) - eta*l1
			if m < 0 {
				m = 0
			}
			w[r] = float32(math.Copysign(float64(m), float64(v))) / (eta*l2 + 1)
			s[r] = a
		}
	case adagrad.FTRL:
		lr, l1, l2x2 := float32(o.LR), float32(o.L1), float32(2*o.L2+o.Beta/o.LR)
		for i, r := range idx {
			gi, p, a := g[i], w[r], s[r]
			an := a + gi*gi
			rt := float32(math.Sqrt(float64(an)))
			l := lin[r] + gi - (rt-float32(math.Sqrt(float64(a))))/lr*p
			p = 0
			if l > l1 || l < -l1 {
				p = (float32(math.Copysign(float64(l1), float64(l))) - l) / (rt/lr + l2x2)
			}
			w[r], s[r], lin[r] = p, an, l
		}
	default:
		lr, eps := float32(o.LRAt(t)), float32(o.Eps)
		for i, r := range idx {
			gi := g[i]
			a := s[r] + gi*gi
			w[r] -= lr * gi / (float32(math.Sqrt(float64(a))) + eps)
			s[r] = a
		}
	}
}

// BenchmarkOnlineDim64: the row kernels of FTRL, ProximalAdagrad and
// Adagrad on 4096 distinct rows of 64, in turns, nanoseconds per row: of a
// 10,000-row table, the same rows every call (every array in the
// last-level cache: the arithmetic counts), and of a 1M-row table (256 MB
// an array, the table's own allocation), 64 lists of rows at random in
// turn (out of cache: the memory counts).
//
//	go test ./sparse -run '^$' -bench OnlineDim64 -benchtime 3000x -count 5
func BenchmarkOnlineDim64(b *testing.B) {
	const dim, n = 64, 4096
	for _, rows := range []int{10_000, 1 << 20} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			table, sum, lin := tableArray[float32](rows*dim, 0), tableArray[float32](rows*dim, 1), tableArray[float32](rows*dim, 2)
			for i := range sum {
				sum[i] = 0.1
			}
			var lists [][]int32
			if rows < 1<<20 {
				list := make([]int32, n)
				for i := range list {
					list[i] = int32(i * rows / n)
				}
				lists = append(lists, list)
			} else {
				r := rand.New(rand.NewPCG(3, 4))
				for range 64 {
					list := make([]int32, n)
					for i, x := range r.Perm(rows)[:n] {
						list[i] = int32(x)
					}
					lists = append(lists, list)
				}
			}
			grads := make([]float32, n*dim)
			for i := range grads {
				grads[i] = float32(math.Sin(float64(i))) * 0.01
			}
			o := kernel.Options{LR: 0.01, Eps: 1e-10}
			on := kernel.Online{LR: 0.01, L1: 1e-3, L2: 1e-3, Beta: 1}
			runs := []func(int){
				func(k int) { kernel.StepRows32(table, sum, dim, lists[k], grads, nil, o) },
				func(k int) { kernel.ProximalStepRows32(table, sum, dim, lists[k], grads, nil, on) },
				func(k int) { kernel.FTRLStepRows32(table, sum, lin, dim, lists[k], grads, nil, on) },
			}
			rate := inTurnsMedian(b, 10, len(lists), runs...) // Mrows/s of benchBatch "rows" a call
			names := []string{"adagrad", "proximal", "ftrl"}
			took := make([]float64, len(rate))
			for i, r := range rate {
				took[i] = 1e3 / r * float64(benchBatch) / n // ns per call / n rows
				b.ReportMetric(took[i], fmt.Sprintf("ns/row-%s", names[i]))
			}
			b.ReportMetric(took[2]/took[0], "ftrl/adagrad")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// inTurnsMedian is inTurns with each batch timed on its own: the rate of
// each run is benchBatch rows over the median time of its batches. On a
// machine shared with other programs the median ignores the batches that
// waited for a core, where a sum counts them.
func inTurnsMedian(b *testing.B, block, batches int, runs ...func(k int)) []float64 {
	took := make([][]time.Duration, len(runs))
	for t := range took {
		took[t] = make([]time.Duration, 0, b.N/len(runs)+1)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		turn, k := i/block%len(runs), i%batches
		start := time.Now()
		runs[turn](k)
		took[turn] = append(took[turn], time.Since(start))
	}
	b.StopTimer()
	rate := make([]float64, len(runs))
	for t, d := range took {
		if len(d) == 0 {
			continue
		}
		slices.Sort(d)
		rate[t] = benchBatch / d[len(d)/2].Seconds() / 1e6
	}
	return rate
}

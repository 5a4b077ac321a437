package sparse

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/kernel"
)

// BenchmarkHalf steps a float32, a bfloat16 and a float16 table (stochastic
// rounding) of the same shape with the same batches (those of
// BenchmarkStep: 16K indices rows*u^3), in turns batch by batch
// (turnRatios), so that all three see the same machine; it reports each
// one's median million index rows per second, the median and quartiles of
// the 16-bit tables' ratios to float32, and GB/s as FBGEMM
// counts bytes per index row: element-wise 4*dim (gradient) + 2*w*dim
// (weights read and written, w = 4 or 2 bytes) + 2*4*dim (state), that is
// 20*dim and 16*dim; row-wise 4*dim + 2*w*dim + 2*64 (a cache line of
// state read and written), 12*dim+128 and 8*dim+128.
//
//	go test ./sparse -run '^$' -bench 'Half$' -benchtime 320x -count 3
func BenchmarkHalf(b *testing.B) {
	for _, s := range benchShapes {
		idx, grads := benchBatches(s.rows, s.dim, 8)
		for _, layout := range []Layout{Elementwise, Rowwise} {
			for _, nw := range []int{1, 2} {
				b.Run(fmt.Sprintf("rows=%d/dim=%d/%v/workers=%d", s.rows, s.dim, layout, nw), func(b *testing.B) {
					o := adagrad.Defaults()
					o.InitialAccumulatorValue = 0.1
					var tabs []*Table
					for _, st := range []Storage{{}, {Weights: BFloat16, Seed: 1}, {Weights: Float16, Seed: 1}} {
						tab, err := New(s.rows, s.dim, layout, o, st)
						if err != nil {
							b.Fatal(err)
						}
						setBenchWeights(tab) // touch every page before timing
						tab.SetWorkers(nw)
						for k := range idx { // warm up: scratch memory, page tables
							if err := tab.Step(idx[k], grads[k]); err != nil {
								b.Fatal(err)
							}
						}
						tabs = append(tabs, tab)
					}
					defer func() {
						for _, t := range tabs {
							t.Close()
						}
					}()
					run := func(t *Table) func(k int) {
						return func(k int) { t.Step(idx[k], grads[k]) }
					}
					rate := turnRatios(b, len(idx), run(tabs[0]), run(tabs[1]), run(tabs[2]))
					b32, b16 := float64(20*s.dim), float64(16*s.dim)
					if layout == Rowwise {
						b32, b16 = float64(12*s.dim+128), float64(8*s.dim+128)
					}
					reportTurns(b, rate, "f32", "bf16", "fp16")
					b.ReportMetric(rate.median[0]*b32/1e3, "GB/s-f32")
					b.ReportMetric(rate.median[1]*b16/1e3, "GB/s-bf16")
					b.ReportMetric(rate.median[2]*b16/1e3, "GB/s-fp16")
				})
			}
		}
	}
}

// BenchmarkHalfRows times the row kernels alone, in turns batch by batch, as
// BenchmarkHalf's tables use them: each batch's distinct rows with the
// gradient row of their first occurrence, one goroutine,
// kernel.StepRows32 (or RowwiseStepRows32) on the float32 table against
// kernel.StepRowsHalf (or RowwiseStepRowsHalf) on the bfloat16 and
// float16 tables. Rates count the batch's indices, duplicates included,
// as BenchmarkHalf's do. The first shape, 4096 x 128, fits in the caches:
// its ratios are those of the kernels' arithmetic, without memory's.
//
//	go test ./sparse -run '^$' -bench HalfRows -benchtime 320x -count 3
func BenchmarkHalfRows(b *testing.B) {
	for _, s := range append([]benchShape{{4096, 128}}, benchShapes...) {
		idx, grads := benchBatches(s.rows, s.dim, 8)
		var rows, pos [8][]int32
		for k := range idx {
			seen := map[int64]bool{}
			for i, x := range idx[k] {
				if !seen[x] {
					seen[x] = true
					rows[k] = append(rows[k], int32(x))
					pos[k] = append(pos[k], int32(i))
				}
			}
		}
		for _, layout := range []Layout{Elementwise, Rowwise} {
			b.Run(fmt.Sprintf("rows=%d/dim=%d/%v", s.rows, s.dim, layout), func(b *testing.B) {
				o := adagrad.Defaults()
				o.InitialAccumulatorValue = 0.1
				var tabs []*Table
				for _, st := range []Storage{{}, {Weights: BFloat16, Seed: 1}, {Weights: Float16, Seed: 1}} {
					tab, err := New(s.rows, s.dim, layout, o, st)
					if err != nil {
						b.Fatal(err)
					}
					setBenchWeights(tab)
					tabs = append(tabs, tab)
				}
				ko := o.KernelOptions(1)
				f32 := func(k int) {
					t := tabs[0]
					if layout == Rowwise {
						kernel.RowwiseStepRows32(t.weights, t.state, s.dim, rows[k], grads[k], pos[k], ko)
					} else {
						kernel.StepRows32(t.weights, t.state, s.dim, rows[k], grads[k], pos[k], ko)
					}
				}
				half := func(t *Table) func(k int) {
					h := kernel.Half{Format: t.half.Weights.format(), Stochastic: true, Seed: 1, Step: 1}
					return func(k int) {
						if layout == Rowwise {
							kernel.RowwiseStepRowsHalf(h, t.half.bits, t.state, s.dim, rows[k], grads[k], pos[k], ko)
						} else {
							kernel.StepRowsHalf(h, t.half.bits, t.state, s.dim, rows[k], grads[k], pos[k], ko)
						}
					}
				}
				for k := range idx { // warm up
					f32(k)
					half(tabs[1])(k)
					half(tabs[2])(k)
				}
				reportTurns(b, turnRatios(b, len(idx), f32, half(tabs[1]), half(tabs[2])), "f32", "bf16", "fp16")
			})
		}
	}
}

// setBenchWeights writes weight i of the table (row-major) as
// (i%1000)*1e-3, rounded to nearest in a 16-bit table, touching every
// page before timing.
func setBenchWeights(tab *Table) {
	w := make([]float32, tab.dim)
	for r := 0; r < tab.rows; r++ {
		for j := range w {
			w[j] = float32((r*tab.dim+j)%1000) * 1e-3
		}
		if tab.weights != nil {
			copy(tab.weights[r*tab.dim:], w)
		} else {
			tab.half.roundRow(r, w)
		}
	}
}

// BenchmarkHalfLookup times Lookup and Bag (bags of 20, sum) of a float32
// table and of the widening of a bfloat16 and a float16 table, the latter
// two by the generic Go path and by the selected path, all in turns, with
// the batches of BenchmarkStep; it reports each one's median million index
// rows per second and the median ratio of the selected path to the generic
// one.
//
//	go test ./sparse -run '^$' -bench HalfLookup -benchtime 160x -count 3
func BenchmarkHalfLookup(b *testing.B) {
	for _, s := range benchShapes[:2] {
		idx, _ := benchBatches(s.rows, s.dim, 8)
		var tabs []*Table
		for _, st := range []Storage{{}, {Weights: BFloat16}, {Weights: Float16}} {
			tab, err := New(s.rows, s.dim, Elementwise, adagrad.Defaults(), st)
			if err != nil {
				b.Fatal(err)
			}
			setBenchWeights(tab)
			tabs = append(tabs, tab)
		}
		var offsets []int64
		for at := 0; at < benchBatch; at += 20 {
			offsets = append(offsets, int64(at))
		}
		dst := make([]float32, benchBatch*s.dim)
		for _, op := range []string{"lookup", "bag"} {
			b.Run(fmt.Sprintf("rows=%d/dim=%d/%s", s.rows, s.dim, op), func(b *testing.B) {
				f32 := func(k int) {
					if op == "lookup" {
						tabs[0].Lookup(dst, idx[k])
					} else {
						tabs[0].Bag(dst[:len(offsets)*s.dim], idx[k], offsets, Sum, nil)
					}
				}
				half := func(t *Table, p kernel.Path) func(k int) {
					f := t.half.Weights.format()
					d := s.dim
					return func(k int) {
						if op == "lookup" {
							p.WidenRows(f, dst, t.half.bits, d, idx[k])
							return
						}
						for bg := range offsets {
							lo, hi := bag(offsets, len(idx[k]), bg)
							out := dst[bg*d : bg*d+d]
							clear(out)
							p.AddRowsHalf(f, out, t.half.bits, d, idx[k][lo:hi], nil)
						}
					}
				}
				sel := kernel.Paths()[0]
				runs := []func(int){f32, half(tabs[1], kernel.Generic()), half(tabs[1], sel), half(tabs[2], kernel.Generic()), half(tabs[2], sel)}
				for k := range idx { // warm up
					for _, r := range runs {
						r(k)
					}
				}
				rate := turnRatios(b, len(idx), runs...)
				for i, name := range []string{"f32", "bf16-generic", "bf16", "fp16-generic", "fp16"} {
					b.ReportMetric(rate.median[i], "Mrows/s-"+name)
				}
				b.ReportMetric(median(rate.ratios(2, 1)), "ratio-bf16")
				b.ReportMetric(median(rate.ratios(4, 3)), "ratio-fp16")
				b.ReportMetric(0, "ns/op")
			})
		}
		for _, t := range tabs {
			t.Close()
		}
	}
}

// turns are the per-batch times of runs timed in turns by turnRatios.
type turns struct {
	took   [][]time.Duration // took[run][round]
	median []float64         // each run's median rate, million index rows per second
}

// turnRatios runs b.N rounds; round i runs batch i%batches with each of
// runs in turn, starting with a different one each round, so that all see
// the same machine from one batch to the next. It records every batch's
// time, and each run's median rate. The timer is reset first.
func turnRatios(b *testing.B, batches int, runs ...func(k int)) turns {
	t := turns{took: make([][]time.Duration, len(runs))}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range runs {
			r := (i + j) % len(runs)
			start := time.Now()
			runs[r](i % batches)
			t.took[r] = append(t.took[r], time.Since(start))
		}
	}
	for _, d := range t.took {
		rates := make([]float64, len(d))
		for i, x := range d {
			rates[i] = benchBatch / x.Seconds() / 1e6
		}
		t.median = append(t.median, median(rates))
	}
	return t
}

// ratios returns, round by round, run a's rate over run b's.
func (t turns) ratios(a, b int) []float64 {
	r := make([]float64, len(t.took[a]))
	for i := range r {
		r[i] = t.took[b][i].Seconds() / t.took[a][i].Seconds()
	}
	return r
}

// reportTurns reports the median rates of the runs of names (the first
// the reference) and the others' ratios to it: the median of the rounds'
// ratios, its quartiles, and the ratio of the fastest batches (best-),
// the figure least disturbed by other work on a loaded machine.
func reportTurns(b *testing.B, t turns, names ...string) {
	for i, name := range names {
		b.ReportMetric(t.median[i], "Mrows/s-"+name)
		if i == 0 {
			continue
		}
		r := t.ratios(i, 0)
		slices.Sort(r)
		b.ReportMetric(median(r), "ratio-"+name)
		b.ReportMetric(r[len(r)/4], "q1-"+name)
		b.ReportMetric(r[len(r)*3/4], "q3-"+name)
		b.ReportMetric(slices.Min(t.took[0]).Seconds()/slices.Min(t.took[i]).Seconds(), "best-"+name)
	}
	b.ReportMetric(0, "ns/op")
}

// median returns the median of x (the upper one of an even count).
func median(x []float64) float64 {
	y := slices.Clone(x)
	slices.Sort(y)
	return y[len(y)/2]
}

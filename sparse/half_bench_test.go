package sparse

import (
	"fmt"
	"testing"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/kernel"
)

// BenchmarkHalf steps a float32, a bfloat16 and a float16 table (stochastic
// rounding) of the same shape with the same batches (those of
// BenchmarkStep: 16K indices rows*u^3), in turns of 16 batches, so that
// all three see the same machine; it reports each one's million index rows
// per second, the 16-bit tables' ratios to float32, and GB/s as FBGEMM
// counts bytes per index row: element-wise 4*dim (gradient) + 2*w*dim
// (weights read and written, w = 4 or 2 bytes) + 2*4*dim (state), that is
// 20*dim and 16*dim; row-wise 4*dim + 2*w*dim + 2*64 (a cache line of
// state read and written), 12*dim+128 and 8*dim+128.
//
//	go test ./sparse -run '^$' -bench Half -benchtime 960x -count 3
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
						w := make([]float32, s.dim)
						for r := 0; r < s.rows; r++ { // touch every page before timing
							for j := range w {
								w[j] = float32((r*s.dim+j)%1000) * 1e-3
							}
							if tab.weights != nil {
								copy(tab.weights[r*s.dim:], w)
							} else {
								tab.half.roundRow(r, w)
							}
						}
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
					rate := inTurns(b, 16, len(idx), run(tabs[0]), run(tabs[1]), run(tabs[2]))
					b32, b16 := float64(20*s.dim), float64(16*s.dim)
					if layout == Rowwise {
						b32, b16 = float64(12*s.dim+128), float64(8*s.dim+128)
					}
					b.ReportMetric(rate[0], "Mrows/s-f32")
					b.ReportMetric(rate[1], "Mrows/s-bf16")
					b.ReportMetric(rate[2], "Mrows/s-fp16")
					b.ReportMetric(rate[1]/rate[0], "ratio-bf16")
					b.ReportMetric(rate[2]/rate[0], "ratio-fp16")
					b.ReportMetric(rate[0]*b32/1e3, "GB/s-f32")
					b.ReportMetric(rate[1]*b16/1e3, "GB/s-bf16")
					b.ReportMetric(rate[2]*b16/1e3, "GB/s-fp16")
					b.ReportMetric(0, "ns/op")
				})
			}
		}
	}
}

// BenchmarkHalfRows times the row kernels alone, in turns, as
// BenchmarkHalf's tables use them: each batch's distinct rows with the
// gradient row of their first occurrence, one goroutine,
// kernel.StepRows32 (or RowwiseStepRows32) on the float32 table against
// kernel.StepRowsHalf (or RowwiseStepRowsHalf) on the bfloat16 and
// float16 tables. Rates count the batch's indices, duplicates included,
// as BenchmarkHalf's do.
//
//	go test ./sparse -run '^$' -bench HalfRows -benchtime 960x -count 3
func BenchmarkHalfRows(b *testing.B) {
	for _, s := range benchShapes {
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
					w := make([]float32, s.dim)
					for r := 0; r < s.rows; r++ {
						for j := range w {
							w[j] = float32((r*s.dim+j)%1000) * 1e-3
						}
						if tab.weights != nil {
							copy(tab.weights[r*s.dim:], w)
						} else {
							tab.half.roundRow(r, w)
						}
					}
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
				rate := inTurns(b, 16, len(idx), f32, half(tabs[1]), half(tabs[2]))
				b.ReportMetric(rate[0], "Mrows/s-f32")
				b.ReportMetric(rate[1], "Mrows/s-bf16")
				b.ReportMetric(rate[2], "Mrows/s-fp16")
				b.ReportMetric(rate[1]/rate[0], "ratio-bf16")
				b.ReportMetric(rate[2]/rate[0], "ratio-fp16")
				b.ReportMetric(0, "ns/op")
			})
		}
	}
}

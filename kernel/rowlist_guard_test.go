//go:build linux || darwin || freebsd || netbsd || openbsd

package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestRowListGuardPages places the row list, and then the gradient-row
// list, against an inaccessible page at its end and at its start: the
// kernels read the lists ahead of the row they step (to prefetch), and
// must stop at their ends. Lists longer and shorter than the distance of
// the prefetch, rows of 1 and 2 elements; results checked against generic.
func TestRowListGuardPages(t *testing.T) {
	forEachPath(t, func(t *testing.T, p Path) {
		r := rand.New(rand.NewPCG(21, 22))
		g := newGuarded(t, 4*1024)
		o := Options{LR: 0.1, Eps: 1e-8}
		on := onlineOptions()[0]
		const nRows = 50
		calls := 0
		for _, dim := range []int{1, 2} {
			for _, n := range []int{1, 7, 8, 9, 31, 32, 33, 40, 100} {
				for _, which := range []string{"rows", "gradRows"} {
					for _, end := range []bool{true, false} {
						list := make([]int32, n)
						if which == "rows" {
							if end {
								list = atEnd[int32](g, n)
							} else {
								list = atStart[int32](g, n)
							}
						}
						gradRows := make([]int32, n)
						if which == "gradRows" {
							if end {
								gradRows = atEnd[int32](g, n)
							} else {
								gradRows = atStart[int32](g, n)
							}
						}
						for i := range list {
							list[i] = int32(r.IntN(nRows))
							gradRows[i] = int32(r.IntN(n))
						}
						grads := make([]float32, n*dim)
						fill32(r, grads, 0)
						name := fmt.Sprintf("dim=%d n=%d %s end=%v", dim, n, which, end)
						type kern struct {
							name string
							run  func(q Path, table, sum, lin []float32)
						}
						for _, k := range []kern{
							{"StepRows32", func(q Path, table, sum, _ []float32) {
								q.StepRows32(table, sum, dim, list, grads, gradRows, o)
							}},
							{"RowwiseStepRows32", func(q Path, table, sum, _ []float32) {
								q.RowwiseStepRows32(table, sum[:nRows], dim, list, grads, gradRows, o)
							}},
							{"ProximalStepRows32", func(q Path, table, sum, _ []float32) {
								q.ProximalStepRows32(table, sum, dim, list, grads, gradRows, on)
							}},
							{"FTRLStepRows32", func(q Path, table, sum, lin []float32) {
								q.FTRLStepRows32(table, sum, lin, dim, list, grads, gradRows, on)
							}},
						} {
							table, lin := make([]float32, nRows*dim), make([]float32, nRows*dim)
							sum := make([]float32, nRows*dim)
							fill32(r, table, 0)
							fill32(r, lin, 0)
							for i := range sum {
								sum[i] = 0.01 + r.Float32()
							}
							wt, ws, wl := append([]float32(nil), table...), append([]float32(nil), sum...), append([]float32(nil), lin...)
							k.run(Generic(), wt, ws, wl)
							k.run(p, table, sum, lin)
							for i := range table {
								if !sameBits32(table[i], wt[i]) || !sameBits32(sum[i], ws[i]) || !sameBits32(lin[i], wl[i]) {
									t.Fatalf("%s %s: element %d differs", k.name, name, i)
								}
							}
							calls++
						}
					}
				}
			}
		}
		t.Logf("%d calls", calls)
	})
}

//go:build linux || darwin || freebsd || netbsd || openbsd

package kernel

import (
	"math/rand/v2"
	"testing"
)

// TestRowKernelGuardPages places each slice of the row kernels against an
// inaccessible page, at its end and then at its start, with row lists that
// touch the first and the last row, and checks the results against generic.
func TestRowKernelGuardPages(t *testing.T) {
	forEachPath(t, func(t *testing.T, p Path) {
		r := rand.New(rand.NewPCG(11, 12))
		const maxElems = 8 * 1100
		g := newGuarded(t, maxElems*4)
		o := Options{LR: 0.1, Eps: 1e-8, WeightDecay: 0.01}
		calls := 0
		place := func(which, want int, end bool, n int) []float32 {
			if which != want {
				return make([]float32, n)
			}
			if end {
				return atEnd[float32](g, n)
			}
			return atStart[float32](g, n)
		}
		for _, dim := range []int{1, 2, 3, 4, 5, 7, 8, 9, 11, 12, 13, 15, 16, 17, 31, 33, 64, 65, 127, 1024} {
			nRows := 4
			if dim*nRows > maxElems {
				nRows = maxElems / dim
			}
			rows := []int32{0, int32(nRows - 1), 1 % int32(nRows), int32(nRows - 1)}
			for _, end := range []bool{true, false} {
				// RowwiseStep32: param, grad.
				for which := 0; which < 2; which++ {
					param, grad := place(which, 0, end, dim), place(which, 1, end, dim)
					fill32(r, param, 0)
					fill32(r, grad, 0)
					h := float32(0.5)
					wantP, wantH := append([]float32(nil), param...), h
					Generic().RowwiseStep32(wantP, append([]float32(nil), grad...), &wantH, o)
					p.RowwiseStep32(param, grad, &h, o)
					for i := range param {
						if !sameBits32(param[i], wantP[i]) {
							t.Fatalf("RowwiseStep32 dim=%d slice %d end=%v: element %d differs", dim, which, end, i)
						}
					}
					if !sameBits32(h, wantH) {
						t.Fatalf("RowwiseStep32 dim=%d: h differs", dim)
					}
					calls++
				}
				// StepRows32 and RowwiseStepRows32: table, state, grads.
				for which := 0; which < 3; which++ {
					table := place(which, 0, end, nRows*dim)
					sum := place(which, 1, end, nRows*dim)
					grads := place(which, 2, end, len(rows)*dim)
					fill32(r, table, 0)
					fill32(r, grads, 0)
					for i := range sum {
						sum[i] = r.Float32()
					}
					wantT, wantS := append([]float32(nil), table...), append([]float32(nil), sum...)
					Generic().StepRows32(wantT, wantS, dim, rows, grads, nil, o)
					p.StepRows32(table, sum, dim, rows, grads, nil, o)
					for i := range table {
						if !sameBits32(table[i], wantT[i]) || !sameBits32(sum[i], wantS[i]) {
							t.Fatalf("StepRows32 dim=%d slice %d end=%v: element %d differs", dim, which, end, i)
						}
					}
					h := place(which, 1, end, nRows)
					for i := range h {
						h[i] = r.Float32()
					}
					wantT, wantH := append([]float32(nil), table...), append([]float32(nil), h...)
					Generic().RowwiseStepRows32(wantT, wantH, dim, rows, grads, nil, o)
					p.RowwiseStepRows32(table, h, dim, rows, grads, nil, o)
					for i := range table {
						if !sameBits32(table[i], wantT[i]) {
							t.Fatalf("RowwiseStepRows32 dim=%d slice %d end=%v: element %d differs", dim, which, end, i)
						}
					}
					for i := range h {
						if !sameBits32(h[i], wantH[i]) {
							t.Fatalf("RowwiseStepRows32 dim=%d slice %d end=%v: h[%d] differs", dim, which, end, i)
						}
					}
					calls += 2
				}
				// SumRows32: dst, grads; groups {0,3}, {1}, {2,0}.
				list, ends := []int32{0, 3, 1, 2, 0}, []int32{2, 3, 5}
				for which := 0; which < 2; which++ {
					dst := place(which, 0, end, len(ends)*dim)
					grads := place(which, 1, end, 4*dim)
					fill32(r, grads, 0)
					want := make([]float32, len(dst))
					Generic().SumRows32(want, dim, grads, list, ends)
					p.SumRows32(dst, dim, grads, list, ends)
					for i := range dst {
						if !sameBits32(dst[i], want[i]) {
							t.Fatalf("SumRows32 dim=%d slice %d end=%v: element %d differs", dim, which, end, i)
						}
					}
					calls++
				}
			}
		}
		t.Logf("%d guarded calls", calls)
	})
}

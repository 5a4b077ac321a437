//go:build linux || darwin || freebsd || netbsd || openbsd

package kernel

import (
	"math/rand/v2"
	"testing"
)

// TestOnlineGuardPages places each slice of the online row kernels against
// an inaccessible page, at its end and then at its start, with row lists
// that touch the first and the last row, and checks the results against
// generic.
func TestOnlineGuardPages(t *testing.T) {
	forEachPath(t, func(t *testing.T, p Path) {
		r := rand.New(rand.NewPCG(31, 32))
		const maxElems = 8 * 1100
		g := newGuarded(t, maxElems*4)
		o := Online{LR: 0.1, L1: 0.01, L2: 0.02, L2Shrinkage: 0.01, Beta: 1}
		place := func(which, want int, end bool, n int) []float32 {
			if which != want {
				return make([]float32, n)
			}
			if end {
				return atEnd[float32](g, n)
			}
			return atStart[float32](g, n)
		}
		calls := 0
		for _, dim := range []int{1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 64, 65, 127, 1024} {
			nRows := min(4, maxElems/dim)
			rows := []int32{0, int32(nRows - 1), 1 % int32(nRows), int32(nRows - 1)}
			for _, end := range []bool{true, false} {
				for which := 0; which < 4; which++ {
					table := place(which, 0, end, nRows*dim)
					sum := place(which, 1, end, nRows*dim)
					grads := place(which, 2, end, len(rows)*dim)
					lin := place(which, 3, end, nRows*dim)
					fill32(r, table, 0)
					fill32(r, grads, 0)
					fill32(r, lin, 0)
					for i := range sum {
						sum[i] = r.Float32()
					}
					wantT, wantS, wantL := append([]float32(nil), table...), append([]float32(nil), sum...), append([]float32(nil), lin...)
					Generic().FTRLStepRows32(wantT, wantS, wantL, dim, rows, grads, nil, o)
					p.FTRLStepRows32(table, sum, lin, dim, rows, grads, nil, o)
					for i := range table {
						if !sameBits32(table[i], wantT[i]) || !sameBits32(sum[i], wantS[i]) || !sameBits32(lin[i], wantL[i]) {
							t.Fatalf("FTRLStepRows32 dim=%d slice %d end=%v: element %d differs", dim, which, end, i)
						}
					}
					wantT, wantS = append([]float32(nil), table...), append([]float32(nil), sum...)
					Generic().ProximalStepRows32(wantT, wantS, dim, rows, grads, nil, o)
					p.ProximalStepRows32(table, sum, dim, rows, grads, nil, o)
					for i := range table {
						if !sameBits32(table[i], wantT[i]) || !sameBits32(sum[i], wantS[i]) {
							t.Fatalf("ProximalStepRows32 dim=%d slice %d end=%v: element %d differs", dim, which, end, i)
						}
					}
					calls += 2
				}
				// The dense steps on one row of dim: param, grad, sum, linear.
				for which := 0; which < 4; which++ {
					param, grad := place(which, 0, end, dim), place(which, 1, end, dim)
					sum, lin := place(which, 2, end, dim), place(which, 3, end, dim)
					fill32(r, param, 0)
					fill32(r, grad, 0)
					fill32(r, lin, 0)
					for i := range sum {
						sum[i] = r.Float32()
					}
					wp, ws, wl := append([]float32(nil), param...), append([]float32(nil), sum...), append([]float32(nil), lin...)
					Generic().FTRLStep32(wp, append([]float32(nil), grad...), ws, wl, o)
					p.FTRLStep32(param, grad, sum, lin, o)
					for i := range param {
						if !sameBits32(param[i], wp[i]) || !sameBits32(sum[i], ws[i]) || !sameBits32(lin[i], wl[i]) {
							t.Fatalf("FTRLStep32 dim=%d slice %d end=%v: element %d differs", dim, which, end, i)
						}
					}
					wp, ws = append([]float32(nil), param...), append([]float32(nil), sum...)
					Generic().ProximalStep32(wp, append([]float32(nil), grad...), ws, o)
					p.ProximalStep32(param, grad, sum, o)
					for i := range param {
						if !sameBits32(param[i], wp[i]) || !sameBits32(sum[i], ws[i]) {
							t.Fatalf("ProximalStep32 dim=%d slice %d end=%v: element %d differs", dim, which, end, i)
						}
					}
					calls += 2
				}
			}
		}
		t.Logf("%d guarded calls", calls)
	})
}

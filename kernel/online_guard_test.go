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

// TestOnlineGuardPages64: the float64 dense steps with each slice against
// an inaccessible page, at its end and then at its start.
func TestOnlineGuardPages64(t *testing.T) {
	forEachPath(t, func(t *testing.T, p Path) {
		r := rand.New(rand.NewPCG(33, 34))
		const maxElems = 1100
		g := newGuarded(t, maxElems*8)
		o := Online{LR: 0.1, L1: 0.01, L2: 0.02, L2Shrinkage: 0.01, Beta: 1}
		place := func(which, want int, end bool, n int) []float64 {
			if which != want {
				return make([]float64, n)
			}
			if end {
				return atEnd[float64](g, n)
			}
			return atStart[float64](g, n)
		}
		for _, n := range []int{1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 65, 127, 1024} {
			for _, end := range []bool{true, false} {
				for which := 0; which < 4; which++ {
					param, grad := place(which, 0, end, n), place(which, 1, end, n)
					sum, lin := place(which, 2, end, n), place(which, 3, end, n)
					fill64(r, param, 0)
					fill64(r, grad, 0)
					fill64(r, lin, 0)
					for i := range sum {
						sum[i] = r.Float64()
					}
					clone := func(s []float64) []float64 { return append([]float64(nil), s...) }
					wp, ws, wl := clone(param), clone(sum), clone(lin)
					Generic().FTRLStep64(wp, clone(grad), ws, wl, o)
					p.FTRLStep64(param, grad, sum, lin, o)
					for i := range param {
						if !sameBits64(param[i], wp[i]) || !sameBits64(sum[i], ws[i]) || !sameBits64(lin[i], wl[i]) {
							t.Fatalf("FTRLStep64 n=%d slice %d end=%v: element %d differs", n, which, end, i)
						}
					}
					wp, ws = clone(param), clone(sum)
					Generic().ProximalStep64(wp, clone(grad), ws, o)
					p.ProximalStep64(param, grad, sum, o)
					for i := range param {
						if !sameBits64(param[i], wp[i]) || !sameBits64(sum[i], ws[i]) {
							t.Fatalf("ProximalStep64 n=%d slice %d end=%v: element %d differs", n, which, end, i)
						}
					}
				}
			}
		}
	})
}

// TestDecayGuardPages: Decay32 and Decay64 with the sums against an
// inaccessible page, at its end and then at its start.
func TestDecayGuardPages(t *testing.T) {
	forEachPath(t, func(t *testing.T, p Path) {
		r := rand.New(rand.NewPCG(35, 36))
		const maxElems = 1100
		g := newGuarded(t, maxElems*8)
		d := Decay{Rate: 0.5, Floor: 1e-3}
		for _, n := range []int{1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 65, 127, 1024} {
			for _, end := range []bool{true, false} {
				s32 := atStart[float32](g, n)
				if end {
					s32 = atEnd[float32](g, n)
				}
				fill32(r, s32, 0)
				w32 := append([]float32(nil), s32...)
				Generic().Decay32(w32, 7, d)
				p.Decay32(s32, 7, d)
				for i := range s32 {
					if !sameBits32(s32[i], w32[i]) {
						t.Fatalf("Decay32 n=%d end=%v: element %d differs", n, end, i)
					}
				}
				s64 := atStart[float64](g, n)
				if end {
					s64 = atEnd[float64](g, n)
				}
				fill64(r, s64, 0)
				w64 := append([]float64(nil), s64...)
				Generic().Decay64(w64, 7, d)
				p.Decay64(s64, 7, d)
				for i := range s64 {
					if !sameBits64(s64[i], w64[i]) {
						t.Fatalf("Decay64 n=%d end=%v: element %d differs", n, end, i)
					}
				}
			}
		}
	})
}

//go:build linux || darwin || freebsd || netbsd || openbsd

package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestHalfGuardPages places each slice of the 16-bit row kernels against
// an inaccessible page, at its end and then at its start, with row lists
// that touch the first and the last row, and checks the results against
// generic.
func TestHalfGuardPages(t *testing.T) {
	forEachPath(t, func(t *testing.T, p Path) {
		r := rand.New(rand.NewPCG(21, 22))
		const maxElems = 8 * 1100
		g := newGuarded(t, maxElems*4)
		o := Options{LR: 0.1, Eps: 1e-8, WeightDecay: 0.01}
		calls := 0
		for _, hf := range []Half{
			{Format: BFloat16, Stochastic: true, Seed: 4, Step: 2},
			{Format: Float16, Stochastic: true, Seed: 4, Step: 2},
			{Format: BFloat16},
			{Format: Float16},
		} {
			h, f := hf, hf.Format
			for _, dim := range []int{1, 2, 7, 8, 9, 15, 16, 17, 24, 31, 33, 64, 65, 127, 1024} {
				nRows := 4
				if dim*nRows > maxElems {
					nRows = maxElems / dim
				}
				rows := []int32{0, int32(nRows - 1), 1 % int32(nRows), int32(nRows - 1)}
				for _, end := range []bool{true, false} {
					for which := 0; which < 3; which++ {
						table := make([]uint16, nRows*dim)
						if which == 0 {
							table = atStart[uint16](g, nRows*dim)
							if end {
								table = atEnd[uint16](g, nRows*dim)
							}
						}
						f32 := func(k, n int) []float32 {
							if which != k {
								return make([]float32, n)
							}
							if end {
								return atEnd[float32](g, n)
							}
							return atStart[float32](g, n)
						}
						sum := f32(1, nRows*dim)
						grads := f32(2, len(rows)*dim)
						x := make([]float32, len(table))
						fill32(r, x, 0)
						Round(Half{Format: f}, 0, 0, table, x)
						fill32(r, grads, 0)
						for i := range sum {
							sum[i] = r.Float32()
						}
						wantT, wantS := append([]uint16(nil), table...), append([]float32(nil), sum...)
						Generic().StepRowsHalf(h, wantT, wantS, dim, rows, grads, nil, o)
						p.StepRowsHalf(h, table, sum, dim, rows, grads, nil, o)
						what := fmt.Sprintf("%v stochastic=%v dim=%d slice %d end=%v", f, h.Stochastic, dim, which, end)
						for i := range table {
							if !sameHalf(f, table[i], wantT[i]) || !sameBits32(sum[i], wantS[i]) {
								t.Fatalf("StepRowsHalf %s: element %d differs: %04x %08x, want %04x %08x", what, i, table[i], sumBits(sum[i]), wantT[i], sumBits(wantS[i]))
							}
						}
						hs := f32(1, nRows)
						for i := range hs {
							hs[i] = r.Float32()
						}
						wantT, wantH := append([]uint16(nil), table...), append([]float32(nil), hs...)
						Generic().RowwiseStepRowsHalf(h, wantT, wantH, dim, rows, grads, nil, o)
						p.RowwiseStepRowsHalf(h, table, hs, dim, rows, grads, nil, o)
						for i := range table {
							if !sameHalf(f, table[i], wantT[i]) {
								t.Fatalf("RowwiseStepRowsHalf %s: element %d differs", what, i)
							}
						}
						for i := range hs {
							if !sameBits32(hs[i], wantH[i]) {
								t.Fatalf("RowwiseStepRowsHalf %s: h[%d] differs", what, i)
							}
						}
						calls += 2
					}
				}
			}
		}
		t.Logf("%d calls", calls)
	})
}

func sumBits(x float32) uint32 { return math.Float32bits(x) }

// TestHalfRowsGuardPages places the table, dst and the weights of the
// lookups and bags of 16-bit weights against an inaccessible page, at
// their end and then at their start, with row lists that touch the first
// and the last row, and checks the results against generic.
func TestHalfRowsGuardPages(t *testing.T) {
	forEachPath(t, func(t *testing.T, p Path) {
		r := rand.New(rand.NewPCG(23, 24))
		const maxElems = 8 * 1100
		g := newGuarded(t, maxElems*4)
		calls := 0
		for _, f := range formats() {
			for _, dim := range []int{1, 2, 7, 8, 9, 15, 16, 17, 24, 31, 33, 64, 65, 127, 1024} {
				nRows := 4
				if dim*nRows > maxElems {
					nRows = maxElems / dim
				}
				rows := []int64{0, int64(nRows - 1), 1 % int64(nRows), int64(nRows - 1)}
				for _, end := range []bool{true, false} {
					for which := 0; which < 3; which++ {
						place := func(k, n int) []float32 {
							if which != k {
								return make([]float32, n)
							}
							if end {
								return atEnd[float32](g, n)
							}
							return atStart[float32](g, n)
						}
						table := make([]uint16, nRows*dim)
						if which == 0 {
							table = atStart[uint16](g, nRows*dim)
							if end {
								table = atEnd[uint16](g, nRows*dim)
							}
						}
						x := make([]float32, len(table))
						fill32(r, x, 0.05)
						Round(Half{Format: f}, 0, 0, table, x)
						what := fmt.Sprintf("%v dim=%d slice %d end=%v", f, dim, which, end)

						dst := place(1, len(rows)*dim)
						want := make([]float32, len(dst))
						Generic().WidenRows(f, want, table, dim, rows)
						p.WidenRows(f, dst, table, dim, rows)
						for i := range dst {
							if math.Float32bits(dst[i]) != math.Float32bits(want[i]) {
								t.Fatalf("WidenRows %s: element %d differs", what, i)
							}
						}

						sum := place(1, dim)
						w := place(2, len(rows))
						fill32(r, w, 0)
						for _, weights := range [][]float32{nil, w} {
							clear(sum)
							want := make([]float32, dim)
							Generic().AddRowsHalf(f, want, table, dim, rows, weights)
							p.AddRowsHalf(f, sum, table, dim, rows, weights)
							for i := range sum {
								if !sameBits32(sum[i], want[i]) {
									t.Fatalf("AddRowsHalf %s weights=%v: element %d differs", what, weights != nil, i)
								}
							}
						}
						calls += 3
					}
				}
			}
		}
		t.Logf("%d calls", calls)
	})
}

//go:build linux || darwin || freebsd || netbsd || openbsd

package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// TestRows32GuardPages places the table, dst, the row list and the
// weights of CopyRows32 and AddRows32, in turn, against an inaccessible
// page at their end and at their start, with row lists that touch the
// first and the last row, and checks the results against generic.
func TestRows32GuardPages(t *testing.T) {
	forEachPath(t, func(t *testing.T, p Path) {
		r := rand.New(rand.NewPCG(43, 7))
		g := newGuarded(t, 4*10*1024)
		calls := 0
		for _, dim := range []int{1, 7, 8, 9, 15, 16, 17, 33, 64, 65, 1024} {
			nRows := 4
			rows := []int64{0, int64(nRows - 1), 1 % int64(nRows), int64(nRows - 1), 0, 0, 0, 0, 0, int64(nRows - 1)}
			for _, end := range []bool{true, false} {
				for which := range 4 {
					place := func(k, n int) []float32 {
						if which != k {
							return make([]float32, n)
						}
						if end {
							return atEnd[float32](g, n)
						}
						return atStart[float32](g, n)
					}
					list := rows
					if which == 3 {
						list = guardedRows(g, rows, end)
					}
					table := place(0, nRows*dim)
					fill32(r, table, 0)
					what := fmt.Sprintf("dim=%d slice %d end=%v", dim, which, end)

					dst := place(1, len(list)*dim)
					want := make([]float32, len(dst))
					Generic().CopyRows32(want, table, dim, list)
					p.CopyRows32(dst, table, dim, list)
					for i := range dst {
						if !sameBits32(dst[i], want[i]) {
							t.Fatalf("CopyRows32 %s: element %d differs", what, i)
						}
					}
					sum := place(1, dim)
					w := place(2, len(list))
					fill32(r, w, 0)
					for _, weights := range [][]float32{nil, w} {
						clear(sum)
						want := make([]float32, dim)
						Generic().AddRows32(want, table, dim, list, weights)
						p.AddRows32(sum, table, dim, list, weights)
						for i := range sum {
							if !sameBits32(sum[i], want[i]) {
								t.Fatalf("AddRows32 %s weights=%v: element %d differs", what, weights != nil, i)
							}
						}
					}
					calls += 3
				}
			}
		}
		t.Logf("%d calls", calls)
	})
}

// guardedRows copies rows into guarded memory, against its end or its
// start.
func guardedRows(g *guarded, rows []int64, end bool) []int64 {
	var s []int32
	if end {
		s = atEnd[int32](g, 2*len(rows))
	} else {
		s = atStart[int32](g, 2*len(rows))
	}
	out := unsafe.Slice((*int64)(unsafe.Pointer(unsafe.SliceData(s))), len(rows))
	copy(out, rows)
	return out
}

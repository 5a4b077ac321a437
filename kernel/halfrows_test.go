package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// halfRowsCase returns a table of nrows rows of dim 16-bit weights with
// any bits (a quarter of them NaNs, infinities, zeros and subnormals), a
// list of n rows with repeats, and n weights.
func halfRowsCase(r *rand.Rand, f HalfFormat, dim, nrows, n int) ([]uint16, []int64, []float32) {
	table := make([]uint16, nrows*dim)
	special := []uint16{0, 0x8000, 1, 0x8001, 0x7F80, 0xFF80, 0x7F81, 0xFFC0, 0x7FFF, 0x7C00, 0xFC00, 0x7C01, 0x7E00, 0xFFFF, 0x03FF, 0x0400}
	for i := range table {
		if r.IntN(4) == 0 {
			table[i] = special[r.IntN(len(special))]
		} else {
			table[i] = uint16(r.Uint32())
		}
	}
	rows := make([]int64, n)
	for i := range rows {
		rows[i] = r.Int64N(int64(nrows))
	}
	w := make([]float32, n)
	fill32(r, w, 0.1)
	return table, rows, w
}

// TestWidenRowsAgainstWiden: every path's WidenRows gives, row by row, the
// bits Widen gives, for tables of any bits; every 16-bit value goes through
// it once.
func TestWidenRowsAgainstWiden(t *testing.T) {
	forEachPath(t, func(t *testing.T, p Path) {
		r := rand.New(rand.NewPCG(31, 3))
		for _, f := range formats() {
			all := make([]uint16, 1<<16)
			for i := range all {
				all[i] = uint16(i)
			}
			for _, dim := range []int{8, 64} {
				rows := make([]int64, len(all)/dim)
				for i := range rows {
					rows[i] = int64(i)
				}
				got := make([]float32, len(all))
				p.WidenRows(f, got, all, dim, rows)
				want := make([]float32, len(all))
				Widen(f, want, all)
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%v dim=%d: %#04x widened to %#08x, want %#08x", f, dim, all[i], math.Float32bits(got[i]), math.Float32bits(want[i]))
					}
				}
			}
			for _, dim := range append(rowsDims(), 0) {
				for _, n := range []int{0, 1, 5, 19} {
					table, rows, _ := halfRowsCase(r, f, dim, 1+r.IntN(12), n)
					if dim == 0 {
						rows = rows[:0]
					}
					got := make([]float32, len(rows)*dim)
					p.WidenRows(f, got, table, dim, rows)
					for i, rr := range rows {
						want := make([]float32, dim)
						Widen(f, want, table[int(rr)*dim:int(rr)*dim+dim])
						for j := range want {
							if math.Float32bits(got[i*dim+j]) != math.Float32bits(want[j]) {
								t.Fatalf("%v dim=%d row %d column %d: %#08x, want %#08x", f, dim, i, j, math.Float32bits(got[i*dim+j]), math.Float32bits(want[j]))
							}
						}
					}
				}
			}
		}
	})
}

// addRowsRef is AddRowsHalf by its definition: Widen, then the product
// and the sum in float32, one operation at a time.
func addRowsRef(f HalfFormat, dst []float32, table []uint16, dim int, rows []int64, weights []float32) {
	row := make([]float32, dim)
	for i, r := range rows {
		Widen(f, row, table[int(r)*dim:int(r)*dim+dim])
		for j, w := range row {
			if weights != nil {
				w = float32(weights[i] * w)
			}
			dst[j] = dst[j] + w
		}
	}
}

// TestAddRowsHalfAgainstReference: every path's AddRowsHalf gives the
// bits of widening each row and adding it (times its weight) in order,
// from any start, with and without weights.
func TestAddRowsHalfAgainstReference(t *testing.T) {
	forEachPath(t, func(t *testing.T, p Path) {
		r := rand.New(rand.NewPCG(32, 4))
		cases := 0
		for _, f := range formats() {
			for _, dim := range rowsDims() {
				for _, n := range []int{0, 1, 2, 7, 30} {
					for _, weighted := range []bool{false, true} {
						tame := r.IntN(2) == 0
						table, rows, w := halfRowsCase(r, f, dim, 1+r.IntN(12), n)
						if tame { // finite values: sums that are rarely NaN
							for i := range table {
								table[i] &^= 0x4000
							}
						}
						if !weighted {
							w = nil
						}
						dst := make([]float32, dim)
						fill32(r, dst, 0.05)
						want := slices.Clone(dst)
						addRowsRef(f, want, table, dim, rows, w)
						p.AddRowsHalf(f, dst, table, dim, rows, w)
						for j := range dst {
							if !sameBits32(dst[j], want[j]) {
								t.Fatalf("%v dim=%d n=%d weighted=%v column %d: %#08x, want %#08x", f, dim, n, weighted, j, math.Float32bits(dst[j]), math.Float32bits(want[j]))
							}
						}
						cases++
					}
				}
			}
		}
		t.Logf("%d cases", cases)
	})
}

// TestHalfRowsBadInputPanics: wrong lengths, rows and formats panic
// before anything is written.
func TestHalfRowsBadInputPanics(t *testing.T) {
	forEachPath(t, func(t *testing.T, p Path) {
		table := make([]uint16, 32)
		dst := make([]float32, 16)
		for i := range table {
			table[i] = 0x3F80
		}
		expectPanic(t, "outside", func() { p.WidenRows(BFloat16, dst, table, 8, []int64{0, 4}) })
		expectPanic(t, "outside", func() { p.WidenRows(BFloat16, dst, table, 8, []int64{-1, 0}) })
		expectPanic(t, "len(dst)", func() { p.WidenRows(Float16, dst[:15], table, 8, []int64{0, 1}) })
		expectPanic(t, "unknown format", func() { p.WidenRows(0, dst, table, 8, []int64{0, 1}) })
		expectPanic(t, "multiple", func() { p.WidenRows(BFloat16, dst[:8], table[:31], 8, []int64{0}) })
		p.WidenRows(BFloat16, dst[:0], table, 0, []int64{7, -1}) // dim 0: nothing to read or check
		expectPanic(t, "outside", func() { p.AddRowsHalf(BFloat16, dst[:8], table, 8, []int64{3, 4}, nil) })
		expectPanic(t, "differ", func() { p.AddRowsHalf(BFloat16, dst, table, 8, []int64{0}, nil) })
		expectPanic(t, "weights", func() { p.AddRowsHalf(Float16, dst[:8], table, 8, []int64{0}, []float32{1, 2}) })
		expectPanic(t, "unknown format", func() { p.AddRowsHalf(3, dst[:8], table, 8, []int64{0}, nil) })
		for _, v := range dst {
			if v != 0 {
				t.Fatal("written")
			}
		}
	})
}

// TestHalfRowsZeroAllocations: the lookups and bags of 16-bit weights
// allocate nothing.
func TestHalfRowsZeroAllocations(t *testing.T) {
	forEachPath(t, func(t *testing.T, p Path) {
		table := make([]uint16, 64*100)
		dst := make([]float32, 64*3)
		rows := []int64{5, 70, 9}
		w := []float32{1, 2, 3}
		for _, f := range formats() {
			if n := testing.AllocsPerRun(100, func() {
				p.WidenRows(f, dst, table, 64, rows)
				p.AddRowsHalf(f, dst[:64], table, 64, rows, nil)
				p.AddRowsHalf(f, dst[:64], table, 64, rows, w)
			}); n != 0 {
				t.Fatalf("%v: %v allocations per run", f, n)
			}
		}
	})
}

func ExampleWidenRows() {
	table := []uint16{0x3F80, 0x4000, 0xC040, 0x7F80} // bfloat16 1, 2, -3, +Inf: two rows of 2
	dst := make([]float32, 4)
	WidenRows(BFloat16, dst, table, 2, []int64{1, 0})
	fmt.Println(dst)
	sum := make([]float32, 2)
	AddRowsHalf(BFloat16, sum, table, 2, []int64{0, 0, 0}, []float32{1, 0.5, 0.25})
	fmt.Println(sum)
	// Output:
	// [-3 +Inf 1 2]
	// [1.75 3.5]
}

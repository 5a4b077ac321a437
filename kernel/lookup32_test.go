package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// rows32Case returns a table of nrows rows of dim float32 weights with
// any bits (a quarter of them NaNs, infinities, zeros and subnormals, or
// all finite when tame), a list of n rows with repeats, and n weights.
func rows32Case(r *rand.Rand, dim, nrows, n int, tame bool) ([]float32, []int64, []float32) {
	table := make([]float32, nrows*dim)
	special := []uint32{0, 0x80000000, 1, 0x80000001, 0x7F800000, 0xFF800000, 0x7F800001, 0xFFC00000, 0x7FFFFFFF, 0x007FFFFF}
	for i := range table {
		switch {
		case tame:
			table[i] = float32(r.NormFloat64())
		case r.IntN(4) == 0:
			table[i] = math.Float32frombits(special[r.IntN(len(special))])
		default:
			table[i] = math.Float32frombits(r.Uint32())
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

// TestCopyRows32: every path's CopyRows32 copies each listed row, bit for
// bit (NaN payloads included).
func TestCopyRows32(t *testing.T) {
	forEachPath(t, func(t *testing.T, p Path) {
		r := rand.New(rand.NewPCG(41, 5))
		cases := 0
		for _, dim := range append(rowsDims(), 0) {
			for _, n := range []int{0, 1, 5, 19} {
				table, rows, _ := rows32Case(r, dim, 1+r.IntN(12), n, false)
				got := make([]float32, n*dim)
				p.CopyRows32(got, table, dim, rows)
				for i, row := range rows {
					for j := range dim {
						if math.Float32bits(got[i*dim+j]) != math.Float32bits(table[int(row)*dim+j]) {
							t.Fatalf("dim=%d row %d column %d: %#08x, want %#08x", dim, i, j, math.Float32bits(got[i*dim+j]), math.Float32bits(table[int(row)*dim+j]))
						}
					}
				}
				cases++
			}
		}
		t.Logf("%d cases", cases)
	})
}

// TestAddRows32: every path's AddRows32 gives the bits of adding each row
// (times its weight, the product rounded) in order, from any start, with
// and without weights.
func TestAddRows32(t *testing.T) {
	forEachPath(t, func(t *testing.T, p Path) {
		r := rand.New(rand.NewPCG(42, 6))
		cases := 0
		for _, dim := range rowsDims() {
			for _, n := range []int{0, 1, 2, 7, 30} {
				for _, weighted := range []bool{false, true} {
					table, rows, w := rows32Case(r, dim, 1+r.IntN(12), n, r.IntN(2) == 0)
					if !weighted {
						w = nil
					}
					dst := make([]float32, dim)
					fill32(r, dst, 0.05)
					want := slices.Clone(dst)
					for i, row := range rows {
						for j := range want {
							x := table[int(row)*dim+j]
							if w != nil {
								x = float32(w[i] * x)
							}
							want[j] = want[j] + x
						}
					}
					p.AddRows32(dst, table, dim, rows, w)
					for j := range dst {
						if !sameBits32(dst[j], want[j]) {
							t.Fatalf("dim=%d n=%d weighted=%v column %d: %#08x, want %#08x", dim, n, weighted, j, math.Float32bits(dst[j]), math.Float32bits(want[j]))
						}
					}
					cases++
				}
			}
		}
		t.Logf("%d cases", cases)
	})
}

// TestRows32BadInputPanics: wrong lengths and rows panic before anything
// is written.
func TestRows32BadInputPanics(t *testing.T) {
	forEachPath(t, func(t *testing.T, p Path) {
		table := make([]float32, 32)
		dst := make([]float32, 16)
		expectPanic(t, "outside", func() { p.CopyRows32(dst, table, 8, []int64{0, 4}) })
		expectPanic(t, "outside", func() { p.CopyRows32(dst, table, 8, []int64{-1, 0}) })
		expectPanic(t, "len(dst)", func() { p.CopyRows32(dst[:15], table, 8, []int64{0, 1}) })
		expectPanic(t, "multiple", func() { p.CopyRows32(dst[:8], table[:31], 8, []int64{0}) })
		expectPanic(t, "len(dst)", func() { p.AddRows32(dst[:7], table, 8, []int64{0}, nil) })
		expectPanic(t, "weights", func() { p.AddRows32(dst[:8], table, 8, []int64{0, 1}, []float32{1}) })
		for i, x := range dst {
			if x != 0 {
				t.Fatalf("dst[%d] = %v written by a call that panicked", i, x)
			}
		}
	})
}

// TestRows32Allocs: the lookups allocate nothing.
func TestRows32Allocs(t *testing.T) {
	forEachPath(t, func(t *testing.T, p Path) {
		table := make([]float32, 64*100)
		rows := []int64{3, 99, 0, 42}
		dst := make([]float32, len(rows)*64)
		w := []float32{1, 2, 3, 4}
		if n := testing.AllocsPerRun(100, func() {
			p.CopyRows32(dst, table, 64, rows)
			p.AddRows32(dst[:64], table, 64, rows, w)
		}); n != 0 {
			t.Errorf("%v allocations per run", n)
		}
	})
}

func ExampleCopyRows32() {
	table := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16} // two rows of 8
	dst := make([]float32, 16)
	CopyRows32(dst, table, 8, []int64{1, 0})
	fmt.Println(dst)
	sum := make([]float32, 8)
	AddRows32(sum, table, 8, []int64{0, 1, 1}, []float32{1, 0.5, 0.25})
	fmt.Println(sum)
	// Output:
	// [9 10 11 12 13 14 15 16 1 2 3 4 5 6 7 8]
	// [7.75 9.5 11.25 13 14.75 16.5 18.25 20]
}

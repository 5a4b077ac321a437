package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

// halfGrid holds the non-negative finite values of a 16-bit format in
// increasing order, as float64, with their bits, and after them the place
// where infinity counts as the next value.
type halfGrid struct {
	vals []float64
	bits []uint16
}

// refWiden is the value of 16-bit bits u, from the format's definition.
func refWiden(f HalfFormat, u uint16) float64 {
	var ebits, mbits, bias int
	if f == BFloat16 {
		ebits, mbits, bias = 8, 7, 127
	} else {
		ebits, mbits, bias = 5, 10, 15
	}
	s := 1.0
	if u>>15 == 1 {
		s = -1
	}
	e := int(u>>mbits) & (1<<ebits - 1)
	m := float64(int(u) & (1<<mbits - 1))
	switch {
	case e == 1<<ebits-1 && m == 0:
		return math.Inf(int(s))
	case e == 1<<ebits-1:
		return math.NaN()
	case e == 0:
		return s * math.Ldexp(m, 1-bias-mbits)
	}
	return s * math.Ldexp(1+m/float64(int(1)<<mbits), e-bias)
}

func newHalfGrid(f HalfFormat) *halfGrid {
	g := &halfGrid{}
	inf := uint16(0x7C00)
	top := 65536.0
	if f == BFloat16 {
		inf, top = 0x7F80, math.Ldexp(1, 128)
	}
	for u := uint16(0); u < inf; u++ {
		g.vals = append(g.vals, refWiden(f, u))
		g.bits = append(g.bits, u)
	}
	g.vals = append(g.vals, top)
	g.bits = append(g.bits, inf)
	return g
}

// refRound rounds float32 x by the documented rule, computed from the grid:
// the neighbours lo <= a < hi, the fraction (a-lo)/(hi-lo), and the random
// bits read as a uniform number in [0, 1) in the form the rule gives for
// that range.
func (g *halfGrid) refRound(f HalfFormat, stochastic bool, x float32, r uint32) uint16 {
	sign := uint16(math.Float32bits(x)>>16) & 0x8000
	a := math.Abs(float64(x))
	if x != x {
		b := math.Float32bits(x)
		if f == BFloat16 {
			return uint16(b>>16) | 0x40
		}
		return sign | 0x7E00 | uint16(b>>13)&0x3FF
	}
	top := g.vals[len(g.vals)-1]
	if a >= top {
		return sign | g.bits[len(g.bits)-1]
	}
	i := sort.SearchFloat64s(g.vals, a) // first >= a
	if g.vals[i] == a {
		return sign | g.bits[i]
	}
	lo, hi := g.vals[i-1], g.vals[i]
	frac := (a - lo) / (hi - lo) // exact: hi-lo is a power of two
	up := false
	if stochastic {
		var u float64
		switch {
		case f == BFloat16:
			u = 1 - (float64(r>>16)+1)/65536
		case a >= 0x1p-14:
			u = 1 - (float64(r>>19)+1)/8192
		default:
			u = float64(r>>8) / (1 << 24)
		}
		up = u < frac
	} else {
		up = frac > 0.5 || frac == 0.5 && g.bits[i-1]&1 == 1
	}
	if up {
		return sign | g.bits[i]
	}
	return sign | g.bits[i-1]
}

func formats() []HalfFormat { return []HalfFormat{BFloat16, Float16} }

// TestWidenAll widens every 16-bit value and compares it with its value by
// the format's definition; NaNs must widen to quiet NaNs of the same sign
// and top fraction bits.
func TestWidenAll(t *testing.T) {
	for _, f := range formats() {
		src := make([]uint16, 1<<16)
		for i := range src {
			src[i] = uint16(i)
		}
		dst := make([]float32, len(src))
		Widen(f, dst, src)
		for i, u := range src {
			want := refWiden(f, u)
			got := dst[i]
			b := math.Float32bits(got)
			if want != want {
				mb := 7
				if f == Float16 {
					mb = 10
				}
				frac := uint32(u) & (1<<mb - 1)
				if got == got || b>>31 != uint32(u>>15) || b>>(23-mb)&(1<<mb-1) != frac|1<<(mb-1) || b&(1<<(23-mb)-1) != 0 {
					t.Fatalf("%v: widen(%#04x) = %#08x, want a quiet NaN of the same sign and fraction", f, u, b)
				}
				continue
			}
			if float64(got) != want || math.Signbit(float64(got)) != math.Signbit(want) {
				t.Fatalf("%v: widen(%#04x) = %v, want %v", f, u, got, want)
			}
		}
	}
}

// roundInputs returns float32 values around every kind of case: random
// bits, values near 16-bit values (ties included), the ends of the ranges,
// subnormals of both formats, zeros, infinities and NaNs.
func roundInputs(r *rand.Rand, n int) []float32 {
	out := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
		float32(math.NaN()), math.Float32frombits(0x7F800001), math.Float32frombits(0xFFC12345),
		65504, 65519, 65520, 65521, 65535.99, 65536, 1e6, -65520, math.MaxFloat32, -math.MaxFloat32,
		0x1p-14, 0x1p-15, 0x1p-24, 0x1p-25, 0x1.8p-25, 0x1p-26, 0x1p-40, 1e-45, 0x1p-126, 0x1p-127,
		math.Float32frombits(0x7F7F8000), math.Float32frombits(0x7F7F7FFF), math.Float32frombits(0x7F7FFFFF),
		1, 1 + 0x1p-8, 1 + 0x1p-11, 1 + 0x3p-9, 1 + 0x3p-12, -1 - 0x1p-8}
	for len(out) < n {
		switch r.IntN(4) {
		case 0:
			out = append(out, math.Float32frombits(r.Uint32()))
		case 1:
			out = append(out, float32(r.NormFloat64()*math.Pow(2, float64(r.IntN(60)-40))))
		case 2: // a 16-bit value plus a few low bits: ties and near-ties
			b := r.Uint32() &^ 0xFFFF
			b |= []uint32{0x8000, 0x7FFF, 0x8001, 0x1000, 0x1, 0xFFFF}[r.IntN(6)]
			out = append(out, math.Float32frombits(b))
		default: // the float16 range, with ties of 13 bits
			x := float32(r.Float64() * math.Pow(2, float64(r.IntN(44)-26)))
			b := math.Float32bits(x)
			if r.IntN(2) == 0 {
				b = b&^0x1FFF | 0x1000
			}
			out = append(out, math.Float32frombits(b^uint32(r.IntN(2))<<31))
		}
	}
	return out
}

// TestRoundAgainstReference holds Round, both modes and both formats, to
// the rule as the reference computes it from the grid of 16-bit values.
func TestRoundAgainstReference(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 1))
	xs := roundInputs(r, 200000)
	for _, f := range formats() {
		g := newHalfGrid(f)
		for _, st := range []bool{false, true} {
			h := Half{Format: f, Stochastic: st, Seed: 99, Step: 3}
			got := make([]uint16, len(xs))
			Round(h, 7, 5, got, xs)
			for i, x := range xs {
				rb := RandomBits(99, 3, 7, 5+i)
				if !st {
					rb = 0
				}
				if want := g.refRound(f, st, x, rb); got[i] != want {
					t.Fatalf("%v stochastic=%v: round(%v = %#08x, bits %#08x) = %#04x, want %#04x",
						f, st, x, math.Float32bits(x), rb, got[i], want)
				}
			}
		}
	}
}

// TestRoundByHand checks cases of the rule with numbers worked out by
// hand.
func TestRoundByHand(t *testing.T) {
	type c struct {
		f    HalfFormat
		st   bool
		x    float32
		r    uint32
		want uint16
	}
	tie := math.Float32frombits(0x3F808000) // 1 + 2^-8, halfway between bfloat16 1 and 1+2^-7
	for _, tc := range []c{
		{BFloat16, false, tie, 0, 0x3F80},                                   // tie to even: down
		{BFloat16, false, math.Float32frombits(0x3F818000), 0, 0x3F82},      // tie to even: up
		{BFloat16, true, tie, 0x7FFF0000, 0x3F80},                           // 0x8000+0x7FFF: no carry
		{BFloat16, true, tie, 0x80000000, 0x3F81},                           // 0x8000+0x8000: carry
		{BFloat16, true, float32(math.Inf(1)), 0xFFFFFFFF, 0x7F80},          // infinity kept
		{BFloat16, true, math.MaxFloat32, 0, 0x7F7F},                        // down
		{BFloat16, true, math.MaxFloat32, 0xFFFFFFFF, 0x7F80},               // up: infinity
		{BFloat16, false, math.MaxFloat32, 0, 0x7F80},                       // above the halfway point
		{BFloat16, true, float32(math.Copysign(0, -1)), 0xFFFFFFFF, 0x8000}, // -0 kept
		{BFloat16, true, 1e-45, 0xFFFFFFFF, 0x0001},                         // float32 subnormal up
		{BFloat16, true, 1e-45, 0xFFFE0000, 0x0000},
		{BFloat16, false, math.Float32frombits(0x7F800001), 0, 0x7FC0}, // signalling NaN: quiet
		{Float16, false, 65519, 0, 0x7BFF},
		{Float16, false, 65520, 0, 0x7C00},
		{Float16, true, 65520, 0x7FFFFFFF, 0x7BFF}, // 16/32 of the way: r>>19 = 0xFFF, 0x1000 needed
		{Float16, true, 65520, 0x80000000, 0x7C00},
		{Float16, true, 1e6, 0, 0x7C00},
		{Float16, false, -1e6, 0, 0xFC00},
		{Float16, true, 0x1p-25, 0x80000000, 0x0000}, // half of 2^-24: up when bits>>8 < 2^23
		{Float16, true, 0x1p-25, 0x7FFFFF00, 0x0001},
		{Float16, false, 0x1p-25, 0, 0x0000},    // tie to even: 0
		{Float16, false, 0x3p-25, 0, 0x0002},    // tie to even: 2 steps
		{Float16, false, 0x1p-14, 0, 0x0400},    // smallest normal
		{Float16, true, 0x1p-40, 0xFFFFFFFF, 0}, // below 2^-48 of a step: never up
		{Float16, false, math.Float32frombits(0xFF800001), 0, 0xFE00},
	} {
		got := round16(tc.f, tc.st, tc.x, tc.r)
		if got != tc.want {
			t.Errorf("%v stochastic=%v round(%v, %#x) = %#04x, want %#04x", tc.f, tc.st, tc.x, tc.r, got, tc.want)
		}
	}
}

// TestStochasticUnbiased rounds values that lie between two 16-bit values
// 65536 times, each with the random bits of another column, and requires
// the mean of the results within 5 standard deviations of the value; round
// to nearest, which always picks the same neighbour, must miss that bound
// by far (else the bound could not fail).
func TestStochasticUnbiased(t *testing.T) {
	const n = 1 << 16
	for _, f := range formats() {
		for _, x := range []float32{1.0013, -3.3e-3, 0.1, 7e-6, 60001.7, 3e-8} {
			if f == BFloat16 && x > 60000 {
				x = 1e30
			}
			xs := make([]float32, n)
			for i := range xs {
				xs[i] = x
			}
			got := make([]uint16, n)
			wide := make([]float32, n)
			for _, st := range []bool{true, false} {
				Round(Half{Format: f, Stochastic: st, Seed: 5, Step: 1}, 3, 0, got, xs)
				Widen(f, wide, got)
				lo, hi := float64(wide[0]), float64(wide[0])
				mean := 0.0
				for _, v := range wide {
					mean += float64(v)
					lo, hi = min(lo, float64(v)), max(hi, float64(v))
				}
				mean /= n
				// About the gap between the neighbours (at most twice it).
				gap := math.Abs(float64(x)) * 0x1p-7
				if f == Float16 {
					gap = math.Abs(float64(x)) * 0x1p-10
					if math.Abs(float64(x)) < 0x1p-14 {
						gap = 0x1p-24
					}
				}
				bound := 5 * gap * 0.5 / math.Sqrt(n)
				dev := math.Abs(mean - float64(x))
				if st {
					if dev > bound || lo == hi {
						t.Errorf("%v stochastic: mean of %d roundings of %v is %v (off by %.3g, bound %.3g; values %v..%v)",
							f, n, x, mean, dev, bound, lo, hi)
					}
				} else if dev <= bound {
					t.Errorf("%v nearest: mean %v of %v within the bound %.3g: the bound cannot tell the modes apart", f, mean, x, bound)
				}
			}
		}
	}
}

// TestRandomBits: the generator depends on each of its four inputs, and on
// nothing else.
func TestRandomBits(t *testing.T) {
	base := RandomBits(1, 2, 3, 4)
	if RandomBits(1, 2, 3, 4) != base {
		t.Fatal("not a function of its inputs")
	}
	for i, v := range []uint32{RandomBits(2, 2, 3, 4), RandomBits(1, 3, 3, 4), RandomBits(1, 2, 4, 4), RandomBits(1, 2, 3, 5)} {
		if v == base {
			t.Errorf("input %d changed, bits did not", i)
		}
	}
	// Every bit is set about half the time over many columns.
	var ones [32]int
	const n = 1 << 14
	for c := 0; c < n; c++ {
		v := RandomBits(7, 1, 0, c)
		for b := range ones {
			ones[b] += int(v >> b & 1)
		}
	}
	for b, k := range ones {
		if math.Abs(float64(k)-n/2) > 5*math.Sqrt(n/4) {
			t.Errorf("bit %d set %d times of %d", b, k, n)
		}
	}
}

// newHalfCase returns a 16-bit table case made from a float32 one: its
// table rounded to nearest.
func newHalfCase(r *rand.Rand, f HalfFormat, dim, nrows, nbatch, stateDim int, indirect bool) (*rowsCase, []uint16) {
	c := newRowsCase(r, dim, nrows, nbatch, stateDim, indirect)
	w := make([]uint16, len(c.table))
	Round(Half{Format: f}, 0, 0, w, c.table)
	return c, w
}

// TestHalfRowsAgainstFloat32: every path's 16-bit row kernels give, row by
// row, the bits of widening the row, the generic float32 step on it
// (Step32 element-wise, RowwiseStep32 row-wise) and Round with the row's
// random bits.
func TestHalfRowsAgainstFloat32(t *testing.T) {
	forEachPath(t, func(t *testing.T, p Path) {
		r := rand.New(rand.NewPCG(17, 2))
		cases := 0
		for _, rowwise := range []bool{false, true} {
			for _, f := range formats() {
				for _, dim := range rowsDims() {
					for _, nbatch := range []int{1, 3, 9} {
						indirect := r.IntN(2) == 0
						o := allOptions()[r.IntN(len(allOptions()))]
						sd := dim
						if rowwise {
							sd = 1
						}
						c, w := newHalfCase(r, f, dim, 1+r.IntN(12), nbatch, sd, indirect)
						h := Half{Format: f, Stochastic: r.IntN(3) > 0, Seed: r.Uint64(), Step: r.Int64N(100)}
						wantW := slices.Clone(w)
						wantS := slices.Clone(c.state)
						row := make([]float32, dim)
						for i, rr := range c.rows {
							o0 := int(rr) * dim
							Widen(f, row, wantW[o0:o0+dim])
							if rowwise {
								Generic().RowwiseStep32(row, c.gradRow(i), &wantS[rr], o)
							} else {
								Generic().Step32(row, c.gradRow(i), wantS[o0:o0+dim], o)
							}
							Round(h, rr, 0, wantW[o0:o0+dim], row)
						}
						if rowwise {
							p.RowwiseStepRowsHalf(h, w, c.state, dim, c.rows, c.grads, c.gradRows, o)
						} else {
							p.StepRowsHalf(h, w, c.state, dim, c.rows, c.grads, c.gradRows, o)
						}
						what := fmt.Sprintf("rowwise=%v %v dim=%d batch=%d %+v %+v", rowwise, f, dim, nbatch, h, o)
						for i := range w {
							if !sameHalf(f, w[i], wantW[i]) {
								t.Fatalf("%s: weight %d: %#04x, want %#04x", what, i, w[i], wantW[i])
							}
						}
						for i := range wantS {
							if !sameBits32(c.state[i], wantS[i]) {
								t.Fatalf("%s: state %d: %v, want %v", what, i, c.state[i], wantS[i])
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

// TestHalfBadInputPanics: wrong lengths, rows and formats panic before
// anything is written.
func TestHalfBadInputPanics(t *testing.T) {
	w := make([]uint16, 8)
	s := make([]float32, 8)
	h := make([]float32, 2)
	g := make([]float32, 4)
	bf := Half{Format: BFloat16}
	expectPanic(t, "len(sum)", func() { StepRowsHalf(bf, w, s[:4], 4, []int32{0}, g, nil, Options{}) })
	expectPanic(t, "outside the table", func() { StepRowsHalf(bf, w, s, 4, []int32{2}, g, nil, Options{}) })
	expectPanic(t, "unknown format", func() { StepRowsHalf(Half{}, w, s, 4, []int32{0}, g, nil, Options{}) })
	expectPanic(t, "len(h)*dim", func() { RowwiseStepRowsHalf(bf, w, h[:1], 4, []int32{0}, g, nil, Options{}) })
	expectPanic(t, "gradRows", func() { RowwiseStepRowsHalf(bf, w, h, 4, []int32{0}, g, []int32{1}, Options{}) })
	expectPanic(t, "differ", func() { Widen(Float16, s[:3], w) })
	expectPanic(t, "differ", func() { Round(bf, 0, 0, w[:3], s) })
	for _, v := range w {
		if v != 0 {
			t.Fatal("written")
		}
	}
}

// TestHalfZeroAllocations: the 16-bit row kernels allocate nothing.
func TestHalfZeroAllocations(t *testing.T) {
	forEachPath(t, func(t *testing.T, p Path) {
		w := make([]uint16, 64*100)
		s := make([]float32, 64*100)
		hs := make([]float32, 100)
		g := make([]float32, 64*3)
		rows := []int32{5, 70, 9}
		o := Options{LR: 0.1, Eps: 1e-10}
		h := Half{Format: Float16, Stochastic: true, Seed: 1, Step: 1}
		if n := testing.AllocsPerRun(100, func() {
			p.StepRowsHalf(h, w, s, 64, rows, g, nil, o)
			p.RowwiseStepRowsHalf(h, w, hs, 64, rows, g, nil, o)
		}); n != 0 {
			t.Fatalf("%v allocations per run", n)
		}
	})
}

func ExampleRound() {
	x := []float32{1.00390625} // 1 + 2^-8: halfway between the bfloat16 values 1 and 1 + 2^-7
	out := make([]uint16, 1)
	Round(Half{Format: BFloat16}, 0, 0, out, x)
	fmt.Printf("nearest even: %#04x\n", out[0])
	up := 0
	for step := int64(1); step <= 1000; step++ {
		Round(Half{Format: BFloat16, Stochastic: true, Seed: 1, Step: step}, 0, 0, out, x)
		up += int(out[0] - 0x3F80)
	}
	fmt.Println("stochastic, rounded up in about half of 1000 steps:", up > 430 && up < 570)
	// Output:
	// nearest even: 0x3f80
	// stochastic, rounded up in about half of 1000 steps: true
}

// sameHalf reports whether two 16-bit values of format f are the same
// bits, or both NaN: as with the float32 kernels, the paths may give NaNs
// of other payloads.
func sameHalf(f HalfFormat, a, b uint16) bool {
	nan := func(u uint16) bool {
		if f == BFloat16 {
			return u&0x7F80 == 0x7F80 && u&0x7F != 0
		}
		return u&0x7C00 == 0x7C00 && u&0x3FF != 0
	}
	return a == b || nan(a) && nan(b)
}

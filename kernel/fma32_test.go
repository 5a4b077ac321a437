package kernel

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// exactFMA32 is a*b+c computed exactly with math/big and rounded once to
// float32 (nearest, ties to even), with IEEE-754's rules for infinities,
// NaN and signed zeros.
func exactFMA32(a, b, c float32) float32 {
	fa, fb, fc := float64(a), float64(b), float64(c)
	if math.IsNaN(fa) || math.IsNaN(fb) || math.IsNaN(fc) ||
		math.IsInf(fa, 0) || math.IsInf(fb, 0) || math.IsInf(fc, 0) {
		return float32(fa*fb + fc) // special values: float64 gives IEEE's answer
	}
	p := new(big.Float).SetPrec(0).SetMode(big.ToNearestEven)
	p.SetPrec(2000).Mul(big.NewFloat(fa).SetPrec(2000), big.NewFloat(fb).SetPrec(2000))
	s := new(big.Float).SetPrec(2000).Add(p, big.NewFloat(fc).SetPrec(2000))
	if s.Sign() == 0 {
		// An exact zero sum: +0 unless both addends are -0.
		prodNeg := math.Signbit(fa) != math.Signbit(fb)
		if prodNeg && math.Signbit(fc) {
			return float32(math.Copysign(0, -1))
		}
		return 0
	}
	f, _ := s.Float32()
	return f
}

func sameBits32(a, b float32) bool {
	if a != a && b != b {
		return true
	}
	return math.Float32bits(a) == math.Float32bits(b)
}

// doubleRoundingCases returns (a, b, c) whose exact a*b+c lies just off a
// float32 halfway point, by less than half a float64 unit, so that rounding
// to float64 first lands on the halfway point and the tie then goes the
// wrong way.
func doubleRoundingCases(r *rand.Rand, n int) [][3]float32 {
	var out [][3]float32
	for len(out) < n {
		// a*b = 2^e * (1 - j^2 * 2^-46) with a = 2^e*(1 - j*2^-23), b = 1 + j*2^-23,
		// a hair below 2^e.
		j := float64(1 + r.IntN(300))
		e := r.IntN(40) - 20
		a := float32(math.Ldexp(1-j*0x1p-23, e-24))
		b := float32(1 + j*0x1p-23)
		// c has an odd last bit and its ulp is 2^(e-23): c + 2^(e-24) is the
		// halfway point above c, which ties to the even neighbour above.
		m := uint32(r.IntN(1<<23)) | 1
		c := math.Float32frombits(uint32(127+e)<<23 | m)
		if r.IntN(2) == 0 {
			// The mirror image: negative values all round.
			a, c = -a, -c
		}
		out = append(out, [3]float32{a, b, c})
	}
	return out
}

func TestFMA32DoubleRounding(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	naiveWrong := 0
	for _, in := range doubleRoundingCases(r, 2000) {
		a, b, c := in[0], in[1], in[2]
		want := exactFMA32(a, b, c)
		if got := fma32(a, b, c); !sameBits32(got, want) {
			t.Fatalf("fma32(%x, %x, %x) = %x, want %x", math.Float32bits(a), math.Float32bits(b), math.Float32bits(c),
				math.Float32bits(got), math.Float32bits(want))
		}
		if naive := float32(math.FMA(float64(a), float64(b), float64(c))); !sameBits32(naive, want) {
			naiveWrong++
		}
	}
	// The cases must really be the hard ones: rounding twice gets them wrong.
	if naiveWrong < 1000 {
		t.Fatalf("only %d of 2000 cases defeat double rounding; the test is not testing", naiveWrong)
	}
	t.Logf("double rounding wrong in %d of 2000 cases, fma32 right in all", naiveWrong)
}

func specials32() []float32 {
	return []float32{
		0, float32(math.Copysign(0, -1)), 1, -1, 0.5, 3,
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()),
		math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32,
		math.Float32frombits(0x007fffff), math.Float32frombits(0x807fffff), // largest subnormals
		math.Float32frombits(0x00800000), // smallest normal
		math.MaxFloat32, -math.MaxFloat32,
		1.8446744e19, 1e-30, 1e30, 1e-20, 1e20, 1 + 0x1p-23, 1 - 0x1p-24,
	}
}

func TestFMA32Random(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	sp := specials32()
	pick := func() float32 {
		switch r.IntN(4) {
		case 0:
			return sp[r.IntN(len(sp))]
		case 1: // any bit pattern
			return math.Float32frombits(r.Uint32())
		case 2: // subnormal
			return math.Float32frombits(r.Uint32() & 0x807fffff)
		default: // moderate magnitudes, where sums mix
			return float32(math.Ldexp(r.Float64()-0.5, r.IntN(60)-30))
		}
	}
	for i := 0; i < 200000; i++ {
		a, b, c := pick(), pick(), pick()
		want := exactFMA32(a, b, c)
		if got := fma32(a, b, c); !sameBits32(got, want) {
			t.Fatalf("fma32(%x, %x, %x) = %x, want %x", math.Float32bits(a), math.Float32bits(b), math.Float32bits(c),
				math.Float32bits(got), math.Float32bits(want))
		}
	}
	for _, a := range sp {
		for _, b := range sp {
			for _, c := range sp {
				want := exactFMA32(a, b, c)
				if got := fma32(a, b, c); !sameBits32(got, want) {
					t.Fatalf("fma32(%g, %g, %g) = %g (%x), want %g (%x)", a, b, c, got, math.Float32bits(got), want, math.Float32bits(want))
				}
			}
		}
	}
}

// TestFMA32Boundaries: results at the edges of fma32's shortcut, against
// the exact reference: near the smallest normal float32 and in the
// subnormals (where halfway points are not where a normal float32 has
// them), and at the overflow threshold (halfway between MaxFloat32 and
// 2^128).
func TestFMA32Boundaries(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	check := func(a, b, c float32) {
		t.Helper()
		if got, want := fma32(a, b, c), exactFMA32(a, b, c); !sameBits32(got, want) {
			t.Fatalf("fma32(%x, %x, %x) = %x, want %x", math.Float32bits(a), math.Float32bits(b), math.Float32bits(c),
				math.Float32bits(got), math.Float32bits(want))
		}
	}
	for range 300000 {
		// a*b between 2^-155 and 2^-120, c a small normal or a subnormal.
		ea, eb := r.IntN(40)-80, 0
		eb = -135 + r.IntN(30) - ea
		a := float32(math.Ldexp(1+r.Float64(), ea))
		b := float32(math.Ldexp(1+r.Float64(), eb))
		if r.IntN(2) == 0 {
			a = -a
		}
		c := math.Float32frombits(r.Uint32()&0x80ffffff | uint32(r.IntN(2))<<23)
		check(a, b, c)
	}
	// a*b a hair below 2^-150, half a subnormal unit, c an odd subnormal:
	// the float64 sum lands on a subnormal halfway point that the exact
	// sum is just below of, and the tie would go to the even neighbour
	// above.
	for range 2000 {
		j := float64(1 + r.IntN(300))
		a := float32(math.Ldexp(1-j*0x1p-23, -75))
		b := float32(math.Ldexp(1+j*0x1p-23, -75))
		c := math.Float32frombits(uint32(r.IntN(1<<22))<<1 | 1)
		check(a, b, c)
		check(-a, b, -c)
	}
	// Just below, at and above the overflow threshold, both signs.
	for k := 1; k < 200; k++ {
		d := float64(k) * 0x1p-23
		a := float32(math.Ldexp(1+d, 103))
		b := float32(1 - d)
		for _, c := range []float32{math.MaxFloat32, math.Nextafter32(math.MaxFloat32, 0)} {
			check(a, b, c)
			check(-a, b, -c)
			check(a, float32(1+d), c)
			check(a, 1, c)
		}
	}
	if got := fma32(float32(math.Ldexp(1+0x1p-23, 103)), float32(1-0x1p-23), math.MaxFloat32); got != math.MaxFloat32 {
		t.Errorf("just below the overflow threshold: %v, want MaxFloat32", got)
	}
}

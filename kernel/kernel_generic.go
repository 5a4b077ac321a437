package kernel

import "math"

// step32Generic is the reference float32 step, the contract element by
// element: every other path must give its bits. Each operation is written
// as the contract names it; explicit conversions keep the compiler from
// fusing a product into an add. Two are written in forms with the same
// bits and no branch: the sign flip of maximize as an XOR of the sign bit
// (which is what negation is), and the two places of eps as
// sqrt(s+epsIn)+epsOut, one of them zero (s is never -0, so adding +0
// changes nothing). len(grad) and len(sum) are at least len(param).
func step32Generic(c *coeffs32, param, grad, sum []float32) {
	grad = grad[:len(param)]
	sum = sum[:len(param)]
	// The coefficients in locals: param and sum are written in the loop,
	// and the compiler cannot tell that they do not alias *c.
	lr, epsIn, epsOut, wd, neg, decay := c.lr, c.epsIn, c.epsOut, c.wd, c.neg, c.decay
	for i := range param {
		p := param[i]
		g := math.Float32frombits(math.Float32bits(grad[i]) ^ neg) // -g when maximizing
		if decay {
			g = fma32(wd, p, g)
		}
		// s := fma32(g, g, sum[i]), written out so that the common case
		// is inlined (fma32, with its call of fma32Odd, is not).
		s64 := float64(g)*float64(g) + float64(sum[i])
		s := float32(s64)
		if !tieFree(s64) {
			s = fma32Odd(g, g, sum[i])
		}
		std := sqrt32(s+epsIn) + epsOut // sqrt(s)+eps, or sqrt(s+eps) when EpsInside
		q := float32(lr*g) / std
		param[i] = p - q
		sum[i] = s
	}
}

// step64Generic is step32Generic for float64.
func step64Generic(c *coeffs64, param, grad, sum []float64) {
	grad = grad[:len(param)]
	sum = sum[:len(param)]
	for i := range param {
		p := param[i]
		g := math.Float64frombits(math.Float64bits(grad[i]) ^ c.neg) // -g when maximizing
		if c.decay {
			g = math.FMA(c.wd, p, g)
		}
		s := math.FMA(g, g, sum[i])
		std := math.Sqrt(s+c.epsIn) + c.epsOut // sqrt(s)+eps, or sqrt(s+eps) when EpsInside
		q := float64(c.lr*g) / std
		param[i] = p - q
		sum[i] = s
	}
}

// sqrt32 is the correctly rounded float32 square root. Rounding the float64
// root to float32 is exact rounding: 53 >= 2*24+2 bits leaves no room for a
// double-rounding error.
func sqrt32(x float32) float32 {
	return float32(math.Sqrt(float64(x)))
}

// fma32 returns a*b+c rounded once to float32.
//
// The product of two float32 values is exact in float64 (48 significant
// bits, exponents well inside float64's range), so s, the float64 sum, is
// the exact a*b+c rounded once. Rounding s to float32 then gives the exact
// value's float32 rounding unless s is exactly halfway between two float32
// values: float32 values and the midpoints between them are float64
// values, so rounding to float64 keeps the exact value on its side of each
// of them, and only a tie that the first rounding made can be decided the
// wrong way. float32(math.FMA(a, b, c)) is wrong in just those cases. They
// (and results below float32's normal range, where a float32 holds fewer
// bits and the halfway points lie elsewhere) take fma32Odd.
func fma32(a, b, c float32) float32 {
	if s := float64(a)*float64(b) + float64(c); tieFree(s) {
		return float32(s)
	}
	return fma32Odd(a, b, c)
}

// tieFree reports whether s, a float64 sum of a product of two float32
// values and a float32 value, rounds to float32 as the exact sum does: s
// is not halfway between two float32 values and not below float32's
// normal range (see fma32), or s is zero (a float64 sum of such values is
// zero only when the exact sum is, and its sign is IEEE's in both
// formats). Zero is common: zero gradients on a zero state.
func tieFree(s float64) bool {
	x := math.Float64bits(s)
	return x&(1<<29-1) != 1<<28 && x&(0x7ff<<52) >= (1023-126)<<52 || x<<1 == 0
}

// fma32Odd returns a*b+c rounded once to float32: the exact product p is
// added to c and the sum rounded to float64 by round-to-odd
// (if s is inexact and its last bit is even, it is moved one unit towards
// the exact sum). A value rounded to odd with 53 bits rounds to float32
// (24 bits, or fewer for subnormals) exactly as the exact sum would, so the
// final conversion is the only rounding that shows.
func fma32Odd(a, b, c float32) float32 {
	p := float64(a) * float64(b)
	z := float64(c)
	s := float64(p + z)
	if s-s != 0 { // Inf or NaN: nothing to correct
		return float32(s)
	}
	// TwoSum: err is exactly (p + z) - s.
	bb := float64(s - p)
	err := float64(p-float64(s-bb)) + float64(z-bb)
	// Round to odd without branches: when err != 0 and the last bit of s
	// is even, move s one unit towards the exact value, that is up in
	// magnitude when err and s have the same sign, down otherwise. s is not
	// zero then: a zero float64 sum of two such values is exact.
	bits := math.Float64bits(s)
	e := math.Float64bits(err) << 1 // err's magnitude: zero when exact
	inexact := (e | -e) >> 63
	adj := inexact &^ bits & 1
	down := (math.Float64bits(err) ^ bits) >> 63
	bits += adj - 2*adj*down
	return float32(math.Float64frombits(bits))
}

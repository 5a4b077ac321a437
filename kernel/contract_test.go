package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// contract32 is the dense step written out literally from the contract
// (package doc): each branch as it reads, fma rounded once by math/big.
// The generic path writes some operations in equivalent forms; this holds
// it to the text.
func contract32(param, grad, sum float32, o Options) (float32, float32) {
	lr, eps, wd := float32(o.LR), float32(o.Eps), float32(o.WeightDecay)
	g := grad
	if o.Maximize {
		g = -g
	}
	if wd != 0 {
		g = exactFMA32(wd, param, g)
	}
	s := exactFMA32(g, g, sum)
	var std float32
	if o.EpsInside {
		std = float32(math.Sqrt(float64(s + eps)))
	} else {
		std = float32(math.Sqrt(float64(s))) + eps
	}
	return param - float32(lr*g)/std, s
}

// contract64 is contract32 for float64.
func contract64(param, grad, sum float64, o Options) (float64, float64) {
	g := grad
	if o.Maximize {
		g = -g
	}
	if o.WeightDecay != 0 {
		g = math.FMA(o.WeightDecay, param, g)
	}
	s := math.FMA(g, g, sum)
	var std float64
	if o.EpsInside {
		std = math.Sqrt(s + o.Eps)
	} else {
		std = math.Sqrt(s) + o.Eps
	}
	return param - float64(o.LR*g)/std, s
}

// TestGenericIsTheContract: the generic path against the contract written
// out, for every option set of the table tests and values that include
// zeros of both signs, subnormals, infinities and NaN.
func TestGenericIsTheContract(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 9))
	sp := specials32()
	pick := func() float32 {
		if r.IntN(3) == 0 {
			return sp[r.IntN(len(sp))]
		}
		return float32(math.Ldexp(r.NormFloat64(), r.IntN(40)-20))
	}
	pickSum := func() float32 { // a state training can reach: not negative
		return float32(math.Abs(float64(pick())))
	}
	n := 0
	for _, o := range allOptions() {
		for range 400 {
			p, g, s := pick(), pick(), pickSum()
			wantP, wantS := contract32(p, g, s, o)
			param, sum := []float32{p}, []float32{s}
			Generic().Step32(param, []float32{g}, sum, o)
			if !sameBits32(param[0], wantP) || !sameBits32(sum[0], wantS) {
				t.Fatalf("%+v: float32 p=%x g=%x s=%x: got %x %x, contract %x %x", o,
					math.Float32bits(p), math.Float32bits(g), math.Float32bits(s),
					math.Float32bits(param[0]), math.Float32bits(sum[0]), math.Float32bits(wantP), math.Float32bits(wantS))
			}
			// Rounded by conversion: otherwise the compiler may fuse these
			// products into the reference's arithmetic (arm64 does).
			p64, g64, s64 := float64(float64(p)*1.1), float64(float64(g)*0.9), float64(float64(s)*1.3)
			wantP64, wantS64 := contract64(p64, g64, s64, o)
			param64, sum64 := []float64{p64}, []float64{s64}
			Generic().Step64(param64, []float64{g64}, sum64, o)
			if !sameBits64(param64[0], wantP64) || !sameBits64(sum64[0], wantS64) {
				t.Fatalf("%+v: float64 p=%v g=%v s=%v: got %v %v, contract %v %v", o, p64, g64, s64, param64[0], sum64[0], wantP64, wantS64)
			}
			n++
		}
	}
	if n == 0 {
		t.Fatal("no cases")
	}
}

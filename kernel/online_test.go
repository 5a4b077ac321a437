package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// onlineOptions are the option sets the online tests use.
func onlineOptions() []Online {
	return []Online{
		{LR: 0.1},
		{LR: 0.05, L1: 0.01},
		{LR: 0.5, L1: 0.3, L2: 0.2},
		{LR: 1, L2: 0.1},
		{LR: 0.02, L1: 0.001, L2: 0.01, L2Shrinkage: 0.05, Beta: 1},
		{LR: 3, L1: 2, L2Shrinkage: 0.5},
	}
}

// TestProximalByHand: one element worked out on paper. p=1, g=1, s=3,
// lr=1, l1=0.2, l2=0.5: s=4, eta=0.5, v=0.5, m=0.5-0.1=0.4, p=0.4/1.25.
func TestProximalByHand(t *testing.T) {
	forEachPath(t, func(t *testing.T, p Path) {
		param, grad, sum := []float32{1}, []float32{1}, []float32{3}
		p.ProximalStep32(param, grad, sum, Online{LR: 1, L1: 0.2, L2: 0.5})
		if want := float32(0.5-float32(0.2)*0.5) / 1.25; param[0] != want || sum[0] != 4 {
			t.Errorf("param %v sum %v, want %v 4", param[0], sum[0], want)
		}
		p64, g64, s64 := []float64{1}, []float64{1}, []float64{3}
		p.ProximalStep64(p64, g64, s64, Online{LR: 1, L1: 0.2, L2: 0.5})
		if want := (0.5 - 0.2*0.5) / 1.25; p64[0] != want || s64[0] != 4 {
			t.Errorf("float64: param %v sum %v, want %v 4", p64[0], s64[0], want)
		}
		// L1 larger than the move: an exact zero, keeping v's sign.
		param, sum = []float32{-0.1}, []float32{3}
		p.ProximalStep32(param, []float32{0.01}, sum, Online{LR: 1, L1: 1})
		if param[0] != 0 || !math.Signbit(float64(param[0])) {
			t.Errorf("L1 zero: %v", param[0])
		}
	})
}

// TestFTRLByHand: p=0, g=1, s=0, lin=0, lr=1 and no regularization: s=1,
// sigma=1, lin=1, quad=1, p=-1; then with l1 = 2 the weight is 0.
func TestFTRLByHand(t *testing.T) {
	forEachPath(t, func(t *testing.T, p Path) {
		param, sum, lin := []float32{0}, []float32{0}, []float32{0}
		p.FTRLStep32(param, []float32{1}, sum, lin, Online{LR: 1})
		if param[0] != -1 || sum[0] != 1 || lin[0] != 1 {
			t.Errorf("got %v %v %v, want -1 1 1", param[0], sum[0], lin[0])
		}
		// Second step, g=1 again: sNew=2, sigma=sqrt2-1, lin=1+(1-(sqrt2-1)*-1) = 1+sqrt2
		// (rounded), quad = sqrt2 + 2*l2 with l2=0.5 and beta 0.
		p.FTRLStep32(param, []float32{1}, sum, lin, Online{LR: 1, L2: 0.5})
		r := float32(math.Sqrt(2))
		wantLin := 1 + (1 - float32((r-1)*-1))
		if lin[0] != wantLin || param[0] != -wantLin/(r+1) {
			t.Errorf("step 2: p %v lin %v, want %v %v", param[0], lin[0], -wantLin/(r+1), wantLin)
		}
		p.FTRLStep32(param, []float32{0}, sum, lin, Online{LR: 1, L1: 10})
		if param[0] != 0 || math.Signbit(float64(param[0])) {
			t.Errorf("L1: p %v, want +0", param[0])
		}
	})
}

// tfProximal and tfFTRL are TensorFlow's formulas as its kernels write
// them (rsqrt, accum + g*g, sign(v)*max(|v|-lr*l1, 0)), in float64 on
// float32 inputs: the float32 contract must stay within a few units of
// the last place of them.
func tfProximal(p, g, s float64, o Online) (float64, float64) {
	s = s + g*g
	eta := o.LR / math.Sqrt(s)
	v := p - g*eta
	if o.L1 > 0 {
		sign := 0.0
		if v > 0 {
			sign = 1
		} else if v < 0 {
			sign = -1
		}
		v = sign * math.Max(math.Abs(v)-eta*o.L1, 0)
	}
	return v / (1 + eta*o.L2), s
}

func tfFTRL(p, g, s, lin float64, o Online) (float64, float64, float64) {
	l2 := o.L2 + o.Beta/(2*o.LR)
	gs := g + 2*o.L2Shrinkage*p
	sNew := s + g*g
	lin += gs - (math.Sqrt(sNew)-math.Sqrt(s))/o.LR*p
	quad := math.Sqrt(sNew)/o.LR + 2*l2
	p = 0
	if math.Abs(lin) > o.L1 {
		p = (math.Copysign(o.L1, lin) - lin) / quad
	}
	return p, sNew, lin
}

// close32 reports whether got is within 64 float32 units in the last place
// of the largest of the magnitudes that the result is a difference of
// (cancellation makes a relative bound meaningless near zero).
func close32(got float32, want, scale float64) bool {
	ulp := math.Nextafter32(float32(math.Abs(scale))+math.SmallestNonzeroFloat32, float32(math.Inf(1))) - float32(math.Abs(scale))
	return math.Abs(float64(got)-want) <= 64*float64(ulp)+1e-37
}

func TestOnlineNearTensorFlowFormulas(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 5))
	n := 0
	for _, o := range onlineOptions() {
		for range 2000 {
			p := float32(r.NormFloat64())
			g := float32(r.NormFloat64() * math.Pow(10, r.Float64()*4-2))
			s := float32(0.1 + r.Float64()*10)
			lin := float32(r.NormFloat64() * 3)
			wp, ws := tfProximal(float64(p), float64(g), float64(s), o)
			gp, gs := []float32{p}, []float32{s}
			Generic().ProximalStep32(gp, []float32{g}, gs, o)
			scale := math.Max(math.Abs(float64(p)), math.Abs(wp)) + math.Abs(float64(g))*o.LR/math.Sqrt(ws)*(1+o.L1)
			if !close32(gp[0], wp, scale) || !close32(gs[0], ws, ws) {
				t.Fatalf("proximal %+v p=%v g=%v s=%v: %v %v, formulas %v %v", o, p, g, s, gp[0], gs[0], wp, ws)
			}
			wp, ws, wl := tfFTRL(float64(p), float64(g), float64(s), float64(lin), o)
			fp, fs, fl := []float32{p}, []float32{s}, []float32{lin}
			Generic().FTRLStep32(fp, []float32{g}, fs, fl, o)
			lscale := math.Abs(float64(lin)) + math.Abs(float64(g)) + math.Abs(float64(p))*(math.Sqrt(ws)/o.LR+2*o.L2Shrinkage)
			if !close32(fl[0], wl, lscale) || !close32(fs[0], ws, ws) || !close32(fp[0], wp, (lscale+o.L1)/(math.Sqrt(ws)/o.LR+2*o.L2+o.Beta/o.LR)) {
				t.Fatalf("ftrl %+v p=%v g=%v s=%v lin=%v: %v %v %v, formulas %v %v %v", o, p, g, s, lin, fp[0], fs[0], fl[0], wp, ws, wl)
			}
			n++
		}
	}
	t.Logf("%d cases", n)
}

// TestOnlineRowsAgainstStep: the row kernels give, row by row in order,
// the bits of the single-slice steps.
func TestOnlineRowsAgainstStep(t *testing.T) {
	forEachPath(t, func(t *testing.T, p Path) {
		r := rand.New(rand.NewPCG(13, 6))
		for _, dim := range rowsDims() {
			for _, indirect := range []bool{false, true} {
				o := onlineOptions()[r.IntN(len(onlineOptions()))]
				c := newRowsCase(r, dim, 1+r.IntN(12), 1+r.IntN(70), dim, indirect)
				for i := range c.state {
					c.state[i] += 0.01
				}
				lin := make([]float32, len(c.table))
				fill32(r, lin, 0)
				want := c.clone()
				wantLin := append([]float32(nil), lin...)
				for i, row := range c.rows {
					a := int(row) * dim
					Generic().FTRLStep32(want.table[a:a+dim], c.gradRow(i), want.state[a:a+dim], wantLin[a:a+dim], o)
				}
				p.FTRLStepRows32(c.table, c.state, lin, dim, c.rows, c.grads, c.gradRows, o)
				compareRows(t, fmt.Sprintf("ftrl dim=%d %+v", dim, o), c, want)
				for i := range lin {
					if !sameBits32(lin[i], wantLin[i]) {
						t.Fatalf("ftrl dim=%d: linear %d: %v, want %v", dim, i, lin[i], wantLin[i])
					}
				}
				c2 := newRowsCase(r, dim, 1+r.IntN(12), 1+r.IntN(70), dim, indirect)
				want = c2.clone()
				for i, row := range c2.rows {
					a := int(row) * dim
					Generic().ProximalStep32(want.table[a:a+dim], c2.gradRow(i), want.state[a:a+dim], o)
				}
				p.ProximalStepRows32(c2.table, c2.state, dim, c2.rows, c2.grads, c2.gradRows, o)
				compareRows(t, fmt.Sprintf("proximal dim=%d %+v", dim, o), c2, want)
			}
		}
	})
}

func TestOnlineBadInputPanics(t *testing.T) {
	expectPanic(t, "slice lengths differ", func() { ProximalStep32(make([]float32, 2), make([]float32, 1), make([]float32, 2), Online{}) })
	expectPanic(t, "len(linear)=1", func() {
		FTRLStep32(make([]float32, 2), make([]float32, 2), make([]float32, 2), make([]float32, 1), Online{})
	})
	expectPanic(t, "outside the table", func() {
		FTRLStepRows32(make([]float32, 4), make([]float32, 4), make([]float32, 4), 2, []int32{2}, make([]float32, 2), nil, Online{LR: 1})
	})
}

// TestDecayAgainstEveryPeriod: Decay32 and Decay64, which stop once a
// period changes nothing, give the bits of applying every period, on
// every path.
func TestDecayAgainstEveryPeriod(t *testing.T) {
	forEachPath(t, func(t *testing.T, p Path) { decayAgainstEveryPeriod(t, p) })
}

func decayAgainstEveryPeriod(t *testing.T, p Path) {
	r := rand.New(rand.NewPCG(5, 8))
	sp := specials32()
	for range 300 {
		n := 1 + r.IntN(20)
		s := make([]float32, n)
		for i := range s {
			if r.IntN(4) == 0 {
				s[i] = float32(math.Abs(float64(sp[r.IntN(len(sp))])))
			} else {
				s[i] = float32(r.Float64() * math.Pow(10, r.Float64()*10-5))
			}
		}
		d := Decay{Rate: []float64{1, 0.5, 0.9, 0.999, r.Float64()}[r.IntN(5)], Floor: []float64{0, 0.01, 1, r.Float64()}[r.IntN(4)]}
		if d.Rate == 0 {
			d.Rate = 0.5
		}
		k := int64(r.IntN(3000))
		got := append([]float32(nil), s...)
		p.Decay32(got, k, d)
		got64 := make([]float64, n)
		for i := range s {
			got64[i] = float64(s[i])
		}
		want64 := append([]float64(nil), got64...)
		p.Decay64(got64, k, d)
		rate, floor := float32(d.Rate), float32(d.Floor)
		for range k {
			for i := range s {
				s[i] = max32(s[i]*rate, floor)
				want64[i] = math.Max(want64[i]*d.Rate, d.Floor)
				if math.IsNaN(want64[i]) {
					want64[i] = math.NaN()
				}
			}
		}
		for i := range s {
			if !sameBits32(got[i], s[i]) && !(got[i] != got[i] && s[i] != s[i]) {
				t.Fatalf("%+v k=%d: element %d: %v, want %v", d, k, i, got[i], s[i])
			}
			if got64[i] != want64[i] && !(math.IsNaN(got64[i]) && math.IsNaN(want64[i])) {
				t.Fatalf("float64 %+v k=%d: element %d: %v, want %v", d, k, i, got64[i], want64[i])
			}
		}
	}
}

// TestDecayPathsAgainstGeneric: Decay32 and Decay64 on every path give
// generic's bits for any values (negative, special, NaN rate or floor
// included), every length to 70 and period counts to 40.
func TestDecayPathsAgainstGeneric(t *testing.T) {
	forEachPath(t, func(t *testing.T, p Path) {
		r := rand.New(rand.NewPCG(7, 9))
		rates := []float64{0.5, 0.9, 1, 1.5, -0.5, 0, math.NaN(), math.Inf(1), 1e-30}
		floors := []float64{0, 0.01, -1, 1e30, math.NaN(), math.Inf(-1), math.Copysign(0, -1)}
		for n := 0; n <= 70; n++ {
			for range 6 {
				d := Decay{Rate: rates[r.IntN(len(rates))], Floor: floors[r.IntN(len(floors))]}
				k := int64(r.IntN(41)) - 1
				s32 := make([]float32, n)
				fill32(r, s32, 0.2)
				s64 := make([]float64, n)
				fill64(r, s64, 0.2)
				w32, w64 := append([]float32(nil), s32...), append([]float64(nil), s64...)
				Generic().Decay32(w32, k, d)
				Generic().Decay64(w64, k, d)
				p.Decay32(s32, k, d)
				p.Decay64(s64, k, d)
				for i := range s32 {
					if !sameBits32(s32[i], w32[i]) {
						t.Fatalf("Decay32 n=%d k=%d %+v: element %d: %v, generic %v", n, k, d, i, s32[i], w32[i])
					}
					if !sameBits64(s64[i], w64[i]) {
						t.Fatalf("Decay64 n=%d k=%d %+v: element %d: %v, generic %v", n, k, d, i, s64[i], w64[i])
					}
				}
			}
		}
	})
}

func max32(x, floor float32) float32 {
	if x < floor {
		return floor
	}
	return x
}

func TestOnlineAllocs(t *testing.T) {
	table, sum, lin := make([]float32, 64*8), make([]float32, 64*8), make([]float32, 64*8)
	grads := make([]float32, 64*3)
	p64, g64, s64, l64 := make([]float64, 100), make([]float64, 100), make([]float64, 100), make([]float64, 100)
	rows := []int32{1, 5, 7}
	forEachPath(t, func(t *testing.T, p Path) {
		if a := testing.AllocsPerRun(50, func() {
			p.FTRLStepRows32(table, sum, lin, 64, rows, grads, nil, Online{LR: 0.1, L1: 0.1})
			p.ProximalStepRows32(table, sum, 64, rows, grads, nil, Online{LR: 0.1, L1: 0.1})
			Decay32(sum, 3, Decay{Rate: 0.5})
			p.FTRLStep32(table[:100], grads[:100], sum[:100], lin[:100], Online{LR: 0.1})
			p.ProximalStep32(table[:100], grads[:100], sum[:100], Online{LR: 0.1})
			p.FTRLStep64(p64, g64, s64, l64, Online{LR: 0.1, L1: 0.1})
			p.ProximalStep64(p64, g64, s64, Online{LR: 0.1, L1: 0.1})
		}); a != 0 {
			t.Errorf("%v allocations", a)
		}
	})
}

func ExampleFTRLStep32() {
	w, accum, linear := []float32{0, 0}, []float32{0.1, 0.1}, []float32{0, 0}
	o := Online{LR: 0.1, L1: 1}
	FTRLStep32(w, []float32{0.5, 3}, accum, linear, o)
	fmt.Println(w, accum, linear)
	// Output: [0 -0.06629936] [0.35 9.1] [0.5 3]
}

func ExampleDecay32() {
	accum := []float32{8, 0.3}
	Decay32(accum, 3, Decay{Rate: 0.5, Floor: 0.25}) // three periods
	fmt.Println(accum)
	// Output: [1 0.25]
}

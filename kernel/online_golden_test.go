package kernel

import (
	"math"
	"testing"

	"github.com/adagrad-go/adagrad/internal/golden"
)

// onlineGoldenULPs is the tolerance against the reference vectors of
// TensorFlow's formulas, in units in the last place (of the element type)
// of the magnitude a result is computed from (see ulpsOff). The contract
// differs from TensorFlow's expressions in operation order only: s + g*g
// is one fma (TensorFlow rounds the product, then the sum), and
// ProximalAdagrad's lr/sqrt(s) is a square root and a division where
// TensorFlow multiplies lr by rsqrt(s) (PyTorch's rsqrt: 1/sqrt, two
// roundings), so that eta differs by up to about 2 units, and the param
// by a few units of its scale. FTRL's linear term is a sum of terms that
// cancel, so its scale is the largest of them, and the weight's scale
// follows from it. Measured over the file (60 cases, 11304 element-steps):
// 85% equal bit for bit, at most 2 units off for a weight, 1 for a sum or
// a linear term; the tolerance is twice that.
const onlineGoldenULPs = 4

// ulpsOff returns |got - want| in units in the last place of scale, in
// float32 or float64.
func ulpsOff(got, want, scale float64, is32 bool) float64 {
	if got == want || math.IsNaN(got) && math.IsNaN(want) {
		return 0
	}
	scale = math.Abs(scale)
	var ulp float64
	if is32 {
		f := float32(scale)
		ulp = float64(math.Nextafter32(f, float32(math.Inf(1))) - f)
		ulp = math.Max(ulp, math.SmallestNonzeroFloat32)
	} else {
		ulp = math.Nextafter(scale, math.Inf(1)) - scale
		ulp = math.Max(ulp, math.SmallestNonzeroFloat64)
	}
	return math.Abs(got-want) / ulp
}

// TestOnlineGolden: each step of each case, from the reference's own state
// before the step, through the generic kernels, within onlineGoldenULPs of
// the reference (most elements are equal bit for bit).
func TestOnlineGolden(t *testing.T) {
	cases, err := golden.LoadOnline()
	if err != nil {
		t.Fatal(err)
	}
	var worst [3]float64 // param, sum, linear
	same, total := 0, 0
	for _, c := range cases {
		is32 := c.DType == "float32"
		o := Online{LR: c.LR, L1: c.L1, L2: c.L2, L2Shrinkage: c.L2Shrinkage, Beta: c.Beta}
		d := Decay{Rate: c.DecayRate, Floor: c.DecayFloor}
		n := len(c.Param0)
		val := func(b uint64) float64 {
			if is32 {
				return float64(math.Float32frombits(uint32(b)))
			}
			return math.Float64frombits(b)
		}
		for step := range c.Grads {
			p, s, lin, g := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
			for i := range n {
				g[i] = val(c.Grads[step][i])
				if step == 0 {
					p[i], s[i] = val(c.Param0[i]), c.InitialAccumulatorValue
					if is32 {
						s[i] = float64(float32(s[i]))
					}
				} else {
					p[i], s[i], lin[i] = val(c.Params[step-1][i]), val(c.Sums[step-1][i]), val(c.Linears[step-1][i])
				}
			}
			before := append([]float64(nil), p...)
			linBefore := append([]float64(nil), lin...)
			decay := c.DecaySteps > 0 && int64(step+1)%c.DecaySteps == 0
			if is32 {
				p32, s32, l32, g32 := to32(p), to32(s), to32(lin), to32(g)
				if decay {
					Decay32(s32, 1, d)
				}
				if c.Kind == "ftrl" {
					Generic().FTRLStep32(p32, g32, s32, l32, o)
				} else {
					Generic().ProximalStep32(p32, g32, s32, o)
				}
				p, s, lin = to64(p32), to64(s32), to64(l32)
			} else {
				if decay {
					Decay64(s, 1, d)
				}
				if c.Kind == "ftrl" {
					Generic().FTRLStep64(p, g, s, lin, o)
				} else {
					Generic().ProximalStep64(p, g, s, o)
				}
			}
			for i := range n {
				wp, ws, wl := val(c.Params[step][i]), val(c.Sums[step][i]), val(c.Linears[step][i])
				var pScale, lScale float64
				if c.Kind == "ftrl" {
					// The linear term is a sum of terms that cancel: its
					// scale is theirs, and the weight's is its own.
					quad := math.Sqrt(ws)/c.LR + 2*c.L2 + c.Beta/c.LR
					lScale = math.Abs(linBefore[i]) + math.Abs(g[i]) + math.Abs(2*c.L2Shrinkage*before[i]) +
						math.Abs(math.Sqrt(ws)/c.LR*before[i]) + math.Abs(wl)
					pScale = (lScale + c.L1) / quad
				} else {
					pScale = math.Max(math.Abs(before[i]), math.Abs(wp)) + math.Abs(c.LR*g[i]/math.Sqrt(ws))
				}
				offs := [3]float64{ulpsOff(p[i], wp, pScale, is32), ulpsOff(s[i], ws, ws, is32), ulpsOff(lin[i], wl, lScale, is32)}
				total++
				if offs == [3]float64{} {
					same++
				}
				for k, off := range offs {
					worst[k] = math.Max(worst[k], off)
					if off > onlineGoldenULPs {
						t.Fatalf("%s step %d element %d: [param sum linear] %v %v %v, reference %v %v %v: %v units off",
							c.Name, step+1, i, p[i], s[i], lin[i], wp, ws, wl, offs)
					}
				}
			}
		}
	}
	t.Logf("%d cases, %d elements-steps, %d equal bit for bit; worst units off: param %.2f, sum %.2f, linear %.2f",
		len(cases), total, same, worst[0], worst[1], worst[2])
}

func to32(s []float64) []float32 {
	out := make([]float32, len(s))
	for i, v := range s {
		out[i] = float32(v)
	}
	return out
}

func to64(s []float32) []float64 {
	out := make([]float64, len(s))
	for i, v := range s {
		out[i] = float64(v)
	}
	return out
}

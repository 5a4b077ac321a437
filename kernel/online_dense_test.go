package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestOnlineDensePathsAgainstGeneric: ProximalStep32 and FTRLStep32 on
// every path, every length to 300 and the slices at every offset, give
// generic's bits, also with grad the very same slice as param.
func TestOnlineDensePathsAgainstGeneric(t *testing.T) {
	forEachPath(t, func(t *testing.T, p Path) {
		r := rand.New(rand.NewPCG(41, 42))
		for n := 0; n <= 300; n++ {
			o := onlineOptions()[n%len(onlineOptions())]
			for _, alias := range []bool{false, true} {
				param, grad, sum, lin := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
				fill32(r, param, 0.05)
				fill32(r, grad, 0.05)
				fill32(r, lin, 0.05)
				for i := range sum {
					sum[i] = r.Float32()
				}
				if alias {
					grad = param
				}
				what := fmt.Sprintf("n=%d alias=%v %+v", n, alias, o)
				wp, wg, ws, wl := append([]float32(nil), param...), append([]float32(nil), grad...), append([]float32(nil), sum...), append([]float32(nil), lin...)
				if alias {
					wg = wp
				}
				Generic().FTRLStep32(wp, wg, ws, wl, o)
				gp, gg, gs, gl := append([]float32(nil), param...), append([]float32(nil), grad...), append([]float32(nil), sum...), append([]float32(nil), lin...)
				if alias {
					gg = gp
				}
				p.FTRLStep32(gp, gg, gs, gl, o)
				for i := range gp {
					if !sameBits32(gp[i], wp[i]) || !sameBits32(gs[i], ws[i]) || !sameBits32(gl[i], wl[i]) {
						t.Fatalf("FTRLStep32 %s: element %d differs", what, i)
					}
				}
				wp, ws = append([]float32(nil), param...), append([]float32(nil), sum...)
				wg = append([]float32(nil), grad...)
				if alias {
					wg = wp
				}
				Generic().ProximalStep32(wp, wg, ws, o)
				gp, gs = append([]float32(nil), param...), append([]float32(nil), sum...)
				gg = append([]float32(nil), grad...)
				if alias {
					gg = gp
				}
				p.ProximalStep32(gp, gg, gs, o)
				for i := range gp {
					if !sameBits32(gp[i], wp[i]) || !sameBits32(gs[i], ws[i]) {
						t.Fatalf("ProximalStep32 %s: element %d differs", what, i)
					}
				}
			}
		}
	})
}

// TestOnlineDense64PathsAgainstGeneric: ProximalStep64 and FTRLStep64 on
// every path, every length to 300, with special values now and then, and
// with grad the very same slice as param, give generic's bits.
func TestOnlineDense64PathsAgainstGeneric(t *testing.T) {
	forEachPath(t, func(t *testing.T, p Path) {
		r := rand.New(rand.NewPCG(43, 44))
		opts := append(onlineOptions(), Online{LR: 1e-300, L1: 1e300, L2: 1e-300, L2Shrinkage: 1e300, Beta: 1e-300})
		for n := 0; n <= 300; n++ {
			for _, special := range []float64{0, 0.1} {
				o := opts[(n+int(special*10))%len(opts)]
				for _, alias := range []bool{false, true} {
					param, grad, sum, lin := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
					fill64(r, param, special)
					fill64(r, grad, special)
					fill64(r, lin, special)
					fill64(r, sum, special)
					for i := range sum {
						if special == 0 {
							sum[i] = r.Float64()
						}
					}
					what := fmt.Sprintf("n=%d alias=%v special=%v %+v", n, alias, special, o)
					clone := func(s []float64) []float64 { return append([]float64(nil), s...) }
					wp, wg, ws, wl := clone(param), clone(grad), clone(sum), clone(lin)
					gp, gg, gs, gl := clone(param), clone(grad), clone(sum), clone(lin)
					if alias {
						wg, gg = wp, gp
					}
					Generic().FTRLStep64(wp, wg, ws, wl, o)
					p.FTRLStep64(gp, gg, gs, gl, o)
					for i := range gp {
						if !sameBits64(gp[i], wp[i]) || !sameBits64(gs[i], ws[i]) || !sameBits64(gl[i], wl[i]) {
							t.Fatalf("FTRLStep64 %s: element %d: %v %v %v, generic %v %v %v", what, i, gp[i], gs[i], gl[i], wp[i], ws[i], wl[i])
						}
					}
					wp, wg, ws = clone(param), clone(grad), clone(sum)
					gp, gg, gs = clone(param), clone(grad), clone(sum)
					if alias {
						wg, gg = wp, gp
					}
					Generic().ProximalStep64(wp, wg, ws, o)
					p.ProximalStep64(gp, gg, gs, o)
					for i := range gp {
						if !sameBits64(gp[i], wp[i]) || !sameBits64(gs[i], ws[i]) {
							t.Fatalf("ProximalStep64 %s: element %d: %v %v, generic %v %v", what, i, gp[i], gs[i], wp[i], ws[i])
						}
					}
				}
			}
		}
	})
}

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

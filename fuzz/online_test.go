package fuzz

import (
	"math"
	"testing"

	"github.com/adagrad-go/adagrad/kernel"
)

// FuzzOnlineRows holds every available path to the generic one on the
// online row kernels (ProximalStepRows32, FTRLStepRows32): any bits in
// the table, sums, linear terms and gradients, any options, rows listed
// in any order and repeated, the slices at every alignment.
func FuzzOnlineRows(f *testing.F) {
	f.Add([]byte{}, uint16(1), uint8(3), uint8(0), 0.1, 0.01, 0.02, 0.01, 1.0)
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9}, uint16(37), uint8(5), uint8(0x1b), 0.05, 0.0, 0.0, 0.0, 0.0)
	f.Add([]byte{0, 0, 0x80, 0x7f, 0, 0, 0xc0, 0x7f, 1, 0, 0, 0, 0, 0, 0x80, 0xff}, uint16(9), uint8(7), uint8(0x39), 1.0, 2.0, 0.5, 0.0, 3.0)
	f.Add([]byte("tame values for the online kernels"), uint16(64), uint8(12), uint8(0x2d), 0.01, 1e-3, 1e-3, 0.1, 1.0)
	paths := kernel.Paths()
	f.Fuzz(func(t *testing.T, data []byte, dim16 uint16, nrows, offs uint8, lr, l1, l2, sh, beta float64) {
		dim := 1 + int(dim16%300)
		rows := 1 + int(nrows%9)
		in := stepInput{data: data}
		o := kernel.Online{LR: lr, L1: l1, L2: l2, L2Shrinkage: sh, Beta: beta}
		mk := func(n, off, salt int) []float32 {
			s := make([]float32, off+n)
			for i := range n {
				w := in.word(i*5 + salt)
				if w>>60 < 12 { // mostly tame values, some any bits
					s[off+i] = float32(math.Ldexp(float64(int32(w))/(1<<31), int(w>>32%16)-8))
				} else {
					s[off+i] = math.Float32frombits(uint32(w >> 16))
				}
			}
			return s[off:]
		}
		list := make([]int32, 2*rows)
		for i := range list {
			list[i] = int32(in.word(1000+i) % uint64(rows))
		}
		table, sum, lin := mk(rows*dim, int(offs&3), 0), mk(rows*dim, int(offs>>2&3), 1), mk(rows*dim, int(offs>>4&3), 2)
		for i := range sum {
			sum[i] = float32(math.Abs(float64(sum[i])))
		}
		grads := mk(len(list)*dim, int(offs>>6), 3)
		for _, p := range paths {
			wt, ws, wl := append([]float32(nil), table...), append([]float32(nil), sum...), append([]float32(nil), lin...)
			gt, gs, gl := append([]float32(nil), table...), append([]float32(nil), sum...), append([]float32(nil), lin...)
			kernel.Generic().FTRLStepRows32(wt, ws, wl, dim, list, grads, nil, o)
			p.FTRLStepRows32(gt, gs, gl, dim, list, grads, nil, o)
			for i := range gt {
				if !sameBits32(gt[i], wt[i]) || !sameBits32(gs[i], ws[i]) || !sameBits32(gl[i], wl[i]) {
					t.Fatalf("%s FTRL dim=%d %+v: element %d: %x %x %x, generic %x %x %x", p.Name(), dim, o, i,
						math.Float32bits(gt[i]), math.Float32bits(gs[i]), math.Float32bits(gl[i]),
						math.Float32bits(wt[i]), math.Float32bits(ws[i]), math.Float32bits(wl[i]))
				}
			}
			wt, ws = append([]float32(nil), table...), append([]float32(nil), sum...)
			gt, gs = append([]float32(nil), table...), append([]float32(nil), sum...)
			kernel.Generic().ProximalStepRows32(wt, ws, dim, list, grads, nil, o)
			p.ProximalStepRows32(gt, gs, dim, list, grads, nil, o)
			for i := range gt {
				if !sameBits32(gt[i], wt[i]) || !sameBits32(gs[i], ws[i]) {
					t.Fatalf("%s proximal dim=%d %+v: element %d: %x %x, generic %x %x", p.Name(), dim, o, i,
						math.Float32bits(gt[i]), math.Float32bits(gs[i]), math.Float32bits(wt[i]), math.Float32bits(ws[i]))
				}
			}
		}
	})
}

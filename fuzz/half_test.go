package fuzz

import (
	"math"
	"testing"

	"github.com/adagrad-go/adagrad/kernel"
)

// sameHalf reports whether two 16-bit values of format f are the same
// bits, or both NaN (the paths may give NaNs of other payloads, as the
// float32 kernels may).
func sameHalf(f kernel.HalfFormat, a, b uint16) bool {
	nan := func(u uint16) bool {
		if f == kernel.BFloat16 {
			return u&0x7F80 == 0x7F80 && u&0x7F != 0
		}
		return u&0x7C00 == 0x7C00 && u&0x3FF != 0
	}
	return a == b || nan(a) && nan(b)
}

// FuzzHalfRows holds every path's 16-bit row kernels (StepRowsHalf,
// RowwiseStepRowsHalf) to the generic path: a table of nrows rows of dim
// 16-bit weights with any bits, float32 state and gradients from the
// fuzzer, a batch with duplicates, options, seed and step from the fuzzer.
// flags: 1 maximize, 2 eps inside, 4 weight decay, 8 tame values, 16
// gradRows, 32 float16 (else bfloat16), 64 round to nearest (else
// stochastic).
func FuzzHalfRows(f *testing.F) {
	f.Add([]byte{}, uint16(8), uint8(0), uint8(1), uint8(0), 0.01, 1e-10, 0.0, uint64(0), int64(1))
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9}, uint16(37), uint8(5), uint8(9), uint8(7|32), 0.1, 1e-6, 0.05, uint64(3), int64(9))
	f.Add([]byte{0, 0, 0x80, 0x7f, 0, 0, 0xc0, 0x7f, 1, 0, 0, 0, 0, 0, 0x80, 0xff}, uint16(131), uint8(3), uint8(40), uint8(5|64), 1.0, 0.0, -2.0, uint64(1)<<63, int64(-1))
	for flags := uint8(8); flags < 128; flags += 8 {
		f.Add([]byte("16-bit weights, tame values"), uint16(7+int(flags)), flags, flags*5, flags, 1e-3, 0.01*float64(flags), 0.1, uint64(flags), int64(flags))
	}
	paths := kernel.Paths()
	f.Fuzz(func(t *testing.T, data []byte, dim16 uint16, nrows8, nbatch8, flags uint8, lr, eps, wd float64, seed uint64, step int64) {
		b := rowBytes(data)
		dim := int(dim16 % 300)
		nrows := 1 + int(nrows8%16)
		nbatch := int(nbatch8 % 48)
		o := rowOptions(flags, lr, eps, wd)
		tame := flags&8 != 0
		h := kernel.Half{Format: kernel.BFloat16, Stochastic: flags&64 == 0, Seed: seed, Step: step}
		if flags&32 != 0 {
			h.Format = kernel.Float16
		}
		salt := 0
		fill := func(n int) []float32 {
			s := make([]float32, n)
			for i := range s {
				s[i] = b.value(salt, tame)
				salt++
			}
			return s
		}
		table0 := make([]uint16, nrows*dim)
		for i := range table0 {
			table0[i] = uint16(b.word(salt))
			if tame { // moderate values: the top bits of a tame float32
				table0[i] = uint16(math.Float32bits(b.value(salt, true)) >> 16)
				if h.Format == kernel.Float16 {
					table0[i] = uint16(b.word(salt)) & 0xBFFF // exponents up to 15: |w| < 2
				}
			}
			salt++
		}
		sum0, h0 := fill(nrows*dim), fill(nrows)
		rows := make([]int32, nbatch)
		for i := range rows {
			rows[i] = int32(b.word(salt) % uint32(nrows))
			salt++
		}
		ng := nbatch
		var gradRows []int32
		if flags&16 != 0 {
			ng = nbatch/2 + 1
			gradRows = make([]int32, nbatch)
			for i := range gradRows {
				gradRows[i] = int32(b.word(salt) % uint32(ng))
				salt++
			}
		}
		grads := fill(ng * dim)
		wantT, wantS := append([]uint16(nil), table0...), append([]float32(nil), sum0...)
		kernel.Generic().StepRowsHalf(h, wantT, wantS, dim, rows, grads, gradRows, o)
		wantRT, wantH := append([]uint16(nil), table0...), append([]float32(nil), h0...)
		kernel.Generic().RowwiseStepRowsHalf(h, wantRT, wantH, dim, rows, grads, gradRows, o)
		for _, p := range paths {
			tab, sum := append([]uint16(nil), table0...), append([]float32(nil), sum0...)
			p.StepRowsHalf(h, tab, sum, dim, rows, grads, gradRows, o)
			rt, hs := append([]uint16(nil), table0...), append([]float32(nil), h0...)
			p.RowwiseStepRowsHalf(h, rt, hs, dim, rows, grads, gradRows, o)
			for i := range tab {
				if !sameHalf(h.Format, tab[i], wantT[i]) || !sameRowBits(sum[i], wantS[i]) {
					t.Fatalf("%s StepRowsHalf %+v dim=%d %+v element %d: %04x %08x, generic %04x %08x (was %04x)", p.Name(), h, dim, o, i,
						tab[i], math.Float32bits(sum[i]), wantT[i], math.Float32bits(wantS[i]), table0[i])
				}
				if !sameHalf(h.Format, rt[i], wantRT[i]) {
					t.Fatalf("%s RowwiseStepRowsHalf %+v dim=%d %+v element %d: %04x, generic %04x", p.Name(), h, dim, o, i, rt[i], wantRT[i])
				}
			}
			for i := range hs {
				if !sameRowBits(hs[i], wantH[i]) {
					t.Fatalf("%s RowwiseStepRowsHalf dim=%d %+v h[%d]: %08x, generic %08x", p.Name(), dim, o, i,
						math.Float32bits(hs[i]), math.Float32bits(wantH[i]))
				}
			}
		}
	})
}

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

// FuzzHalfLookup holds every path's lookups and bags of 16-bit weights
// (WidenRows, AddRowsHalf), and of the same rows as float32 weights
// (CopyRows32, AddRows32), to the generic path: a table of nrows rows of
// dim weights with any bits, rows with repeats, a start for the bag's sum
// and weights from the fuzzer. The lookups must give the same bits; the
// bags the same bits but for NaN payloads. flags: 1 float16 (else
// bfloat16), 2 weights, 4 tame values.
func FuzzHalfLookup(f *testing.F) {
	f.Add([]byte{}, uint16(8), uint8(2), uint8(3), uint8(0))
	f.Add([]byte{0x80, 0x7f, 0xc1, 0xff, 1, 0, 0, 0x80}, uint16(40), uint8(5), uint8(17), uint8(1|2))
	for flags := uint8(0); flags < 8; flags++ {
		f.Add([]byte("16-bit lookups and bags"), uint16(5+13*int(flags)), flags+3, 2*flags+1, flags)
	}
	paths := kernel.Paths()
	f.Fuzz(func(t *testing.T, data []byte, dim16 uint16, nrows8, n8, flags uint8) {
		b := rowBytes(data)
		dim := int(dim16 % 300)
		nrows := 1 + int(nrows8%16)
		n := int(n8 % 48)
		format := kernel.BFloat16
		if flags&1 != 0 {
			format = kernel.Float16
		}
		tame := flags&4 != 0
		salt := 0
		table := make([]uint16, nrows*dim)
		for i := range table {
			table[i] = uint16(b.word(salt))
			if tame {
				table[i] &^= 0x4000 // finite
			}
			salt++
		}
		rows := make([]int64, n)
		for i := range rows {
			rows[i] = int64(b.word(salt) % uint32(nrows))
			salt++
		}
		var weights []float32
		if flags&2 != 0 {
			weights = make([]float32, n)
			for i := range weights {
				weights[i] = b.value(salt, tame)
				salt++
			}
		}
		start := make([]float32, dim)
		for i := range start {
			start[i] = b.value(salt, tame)
			salt++
		}
		wantRows := make([]float32, n*dim)
		kernel.Generic().WidenRows(format, wantRows, table, dim, rows)
		wantSum := append([]float32(nil), start...)
		kernel.Generic().AddRowsHalf(format, wantSum, table, dim, rows, weights)
		for _, p := range paths {
			got := make([]float32, n*dim)
			p.WidenRows(format, got, table, dim, rows)
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(wantRows[i]) {
					t.Fatalf("%s WidenRows %v dim=%d element %d: %08x, generic %08x", p.Name(), format, dim, i,
						math.Float32bits(got[i]), math.Float32bits(wantRows[i]))
				}
			}
			sum := append([]float32(nil), start...)
			p.AddRowsHalf(format, sum, table, dim, rows, weights)
			for i := range sum {
				if !sameRowBits(sum[i], wantSum[i]) {
					t.Fatalf("%s AddRowsHalf %v dim=%d weights=%v element %d: %08x, generic %08x", p.Name(), format, dim, weights != nil, i,
						math.Float32bits(sum[i]), math.Float32bits(wantSum[i]))
				}
			}
		}
		// The same rows as a float32 table (any bits, the widened ones
		// mixed with the 16-bit ones taken as the low halves of floats).
		table32 := make([]float32, len(table))
		kernel.Widen(format, table32, table)
		for i := range table32 {
			if b.word(salt+i)%4 == 0 {
				table32[i] = math.Float32frombits(b.word(salt+i) | uint32(table[i]))
			}
		}
		want32 := make([]float32, n*dim)
		kernel.Generic().CopyRows32(want32, table32, dim, rows)
		wantSum32 := append([]float32(nil), start...)
		kernel.Generic().AddRows32(wantSum32, table32, dim, rows, weights)
		for _, p := range paths {
			got := make([]float32, n*dim)
			p.CopyRows32(got, table32, dim, rows)
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want32[i]) {
					t.Fatalf("%s CopyRows32 dim=%d element %d: %08x, generic %08x", p.Name(), dim, i,
						math.Float32bits(got[i]), math.Float32bits(want32[i]))
				}
			}
			sum := append([]float32(nil), start...)
			p.AddRows32(sum, table32, dim, rows, weights)
			for i := range sum {
				if !sameRowBits(sum[i], wantSum32[i]) {
					t.Fatalf("%s AddRows32 dim=%d weights=%v element %d: %08x, generic %08x", p.Name(), dim, weights != nil, i,
						math.Float32bits(sum[i]), math.Float32bits(wantSum32[i]))
				}
			}
		}
	})
}

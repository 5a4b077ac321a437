package fuzz

import (
	"encoding/binary"
	"errors"
	"math"
	"testing"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/kernel"
	"github.com/adagrad-go/adagrad/sparse"
)

// rowBytes turns fuzzer bytes into values: word i is 4 bytes of data,
// cycling, mixed with i past the end so that short inputs still vary.
type rowBytes []byte

func (b rowBytes) word(i int) uint32 {
	if len(b) == 0 {
		return uint32(i) * 0x9e3779b9
	}
	var w [4]byte
	for k := range w {
		w[k] = b[(i*4+k)%len(b)]
	}
	v := binary.LittleEndian.Uint32(w[:])
	if (i*4)/len(b) > 0 {
		v ^= uint32(i/len(b)+1) * 0x9e3779b9
	}
	return v
}

// value is word i as a float32: any bit pattern, or a tame one.
func (b rowBytes) value(i int, tame bool) float32 {
	w := b.word(i)
	if tame {
		return float32(int32(w)) * 0x1p-28
	}
	return math.Float32frombits(w)
}

func rowOptions(flags uint8, lr, eps, wd float64) kernel.Options {
	o := kernel.Options{LR: lr, Eps: eps, Maximize: flags&1 != 0, EpsInside: flags&2 != 0}
	if flags&4 != 0 {
		o.WeightDecay = wd
	}
	return o
}

func sameRowBits(a, b float32) bool {
	return a != a && b != b || math.Float32bits(a) == math.Float32bits(b)
}

func rowKernelSeeds(f *testing.F) {
	f.Add([]byte{}, uint16(0), uint8(0), uint8(0), uint8(0), 0.01, 1e-10, 0.0)
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9}, uint16(37), uint8(5), uint8(9), uint8(7), 0.1, 1e-6, 0.05)
	f.Add([]byte{0, 0, 0x80, 0x7f, 0, 0, 0xc0, 0x7f, 1, 0, 0, 0, 0, 0, 0x80, 0xff}, uint16(131), uint8(3), uint8(40), uint8(5), 1.0, 0.0, -2.0)
	f.Add([]byte{0xff, 0xff, 0x7f, 0x00, 0x01, 0x00, 0x00, 0x80}, uint16(17), uint8(12), uint8(3), uint8(3), 1e30, 1e-45, 1e-30)
	for flags := uint8(8); flags < 16; flags++ {
		f.Add([]byte("rowwise adagrad, tame values"), uint16(15+int(flags)), flags, flags*5, flags|0x10, 0.05, 0.01*float64(flags), 0.1)
		f.Add([]byte("rows of bags, in runs"), uint16(49+int(flags)), flags, 40-flags, flags|0x30, 0.05, 0.01*float64(flags), 0.1)
	}
}

// FuzzRowKernels holds every path's row kernels (RowwiseStep32,
// RowwiseStepRows32, StepRows32, SumRows32) to the generic path: a table of nrows
// rows of dim values, a batch of rows with duplicates and gradient rows
// taken directly or through gradRows, values and options from the fuzzer.
// flags: 1 maximize, 2 eps inside, 4 weight decay, 8 tame values,
// 16 gradRows, 32 gradRows in runs of equal rows (as the rows of bags
// come) instead of at random.
func FuzzRowKernels(f *testing.F) {
	rowKernelSeeds(f)
	paths := kernel.Paths()
	f.Fuzz(func(t *testing.T, data []byte, dim16 uint16, nrows8, nbatch8, flags uint8, lr, eps, wd float64) {
		b := rowBytes(data)
		dim := int(dim16 % 300)
		nrows := 1 + int(nrows8%16)
		nbatch := int(nbatch8 % 48)
		o := rowOptions(flags, lr, eps, wd)
		tame := flags&8 != 0
		salt := 0
		fill := func(n int) []float32 {
			s := make([]float32, n)
			for i := range s {
				s[i] = b.value(salt, tame)
				salt++
			}
			return s
		}
		table0, sum0, h0 := fill(nrows*dim), fill(nrows*dim), fill(nrows)
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
			if flags&32 != 0 {
				k := int32(0)
				for i := range gradRows {
					if i > 0 && b.word(salt)%4 == 0 {
						k = min(k+1, int32(ng-1))
					}
					salt++
					gradRows[i] = k
				}
			}
		}
		grads := fill(ng * dim)
		gradRow := func(i int) []float32 {
			k := i
			if gradRows != nil {
				k = int(gradRows[i])
			}
			return grads[k*dim : (k+1)*dim]
		}
		// The reference: the generic single-row steps, in order.
		wantT, wantS := append([]float32(nil), table0...), append([]float32(nil), sum0...)
		wantRT, wantH := append([]float32(nil), table0...), append([]float32(nil), h0...)
		for i, r := range rows {
			lo, hi := int(r)*dim, int(r+1)*dim
			kernel.Generic().Step32(wantT[lo:hi], gradRow(i), wantS[lo:hi], o)
			kernel.Generic().RowwiseStep32(wantRT[lo:hi], gradRow(i), &wantH[r], o)
		}
		// Groups of gradient rows for SumRows32: the batch's gradient rows cut
		// where the fuzzer's words say.
		var list, ends []int32
		for i := 0; i < nbatch; i++ {
			k := int32(i)
			if gradRows != nil {
				k = gradRows[i]
			}
			list = append(list, k)
			if b.word(salt+i)&3 == 0 || i == nbatch-1 {
				ends = append(ends, int32(len(list)))
			}
		}
		wantSums := make([]float32, len(ends)*dim)
		kernel.Generic().SumRows32(wantSums, dim, grads, list, ends)
		for _, p := range paths {
			sums := make([]float32, len(ends)*dim)
			p.SumRows32(sums, dim, grads, list, ends)
			for i := range sums {
				if !sameRowBits(sums[i], wantSums[i]) {
					t.Fatalf("%s SumRows32 dim=%d element %d: %08x, generic %08x", p.Name(), dim, i,
						math.Float32bits(sums[i]), math.Float32bits(wantSums[i]))
				}
			}
			tab, sum := append([]float32(nil), table0...), append([]float32(nil), sum0...)
			p.StepRows32(tab, sum, dim, rows, grads, gradRows, o)
			rt, h := append([]float32(nil), table0...), append([]float32(nil), h0...)
			p.RowwiseStepRows32(rt, h, dim, rows, grads, gradRows, o)
			for i := range tab {
				if !sameRowBits(tab[i], wantT[i]) || !sameRowBits(sum[i], wantS[i]) {
					t.Fatalf("%s StepRows32 dim=%d %+v element %d: %08x %08x, generic %08x %08x", p.Name(), dim, o, i,
						math.Float32bits(tab[i]), math.Float32bits(sum[i]), math.Float32bits(wantT[i]), math.Float32bits(wantS[i]))
				}
				if !sameRowBits(rt[i], wantRT[i]) {
					t.Fatalf("%s RowwiseStepRows32 dim=%d %+v element %d: %08x, generic %08x", p.Name(), dim, o, i,
						math.Float32bits(rt[i]), math.Float32bits(wantRT[i]))
				}
			}
			for i := range h {
				if !sameRowBits(h[i], wantH[i]) {
					t.Fatalf("%s RowwiseStepRows32 dim=%d %+v h[%d]: %08x, generic %08x", p.Name(), dim, o, i,
						math.Float32bits(h[i]), math.Float32bits(wantH[i]))
				}
			}
			// One row on its own, at the fuzzer's length.
			if nbatch > 0 {
				lo := int(rows[0]) * dim
				param := append([]float32(nil), table0[lo:lo+dim]...)
				want := append([]float32(nil), param...)
				hv, wantHV := h0[rows[0]], h0[rows[0]]
				kernel.Generic().RowwiseStep32(want, gradRow(0), &wantHV, o)
				p.RowwiseStep32(param, gradRow(0), &hv, o)
				for j := range param {
					if !sameRowBits(param[j], want[j]) || !sameRowBits(hv, wantHV) {
						t.Fatalf("%s RowwiseStep32 dim=%d %+v element %d: %08x h %08x, generic %08x %08x", p.Name(), dim, o, j,
							math.Float32bits(param[j]), math.Float32bits(hv), math.Float32bits(want[j]), math.Float32bits(wantHV))
					}
				}
			}
		}
	})
}

// FuzzSparseStep steps a small table with indices and values from the
// fuzzer and compares it with the reference: the distinct rows summed in
// order of occurrence, each stepped by the generic kernel, every other row
// unchanged. Out-of-range indices must give an IndexError at the first bad
// position and change nothing. flags: 1 maximize, 2 eps inside, 4 weight
// decay, 8 tame values, 16 rowwise, 32 int32 indices; workers 1..4.
func FuzzSparseStep(f *testing.F) {
	f.Add([]byte{}, uint8(1), uint8(1), uint8(0), uint8(0), uint8(1), 0.01, 1e-10, 0.0)
	f.Add([]byte{3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5}, uint8(10), uint8(16), uint8(30), uint8(8), uint8(2), 0.1, 1e-6, 0.05)
	f.Add([]byte{0, 0, 0x80, 0x7f, 0, 0, 0xc0, 0x7f, 7, 7, 7, 7}, uint8(5), uint8(33), uint8(60), uint8(0x1d), uint8(3), 1.0, 0.0, 2.0)
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 9, 0, 0, 0}, uint8(4), uint8(8), uint8(12), uint8(0x38), uint8(4), 0.5, 1e-3, 0.0)
	for flags := uint8(0); flags < 64; flags += 9 {
		f.Add([]byte("sparse adagrad with duplicates"), uint8(3+flags%7), uint8(1+flags), uint8(flags), flags|8, flags%5, 0.05, 1e-8, 0.01)
	}
	f.Fuzz(func(t *testing.T, data []byte, rows8, dim8, nbatch8, flags, workers uint8, lr, eps, wd float64) {
		b := rowBytes(data)
		rows := 1 + int(rows8%40)
		dim := 1 + int(dim8%70)
		nbatch := int(nbatch8 % 100)
		opts := adagrad.Defaults()
		opts.LR, opts.Eps = math.Abs(lr), math.Abs(eps)
		opts.Maximize, opts.EpsInside = flags&1 != 0, flags&2 != 0
		layout := sparse.Elementwise
		if flags&16 != 0 {
			layout = sparse.Rowwise
		}
		if flags&4 != 0 {
			opts.WeightDecay = math.Abs(wd)
		}
		if opts.Validate() != nil { // NaN hyperparameters
			return
		}
		tame := flags&8 != 0
		tab, err := sparse.New(rows, dim, layout, opts)
		if err != nil {
			t.Fatal(err)
		}
		tab.SetWorkers(1 + int(workers%4))
		salt := 0
		for i := range tab.Weights() {
			tab.Weights()[i] = b.value(salt, tame)
			salt++
		}
		for i := range tab.State() {
			tab.State()[i] = float32(math.Abs(float64(b.value(salt, tame))))
			salt++
		}
		idx := make([]int64, nbatch)
		bad := -1
		for i := range idx {
			w := b.word(salt)
			salt++
			idx[i] = int64(w % uint32(rows))
			if w>>24 == 0xff { // now and then an index outside the table
				idx[i] = int64(int32(w))
				if idx[i] >= 0 {
					idx[i] += int64(rows)
				}
				if bad < 0 {
					bad = i
				}
			}
		}
		grads := make([]float32, nbatch*dim)
		for i := range grads {
			grads[i] = b.value(salt, tame)
			salt++
		}
		w0 := append([]float32(nil), tab.Weights()...)
		s0 := append([]float32(nil), tab.State()...)
		if flags&32 != 0 {
			idx32 := make([]int32, len(idx))
			for i, x := range idx {
				idx32[i] = int32(x)
			}
			err = tab.StepInt32(idx32, grads)
		} else {
			err = tab.Step(idx, grads)
		}
		if bad >= 0 {
			var ie *sparse.IndexError
			if !errors.As(err, &ie) || ie.Pos != bad || ie.Index != idx[bad] {
				t.Fatalf("bad index %d at %d: error %v", idx[bad], bad, err)
			}
			for i := range w0 {
				if math.Float32bits(w0[i]) != math.Float32bits(tab.Weights()[i]) {
					t.Fatalf("a refused step changed weight %d", i)
				}
			}
			for i := range s0 {
				if math.Float32bits(s0[i]) != math.Float32bits(tab.State()[i]) {
					t.Fatalf("a refused step changed state %d", i)
				}
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		// The reference.
		var order []int64
		sums := map[int64][]float32{}
		for i, r := range idx {
			g := grads[i*dim : (i+1)*dim]
			if s, ok := sums[r]; ok {
				for j := range s {
					s[j] += g[j]
				}
				continue
			}
			sums[r] = append([]float32(nil), g...)
			order = append(order, r)
		}
		ko := kernel.Options{LR: opts.LR, Eps: opts.Eps, WeightDecay: opts.WeightDecay, Maximize: opts.Maximize, EpsInside: opts.EpsInside}
		for _, r := range order {
			p := w0[int(r)*dim : int(r+1)*dim]
			if layout == sparse.Rowwise {
				kernel.Generic().RowwiseStep32(p, sums[r], &s0[r], ko)
			} else {
				kernel.Generic().Step32(p, sums[r], s0[int(r)*dim:int(r+1)*dim], ko)
			}
		}
		for i := range w0 {
			if !sameRowBits(w0[i], tab.Weights()[i]) {
				t.Fatalf("%+v: weight %d (row %d): %08x, reference %08x", opts, i, i/dim,
					math.Float32bits(tab.Weights()[i]), math.Float32bits(w0[i]))
			}
		}
		for i := range s0 {
			if !sameRowBits(s0[i], tab.State()[i]) {
				t.Fatalf("%+v: state %d: %08x, reference %08x", opts, i, math.Float32bits(tab.State()[i]), math.Float32bits(s0[i]))
			}
		}
	})
}

package fuzz

import (
	"math"
	"testing"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/kernel"
	"github.com/adagrad-go/adagrad/sparse"
)

// FuzzOnlineRows holds every available path to the generic one on the
// online row kernels (ProximalStepRows32, FTRLStepRows32): any bits in
// the table, sums, linear terms and gradients, any options, rows listed
// in any order and repeated (lists of 1 to 48, beyond the distance the
// kernels prefetch rows of one element), gradient rows taken directly or
// through a list, the slices at every alignment.
func FuzzOnlineRows(f *testing.F) {
	f.Add([]byte{}, uint16(1), uint8(3), uint8(0), 0.1, 0.01, 0.02, 0.01, 1.0)
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9}, uint16(37), uint8(5), uint8(0x1b), 0.05, 0.0, 0.0, 0.0, 0.0)
	f.Add([]byte{0, 0, 0x80, 0x7f, 0, 0, 0xc0, 0x7f, 1, 0, 0, 0, 0, 0, 0x80, 0xff}, uint16(9), uint8(7), uint8(0x39), 1.0, 2.0, 0.5, 0.0, 3.0)
	f.Add([]byte("tame values for the online kernels"), uint16(64), uint8(12), uint8(0x2d), 0.01, 1e-3, 1e-3, 0.1, 1.0)
	f.Add([]byte("rows of one element, in a long list of rows"), uint16(0), uint8(5), uint8(0x12), 0.05, 1e-3, 1e-3, 0.0, 1.0)
	f.Add([]byte{0xff, 0x5f, 3, 0, 0, 0, 0, 0, 7}, uint16(300), uint8(8), uint8(0), 0.1, 0.0, 0.5, 0.2, 0.0)
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
		shape := in.word(999)
		list := make([]int32, 1+int(shape>>1%48))
		for i := range list {
			list[i] = int32(in.word(1000+i) % uint64(rows))
		}
		table, sum, lin := mk(rows*dim, int(offs&3), 0), mk(rows*dim, int(offs>>2&3), 1), mk(rows*dim, int(offs>>4&3), 2)
		for i := range sum {
			sum[i] = float32(math.Abs(float64(sum[i])))
		}
		ng := len(list)
		var gradRows []int32
		if shape&1 != 0 {
			ng = len(list)/2 + 1
			gradRows = make([]int32, len(list))
			for i := range gradRows {
				gradRows[i] = int32(in.word(2000+i) % uint64(ng))
			}
		}
		grads := mk(ng*dim, int(offs>>6), 3)
		for _, p := range paths {
			wt, ws, wl := append([]float32(nil), table...), append([]float32(nil), sum...), append([]float32(nil), lin...)
			gt, gs, gl := append([]float32(nil), table...), append([]float32(nil), sum...), append([]float32(nil), lin...)
			kernel.Generic().FTRLStepRows32(wt, ws, wl, dim, list, grads, gradRows, o)
			p.FTRLStepRows32(gt, gs, gl, dim, list, grads, gradRows, o)
			for i := range gt {
				if !sameBits32(gt[i], wt[i]) || !sameBits32(gs[i], ws[i]) || !sameBits32(gl[i], wl[i]) {
					t.Fatalf("%s FTRL dim=%d %+v: element %d: %x %x %x, generic %x %x %x", p.Name(), dim, o, i,
						math.Float32bits(gt[i]), math.Float32bits(gs[i]), math.Float32bits(gl[i]),
						math.Float32bits(wt[i]), math.Float32bits(ws[i]), math.Float32bits(wl[i]))
				}
			}
			wt, ws = append([]float32(nil), table...), append([]float32(nil), sum...)
			gt, gs = append([]float32(nil), table...), append([]float32(nil), sum...)
			kernel.Generic().ProximalStepRows32(wt, ws, dim, list, grads, gradRows, o)
			p.ProximalStepRows32(gt, gs, dim, list, grads, gradRows, o)
			for i := range gt {
				if !sameBits32(gt[i], wt[i]) || !sameBits32(gs[i], ws[i]) {
					t.Fatalf("%s proximal dim=%d %+v: element %d: %x %x, generic %x %x", p.Name(), dim, o, i,
						math.Float32bits(gt[i]), math.Float32bits(gs[i]), math.Float32bits(wt[i]), math.Float32bits(ws[i]))
				}
			}
		}
	})
}

// FuzzOnlineDense64 holds every available path to the generic one on the
// float64 dense steps (ProximalStep64, FTRLStep64): any bits in the
// parameters, sums, linear terms and gradients, any options, every length
// to 299, grad the very same slice as param when alias is set.
func FuzzOnlineDense64(f *testing.F) {
	f.Add([]byte{}, uint16(1), false, 0.1, 0.01, 0.02, 0.01, 1.0)
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9}, uint16(37), true, 0.05, 0.0, 0.0, 0.0, 0.0)
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0xf8, 0x7f, 1, 0, 0, 0, 0, 0, 0xf0, 0xff}, uint16(9), false, 1.0, 2.0, 0.5, 0.0, 3.0)
	f.Add([]byte("tame values for the float64 online steps"), uint16(64), false, 0.01, 1e-3, 1e-3, 0.1, 1.0)
	paths := kernel.Paths()
	f.Fuzz(func(t *testing.T, data []byte, n16 uint16, alias bool, lr, l1, l2, sh, beta float64) {
		n := int(n16 % 300)
		in := stepInput{data: data}
		o := kernel.Online{LR: lr, L1: l1, L2: l2, L2Shrinkage: sh, Beta: beta}
		mk := func(salt int) []float64 {
			s := make([]float64, n)
			for i := range s {
				w := in.word(i*5 + salt)
				if w>>60 < 12 { // mostly tame values, some any bits
					s[i] = math.Ldexp(float64(int32(w))/(1<<31), int(w>>32%16)-8)
				} else {
					s[i] = math.Float64frombits(w*0x9E3779B97F4A7C15 ^ w>>7)
				}
			}
			return s
		}
		param, grad, sum, lin := mk(0), mk(1), mk(2), mk(3)
		for i := range sum {
			sum[i] = math.Abs(sum[i])
		}
		clone := func(s []float64) []float64 { return append([]float64(nil), s...) }
		for _, p := range paths {
			wp, wg, ws, wl := clone(param), clone(grad), clone(sum), clone(lin)
			gp, gg, gs, gl := clone(param), clone(grad), clone(sum), clone(lin)
			if alias {
				wg, gg = wp, gp
			}
			kernel.Generic().FTRLStep64(wp, wg, ws, wl, o)
			p.FTRLStep64(gp, gg, gs, gl, o)
			for i := range gp {
				if !sameBits64(gp[i], wp[i]) || !sameBits64(gs[i], ws[i]) || !sameBits64(gl[i], wl[i]) {
					t.Fatalf("%s FTRL64 n=%d %+v: element %d: %v %v %v, generic %v %v %v", p.Name(), n, o, i,
						gp[i], gs[i], gl[i], wp[i], ws[i], wl[i])
				}
			}
			wp, wg, ws = clone(param), clone(grad), clone(sum)
			gp, gg, gs = clone(param), clone(grad), clone(sum)
			if alias {
				wg, gg = wp, gp
			}
			kernel.Generic().ProximalStep64(wp, wg, ws, o)
			p.ProximalStep64(gp, gg, gs, o)
			for i := range gp {
				if !sameBits64(gp[i], wp[i]) || !sameBits64(gs[i], ws[i]) {
					t.Fatalf("%s proximal64 n=%d %+v: element %d: %v %v, generic %v %v", p.Name(), n, o, i, gp[i], gs[i], wp[i], ws[i])
				}
			}
		}
	})
}

// FuzzDecay holds every available path to the generic one on the
// accumulator decay (Decay32, Decay64): any bits in the sums, any rate and
// floor, up to 299 elements and 63 periods.
func FuzzDecay(f *testing.F) {
	f.Add([]byte{}, uint16(1), uint8(3), 0.5, 0.01)
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9}, uint16(37), uint8(60), 0.9, 0.0)
	f.Add([]byte{0, 0, 0xc0, 0x7f, 0, 0, 0x80, 0xff, 0, 0, 0, 0x80}, uint16(9), uint8(7), 1.0, 0.25)
	f.Add([]byte("sums to decay for a while"), uint16(64), uint8(40), 0.999, 1e-3)
	paths := kernel.Paths()
	f.Fuzz(func(t *testing.T, data []byte, n16 uint16, k8 uint8, rate, floor float64) {
		n := int(n16 % 300)
		k := int64(k8%64) - 1
		in := stepInput{data: data}
		d := kernel.Decay{Rate: rate, Floor: floor}
		s32, s64 := make([]float32, n), make([]float64, n)
		for i := range n {
			w := in.word(i)
			if w>>60 < 12 { // mostly tame values, some any bits
				s64[i] = math.Ldexp(float64(int32(w))/(1<<31), int(w>>32%16)-8)
				s32[i] = float32(s64[i])
			} else {
				s64[i] = math.Float64frombits(w*0x9E3779B97F4A7C15 ^ w>>7)
				s32[i] = math.Float32frombits(uint32(w >> 16))
			}
		}
		for _, p := range paths {
			w32, g32 := append([]float32(nil), s32...), append([]float32(nil), s32...)
			w64, g64 := append([]float64(nil), s64...), append([]float64(nil), s64...)
			kernel.Generic().Decay32(w32, k, d)
			p.Decay32(g32, k, d)
			kernel.Generic().Decay64(w64, k, d)
			p.Decay64(g64, k, d)
			for i := range n {
				if !sameBits32(g32[i], w32[i]) {
					t.Fatalf("%s Decay32 n=%d k=%d %+v: element %d: %x, generic %x", p.Name(), n, k, d, i,
						math.Float32bits(g32[i]), math.Float32bits(w32[i]))
				}
				if !sameBits64(g64[i], w64[i]) {
					t.Fatalf("%s Decay64 n=%d k=%d %+v: element %d: %x, generic %x", p.Name(), n, k, d, i,
						math.Float64bits(g64[i]), math.Float64bits(w64[i]))
				}
			}
		}
	})
}

// onlineTableOptions picks a kind, decay and layout for FuzzOnlineTable.
func onlineTableOptions(kind uint8, lr, l1 float64) (adagrad.Options, sparse.Layout) {
	o := adagrad.Defaults()
	o.LR, o.InitialAccumulatorValue = math.Abs(lr)+1e-3, 0.1
	layout := sparse.Elementwise
	switch kind % 5 {
	case 0:
		o.Kind, o.L1, o.L2 = adagrad.ProximalAdagrad, math.Abs(l1), 0.01
	case 1:
		o.Kind, o.L1, o.L2, o.L2Shrinkage, o.Beta = adagrad.FTRL, math.Abs(l1), 0.01, 0.001, 1
	case 2:
		o.Kind, o.L1 = adagrad.FTRL, math.Abs(l1)
		o.DecaySteps, o.DecayRate, o.DecayFloor = 1+int64(kind/5%3), 0.5, 0.01
	case 3:
		o.DecaySteps, o.DecayRate = 1+int64(kind/5%4), 0.75
	case 4:
		layout = sparse.Rowwise
		o.DecaySteps, o.DecayRate, o.DecayFloor = 2, 0.9, 0.05
	}
	if math.IsNaN(o.LR) || math.IsInf(o.LR, 0) || math.IsNaN(o.L1) || math.IsInf(o.L1, 0) {
		o.LR, o.L1 = 0.1, 0.1
	}
	return o, layout
}

// FuzzOnlineTable steps two tables of an online kind (or with decay), one
// worker and two, through the same batches, and holds both to a reference
// made of the generic single-row kernels with eager decay: every weight
// bit for bit, every accumulator once brought up to date with the periods
// its row missed.
func FuzzOnlineTable(f *testing.F) {
	f.Add([]byte{}, uint8(0), uint8(3), uint16(700), 0.1, 0.01)
	f.Add([]byte("ftrl with decay"), uint8(2), uint8(5), uint16(1500), 0.05, 0.5)
	f.Add([]byte{0, 0, 0x80, 0x7f, 1, 2, 3}, uint8(4), uint8(17), uint16(1200), 0.3, 0.0)
	f.Add([]byte("adagrad decay"), uint8(8), uint8(1), uint16(2000), 0.01, 0.0)
	f.Fuzz(func(t *testing.T, data []byte, kind, dim8 uint8, n16 uint16, lr, l1 float64) {
		const rows = 40
		dim := 1 + int(dim8%20)
		n := int(n16 % 2200)
		o, layout := onlineTableOptions(kind, lr, l1)
		b := rowBytes(data)
		tabs := make([]*sparse.Table, 2)
		for i := range tabs {
			tab, err := sparse.New(rows, dim, layout, o)
			if err != nil {
				t.Fatal(err)
			}
			defer tab.Close()
			tab.SetWorkers(i + 1)
			tabs[i] = tab
		}
		per := dim
		if layout == sparse.Rowwise {
			per = 1
		}
		w := make([]float32, rows*dim)
		s := make([]float32, rows*per)
		lin := make([]float32, rows*dim)
		for i := range s {
			s[i] = float32(o.InitialAccumulatorValue)
		}
		gen := kernel.Generic()
		for step := int64(1); step <= 3; step++ {
			idx := make([]int32, n)
			for i := range idx {
				idx[i] = int32(b.word(int(step)*7919+i) % rows)
			}
			grads := make([]float32, n*dim)
			for i := range grads {
				grads[i] = b.value(int(step)*104729+i, true)
			}
			for _, tab := range tabs {
				if err := tab.StepInt32(idx, grads); err != nil {
					t.Fatal(err)
				}
			}
			// The reference: eager decay, duplicates summed in order.
			if o.Periods(step) > o.Periods(step-1) {
				kernel.Decay32(s, 1, o.DecayOptions())
			}
			var order []int32
			sums := map[int32][]float32{}
			for i, r := range idx {
				g := grads[i*dim : (i+1)*dim]
				if acc, ok := sums[r]; ok {
					for j := range acc {
						acc[j] = acc[j] + g[j]
					}
				} else {
					sums[r] = append([]float32(nil), g...)
					order = append(order, r)
				}
			}
			for _, r := range order {
				wr, sr, lr := w[int(r)*dim:int(r+1)*dim], s[int(r)*per:int(r+1)*per], lin[int(r)*dim:int(r+1)*dim]
				switch {
				case o.Kind == adagrad.ProximalAdagrad:
					gen.ProximalStep32(wr, sums[r], sr, o.OnlineOptions(step))
				case o.Kind == adagrad.FTRL:
					gen.FTRLStep32(wr, sums[r], sr, lr, o.OnlineOptions(step))
				case layout == sparse.Rowwise:
					gen.RowwiseStep32(wr, sums[r], &sr[0], o.KernelOptions(step))
				default:
					gen.Step32(wr, sums[r], sr, o.KernelOptions(step))
				}
			}
		}
		for k, tab := range tabs {
			for i := range w {
				if !sameRowBits(tab.Weights()[i], w[i]) {
					t.Fatalf("%d workers, %+v: weight %d: %v, reference %v", k+1, o, i, tab.Weights()[i], w[i])
				}
			}
			for i := range tab.Linear() {
				if !sameRowBits(tab.Linear()[i], lin[i]) {
					t.Fatalf("%d workers: linear %d differs", k+1, i)
				}
			}
			st := append([]float32(nil), tab.State()...)
			for r, p := range tab.DecayedPeriods() {
				kernel.Decay32(st[r*per:(r+1)*per], o.Periods(3)-p, o.DecayOptions())
			}
			for i := range st {
				if !sameRowBits(st[i], s[i]) {
					t.Fatalf("%d workers, %+v: accumulator %d: %v, reference %v", k+1, o, i, st[i], s[i])
				}
			}
		}
	})
}

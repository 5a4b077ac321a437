package sparse

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/kernel"
)

// halfStorages returns every 16-bit storage, with a seed.
func halfStorages(seed uint64) []Storage {
	var out []Storage
	for _, w := range []WeightType{BFloat16, Float16} {
		for _, r := range []Rounding{Stochastic, NearestEven} {
			out = append(out, Storage{Weights: w, Rounding: r, Seed: seed})
		}
	}
	return out
}

// randomHalfTable returns a table of the storage with weights drawn from
// a normal distribution (scaled by scale), rounded to nearest.
func randomHalfTable(t testing.TB, r *rand.Rand, rows, dim int, layout Layout, o adagrad.Options, s Storage, scale float64) *Table {
	t.Helper()
	tab, err := New(rows, dim, layout, o, s)
	if err != nil {
		t.Fatal(err)
	}
	w := make([]float32, rows*dim)
	for i := range w {
		w[i] = float32(r.NormFloat64() * scale)
	}
	if err := tab.SetWeights(w); err != nil {
		t.Fatal(err)
	}
	return tab
}

// TestHalfStepContract: a step of a 16-bit table gives, for each touched
// row, the bits of widening the row, the generic float32 step on it with
// the row's summed gradient (Step32 element-wise, RowwiseStep32 row-wise)
// and rounding with kernel.Round keyed by the table's seed, the step and
// the row; untouched rows keep their bits. Several steps, duplicates,
// special values, every option.
func TestHalfStepContract(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 7))
	cases := 0
	for _, layout := range []Layout{Elementwise, Rowwise} {
		for _, s := range halfStorages(r.Uint64()) {
			for oi, o := range testOptions() {
				if oi%3 != 0 {
					continue
				}
				rows, dim := 40, []int{1, 5, 16, 33, 70}[r.IntN(5)]
				tab := randomHalfTable(t, r, rows, dim, layout, o, s, 1)
				tab.SetWorkers(1 + r.IntN(3))
				w := slices.Clone(tab.Weights16())
				st := slices.Clone(tab.State())
				h := kernel.Half{Format: s.Weights.format(), Stochastic: s.Rounding == Stochastic, Seed: s.Seed}
				for step := 1; step <= 3; step++ {
					idx, grads := batch(r, rows, dim, 60, 0.02)
					if err := tab.Step(idx, grads); err != nil {
						t.Fatal(err)
					}
					order, sums := coalesced(idx, grads, dim)
					ko := o
					ko.LR = o.LR / (1 + float64(step-1)*o.LRDecay)
					kopts := kernel.Options{LR: ko.LR, Eps: o.Eps, WeightDecay: o.WeightDecay, Maximize: o.Maximize, EpsInside: o.EpsInside}
					if tab.Options().KernelOptions(int64(step)) != kopts {
						t.Fatalf("kernel options %+v, want %+v", tab.Options().KernelOptions(int64(step)), kopts)
					}
					h.Step = int64(step)
					row := make([]float32, dim)
					for _, rr := range order {
						o0 := int(rr) * dim
						kernel.Widen(h.Format, row, w[o0:o0+dim])
						if layout == Rowwise {
							kernel.Generic().RowwiseStep32(row, sums[rr], &st[rr], kopts)
						} else {
							kernel.Generic().Step32(row, sums[rr], st[o0:o0+dim], kopts)
						}
						kernel.Round(h, int32(rr), 0, w[o0:o0+dim], row)
					}
					what := fmt.Sprintf("%v %+v step %d, %+v", layout, s, step, o)
					for i, v := range tab.Weights16() {
						if v != w[i] {
							t.Fatalf("%s: weight %d (row %d): %#04x, want %#04x", what, i, i/dim, v, w[i])
						}
					}
					for i, v := range tab.State() {
						if !sameBits(v, st[i]) {
							t.Fatalf("%s: state %d: %v, want %v", what, i, v, st[i])
						}
					}
					cases++
				}
				tab.Close()
			}
		}
	}
	t.Logf("%d steps checked", cases)
}

// halfRun makes a 16-bit table of the storage and steps it a few times
// with nw workers: large batches with duplicates, Step, StepInt32 and
// StepBags in turn.
func halfRun(t *testing.T, layout Layout, s Storage, nw, rows, dim int) *Table {
	t.Helper()
	r := rand.New(rand.NewPCG(41, 43))
	o := adagrad.Defaults()
	o.LR = 0.001 // small steps: most updates are below half a unit of bfloat16
	tab := randomHalfTable(t, r, rows, dim, layout, o, s, 0.1)
	tab.SetWorkers(nw)
	for k := 0; k < 3; k++ {
		idx, grads := batch(r, rows, dim, 5000, 0.001)
		if err := tab.Step(idx, grads); err != nil {
			t.Fatal(err)
		}
		if err := tab.StepInt32(int32Indices(idx), grads); err != nil {
			t.Fatal(err)
		}
		bidx, offsets := randomBags(r, rows, 4000, 9)
		pooled := make([]float32, len(offsets)*dim)
		fill(r, pooled, 0)
		if err := tab.StepBags(bidx, offsets, pooled, Mean, nil); err != nil {
			t.Fatal(err)
		}
	}
	return tab
}

// TestHalfSeeds is the test of stochastic rounding's randomness: the same
// seed gives the same bits for 1, 2 and 3 workers; two seeds give different
// weights; and stochastic rounding gives other weights than rounding to
// nearest (were it silently nearest, the seeds would not matter).
func TestHalfSeeds(t *testing.T) {
	for _, layout := range []Layout{Elementwise, Rowwise} {
		for _, wt := range []WeightType{BFloat16, Float16} {
			s := Storage{Weights: wt, Seed: 1}
			ref := halfRun(t, layout, s, 1, 3000, 24)
			for _, nw := range []int{2, 3} {
				tab := halfRun(t, layout, s, nw, 3000, 24)
				if !slices.Equal(tab.Weights16(), ref.Weights16()) {
					t.Fatalf("%v %v: %d workers give other weights than 1", layout, wt, nw)
				}
				for i := range tab.State() {
					if !sameBits(tab.State()[i], ref.State()[i]) {
						t.Fatalf("%v %v: %d workers give another state than 1", layout, wt, nw)
					}
				}
				tab.Close()
			}
			other := halfRun(t, layout, Storage{Weights: wt, Seed: 2}, 2, 3000, 24)
			near := halfRun(t, layout, Storage{Weights: wt, Rounding: NearestEven}, 2, 3000, 24)
			init := randomHalfTable(t, rand.New(rand.NewPCG(41, 43)), 3000, 24, layout, adagrad.Defaults(), s, 0.1)
			for _, c := range []struct {
				name string
				tab  *Table
			}{{"seed 2", other}, {"nearest even", near}, {"the initial table", init}} {
				diff := 0
				for i, v := range c.tab.Weights16() {
					if v != ref.Weights16()[i] {
						diff++
					}
				}
				if diff < 1000 {
					t.Errorf("%v %v: %s differs from seed 1 in only %d weights", layout, wt, c.name, diff)
				}
			}
			ref.Close()
			other.Close()
			near.Close()
		}
	}
}

// TestHalfLookupAndBag: Lookup and Bag of a 16-bit table give the bits of
// a float32 table holding the widened weights; BagBackward is the float32
// table's.
func TestHalfLookupAndBag(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 9))
	for _, s := range halfStorages(0) {
		tab := randomHalfTable(t, r, 100, 9, Elementwise, adagrad.Defaults(), s, 1)
		wide := make([]float32, 100*9)
		kernel.Widen(s.Weights.format(), wide, tab.Weights16())
		f32, err := New(100, 9, Elementwise, adagrad.Defaults())
		if err != nil {
			t.Fatal(err)
		}
		copy(f32.Weights(), wide)
		idx, offsets := randomBags(r, 100, 300, 7)
		a, b := make([]float32, len(idx)*9), make([]float32, len(idx)*9)
		if err := tab.Lookup(a, idx); err != nil {
			t.Fatal(err)
		}
		f32.Lookup(b, idx)
		if !slices.Equal(u32s(a), u32s(b)) {
			t.Fatalf("%+v: Lookup differs from the float32 table's", s)
		}
		psw := make([]float32, len(idx))
		fill(r, psw, 0)
		for _, p := range []Pooling{Sum, Mean} {
			for _, w := range [][]float32{nil, psw} {
				if w != nil && p == Mean {
					continue
				}
				a, b := make([]float32, len(offsets)*9), make([]float32, len(offsets)*9)
				if err := tab.Bag(a, idx, offsets, p, w); err != nil {
					t.Fatal(err)
				}
				f32.Bag(b, idx, offsets, p, w)
				if !slices.Equal(u32s(a), u32s(b)) {
					t.Fatalf("%+v %v: Bag differs from the float32 table's", s, p)
				}
			}
		}
		if n := testing.AllocsPerRun(20, func() {
			tab.Lookup(a, idx)
			tab.Bag(b[:len(offsets)*9], idx, offsets, Sum, nil)
		}); n != 0 {
			t.Errorf("%+v: Lookup and Bag: %v allocations", s, n)
		}
	}
}

func u32s(s []float32) []uint32 {
	out := make([]uint32, len(s))
	for i, v := range s {
		out[i] = math.Float32bits(v)
	}
	return out
}

// TestHalfNew: what New accepts and refuses, and what a 16-bit table
// holds.
func TestHalfNew(t *testing.T) {
	o := adagrad.Defaults()
	for _, c := range []struct {
		s    []Storage
		want string
	}{
		{[]Storage{{}, {}}, "2 Storage values"},
		{[]Storage{{Weights: 7}}, "unknown weight type"},
		{[]Storage{{Weights: BFloat16, Rounding: 5}}, "unknown rounding"},
		{[]Storage{{Rounding: NearestEven}}, "float32 weights are not rounded"},
		{[]Storage{{Seed: 3}}, "float32 weights are not rounded"},
	} {
		if _, err := New(3, 2, Elementwise, o, c.s...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("New(%+v): %v, want an error with %q", c.s, err, c.want)
		}
	}
	for _, layout := range []Layout{Elementwise, Rowwise} {
		for _, s := range halfStorages(9) {
			tab, err := New(30, 4, layout, o, s)
			if err != nil {
				t.Fatal(err)
			}
			if tab.Weights() != nil || len(tab.Weights16()) != 120 || tab.Storage() != s {
				t.Fatalf("%+v: Weights %v, %d 16-bit weights, storage %+v", s, tab.Weights(), len(tab.Weights16()), tab.Storage())
			}
			ns := 120
			if layout == Rowwise {
				ns = 30
			}
			if len(tab.State()) != ns {
				t.Fatalf("%v: state of %d", layout, len(tab.State()))
			}
			if err := tab.SetWeights(make([]float32, 3)); err == nil {
				t.Fatal("SetWeights took 3 values")
			}
			func() {
				defer func() {
					if v := recover(); v == nil || !strings.Contains(fmt.Sprint(v), "Lookup") {
						t.Errorf("Row of a 16-bit table: %v", v)
					}
				}()
				tab.Row(0)
			}()
			// 1.0 is exact in both formats; 1e-30 is 0 in float16.
			src := make([]float32, 120)
			src[0], src[1] = 1, 1e-30
			tab.SetWeights(src)
			got := make([]float32, 4)
			tab.Lookup(got, []int64{0})
			if got[0] != 1 || (s.Weights == Float16) != (got[1] == 0) {
				t.Fatalf("%+v: row 0 %v", s, got)
			}
		}
	}
	tab, _ := New(3, 2, Elementwise, o, Storage{})
	if tab.Weights16() != nil || len(tab.Weights()) != 6 {
		t.Fatal("a float32 table from Storage{} is not a float32 table")
	}
}

// TestHalfBadBatches: a refused step changes nothing in a 16-bit table,
// and memory overlapping the 16-bit weights is refused.
func TestHalfBadBatches(t *testing.T) {
	tab, err := New(10, 4, Rowwise, adagrad.Defaults(), Storage{Weights: Float16})
	if err != nil {
		t.Fatal(err)
	}
	w := slices.Clone(tab.Weights16())
	if err := tab.Step([]int64{1, 10}, make([]float32, 8)); err == nil {
		t.Fatal("index 10 accepted")
	}
	// A gradient slice that is the table's own 16-bit weights.
	alias := unsafeFloats(tab.Weights16())
	if err := tab.Step([]int64{1, 2}, alias[:8]); err == nil || !strings.Contains(err.Error(), "overlaps") {
		t.Fatalf("gradient overlapping the weights: %v", err)
	}
	if err := tab.Lookup(alias[:4], []int64{1}); err == nil {
		t.Fatal("Lookup into the table's own weights accepted")
	}
	if !slices.Equal(w, tab.Weights16()) || tab.Steps() != 0 {
		t.Fatal("a refused step changed the table")
	}
}

// TestHalfZeroAllocations: steps of 16-bit tables allocate nothing once
// their scratch memory is grown.
func TestHalfZeroAllocations(t *testing.T) {
	for _, layout := range []Layout{Elementwise, Rowwise} {
		tab := randomHalfTable(t, rand.New(rand.NewPCG(1, 3)), 1000, 32, layout, adagrad.Defaults(), Storage{Weights: BFloat16}, 1)
		idx, grads := batch(rand.New(rand.NewPCG(2, 3)), 1000, 32, 1600, 0)
		for _, nw := range []int{1, 2} {
			tab.SetWorkers(nw)
			tab.Step(idx, grads)
			if n := testing.AllocsPerRun(20, func() { tab.Step(idx, grads) }); n != 0 {
				t.Errorf("%v, %d workers: %v allocations per step", layout, nw, n)
			}
		}
		tab.Close()
	}
}

// unsafeFloats views 16-bit weights as float32 values, for the overlap
// test.
func unsafeFloats(s []uint16) []float32 {
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(s))), len(s)/2)
}

// TestHalfRefusesOnline: 16-bit weights take plain Adagrad steps only; the
// online kinds and accumulator decay are refused when the table is made.
func TestHalfRefusesOnline(t *testing.T) {
	prox := adagrad.Defaults()
	prox.Kind, prox.InitialAccumulatorValue = adagrad.ProximalAdagrad, 0.1
	ftrl := adagrad.Defaults()
	ftrl.Kind, ftrl.InitialAccumulatorValue = adagrad.FTRL, 0.1
	decay := adagrad.Defaults()
	decay.DecaySteps, decay.DecayRate = 10, 0.5
	for _, o := range []adagrad.Options{prox, ftrl, decay} {
		if _, err := New(4, 4, Elementwise, o); err != nil {
			t.Fatalf("float32 table, kind %v: %v", o.Kind, err)
		}
		for _, w := range []WeightType{BFloat16, Float16} {
			_, err := New(4, 4, Elementwise, o, Storage{Weights: w})
			if err == nil || !strings.Contains(err.Error(), "need float32 weights") {
				t.Errorf("%v table, kind %v, decay steps %d: %v", w, o.Kind, o.DecaySteps, err)
			}
		}
	}
}

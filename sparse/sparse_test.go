package sparse

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/internal/golden"
	"github.com/adagrad-go/adagrad/internal/workers"
	"github.com/adagrad-go/adagrad/kernel"
)

func sameBits(a, b float32) bool {
	if a != a && b != b {
		return true
	}
	return math.Float32bits(a) == math.Float32bits(b)
}

// ulp returns the spacing of float32 values at |x|.
func ulp(x float32) float64 {
	a := math.Abs(float64(x))
	if a >= math.MaxFloat32 {
		return float64(math.MaxFloat32) - float64(math.Nextafter32(math.MaxFloat32, 0))
	}
	return float64(math.Nextafter32(float32(a), float32(math.Inf(1)))) - float64(float32(a))
}

// TestGolden steps every sparse case of the PyTorch vectors, each step
// starting from PyTorch's own table and state, and requires every
// parameter within 8 units in the last place of the larger of its
// magnitudes before and after the step, the state within 8 units of its
// own, and every untouched row bit for bit.
func TestGolden(t *testing.T) {
	set, err := golden.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Sparse) == 0 {
		t.Fatal("no sparse cases")
	}
	worst, checked := 0.0, 0
	for _, c := range set.Sparse {
		for _, workers := range []int{1, 2} {
			o := adagrad.Defaults()
			o.LR, o.LRDecay, o.Eps, o.Maximize = c.LR, c.LRDecay, c.Eps, c.Maximize
			o.InitialAccumulatorValue = c.InitialAccumulatorValue
			tab, err := New(c.Rows, c.Dim, Elementwise, o)
			if err != nil {
				t.Fatalf("%s: %v", c.Name, err)
			}
			tab.SetWorkers(workers)
			before := make([]uint32, len(c.Param0))
			copy(before, c.Param0)
			sumBefore := make([]uint32, len(c.Param0))
			for i := range sumBefore {
				sumBefore[i] = math.Float32bits(float32(c.InitialAccumulatorValue))
			}
			for si, st := range c.Steps {
				for i := range before {
					tab.weights[i] = math.Float32frombits(before[i])
					tab.state[i] = math.Float32frombits(sumBefore[i])
				}
				grads := make([]float32, len(st.Values))
				for i, b := range st.Values {
					grads[i] = math.Float32frombits(b)
				}
				if err := tab.Step(st.Indices, grads); err != nil {
					t.Fatalf("%s step %d: %v", c.Name, si+1, err)
				}
				touched := map[int]bool{}
				for _, r := range st.Indices {
					touched[int(r)] = true
				}
				for i := range tab.weights {
					got, want := tab.weights[i], math.Float32frombits(st.Param[i])
					gotS, wantS := tab.state[i], math.Float32frombits(st.Sum[i])
					if !touched[i/c.Dim] {
						if !sameBits(got, want) || !sameBits(gotS, wantS) {
							t.Fatalf("%s step %d: untouched element %d: %x %x, PyTorch %x %x", c.Name, si+1, i,
								math.Float32bits(got), math.Float32bits(gotS), st.Param[i], st.Sum[i])
						}
						continue
					}
					if math.IsNaN(float64(want)) || math.IsInf(float64(want), 0) {
						if !sameBits(got, want) {
							t.Fatalf("%s step %d element %d: %g, PyTorch %g", c.Name, si+1, i, got, want)
						}
					} else {
						unit := max(ulp(math.Float32frombits(before[i])), ulp(want))
						d := math.Abs(float64(got)-float64(want)) / unit
						worst = max(worst, d)
						if !(d <= 8) {
							t.Fatalf("%s step %d element %d: %x, PyTorch %x: %.1f units apart", c.Name, si+1, i,
								math.Float32bits(got), st.Param[i], d)
						}
					}
					if d := math.Abs(float64(gotS)-float64(wantS)) / ulp(wantS); !(d <= 8) && !sameBits(gotS, wantS) {
						t.Fatalf("%s step %d element %d: sum %x, PyTorch %x: %.1f units apart", c.Name, si+1, i,
							math.Float32bits(gotS), st.Sum[i], d)
					}
					checked++
				}
				if tab.Steps() != int64(si+1) {
					t.Fatalf("%s: step counter %d after %d steps", c.Name, tab.Steps(), si+1)
				}
				copy(before, st.Param)
				copy(sumBefore, st.Sum)
			}
		}
	}
	t.Logf("%d cases, %d touched parameters checked, worst %.2f units", len(set.Sparse), checked, worst)
}

// batch returns n indices into rows rows with many duplicates, and their
// gradient rows.
func batch(r *rand.Rand, rows, dim, n int, special float64) ([]int64, []float32) {
	idx := make([]int64, n)
	for i := range idx {
		u := r.Float64()
		idx[i] = int64(float64(rows) * u * u * u)
	}
	g := make([]float32, n*dim)
	fill(r, g, special)
	return idx, g
}

func fill(r *rand.Rand, s []float32, special float64) {
	sp := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 1e-30, 1e30, math.SmallestNonzeroFloat32,
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())}
	for i := range s {
		if r.Float64() < special {
			s[i] = sp[r.IntN(len(sp))]
		} else {
			s[i] = float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(6)-3)))
		}
	}
}

// coalesced returns the distinct rows of idx in order of first occurrence
// and each one's gradient: the first occurrence's row, then each later one
// added in order.
func coalesced(idx []int64, grads []float32, dim int) ([]int64, map[int64][]float32) {
	var order []int64
	sums := map[int64][]float32{}
	for i, r := range idx {
		g := grads[i*dim : (i+1)*dim]
		s, ok := sums[r]
		if !ok {
			sums[r] = append([]float32(nil), g...)
			order = append(order, r)
			continue
		}
		for j := range s {
			s[j] += g[j]
		}
	}
	return order, sums
}

func testOptions() []adagrad.Options {
	var out []adagrad.Options
	for _, max := range []bool{false, true} {
		for _, inside := range []bool{false, true} {
			for _, eps := range []float64{1e-10, 0.5} {
				for _, decay := range []float64{0, 0.1} {
					for _, acc := range []float64{0, 0.25} {
						out = append(out, adagrad.Options{LR: 0.05, LRDecay: decay, Eps: eps, InitialAccumulatorValue: acc,
							Maximize: max, EpsInside: inside})
					}
				}
			}
		}
	}
	return out
}

// layoutOf returns Rowwise for true, Elementwise for false.
func layoutOf(rowwise bool) Layout {
	if rowwise {
		return Rowwise
	}
	return Elementwise
}

func randomTable(t *testing.T, r *rand.Rand, rows, dim int, o adagrad.Options) *Table {
	return randomTableOf(t, r, rows, dim, Elementwise, o)
}

func randomTableOf(t *testing.T, r *rand.Rand, rows, dim int, layout Layout, o adagrad.Options) *Table {
	t.Helper()
	tab, err := New(rows, dim, layout, o)
	if err != nil {
		t.Fatal(err)
	}
	for i := range tab.weights {
		tab.weights[i] = float32(r.NormFloat64())
	}
	return tab
}

// TestAgainstDense: a sparse step equals the dense kernel applied to the
// whole table with the coalesced gradient scattered into a zero gradient,
// bit for bit. (Weight decay 0, eps > 0 or a positive state, finite
// parameters that are not -0, so that a zero gradient leaves a row as it
// is in the dense step too.)
func TestAgainstDense(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	cases := 0
	for _, dim := range []int{1, 3, 8, 16, 17, 64, 100} {
		for _, o := range testOptions() {
			rows := 1 + r.IntN(60)
			tab := randomTable(t, r, rows, dim, o)
			tab.SetWorkers(1 + r.IntN(3))
			dense := append([]float32(nil), tab.weights...)
			dsum := append([]float32(nil), tab.state...)
			for st := 1; st <= 3; st++ {
				idx, grads := batch(r, rows, dim, r.IntN(3*rows), 0.02)
				if err := tab.Step(idx, grads); err != nil {
					t.Fatal(err)
				}
				full := make([]float32, rows*dim)
				_, sums := coalesced(idx, grads, dim)
				for row, g := range sums {
					copy(full[int(row)*dim:], g)
				}
				ko := kernel.Options{LR: o.LR / (1 + float64(st-1)*o.LRDecay), Eps: o.Eps, Maximize: o.Maximize, EpsInside: o.EpsInside}
				kernel.Generic().Step32(dense, full, dsum, ko)
				for i := range dense {
					if !sameBits(tab.weights[i], dense[i]) || !sameBits(tab.state[i], dsum[i]) {
						t.Fatalf("dim %d %+v step %d: element %d (row %d): %x %x, dense %x %x", dim, o, st, i, i/dim,
							math.Float32bits(tab.weights[i]), math.Float32bits(tab.state[i]),
							math.Float32bits(dense[i]), math.Float32bits(dsum[i]))
					}
				}
				cases++
			}
		}
	}
	t.Logf("%d steps equal to the dense kernel", cases)
}

// TestTouchedRowsOnly: with weight decay, every touched row gets
// kernel.Step32 (or the rowwise step) with its summed gradient and every
// other row and its state is unchanged, bit for bit, whatever the values.
func TestTouchedRowsOnly(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	cases := 0
	for _, rowwise := range []bool{false, true} {
		for _, dim := range []int{1, 5, 16, 33, 64, 128} {
			for _, o := range testOptions() {
				o.WeightDecay = []float64{0, 0.01, 2}[r.IntN(3)]
				rows := 1 + r.IntN(80)
				tab := randomTableOf(t, r, rows, dim, layoutOf(rowwise), o)
				fill(r, tab.weights, 0.05)
				tab.SetWorkers(1 + r.IntN(4))
				want := append([]float32(nil), tab.weights...)
				wantS := append([]float32(nil), tab.state...)
				idx, grads := batch(r, rows, dim, r.IntN(4*rows), 0.05)
				order, sums := coalesced(idx, grads, dim)
				ko := kernel.Options{LR: o.LR, Eps: o.Eps, WeightDecay: o.WeightDecay, Maximize: o.Maximize, EpsInside: o.EpsInside}
				for _, row := range order {
					p := want[int(row)*dim : int(row+1)*dim]
					if rowwise {
						kernel.Generic().RowwiseStep32(p, sums[row], &wantS[row], ko)
					} else {
						kernel.Generic().Step32(p, sums[row], wantS[int(row)*dim:int(row+1)*dim], ko)
					}
				}
				if err := tab.Step(idx, grads); err != nil {
					t.Fatal(err)
				}
				for i := range want {
					if !sameBits(tab.weights[i], want[i]) {
						t.Fatalf("rowwise=%v dim %d %+v: weight %d (row %d): %x, want %x", rowwise, dim, o, i, i/dim,
							math.Float32bits(tab.weights[i]), math.Float32bits(want[i]))
					}
				}
				for i := range wantS {
					if !sameBits(tab.state[i], wantS[i]) {
						t.Fatalf("rowwise=%v dim %d %+v: state %d: %x, want %x", rowwise, dim, o, i,
							math.Float32bits(tab.state[i]), math.Float32bits(wantS[i]))
					}
				}
				if rowwise && len(tab.State()) != rows || !rowwise && len(tab.State()) != rows*dim {
					t.Fatalf("rowwise=%v: state of %d values for %d x %d", rowwise, len(tab.State()), rows, dim)
				}
				cases++
			}
		}
	}
	t.Logf("%d steps", cases)
}

// TestWorkersSameBits: 1 to 8 workers, large batches, both modes: the same
// bits. Run with -race to check the workers' sharing.
func TestWorkersSameBits(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, rowwise := range []bool{false, true} {
		for _, shape := range []struct{ rows, dim int }{{5000, 7}, {5000, 64}, {5_000_000, 2}, {5000, 1}} {
			rows, dim := shape.rows, shape.dim
			o := adagrad.Defaults()
			o.WeightDecay = 0.01
			idx, grads := batch(r, rows, dim, 9000, 0.01)
			idx2, grads2 := batch(r, rows, dim, 3000, 0)
			var ref *Table
			for _, nw := range []int{1, 2, 3, 8} {
				tab := randomTableOf(t, rand.New(rand.NewPCG(7, 8)), rows, dim, layoutOf(rowwise), o)
				tab.SetWorkers(nw)
				if err := tab.Step(idx, grads); err != nil {
					t.Fatal(err)
				}
				if err := tab.Step(idx2, grads2); err != nil {
					t.Fatal(err)
				}
				if ref == nil {
					ref = tab
					continue
				}
				for i := range tab.weights {
					if !sameBits(tab.weights[i], ref.weights[i]) {
						t.Fatalf("rowwise=%v dim %d, %d workers: weight %d differs from 1 worker", rowwise, dim, nw, i)
					}
				}
				for i := range tab.state {
					if !sameBits(tab.state[i], ref.state[i]) {
						t.Fatalf("rowwise=%v dim %d, %d workers: state %d differs from 1 worker", rowwise, dim, nw, i)
					}
				}
			}
		}
	}
}

// int32Indices returns idx as int32 indices.
func int32Indices(idx []int64) []int32 {
	idx32 := make([]int32, len(idx))
	for i, x := range idx {
		idx32[i] = int32(x)
	}
	return idx32
}

// TestInt32Indices: StepInt32 gives Step's bits.
func TestInt32Indices(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, rowwise := range []bool{false, true} {
		o := adagrad.Defaults()
		a := randomTableOf(t, rand.New(rand.NewPCG(1, 1)), 300, 24, layoutOf(rowwise), o)
		b := randomTableOf(t, rand.New(rand.NewPCG(1, 1)), 300, 24, layoutOf(rowwise), o)
		idx, grads := batch(r, 300, 24, 2000, 0)
		idx32 := int32Indices(idx)
		if err := a.Step(idx, grads); err != nil {
			t.Fatal(err)
		}
		if err := b.StepInt32(idx32, grads); err != nil {
			t.Fatal(err)
		}
		for i := range a.weights {
			if !sameBits(a.weights[i], b.weights[i]) {
				t.Fatalf("rowwise=%v: weight %d differs", rowwise, i)
			}
		}
		if err := b.StepInt32([]int32{1, -7}, make([]float32, 48)); err == nil || !strings.Contains(err.Error(), "index -7 at position 1") {
			t.Fatalf("int32 bad index: %v", err)
		}
	}
}

func snapshot(t *Table) ([]float32, []float32, int64) {
	return append([]float32(nil), t.weights...), append([]float32(nil), t.state...), t.steps
}

func unchanged(t *testing.T, tab *Table, w, s []float32, steps int64) {
	t.Helper()
	for i := range w {
		if !sameBits(w[i], tab.weights[i]) {
			t.Fatalf("weight %d changed", i)
		}
	}
	for i := range s {
		if !sameBits(s[i], tab.state[i]) {
			t.Fatalf("state %d changed", i)
		}
	}
	if tab.steps != steps {
		t.Fatalf("step counter %d, was %d", tab.steps, steps)
	}
}

func TestBadBatches(t *testing.T) {
	for _, rowwise := range []bool{false, true} {
		o := adagrad.Defaults()
		tab := randomTableOf(t, rand.New(rand.NewPCG(2, 2)), 10, 4, layoutOf(rowwise), o)
		tab.SetWorkers(2)
		w, s, n := snapshot(tab)
		for _, c := range []struct {
			idx  []int64
			pos  int
			bad  int64
			want string
		}{
			{[]int64{1, 2, -1, 3}, 2, -1, "index -1 at position 2 is outside the table's rows [0, 10)"},
			{[]int64{0, 9, 10}, 2, 10, "index 10 at position 2"},
			{[]int64{math.MaxInt64, -5}, 0, math.MaxInt64, "at position 0"},
			{[]int64{1 << 32}, 0, 1 << 32, "index 4294967296 at position 0"},
		} {
			err := tab.Step(c.idx, make([]float32, 4*len(c.idx)))
			var ie *IndexError
			if !errors.As(err, &ie) || ie.Pos != c.pos || ie.Index != c.bad || ie.Rows != 10 || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("indices %v: error %v, want position %d index %d (%q)", c.idx, err, c.pos, c.bad, c.want)
			}
			unchanged(t, tab, w, s, n)
		}
		for _, ng := range []int{0, 7, 9, 12} {
			err := tab.Step([]int64{1, 2}, make([]float32, ng))
			if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%d gradient values for 2 indices", ng)) {
				t.Fatalf("%d gradient values: error %v", ng, err)
			}
			unchanged(t, tab, w, s, n)
		}
		// An empty batch is a step that touches nothing.
		if err := tab.Step(nil, nil); err != nil {
			t.Fatal(err)
		}
		unchanged(t, tab, w, s, n+1)
		if err := tab.Step([]int64{}, []float32{1}); err == nil {
			t.Fatal("an empty batch with gradient values was accepted")
		}
		unchanged(t, tab, w, s, n+1)
	}
}

func TestNewAndOptions(t *testing.T) {
	type newCase struct {
		rows, dim int
		o         adagrad.Options
		want      string
	}
	// Sizes beyond an int32 exist only where an int has 64 bits.
	var wide []newCase
	if big := int64(MaxRows) + 1; int64(int(big)) == big {
		wide = []newCase{
			{int(big), 1, adagrad.Defaults(), "too large"},
			{MaxRows, int(big * 2), adagrad.Defaults(), "too large"},
			{MaxRows, math.MaxInt / 8 / MaxRows, adagrad.Defaults(), "too large"},
		}
	}
	for _, c := range append(wide, []newCase{
		{0, 4, adagrad.Defaults(), "rows > 0 and dim > 0"},
		{4, -1, adagrad.Defaults(), "rows > 0 and dim > 0"},
		{1 << 30, 1 << 30, adagrad.Defaults(), "too large"},
		{2, math.MaxInt, adagrad.Defaults(), "too large"},
		{4, 4, adagrad.Options{LR: -1}, "Invalid learning rate: -1"},
		{4, 4, adagrad.Options{LRDecay: math.NaN()}, "Invalid lr_decay value: NaN"},
		{4, 4, adagrad.Options{WeightDecay: -0.5}, "Invalid weight_decay value: -0.5"},
		{4, 4, adagrad.Options{InitialAccumulatorValue: -1}, "Invalid initial_accumulator_value value: -1"},
		{4, 4, adagrad.Options{Eps: -1e-8}, "Invalid epsilon value: -1e-08"},
	}...) {
		for _, layout := range []Layout{Elementwise, Rowwise} {
			if _, err := New(c.rows, c.dim, layout, c.o); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("New(%d, %d, %v, %+v): %v, want %q", c.rows, c.dim, layout, c.o, err, c.want)
			}
		}
	}
	if m := memoryBytes(); m > 0 && m/(8*MaxRows) < math.MaxInt/8/MaxRows {
		// More than the machine's memory and swap, but well inside what an
		// int and the runtime can address: an error, not a fatal
		// out-of-memory.
		dim := int(m/(8*MaxRows)) + 1
		if _, err := New(MaxRows, dim, Elementwise, adagrad.Defaults()); err == nil || !strings.Contains(err.Error(), "more than this machine's memory") {
			t.Errorf("New(MaxRows, %d): %v", dim, err)
		}
	}
	if _, err := New(4, 4, Layout(2), adagrad.Defaults()); err == nil || !strings.Contains(err.Error(), "unknown layout Layout(2)") {
		t.Errorf("New with layout 2: %v", err)
	}
	o := adagrad.Defaults()
	o.InitialAccumulatorValue = 0.5
	tab, err := New(3, 5, Rowwise, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.State()) != 3 || tab.State()[2] != 0.5 || len(tab.Weights()) != 15 || len(tab.Row(2)) != 5 || tab.Layout() != Rowwise {
		t.Errorf("rowwise table: state %v, %d weights, layout %v", tab.State(), len(tab.Weights()), tab.Layout())
	}
	o.LR = 1
	if err := tab.SetOptions(o); err != nil || tab.Options().LR != 1 {
		t.Errorf("SetOptions: %v", err)
	}
	if err := tab.SetOptions(adagrad.Options{LR: -2}); err == nil || tab.Options().LR != 1 {
		t.Errorf("SetOptions accepted a negative lr: %v", err)
	}
}

// TestLRDecay: step t uses lr/(1+(t-1)*lr_decay); failed calls do not
// count, empty ones do.
func TestLRDecay(t *testing.T) {
	o := adagrad.Options{LR: 0.5, LRDecay: 0.3, Eps: 1e-3}
	tab := randomTable(t, rand.New(rand.NewPCG(4, 4)), 4, 3, o)
	p := append([]float32(nil), tab.Row(2)...)
	s := make([]float32, 3)
	g := []float32{0.5, -1, 2}
	for st := 1; st <= 5; st++ {
		if st == 3 {
			if err := tab.Step(nil, nil); err != nil { // step 3 touches nothing
				t.Fatal(err)
			}
			continue
		}
		if err := tab.Step([]int64{7}, g); err == nil {
			t.Fatal("bad index accepted")
		}
		if err := tab.Step([]int64{2}, g); err != nil {
			t.Fatal(err)
		}
		kernel.Generic().Step32(p, g, s, kernel.Options{LR: 0.5 / (1 + float64(st-1)*0.3), Eps: 1e-3})
		for j := range p {
			if !sameBits(p[j], tab.Row(2)[j]) {
				t.Fatalf("step %d: %v, want %v", st, tab.Row(2), p)
			}
		}
	}
	if tab.Steps() != 5 {
		t.Fatalf("Steps() = %d, want 5", tab.Steps())
	}
}

func TestLookupAndBags(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 6))
	const rows, dim = 20, 6
	tab := randomTable(t, r, rows, dim, adagrad.Defaults())
	idx := []int64{3, 0, 19, 3, 7}
	got := make([]float32, len(idx)*dim)
	if err := tab.Lookup(got, idx); err != nil {
		t.Fatal(err)
	}
	for i, x := range idx {
		for j := 0; j < dim; j++ {
			if got[i*dim+j] != tab.weights[int(x)*dim+j] {
				t.Fatalf("Lookup row %d element %d", i, j)
			}
		}
	}
	// Bags: [3 0] [] [19 3 7]
	offsets := []int64{0, 2, 2}
	for _, p := range []Pooling{Sum, Mean} {
		pooled := make([]float32, 3*dim)
		for i := range pooled {
			pooled[i] = 99 // Bag must overwrite, empty bags included
		}
		if err := tab.Bag(pooled, idx, offsets, p, nil); err != nil {
			t.Fatal(err)
		}
		w := func(r, j int) float32 { return tab.weights[r*dim+j] }
		for j := 0; j < dim; j++ {
			b0 := w(3, j) + w(0, j)
			b2 := (w(19, j) + w(3, j)) + w(7, j)
			if p == Mean {
				b0 /= 2
				b2 /= 3
			}
			if pooled[j] != b0 || pooled[dim+j] != 0 || pooled[2*dim+j] != b2 {
				t.Fatalf("%v: element %d: %v %v %v, want %v 0 %v", p, j, pooled[j], pooled[dim+j], pooled[2*dim+j], b0, b2)
			}
		}
		// BagBackward is the adjoint of Bag: for any pooled gradient G,
		// <Bag(W), G> = sum over indices of <W[idx[i]], BagBackward(G)[i]>.
		G := make([]float32, 3*dim)
		fill(r, G, 0)
		gi := make([]float32, len(idx)*dim)
		if err := tab.BagBackward(gi, G, offsets, p, nil); err != nil {
			t.Fatal(err)
		}
		var lhs, rhs float64
		for i := range G {
			lhs += float64(pooled[i]) * float64(G[i])
		}
		for i, x := range idx {
			for j := 0; j < dim; j++ {
				rhs += float64(tab.weights[int(x)*dim+j]) * float64(gi[i*dim+j])
			}
		}
		if math.Abs(lhs-rhs) > 1e-5*(1+math.Abs(lhs)) {
			t.Fatalf("%v: <Bag(W), G> = %v but <W, BagBackward(G)> = %v", p, lhs, rhs)
		}
	}
	// Errors, with nothing written.
	dst := make([]float32, 2*dim)
	for _, c := range []struct {
		offsets []int64
		want    string
	}{
		{[]int64{1, 2}, "offsets[0] = 1"},
		{[]int64{0, 6}, "offsets[1] = 6 is outside"},
		{[]int64{0, 3, 2}, "offsets[2] = 2 is outside"},
	} {
		if err := tab.Bag(dst, idx, c.offsets, Sum, nil); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Bag offsets %v: %v, want %q", c.offsets, err, c.want)
		}
	}
	if err := tab.Bag(dst, []int64{1, 20}, []int64{0, 1}, Sum, nil); err == nil || !strings.Contains(err.Error(), "index 20 at position 1") {
		t.Errorf("Bag with a bad index: %v", err)
	}
	if err := tab.Bag(dst[:dim], idx, []int64{0, 1}, Sum, nil); err == nil {
		t.Error("Bag with a short dst")
	}
	if err := tab.Bag(dst, idx, []int64{0, 1}, Pooling(7), nil); err == nil || !strings.Contains(err.Error(), "unknown pooling Pooling(7)") {
		t.Errorf("unknown pooling: %v", err)
	}
	if err := tab.Lookup(dst, []int64{0, -1}); err == nil || !strings.Contains(err.Error(), "index -1 at position 1") {
		t.Errorf("Lookup with a bad index: %v", err)
	}
	if err := tab.Lookup(dst, []int64{0}); err == nil {
		t.Error("Lookup with a long dst")
	}
	if err := tab.BagBackward(make([]float32, 5*dim), make([]float32, dim), []int64{0, 2}, Sum, nil); err == nil || !strings.Contains(err.Error(), "pooled holds") {
		t.Errorf("BagBackward with a short pooled: %v", err)
	}
	for _, v := range dst {
		if v != 0 {
			t.Fatalf("a refused call wrote dst: %v", dst)
		}
	}
}

func TestZeroAllocations(t *testing.T) {
	for _, rowwise := range []bool{false, true} {
		o := adagrad.Defaults()
		tab := randomTableOf(t, rand.New(rand.NewPCG(1, 3)), 1000, 32, layoutOf(rowwise), o)
		idx, grads := batch(rand.New(rand.NewPCG(2, 3)), 1000, 32, 1600, 0)
		idx32 := int32Indices(idx)
		for _, nw := range []int{1, 2, 3} {
			tab.SetWorkers(nw)
			if err := tab.Step(idx, grads); err != nil { // warm up the scratch memory
				t.Fatal(err)
			}
			if n := testing.AllocsPerRun(20, func() { tab.Step(idx, grads) }); n != 0 {
				t.Errorf("rowwise=%v, %d workers: Step: %v allocations per call", rowwise, nw, n)
			}
			if n := testing.AllocsPerRun(20, func() { tab.StepInt32(idx32, grads) }); n != 0 {
				t.Errorf("rowwise=%v, %d workers: StepInt32: %v allocations per call", rowwise, nw, n)
			}
		}
		tab.Close()
		tab.SetWorkers(1)
		dst := make([]float32, len(idx)*32)
		if n := testing.AllocsPerRun(20, func() { tab.Lookup(dst, idx) }); n != 0 {
			t.Errorf("Lookup: %v allocations per call", n)
		}
		offsets := []int64{0, 100, 100, 500}
		pooled := make([]float32, 4*32)
		if n := testing.AllocsPerRun(20, func() {
			tab.Bag(pooled, idx, offsets, Mean, nil)
			tab.BagBackward(dst, pooled, offsets, Mean, nil)
		}); n != 0 {
			t.Errorf("Bag and BagBackward: %v allocations per call", n)
		}
	}
}

// runningAt waits until n pool workers run: one that has signalled its
// end may take a moment more to return.
func runningAt(t *testing.T, n int, what string) {
	t.Helper()
	if got := workers.AwaitRunning(n, 5*time.Second); got != n {
		t.Errorf("%d workers %s, want %d", got, what, n)
	}
}

// TestWorkersLifecycle: a parallel step starts the table's workers; Close
// stops them, the table stays usable, and a table that is collected
// without Close stops its workers too.
func TestWorkersLifecycle(t *testing.T) {
	runningAt(t, 0, "before the test")
	batch := make([]int64, 4096)
	for i := range batch {
		batch[i] = int64(i * 7 % 1000)
	}
	grads := make([]float32, len(batch)*8)
	tab, err := New(1000, 8, Elementwise, adagrad.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	tab.SetWorkers(3)
	if err := tab.Step(batch, grads); err != nil {
		t.Fatal(err)
	}
	runningAt(t, 2, "after a step with 3 workers")
	tab.Close()
	tab.Close()
	runningAt(t, 0, "after Close")
	if err := tab.Step(batch, grads); err != nil {
		t.Fatal(err)
	}
	runningAt(t, 2, "after a step following Close")
	tab = nil
	runningAt(t, 0, "once the table is collected")
}

// TestCoalesce: coalesce lists the rows seen once in order of position
// with their gradient rows, and the rows seen more often in order of first
// occurrence with their gradients summed in order of occurrence, for rows
// of every width, batches of several sizes (one scratch for all, so that
// each batch finds the hash table as the previous one left it), and
// gradient rows given directly or through a list. Rows of one element are
// all listed as if seen more often, with their gradients copied or summed.
func TestCoalesce(t *testing.T) {
	for _, dim := range []int{2, 1} {
		testCoalesce(t, dim)
	}
}

func testCoalesce(t *testing.T, dim int) {
	r := rand.New(rand.NewPCG(9, 10))
	var s scratch
	for bits := 0; bits <= 31; bits++ {
		for _, n := range []int{1, 2, 100, 5000, 3, 0} {
			idx := make([]int64, n)
			for i := range idx {
				if bits > 0 {
					idx[i] = int64(uint32(r.Uint64()) >> (32 - bits))
					if r.IntN(4) == 0 && i > 0 { // a duplicate
						idx[i] = idx[r.IntN(i)]
					}
				}
			}
			grads := make([]float32, (n+1)*dim)
			fill(r, grads, 0)
			src := source{rows: grads}
			if bits%2 == 1 { // gradient row i+1 for position i
				src.of = make([]int32, n)
				for i := range src.of {
					src.of[i] = int32(i + 1)
				}
			}
			byPos := make([]float32, n*dim)
			for i := range n {
				k := src.row(int32(i))
				copy(byPos[i*dim:], grads[int(k)*dim:int(k)*dim+dim])
			}
			order, sums := coalesced(idx, byPos, dim)
			count := map[int64]int{}
			for _, x := range idx {
				count[x]++
			}
			var want1, wantG1 []int32
			for i, x := range idx {
				if count[x] == 1 && dim > 1 {
					want1 = append(want1, int32(x))
					wantG1 = append(wantG1, src.row(int32(i)))
				}
			}
			var wantN []int32
			for _, x := range order {
				if count[x] > 1 || dim == 1 {
					wantN = append(wantN, int32(x))
				}
			}
			s.batch = appendKeys(s.batch[:0], idx, 0)
			s.coalesce(&src, dim)
			if !slices.Equal(s.rows1, want1) || !slices.Equal(s.grow1, wantG1) {
				t.Fatalf("dim %d, %d bits, %d keys: the rows seen once are %v (gradient rows %v), want %v (%v)", dim, bits, n, s.rows1, s.grow1, want1, wantG1)
			}
			if !slices.Equal(s.rowsN, wantN) {
				t.Fatalf("dim %d, %d bits, %d keys: the rows seen more often are %v, want %v", dim, bits, n, s.rowsN, wantN)
			}
			for i, x := range wantN {
				for j, v := range sums[int64(x)] {
					if got := s.buf[i*dim+j]; math.Float32bits(got) != math.Float32bits(v) {
						t.Fatalf("dim %d, %d bits, %d keys: row %d's sum [%d] is %v, want %v", dim, bits, n, x, j, got, v)
					}
				}
			}
		}
	}
	for i, e := range s.slots {
		if e != 0 {
			t.Fatalf("slot %d is %#x after the last batch, want empty", i, e)
		}
	}
}

// TestEmptyParts: a large batch whose rows all fall in one part of a
// parallel step (a single row, repeated) leaves the other parts empty.
func TestEmptyParts(t *testing.T) {
	for _, nw := range []int{1, 2, 3, 8} {
		tab, err := New(100, 4, Elementwise, adagrad.Defaults())
		if err != nil {
			t.Fatal(err)
		}
		tab.SetWorkers(nw)
		idx := make([]int64, 5000)
		grads := make([]float32, 5000*4)
		for i := range idx {
			idx[i] = 42
			grads[i*4] = 1
		}
		if err := tab.Step(idx, grads); err != nil {
			t.Fatal(err)
		}
		// The gradient sums to 5000; the first step of Adagrad moves each
		// element with a nonzero gradient by lr.
		if got := tab.Row(42)[0]; got != -0.01 {
			t.Errorf("%d workers: row 42 is %v, want -0.01", nw, got)
		}
		tab.Close()
	}
}

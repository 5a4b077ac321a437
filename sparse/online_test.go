package sparse

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/kernel"
)

func onlineKinds() []adagrad.Options {
	d := adagrad.Defaults()
	prox := d
	prox.Kind, prox.InitialAccumulatorValue, prox.L1, prox.L2 = adagrad.ProximalAdagrad, 0.1, 0.01, 0.02
	ftrl := d
	ftrl.LR, ftrl.Kind, ftrl.InitialAccumulatorValue, ftrl.L1, ftrl.L2, ftrl.L2Shrinkage, ftrl.Beta = 0.05, adagrad.FTRL, 0.1, 0.5, 0.1, 0.01, 1
	decay := d
	decay.DecaySteps, decay.DecayRate, decay.DecayFloor = 2, 0.5, 0.001
	ftrlDecay := ftrl
	ftrlDecay.DecaySteps, ftrlDecay.DecayRate = 3, 0.9
	proxDecay := prox
	proxDecay.DecaySteps, proxDecay.DecayRate, proxDecay.DecayFloor = 1, 0.7, 0.05
	return []adagrad.Options{prox, ftrl, decay, ftrlDecay, proxDecay}
}

// eager is the reference: every accumulator decayed at every period,
// duplicates summed in order of position, each touched row stepped by the
// generic single-row kernels.
type eager struct {
	o                   adagrad.Options
	layout              Layout
	dim                 int
	weights, state, lin []float32
	steps               int64
}

func (e *eager) step(idx []int64, grads []float32) {
	e.steps++
	per := e.dim
	if e.layout == Rowwise {
		per = 1
	}
	if e.o.Periods(e.steps) > e.o.Periods(e.steps-1) {
		kernel.Decay32(e.state, 1, e.o.DecayOptions())
	}
	var order []int64
	sums := map[int64][]float32{}
	for i, r := range idx {
		g := grads[i*e.dim : (i+1)*e.dim]
		if s, ok := sums[r]; ok {
			for j := range s {
				s[j] = s[j] + g[j]
			}
		} else {
			sums[r] = append([]float32(nil), g...)
			order = append(order, r)
		}
	}
	gen := kernel.Generic()
	for _, r := range order {
		w := e.weights[int(r)*e.dim : int(r+1)*e.dim]
		s := e.state[int(r)*per : int(r+1)*per]
		switch e.o.Kind {
		case adagrad.ProximalAdagrad:
			gen.ProximalStep32(w, sums[r], s, e.o.OnlineOptions(e.steps))
		case adagrad.FTRL:
			gen.FTRLStep32(w, sums[r], s, e.lin[int(r)*e.dim:int(r+1)*e.dim], e.o.OnlineOptions(e.steps))
		default:
			if e.layout == Rowwise {
				gen.RowwiseStep32(w, sums[r], &s[0], e.o.KernelOptions(e.steps))
			} else {
				gen.Step32(w, sums[r], s, e.o.KernelOptions(e.steps))
			}
		}
	}
}

// caughtUp returns the table's state with every row decayed for the
// periods it has not had yet.
func caughtUp(t *Table) []float32 {
	s := append([]float32(nil), t.state...)
	if t.online.decayed == nil {
		return s
	}
	per := t.dim
	if t.layout == Rowwise {
		per = 1
	}
	now := t.opts.Periods(t.steps)
	for r, p := range t.online.decayed {
		kernel.Decay32(s[r*per:(r+1)*per], now-p, t.opts.DecayOptions())
	}
	return s
}

// TestOnlineAgainstEager: tables of each kind, with lazy decay, rows of 5
// elements and of 1, one and two workers, give the bits of the eager
// reference.
func TestOnlineAgainstEager(t *testing.T) {
	for ki, o := range onlineKinds() {
		for _, layout := range []Layout{Elementwise, Rowwise} {
			if layout == Rowwise && o.Kind != adagrad.Adagrad {
				continue
			}
			for _, wd := range [][2]int{{1, 5}, {2, 5}, {1, 1}, {2, 1}} {
				workers, dim := wd[0], wd[1]
				name := fmt.Sprintf("%v/decay%d/%v/workers%d/dim%d", o.Kind, o.DecaySteps, layout, workers, dim)
				r := rand.New(rand.NewPCG(uint64(ki), 3))
				const rows = 300
				tab := randomTableOf(t, r, rows, dim, layout, o)
				tab.SetWorkers(workers)
				e := &eager{o: o, layout: layout, dim: dim, weights: append([]float32(nil), tab.weights...),
					state: append([]float32(nil), tab.state...), lin: make([]float32, rows*dim)}
				for step := 0; step < 12; step++ {
					idx, grads := batch(r, rows, dim, 1+r.IntN(1500), 0)
					if err := tab.Step(idx, grads); err != nil {
						t.Fatal(err)
					}
					e.step(idx, grads)
					for i := range e.weights {
						if !sameBits(tab.weights[i], e.weights[i]) {
							t.Fatalf("%s step %d: weight %d: %v, eager %v", name, step, i, tab.weights[i], e.weights[i])
						}
					}
					st := caughtUp(tab)
					for i := range st {
						if !sameBits(st[i], e.state[i]) {
							t.Fatalf("%s step %d: state %d: %v, eager %v", name, step, i, st[i], e.state[i])
						}
					}
					for i := range tab.Linear() {
						if !sameBits(tab.Linear()[i], e.lin[i]) {
							t.Fatalf("%s step %d: linear %d: %v, eager %v", name, step, i, tab.Linear()[i], e.lin[i])
						}
					}
				}
				tab.Close()
			}
		}
	}
}

func TestOnlineL1Zeros(t *testing.T) {
	o := onlineKinds()[1]
	o.L1 = 5
	tab, err := New(1000, 1, Elementwise, o)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 1))
	idx, grads := batch(r, 1000, 1, 2000, 0)
	if err := tab.Step(idx, grads); err != nil {
		t.Fatal(err)
	}
	zeros := 0
	for i, w := range tab.Weights() {
		lin := tab.Linear()[i]
		if (w == 0) != (lin <= 5 && lin >= -5) {
			t.Errorf("weight %d is %v with linear %v and l1 5", i, w, lin)
		}
		if w == 0 {
			zeros++
		}
	}
	if zeros == 0 || zeros == 1000 {
		t.Errorf("%d exact zeros of 1000", zeros)
	}
}

func TestOnlineSaveLoad(t *testing.T) {
	for _, o := range onlineKinds() {
		r := rand.New(rand.NewPCG(4, 4))
		a := randomTableOf(t, r, 80, 6, Elementwise, o)
		for k := 0; k < 5; k++ {
			idx, grads := batch(r, 80, 6, 200, 0)
			if err := a.Step(idx, grads); err != nil {
				t.Fatal(err)
			}
		}
		path := filepath.Join(t.TempDir(), "t.safetensors")
		if err := a.Save(path); err != nil {
			t.Fatal(err)
		}
		b, err := New(80, 6, Elementwise, o)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Load(path); err != nil {
			t.Fatal(err)
		}
		idx, grads := batch(r, 80, 6, 300, 0)
		for _, x := range []*Table{a, b} {
			if err := x.Step(idx, grads); err != nil {
				t.Fatal(err)
			}
		}
		for i := range a.weights {
			if !sameBits(a.weights[i], b.weights[i]) || !sameBits(a.state[i], b.state[i]) {
				t.Fatalf("%v: element %d differs after a step from the checkpoint", o.Kind, i)
			}
		}
		for i := range a.Linear() {
			if !sameBits(a.Linear()[i], b.Linear()[i]) {
				t.Fatalf("%v: linear %d differs", o.Kind, i)
			}
		}
		// A table of another kind, or of the other decay, refuses it.
		other := adagrad.Defaults()
		if o.Kind == adagrad.Adagrad {
			other.Kind, other.LR = adagrad.FTRL, 0.1
		}
		c, _ := New(80, 6, Elementwise, other)
		if err := c.Load(path); err == nil || !strings.Contains(err.Error(), "the checkpoint is of kind "+o.Kind.String()) &&
			!strings.Contains(err.Error(), "decay is on in one only") {
			t.Errorf("%v loaded into %v: %v", o.Kind, other.Kind, err)
		}
	}
	// A plain Adagrad checkpoint, as written before kinds existed, into
	// an FTRL table.
	plain, _ := New(10, 2, Elementwise, adagrad.Defaults())
	data, _ := plain.MarshalBinary()
	ftrl, _ := New(10, 2, Elementwise, onlineKinds()[1])
	if err := ftrl.UnmarshalBinary(data); err == nil || !strings.Contains(err.Error(), "the checkpoint is of kind adagrad, the table's is ftrl") {
		t.Errorf("plain into FTRL: %v", err)
	}
}

func TestOnlineRefuses(t *testing.T) {
	if _, err := New(10, 2, Rowwise, onlineKinds()[1]); err == nil || !strings.Contains(err.Error(), "no rowwise layout") {
		t.Errorf("rowwise FTRL: %v", err)
	}
	tab, _ := New(10, 2, Elementwise, onlineKinds()[1])
	o := tab.Options()
	o.Kind = adagrad.Adagrad
	if err := tab.SetOptions(adagrad.Defaults()); err == nil || !strings.Contains(err.Error(), "cannot become adagrad") {
		t.Errorf("kind change: %v", err)
	}
	o = tab.Options()
	o.L1 = 7
	if err := tab.SetOptions(o); err != nil || tab.Options().L1 != 7 {
		t.Errorf("l1 change: %v", err)
	}
	o.DecaySteps, o.DecayRate = 4, 0.5
	if err := tab.SetOptions(o); err == nil || !strings.Contains(err.Error(), "keeps it") {
		t.Errorf("decay change: %v", err)
	}
}

func TestOnlineStepAllocs(t *testing.T) {
	tab, _ := New(1<<12, 4, Elementwise, onlineKinds()[3])
	tab.SetWorkers(1)
	r := rand.New(rand.NewPCG(2, 2))
	idx, grads := batch(r, 1<<12, 4, 1000, 0)
	tab.Step(idx, grads)
	if a := testing.AllocsPerRun(20, func() { tab.Step(idx, grads) }); a != 0 {
		t.Errorf("%v allocations per step", a)
	}
}

func ExampleNew_ftrl() {
	o := adagrad.Defaults()
	o.Kind, o.LR, o.InitialAccumulatorValue, o.L1 = adagrad.FTRL, 0.1, 0.1, 1
	t, err := New(4, 1, Elementwise, o)
	if err != nil {
		panic(err)
	}
	t.Step([]int64{0, 2, 2}, []float32{0.5, 2, 1.5})
	fmt.Println(t.Weights(), t.Linear())
	// Output: [0 0 -0.0711388 0] [0.5 0 3.5 0]
}

// TestOnlineTooLarge: the memory New checks counts FTRL's linear terms and
// the decay counts: a table whose weights and sums would fit, but not with
// its linear terms, is refused before anything is allocated.
func TestOnlineTooLarge(t *testing.T) {
	m := memoryBytes()
	if m == 0 {
		t.Skip("no memory figure on this system")
	}
	// rows x dim with 8*rows*dim just under m: weights and sums fit, the
	// linear terms (4 more bytes a weight) do not.
	const dim = 64
	rows := int(m / 8 / dim * 9 / 10)
	if rows > MaxRows {
		t.Skipf("memory and swap (%d bytes) beyond what a table of %d rows can need", m, MaxRows)
	}
	if rows > math.MaxInt/4/(3*dim) {
		t.Skipf("with %d-bit ints a table of %d x %d is too large before memory counts", strconv.IntSize, rows, dim)
	}
	o := onlineKinds()[1]
	if _, err := New(rows, dim, Elementwise, o); err == nil || !strings.Contains(err.Error(), "more than this machine's memory") {
		t.Errorf("FTRL %d x %d with %d bytes of memory and swap: %v", rows, dim, m, err)
	}
}

package optim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/internal/golden"
	"github.com/adagrad-go/adagrad/internal/workers"
	"github.com/adagrad-go/adagrad/kernel"
)

func caseOptions(c *golden.Dense) adagrad.Options {
	return adagrad.Options{LR: c.LR, LRDecay: c.LRDecay, WeightDecay: c.WeightDecay,
		InitialAccumulatorValue: c.InitialAccumulatorValue, Eps: c.Eps, Maximize: c.Maximize}
}

// runGolden runs case c through an optimizer whose one parameter is the
// case's tensor repeated tile times, and checks every copy against PyTorch
// after every step.
func runGolden(t *testing.T, c *golden.Dense, tile, workers int) {
	t.Helper()
	n := len(c.Param0)
	var p Param
	var v32, g32 []float32
	var v64, g64 []float64
	if c.DType == "float32" {
		v32, g32 = make([]float32, n*tile), make([]float32, n*tile)
		for i := range v32 {
			v32[i] = math.Float32frombits(uint32(c.Param0[i%n]))
		}
		p = &Param32{Name: "p", Value: v32, Grad: g32}
	} else {
		v64, g64 = make([]float64, n*tile), make([]float64, n*tile)
		for i := range v64 {
			v64[i] = math.Float64frombits(c.Param0[i%n])
		}
		p = &Param64{Name: "p", Value: v64, Grad: g64}
	}
	opt, err := New(caseOptions(c), p)
	if err != nil {
		t.Fatalf("%s: %v", c.Name, err)
	}
	defer opt.Close()
	opt.SetWorkers(workers)
	for step := range c.Grads {
		for i := 0; i < n*tile; i++ {
			if g32 != nil {
				g32[i] = math.Float32frombits(uint32(c.Grads[step][i%n]))
			} else {
				g64[i] = math.Float64frombits(c.Grads[step][i%n])
			}
		}
		if err := opt.Step(); err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		st, _ := opt.State("p")
		if st.Step != int64(step+1) {
			t.Fatalf("%s: step counter %d after %d steps", c.Name, st.Step, step+1)
		}
		for i := 0; i < n*tile; i++ {
			var pv, sv uint64
			if v32 != nil {
				pv, sv = uint64(math.Float32bits(v32[i])), uint64(math.Float32bits(st.Sum32[i]))
			} else {
				pv, sv = math.Float64bits(v64[i]), math.Float64bits(st.Sum64[i])
			}
			if pv != c.Params[step][i%n] || sv != c.Sums[step][i%n] {
				t.Fatalf("%s (tile %d, %d workers) step %d element %d: param %x sum %x, PyTorch %x %x",
					c.Name, tile, workers, step+1, i, pv, sv, c.Params[step][i%n], c.Sums[step][i%n])
			}
		}
	}
}

func TestGolden(t *testing.T) {
	set, err := golden.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Dense) == 0 {
		t.Fatal("no dense cases")
	}
	for _, workers := range []int{1, 2, 3, 8} {
		for i := range set.Dense {
			runGolden(t, &set.Dense[i], 1, workers)
		}
	}
	t.Logf("%d dense cases bit-exact with 1, 2, 3 and 8 workers (kernel path %s)", len(set.Dense), kernel.Implementation())
}

// TestGoldenTiled repeats each golden tensor until it is several chunks
// long, so that PyTorch's numbers are checked through the worker split.
func TestGoldenTiled(t *testing.T) {
	set, err := golden.Load()
	if err != nil {
		t.Fatal(err)
	}
	workers := []int{2, 3}
	if testing.Short() {
		workers = workers[:1]
	}
	for _, w := range workers {
		for i := range set.Dense {
			c := &set.Dense[i]
			size := 4
			if c.DType == "float64" {
				size = 8
			}
			tile := (5*chunkBytes/2/size + len(c.Param0) - 1) / len(c.Param0)
			runGolden(t, c, tile, w)
		}
	}
}

func randOptions(r *rand.Rand) adagrad.Options {
	o := adagrad.Options{LR: r.Float64(), Eps: []float64{0, 1e-10, 1e-3}[r.IntN(3)], Maximize: r.IntN(2) == 0, EpsInside: r.IntN(2) == 0}
	if r.IntN(2) == 0 {
		o.LRDecay = r.Float64()
	}
	if r.IntN(2) == 0 {
		o.WeightDecay = r.Float64() / 10
	}
	if r.IntN(2) == 0 {
		o.InitialAccumulatorValue = r.Float64()
	}
	return o
}

// TestWorkersEqualSerial is the property test: for any sizes, options and
// number of workers, the optimizer gives the bits of the generic kernel
// applied serially, with PyTorch's per-parameter learning-rate decay.
func TestWorkersEqualSerial(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	sizes32 := []int{0, 1, 15, 16, 17, 1000, 32767, 32768, 32769, 100003}
	sizes64 := []int{1, 8, 9, 16383, 16384, 16385, 50001}
	if testing.Short() {
		sizes32, sizes64 = sizes32[:8], sizes64[:5]
	}
	for trial := range 3 {
		for _, workers := range []int{1, 2, 3, 5} {
			o1, o2 := randOptions(r), randOptions(r)
			var ps32 []*Param32
			var ps64 []*Param64
			var ref32, refSum32 [][]float32
			var ref64, refSum64 [][]float64
			var params1, params2 []Param
			for i, n := range sizes32 {
				p := &Param32{Name: fmt.Sprint("f", i), Value: make([]float32, n), Grad: make([]float32, n)}
				for j := range p.Value {
					p.Value[j] = float32(r.NormFloat64())
				}
				ps32 = append(ps32, p)
				ref32 = append(ref32, slices.Clone(p.Value))
				params1 = append(params1, p)
			}
			for i, n := range sizes64 {
				p := &Param64{Name: fmt.Sprint("d", i), Value: make([]float64, n), Grad: make([]float64, n)}
				for j := range p.Value {
					p.Value[j] = r.NormFloat64()
				}
				ps64 = append(ps64, p)
				ref64 = append(ref64, slices.Clone(p.Value))
				params2 = append(params2, p)
			}
			opt, err := New(o1, params1...)
			if err != nil {
				t.Fatal(err)
			}
			if err := opt.AddGroup(o2, params2...); err != nil {
				t.Fatal(err)
			}
			opt.SetWorkers(workers)
			for _, p := range ps32 {
				s := make([]float32, len(p.Value))
				fill(s, float32(o1.InitialAccumulatorValue))
				refSum32 = append(refSum32, s)
			}
			for _, p := range ps64 {
				s := make([]float64, len(p.Value))
				fill(s, o2.InitialAccumulatorValue)
				refSum64 = append(refSum64, s)
			}
			steps32 := make([]int, len(ps32))
			steps64 := make([]int, len(ps64))
			gen := kernel.Generic()
			for range 4 {
				// Random gradients; some parameters sit a step out.
				for i, p := range ps32 {
					if r.IntN(4) == 0 {
						p.Grad = nil
						continue
					}
					p.Grad = make([]float32, len(p.Value))
					for j := range p.Grad {
						p.Grad[j] = float32(r.NormFloat64() * math.Exp(4*r.NormFloat64()))
					}
					steps32[i]++
					gen.Step32(ref32[i], p.Grad, refSum32[i], kernel.Options{LR: golden.LR(o1.LR, o1.LRDecay, steps32[i]),
						Eps: o1.Eps, WeightDecay: o1.WeightDecay, Maximize: o1.Maximize, EpsInside: o1.EpsInside})
				}
				for i, p := range ps64 {
					if r.IntN(4) == 0 {
						p.Grad = nil
						continue
					}
					p.Grad = make([]float64, len(p.Value))
					for j := range p.Grad {
						p.Grad[j] = r.NormFloat64() * math.Exp(4*r.NormFloat64())
					}
					steps64[i]++
					gen.Step64(ref64[i], p.Grad, refSum64[i], kernel.Options{LR: golden.LR(o2.LR, o2.LRDecay, steps64[i]),
						Eps: o2.Eps, WeightDecay: o2.WeightDecay, Maximize: o2.Maximize, EpsInside: o2.EpsInside})
				}
				if err := opt.Step(); err != nil {
					t.Fatal(err)
				}
			}
			for i, p := range ps32 {
				st, _ := opt.State(p.Name)
				if st.Step != int64(steps32[i]) {
					t.Fatalf("trial %d, %d workers, %s: step %d, want %d", trial, workers, p.Name, st.Step, steps32[i])
				}
				for j := range p.Value {
					if math.Float32bits(p.Value[j]) != math.Float32bits(ref32[i][j]) || math.Float32bits(st.Sum32[j]) != math.Float32bits(refSum32[i][j]) {
						t.Fatalf("trial %d, %d workers, %s[%d] (len %d): %v/%v, serial generic %v/%v", trial, workers, p.Name, j, len(p.Value),
							p.Value[j], st.Sum32[j], ref32[i][j], refSum32[i][j])
					}
				}
			}
			for i, p := range ps64 {
				st, _ := opt.State(p.Name)
				if st.Step != int64(steps64[i]) {
					t.Fatalf("trial %d, %d workers, %s: step %d, want %d", trial, workers, p.Name, st.Step, steps64[i])
				}
				for j := range p.Value {
					if math.Float64bits(p.Value[j]) != math.Float64bits(ref64[i][j]) || math.Float64bits(st.Sum64[j]) != math.Float64bits(refSum64[i][j]) {
						t.Fatalf("trial %d, %d workers, %s[%d] (len %d): %v/%v, serial generic %v/%v", trial, workers, p.Name, j, len(p.Value),
							p.Value[j], st.Sum64[j], ref64[i][j], refSum64[i][j])
					}
				}
			}
			opt.Close()
		}
	}
}

func TestChunks(t *testing.T) {
	for _, c := range []struct {
		n, workers int
		f64        bool
		want       int // chunks
	}{
		{32767, 2, false, 0}, {32768, 2, false, 2}, {32769, 2, false, 3}, {16383, 2, true, 0}, {16384, 2, true, 2},
		{100000, 2, true, 13},    // the 8192-element (64 KiB) minimum
		{100000, 1, true, 8},     // 12504 elements each (n/8 rounded up to a cache line)
		{1 << 20, 3, false, 24},  // 43696
		{1 << 20, 64, false, 64}, // the 16K minimum
	} {
		p := &pstate{}
		if c.f64 {
			p.p64, p.sum64 = &Param64{}, make([]float64, c.n)
		} else {
			p.p32, p.sum32 = &Param32{}, make([]float32, c.n)
		}
		ch := appendChunks(nil, p, c.workers)
		if len(ch) != c.want {
			t.Errorf("n=%d workers=%d f64=%v: %d chunks, want %d", c.n, c.workers, c.f64, len(ch), c.want)
		}
		next := 0
		for _, k := range ch {
			if k.lo != next || k.hi <= k.lo || (k.lo*elemSize(p))%64 != 0 {
				t.Errorf("n=%d: chunk [%d,%d) after %d (must be contiguous, start on a 64-byte boundary)", c.n, k.lo, k.hi, next)
			}
			next = k.hi
		}
		if len(ch) > 0 && next != c.n {
			t.Errorf("n=%d: chunks end at %d", c.n, next)
		}
	}
}

func TestValidation(t *testing.T) {
	nan := math.NaN()
	for _, c := range []struct {
		o    adagrad.Options
		want string
	}{
		{adagrad.Options{LR: -1}, "Invalid learning rate: -1"},
		{adagrad.Options{LR: nan}, "Invalid learning rate: NaN"},
		{adagrad.Options{LRDecay: -0.5}, "Invalid lr_decay value: -0.5"},
		{adagrad.Options{WeightDecay: -2}, "Invalid weight_decay value: -2"},
		{adagrad.Options{InitialAccumulatorValue: -1e-3}, "Invalid initial_accumulator_value value: -0.001"},
		{adagrad.Options{Eps: nan}, "Invalid epsilon value: NaN"},
		{adagrad.Options{Eps: math.Inf(-1)}, "Invalid epsilon value: -Inf"},
	} {
		p := &Param32{Name: "w", Value: []float32{1}}
		_, err := New(c.o, p)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.o, err, c.want)
		}
	}
	for _, o := range []adagrad.Options{{}, adagrad.Defaults(), {LR: math.Inf(1), Eps: 1}} {
		if err := o.Validate(); err != nil {
			t.Errorf("%+v: %v", o, err)
		}
	}
	if d := adagrad.Defaults(); d != (adagrad.Options{LR: 0.01, Eps: 1e-10}) {
		t.Errorf("adagrad.Defaults() = %+v, want PyTorch's lr=0.01 eps=1e-10", d)
	}

	ok := &Param32{Name: "ok", Value: []float32{1, 2}}
	var nil32 *Param32
	for _, c := range []struct {
		params []Param
		want   string
	}{
		{nil, "empty parameter group"},
		{[]Param{nil32}, "is nil"},
		{[]Param{nil}, "want *Param32 or *Param64"},
		{[]Param{&Param32{Value: []float32{1}}}, "has no name"},
		{[]Param{&Param32{Name: "\xff", Value: []float32{1}}}, "not valid UTF-8"},
		{[]Param{&Param32{Name: "a", Value: []float32{1}}, &Param64{Name: "a", Value: []float64{1}}}, `"a" appears more than once`},
		{[]Param{&Param32{Name: "ok", Value: []float32{1}}}, `"ok" appears more than once`},
		{[]Param{&Param32{Name: "s", Shape: []int{2, 2}, Value: []float32{1, 2, 3}}}, "shape [2 2] does not hold len(Value)=3"},
		{[]Param{&Param64{Name: "s", Shape: []int{-1}, Value: []float64{}}}, "shape [-1]"},
		{[]Param{&Param64{Name: "g", Value: []float64{1}, Grad: []float64{1, 2}}}, `"g": len(Grad)=2, len(Value)=1`},
	} {
		opt, err := New(adagrad.Defaults(), ok)
		if err != nil {
			t.Fatal(err)
		}
		err = opt.AddGroup(adagrad.Defaults(), c.params...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("AddGroup(%v): error %v, want %q", c.params, err, c.want)
		}
		if opt.Groups() != 1 || len(opt.Params()) != 1 {
			t.Errorf("failed AddGroup changed the optimizer: %d groups, params %v", opt.Groups(), opt.Params())
		}
	}
}

func TestAddGroupLater(t *testing.T) {
	w := &Param32{Name: "w", Value: []float32{1, 2}, Grad: []float32{1, 1}}
	b := &Param64{Name: "b", Value: []float64{3}, Grad: []float64{-1}}
	opt, err := New(adagrad.Defaults(), w)
	if err != nil {
		t.Fatal(err)
	}
	if err := opt.Step(); err != nil {
		t.Fatal(err)
	}
	o := adagrad.Options{LR: 1, InitialAccumulatorValue: 0.5, Eps: 0}
	if err := opt.AddGroup(o, b); err != nil {
		t.Fatal(err)
	}
	if got := opt.GroupOptions(1); got != o {
		t.Errorf("group 1 options %+v", got)
	}
	st, _ := opt.State("b")
	if st.Step != 0 || st.Sum64[0] != 0.5 || st.Sum32 != nil {
		t.Errorf("new parameter's state %+v, want step 0 and sum 0.5", st)
	}
	if err := opt.Step(); err != nil {
		t.Fatal(err)
	}
	// b: g=-1, s = 0.5+1 = 1.5, b = 3 - 1*(-1)/sqrt(1.5)
	if want := 3 + 1/math.Sqrt(1.5); b.Value[0] != want {
		t.Errorf("b = %v, want %v", b.Value[0], want)
	}
	if st, _ := opt.State("w"); st.Step != 2 {
		t.Errorf("w step %d", st.Step)
	}
	if st, _ := opt.State("b"); st.Step != 1 {
		t.Errorf("b step %d", st.Step)
	}
	if _, ok := opt.State("nope"); ok {
		t.Error("state of an unknown parameter")
	}
	if err := opt.SetGroupOptions(1, adagrad.Options{LR: -1}); err == nil {
		t.Error("SetGroupOptions accepted lr -1")
	}
	if err := opt.SetGroupOptions(2, adagrad.Defaults()); err == nil {
		t.Error("SetGroupOptions accepted group 2")
	}
	if err := opt.SetGroupOptions(0, adagrad.Options{LR: 0.5}); err != nil || opt.GroupOptions(0).LR != 0.5 {
		t.Errorf("SetGroupOptions: %v", err)
	}
	if got := opt.Params(); !slices.Equal(got, []string{"w", "b"}) {
		t.Errorf("Params() = %v", got)
	}
}

func TestNilGradSkipped(t *testing.T) {
	o := adagrad.Options{LR: 0.5, LRDecay: 0.25, Eps: 1e-10}
	a := &Param32{Name: "a", Value: []float32{1}, Grad: []float32{2}}
	b := &Param32{Name: "b", Value: []float32{1}}
	opt, err := New(o, a, b)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := opt.Step(); err != nil {
			t.Fatal(err)
		}
	}
	if b.Value[0] != 1 {
		t.Errorf("b changed without a gradient: %v", b.Value[0])
	}
	if st, _ := opt.State("b"); st.Step != 0 {
		t.Errorf("b step %d", st.Step)
	}
	// b's first step uses step 1's learning rate, although a is at step 4.
	b.Grad = []float32{2}
	if err := opt.Step(); err != nil {
		t.Fatal(err)
	}
	ref, sum := []float32{1}, []float32{0}
	kernel.Generic().Step32(ref, []float32{2}, sum, kernel.Options{LR: golden.LR(0.5, 0.25, 1), Eps: 1e-10})
	if b.Value[0] != ref[0] {
		t.Errorf("b = %v after its first step, want %v (lr of step 1)", b.Value[0], ref[0])
	}
	if st, _ := opt.State("a"); st.Step != 4 {
		t.Errorf("a step %d", st.Step)
	}
}

func TestZeroGrad(t *testing.T) {
	a := &Param32{Name: "a", Value: []float32{1, 2}, Grad: []float32{3, 4}}
	b := &Param64{Name: "b", Value: []float64{1}, Grad: []float64{5}}
	c := &Param64{Name: "c", Value: []float64{1}}
	opt, err := New(adagrad.Defaults(), a, b, c)
	if err != nil {
		t.Fatal(err)
	}
	opt.ZeroGrad()
	if a.Grad[0] != 0 || a.Grad[1] != 0 || b.Grad[0] != 0 || c.Grad != nil {
		t.Errorf("after ZeroGrad: %v %v %v", a.Grad, b.Grad, c.Grad)
	}
}

// snapshot captures every parameter and state of opt.
func snapshot(t *testing.T, opt *Adagrad, params ...Param) string {
	t.Helper()
	b, err := opt.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	sb.Write(b)
	for _, p := range params {
		switch p := p.(type) {
		case *Param32:
			for _, v := range p.Value {
				fmt.Fprintf(&sb, "%08x", math.Float32bits(v))
			}
		case *Param64:
			for _, v := range p.Value {
				fmt.Fprintf(&sb, "%016x", math.Float64bits(v))
			}
		}
	}
	return sb.String()
}

func TestStepMismatchChangesNothing(t *testing.T) {
	big := 100000
	a := &Param32{Name: "a", Value: make([]float32, big), Grad: make([]float32, big)}
	b := &Param64{Name: "b", Value: []float64{1, 2}, Grad: []float64{1, 1}}
	c := &Param32{Name: "c", Value: []float32{1, 2, 3}, Grad: []float32{1, 1, 1}}
	for i := range a.Grad {
		a.Grad[i] = 1
	}
	opt, err := New(adagrad.Defaults(), a, b)
	if err != nil {
		t.Fatal(err)
	}
	if err := opt.AddGroup(adagrad.Defaults(), c); err != nil {
		t.Fatal(err)
	}
	opt.SetWorkers(2)
	defer opt.Close()
	if err := opt.Step(); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, opt, a, b, c)
	for _, c2 := range []struct {
		name   string
		break_ func()
		fix    func()
		want   string
	}{
		{"short grad", func() { c.Grad = c.Grad[:2] }, func() { c.Grad = []float32{1, 1, 1} }, `parameter "c": len(Value)=3, len(Grad)=2, but its state holds 3`},
		{"long value", func() { b.Value = append(b.Value, 3) }, func() { b.Value = b.Value[:2] }, `parameter "b": len(Value)=3, len(Grad)=2`},
		{"value and grad", func() { c.Value, c.Grad = c.Value[:1], c.Grad[:1] }, func() { c.Value, c.Grad = c.Value[:3], c.Grad[:3] }, `parameter "c": len(Value)=1, len(Grad)=1, but its state holds 3`},
	} {
		c2.break_()
		err := opt.Step()
		if err == nil || !strings.Contains(err.Error(), c2.want) || !strings.Contains(err.Error(), "no parameter was updated") {
			t.Errorf("%s: error %v, want %q", c2.name, err, c2.want)
		}
		c2.fix()
		if after := snapshot(t, opt, a, b, c); after != before {
			t.Errorf("%s: a failed Step changed parameters or state", c2.name)
		}
	}
	if err := opt.Step(); err != nil {
		t.Errorf("after the fixes: %v", err)
	}
}

func TestNoAllocations(t *testing.T) {
	if kernel.Implementation() == "" {
		t.Skip()
	}
	big := &Param32{Name: "big", Value: make([]float32, 200000), Grad: make([]float32, 200000)}
	big64 := &Param64{Name: "big64", Value: make([]float64, 50000), Grad: make([]float64, 50000)}
	small := &Param64{Name: "small", Value: make([]float64, 10), Grad: make([]float64, 10)}
	skipped := &Param32{Name: "skipped", Value: make([]float32, 10)}
	opt, err := New(adagrad.Defaults(), big, big64, small, skipped)
	if err != nil {
		t.Fatal(err)
	}
	defer opt.Close()
	for _, w := range []int{1, 2, 4} {
		opt.SetWorkers(w)
		if err := opt.Step(); err != nil { // the first step may allocate
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(20, func() {
			if err := opt.Step(); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("%d workers: %v allocations per Step", w, n)
		}
	}
}

// goroutinesAt waits until there are n pool workers: a worker that has
// signalled its end may take a moment more to return, and so may the
// workers of an optimizer of an earlier test that was collected.
func goroutinesAt(t *testing.T, n int, what string) {
	t.Helper()
	if got := workers.AwaitRunning(n, 5*time.Second); got != n {
		t.Errorf("%d worker goroutines %s, want %d", got, what, n)
	}
}

func TestWorkersLifecycle(t *testing.T) {
	goroutinesAt(t, 0, "before the test")
	p := &Param32{Name: "p", Value: make([]float32, 70000), Grad: make([]float32, 70000)}
	opt, err := New(adagrad.Defaults(), p)
	if err != nil {
		t.Fatal(err)
	}
	opt.SetWorkers(4)
	if opt.Workers() != 4 {
		t.Fatalf("Workers() = %d", opt.Workers())
	}
	if n := workers.Running(); n != 0 {
		t.Errorf("%d workers started before any Step", n)
	}
	if err := opt.Step(); err != nil {
		t.Fatal(err)
	}
	goroutinesAt(t, 3, "after a parallel step")
	opt.SetWorkers(2) // resized at the next Step
	if err := opt.Step(); err != nil {
		t.Fatal(err)
	}
	goroutinesAt(t, 1, "with 2 workers")
	opt.Close()
	opt.Close()
	goroutinesAt(t, 0, "after Close")
	if err := opt.Step(); err != nil { // usable after Close
		t.Fatal(err)
	}
	opt.Close()
	opt.SetWorkers(0)
	if opt.Workers() != runtime.GOMAXPROCS(0) {
		t.Errorf("SetWorkers(0): %d workers, want GOMAXPROCS", opt.Workers())
	}

	// Without Close, the workers end once the optimizer is collected.
	func() {
		o2, err := New(adagrad.Defaults(), &Param32{Name: "q", Value: make([]float32, 70000), Grad: make([]float32, 70000)})
		if err != nil {
			t.Fatal(err)
		}
		o2.SetWorkers(3)
		if err := o2.Step(); err != nil {
			t.Fatal(err)
		}
		goroutinesAt(t, 2, "with 3 workers")
	}()
	goroutinesAt(t, 0, "once the optimizer is collected")
}

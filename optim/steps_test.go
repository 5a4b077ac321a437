package optim

import (
	"math"
	"strings"
	"testing"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/checkpoint"
	"github.com/adagrad-go/adagrad/internal/testenv"
)

// withStep returns the optimizer's checkpoint with parameter name's step
// counter set to step.
func withStep(t *testing.T, a *Adagrad, name string, step int64) []byte {
	t.Helper()
	b, err := a.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	f, err := checkpoint.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	x, ok := f.Tensor(name + ".step")
	if !ok {
		t.Fatalf("no %s.step", name)
	}
	x.Data = []int64{step}
	if b, err = checkpoint.Marshal(f); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestStepCounterLimit: a counter at MaxInt64 loads, saves and loads
// again; the step that would overflow it is an error that changes nothing,
// for any parameter of the step.
func TestStepCounterLimit(t *testing.T) {
	p := &Param32{Name: "p", Value: []float32{1, 2}, Grad: []float32{0.5, 0.5}}
	q := &Param64{Name: "q", Value: []float64{1}, Grad: []float64{1}}
	opt, err := New(adagrad.Defaults(), p, q)
	if err != nil {
		t.Fatal(err)
	}
	if err := opt.UnmarshalBinary(withStep(t, opt, "q", math.MaxInt64)); err != nil {
		t.Fatalf("a counter of MaxInt64: %v", err)
	}
	b, err := opt.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if err := opt.UnmarshalBinary(b); err != nil {
		t.Fatalf("Load refuses what Save wrote: %v", err)
	}
	err = opt.Step()
	if err == nil || !strings.Contains(err.Error(), `parameter "q"`) || !strings.Contains(err.Error(), "cannot count another step") {
		t.Fatalf("Step at MaxInt64: %v", err)
	}
	sp, _ := opt.State("p")
	sq, _ := opt.State("q")
	if sp.Step != 0 || sq.Step != math.MaxInt64 || p.Value[0] != 1 || q.Value[0] != 1 || sp.Sum32[0] != 0 || sq.Sum64[0] != 0 {
		t.Errorf("a refused step changed something: steps %d %d, values %v %v", sp.Step, sq.Step, p.Value, q.Value)
	}
	q.Grad = nil // q sits the step out: the others go on
	if err := opt.Step(); err != nil {
		t.Fatal(err)
	}
	if sp, _ = opt.State("p"); sp.Step != 1 {
		t.Errorf("p's step %d, want 1", sp.Step)
	}
}

// TestWorkersFollowGOMAXPROCS: SetWorkers(n <= 0) means GOMAXPROCS at each
// step, not at the call.
func TestWorkersFollowGOMAXPROCS(t *testing.T) {
	opt, err := New(adagrad.Defaults(), &Param32{Name: "p", Value: make([]float32, 4), Grad: make([]float32, 4)})
	if err != nil {
		t.Fatal(err)
	}
	defer opt.Close()
	testenv.CheckWorkers(t, opt)
}

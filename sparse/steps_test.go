package sparse

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/checkpoint"
	"github.com/adagrad-go/adagrad/internal/testenv"
)

// TestStepCounterLimit: a counter at MaxInt64 loads, saves and loads
// again; the step that would overflow it is an error that changes nothing.
func TestStepCounterLimit(t *testing.T) {
	tab := randomTable(t, rand.New(rand.NewPCG(1, 1)), 4, 3, adagrad.Defaults())
	b, err := tab.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	f, err := checkpoint.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := f.Tensor("step")
	x.Data = []int64{math.MaxInt64}
	if b, err = checkpoint.Marshal(f); err != nil {
		t.Fatal(err)
	}
	if err := tab.UnmarshalBinary(b); err != nil {
		t.Fatalf("a counter of MaxInt64: %v", err)
	}
	if b, err = tab.MarshalBinary(); err != nil {
		t.Fatal(err)
	}
	if err := tab.UnmarshalBinary(b); err != nil {
		t.Fatalf("Load refuses what Save wrote: %v", err)
	}
	w := append([]float32(nil), tab.Weights()...)
	err = tab.Step([]int64{1}, []float32{1, 1, 1})
	if err == nil || !strings.Contains(err.Error(), "cannot count another step") {
		t.Fatalf("Step at MaxInt64: %v", err)
	}
	if tab.Steps() != math.MaxInt64 {
		t.Error("a refused step changed the counter")
	}
	for i, v := range tab.Weights() {
		if !sameBits(v, w[i]) {
			t.Fatalf("a refused step changed weight %d", i)
		}
	}
}

// TestSaveInfinite: an infinite hyperparameter is valid but cannot be
// saved: both save paths return an error.
func TestSaveInfinite(t *testing.T) {
	o := adagrad.Defaults()
	o.LR = math.Inf(1)
	tab, err := New(2, 2, Elementwise, o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tab.MarshalBinary(); err == nil || !strings.Contains(err.Error(), `"lr" cannot be written`) {
		t.Errorf("MarshalBinary: %v", err)
	}
	if err := tab.Save(filepath.Join(t.TempDir(), "t.safetensors")); err == nil || !strings.Contains(err.Error(), `"lr" cannot be written`) {
		t.Errorf("Save: %v", err)
	}
}

// TestWorkersFollowGOMAXPROCS: SetWorkers(n <= 0) means GOMAXPROCS at each
// step, not at the call.
func TestWorkersFollowGOMAXPROCS(t *testing.T) {
	tab, err := New(2, 2, Elementwise, adagrad.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	testenv.CheckWorkers(t, tab)
}

// TestOverlapRefused: a gradient or destination slice over the table's
// own memory is an error and changes nothing.
func TestOverlapRefused(t *testing.T) {
	for _, layout := range []Layout{Elementwise, Rowwise} {
		tab, err := New(8, 4, layout, adagrad.Defaults())
		if err != nil {
			t.Fatal(err)
		}
		for i := range tab.Weights() {
			tab.Weights()[i] = float32(i)
		}
		before := append([]float32(nil), tab.Weights()...)
		for _, s := range [][]float32{tab.Weights()[:4], tab.Weights()[28:32], tab.State()[len(tab.State())-4:]} {
			if err := tab.Step([]int64{1}, s); err == nil || !strings.Contains(err.Error(), "overlaps the table's own") {
				t.Errorf("%v: Step with a gradient in the table: %v", layout, err)
			}
			if err := tab.Lookup(s, []int64{1}); err == nil {
				t.Errorf("%v: Lookup into the table: no error", layout)
			}
			if err := tab.Bag(s, []int64{1, 2}, []int64{0}, Sum, nil); err == nil {
				t.Errorf("%v: Bag into the table: no error", layout)
			}
			if err := tab.BagBackward(s, make([]float32, 4), []int64{0}, Sum, nil); err == nil {
				t.Errorf("%v: BagBackward into the table: no error", layout)
			}
		}
		if tab.Steps() != 0 {
			t.Errorf("%v: %d steps", layout, tab.Steps())
		}
		for i, v := range tab.Weights() {
			if v != before[i] {
				t.Fatalf("%v: weight %d changed", layout, i)
			}
		}
		if err := tab.Step([]int64{1}, make([]float32, 4)); err != nil { // a slice of its own is fine
			t.Error(err)
		}
	}
}

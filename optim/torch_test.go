package optim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/checkpoint"
	"github.com/adagrad-go/adagrad/internal/testenv"
)

// TestPyTorchInterop: Go trains k steps and saves; PyTorch loads the file
// with the mapping of the package documentation and trains m more steps;
// its parameters and its state, saved back in optim's layout, must be
// Go's own k+m steps bit for bit, and must load into a Go optimizer.
func TestPyTorchInterop(t *testing.T) {
	py := testenv.TorchPython()
	if py == "" {
		testenv.Missing(t, "no python3 with torch (apt-get install python3-torch, or set ADAGRAD_TORCH_PYTHON)")
	}
	const k, m = 3, 4
	r := rand.New(rand.NewPCG(7, 7))
	w := &Param32{Name: "layer.weight", Shape: []int{5, 7}, Value: make([]float32, 35), Grad: make([]float32, 35)}
	b := &Param32{Name: "layer.bias", Value: make([]float32, 7), Grad: make([]float32, 7)}
	e := &Param64{Name: "emb", Shape: []int{3, 2, 2}, Value: make([]float64, 12), Grad: make([]float64, 12)}
	for i := range w.Value {
		w.Value[i] = float32(r.NormFloat64())
	}
	for i := range e.Value {
		e.Value[i] = r.NormFloat64()
	}
	opt, err := New(adagrad.Options{LR: 0.1, LRDecay: 0.05, WeightDecay: 0.01, InitialAccumulatorValue: 0.1, Eps: 1e-10}, w, b)
	if err != nil {
		t.Fatal(err)
	}
	if err := opt.AddGroup(adagrad.Options{LR: 0.3, Eps: 1e-8, Maximize: true}, e); err != nil {
		t.Fatal(err)
	}
	grads := func(step int) {
		g := rand.New(rand.NewPCG(uint64(step), 1))
		for i := range w.Grad {
			w.Grad[i] = float32(g.NormFloat64() * math.Exp(2*g.NormFloat64()))
		}
		for i := range b.Grad {
			b.Grad[i] = float32(g.NormFloat64())
		}
		for i := range e.Grad {
			e.Grad[i] = g.NormFloat64()
		}
		if step == k+1 { // the bias sits one step out
			b.Grad = nil
		} else if b.Grad == nil {
			b.Grad = make([]float32, 7)
			for i := range b.Grad {
				b.Grad[i] = float32(g.NormFloat64())
			}
		}
	}
	for s := range k {
		grads(s)
		if err := opt.Step(); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	if err := opt.Save(filepath.Join(dir, "state.safetensors")); err != nil {
		t.Fatal(err)
	}
	in := &checkpoint.File{Tensors: []checkpoint.Tensor{
		{Name: w.Name, Shape: w.Shape, Data: slices.Clone(w.Value)},
		{Name: b.Name, Shape: []int{7}, Data: slices.Clone(b.Value)},
		{Name: e.Name, Shape: e.Shape, Data: slices.Clone(e.Value)},
	}}
	for s := k; s < k+m; s++ {
		grads(s)
		for _, p := range []struct {
			name  string
			shape []int
			g     any
		}{{w.Name, w.Shape, slices.Clone(w.Grad)}, {b.Name, []int{7}, slices.Clone(b.Grad)}, {e.Name, e.Shape, slices.Clone(e.Grad)}} {
			if g, ok := p.g.([]float32); ok && g == nil {
				continue
			}
			in.Tensors = append(in.Tensors, checkpoint.Tensor{Name: fmt.Sprintf("grad.%d.%s", s-k, p.name), Shape: p.shape, Data: p.g})
		}
		if err := opt.Step(); err != nil {
			t.Fatal(err)
		}
	}
	if err := checkpoint.Save(filepath.Join(dir, "inputs.safetensors"), in); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, filepath.Join("testdata", "torch_interop.py"), dir).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	t.Logf("%s", out)

	params, err := checkpoint.Load(filepath.Join(dir, "params_out.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct {
		name string
		v    any
	}{{w.Name, w.Value}, {b.Name, b.Value}, {e.Name, e.Value}} {
		got, ok := params.Tensor(want.name)
		if !ok {
			t.Fatalf("PyTorch wrote no %q", want.name)
		}
		if !sameBits(got.Data, want.v) {
			t.Errorf("%s after %d steps in Go and %d in PyTorch: %v, Go alone %v", want.name, k, m, got.Data, want.v)
		}
	}

	// PyTorch's state, in optim's layout, loads into a Go optimizer and
	// equals Go's state.
	fresh, err := New(adagrad.Defaults(), &Param32{Name: w.Name, Shape: w.Shape, Value: make([]float32, 35)}, &Param32{Name: b.Name, Value: make([]float32, 7)})
	if err != nil {
		t.Fatal(err)
	}
	if err := fresh.AddGroup(adagrad.Defaults(), &Param64{Name: e.Name, Shape: e.Shape, Value: make([]float64, 12)}); err != nil {
		t.Fatal(err)
	}
	if err := fresh.Load(filepath.Join(dir, "state_out.safetensors")); err != nil {
		t.Fatal(err)
	}
	for _, name := range opt.Params() {
		s1, _ := opt.State(name)
		s2, _ := fresh.State(name)
		if s1.Step != s2.Step || !sameBits(s1.Sum32, s2.Sum32) || !sameBits(s1.Sum64, s2.Sum64) {
			t.Errorf("%s: PyTorch's state step %d sum %v %v, Go's step %d sum %v %v", name, s2.Step, s2.Sum32, s2.Sum64, s1.Step, s1.Sum32, s1.Sum64)
		}
	}
	for i := range 2 {
		if fresh.GroupOptions(i) != opt.GroupOptions(i) {
			t.Errorf("group %d from PyTorch: %+v, want %+v", i, fresh.GroupOptions(i), opt.GroupOptions(i))
		}
	}
}

func sameBits(a, b any) bool {
	switch x := a.(type) {
	case []float32:
		y := b.([]float32)
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
				return false
			}
		}
		return true
	case []float64:
		y := b.([]float64)
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if math.Float64bits(x[i]) != math.Float64bits(y[i]) {
				return false
			}
		}
		return true
	}
	return false
}

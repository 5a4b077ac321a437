package optim

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/checkpoint"
)

// model is a set of parameters with deterministic gradients, for the
// round-trip tests.
type model struct {
	w  *Param32 // 2-D
	b  *Param32
	d  *Param64
	sk *Param64 // gets a gradient only on even steps
}

func newModel(r *rand.Rand) *model {
	m := &model{
		w:  &Param32{Name: "layer.weight", Shape: []int{300, 250}, Value: make([]float32, 300*250), Grad: make([]float32, 300*250)},
		b:  &Param32{Name: "layer.bias", Value: make([]float32, 250), Grad: make([]float32, 250)},
		d:  &Param64{Name: "emb", Shape: []int{7, 3}, Value: make([]float64, 21), Grad: make([]float64, 21)},
		sk: &Param64{Name: "sometimes", Value: make([]float64, 5)},
	}
	for i := range m.w.Value {
		m.w.Value[i] = float32(r.NormFloat64())
	}
	for i := range m.d.Value {
		m.d.Value[i] = r.NormFloat64()
	}
	return m
}

func (m *model) params() []Param { return []Param{m.w, m.b, m.d, m.sk} }

func (m *model) clone() *model {
	c := &model{
		w:  &Param32{Name: m.w.Name, Shape: m.w.Shape, Value: slices.Clone(m.w.Value), Grad: make([]float32, len(m.w.Value))},
		b:  &Param32{Name: m.b.Name, Value: slices.Clone(m.b.Value), Grad: make([]float32, len(m.b.Value))},
		d:  &Param64{Name: m.d.Name, Shape: m.d.Shape, Value: slices.Clone(m.d.Value), Grad: make([]float64, len(m.d.Value))},
		sk: &Param64{Name: m.sk.Name, Value: slices.Clone(m.sk.Value)},
	}
	return c
}

// grads sets the gradients of step t (counted from 0).
func (m *model) grads(t int) {
	r := rand.New(rand.NewPCG(uint64(t), 99))
	for i := range m.w.Grad {
		m.w.Grad[i] = float32(r.NormFloat64())
	}
	for i := range m.b.Grad {
		m.b.Grad[i] = float32(r.NormFloat64())
	}
	for i := range m.d.Grad {
		m.d.Grad[i] = r.NormFloat64()
	}
	if t%2 == 0 {
		m.sk.Grad = []float64{1, -2, 3, -4, 5}
	} else {
		m.sk.Grad = nil
	}
}

func (m *model) optimizer(t *testing.T) *Adagrad {
	t.Helper()
	opt, err := New(adagrad.Options{LR: 0.05, LRDecay: 0.1, WeightDecay: 0.01, InitialAccumulatorValue: 0.1, Eps: 1e-10}, m.w, m.b)
	if err != nil {
		t.Fatal(err)
	}
	if err := opt.AddGroup(adagrad.Options{LR: 0.2, LRDecay: 0.5, Eps: 1e-6, Maximize: true, EpsInside: true}, m.d, m.sk); err != nil {
		t.Fatal(err)
	}
	return opt
}

func (m *model) train(t *testing.T, opt *Adagrad, from, to int) {
	t.Helper()
	for s := from; s < to; s++ {
		m.grads(s)
		if err := opt.Step(); err != nil {
			t.Fatal(err)
		}
	}
}

func (m *model) equal(o *model) bool {
	eq32 := func(a, b []float32) bool {
		for i := range a {
			if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
				return false
			}
		}
		return len(a) == len(b)
	}
	eq64 := func(a, b []float64) bool {
		for i := range a {
			if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
				return false
			}
		}
		return len(a) == len(b)
	}
	return eq32(m.w.Value, o.w.Value) && eq32(m.b.Value, o.b.Value) && eq64(m.d.Value, o.d.Value) && eq64(m.sk.Value, o.sk.Value)
}

func TestCheckpointRoundTrip(t *testing.T) {
	const k, m = 3, 4
	for _, workers := range []int{1, 2} {
		straight := newModel(rand.New(rand.NewPCG(5, 6)))
		opt := straight.optimizer(t)
		opt.SetWorkers(workers)
		straight.train(t, opt, 0, k+m)
		opt.Close()

		first := newModel(rand.New(rand.NewPCG(5, 6)))
		opt1 := first.optimizer(t)
		first.train(t, opt1, 0, k)
		path := filepath.Join(t.TempDir(), "adagrad.safetensors")
		if err := opt1.Save(path); err != nil {
			t.Fatal(err)
		}
		resumed := first.clone() // the parameter values, saved by other means
		opt2 := resumed.optimizer(t)
		opt2.SetWorkers(workers)
		if err := opt2.Load(path); err != nil {
			t.Fatal(err)
		}
		for _, name := range opt1.Params() {
			s1, _ := opt1.State(name)
			s2, _ := opt2.State(name)
			if s1.Step != s2.Step || !slices.Equal(s1.Sum32, s2.Sum32) || !slices.Equal(s1.Sum64, s2.Sum64) {
				t.Fatalf("%s: state differs after Load", name)
			}
		}
		if st, _ := opt2.State("sometimes"); st.Step != 2 {
			t.Errorf("sometimes: step %d after Load, want 2", st.Step)
		}
		resumed.train(t, opt2, k, k+m)
		opt2.Close()
		if !resumed.equal(straight) {
			t.Errorf("%d workers: %d steps, save, load, %d steps differs from %d steps", workers, k, m, k+m)
		}
		// Negative control: without the state, training diverges.
		fresh := first.clone()
		opt3 := fresh.optimizer(t)
		fresh.train(t, opt3, k, k+m)
		if fresh.equal(straight) {
			t.Error("resuming without the state gives the same result: the test cannot fail")
		}
	}
}

func TestCheckpointContent(t *testing.T) {
	mdl := newModel(rand.New(rand.NewPCG(1, 1)))
	opt := mdl.optimizer(t)
	mdl.train(t, opt, 0, 3)
	b, err := opt.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	f, err := checkpoint.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Tensors) != 8 {
		t.Errorf("%d tensors, want 8", len(f.Tensors))
	}
	w, _ := f.Tensor("layer.weight.sum")
	if w == nil || w.DType() != checkpoint.F32 || !slices.Equal(w.Shape, []int{300, 250}) {
		t.Fatalf("layer.weight.sum: %+v", w)
	}
	st, _ := opt.State("layer.weight")
	if !slices.Equal(w.Data.([]float32), st.Sum32) {
		t.Error("layer.weight.sum differs from the state")
	}
	step, _ := f.Tensor("sometimes.step")
	if step == nil || step.DType() != checkpoint.I64 || len(step.Shape) != 0 || step.Data.([]int64)[0] != 2 {
		t.Errorf("sometimes.step: %+v", step)
	}
	d, _ := f.Tensor("emb.sum")
	if d == nil || d.DType() != checkpoint.F64 || !slices.Equal(d.Shape, []int{7, 3}) {
		t.Errorf("emb.sum: %+v", d)
	}
	if f.Metadata["optimizer"] != "Adagrad" {
		t.Errorf("metadata %v", f.Metadata)
	}
	var groups []map[string]any
	if err := json.Unmarshal([]byte(f.Metadata["param_groups"]), &groups); err != nil {
		t.Fatal(err)
	}
	if len(groups) != 2 || groups[0]["lr"] != 0.05 || groups[0]["lr_decay"] != 0.1 || groups[0]["weight_decay"] != 0.01 ||
		groups[0]["initial_accumulator_value"] != 0.1 || groups[0]["eps"] != 1e-10 || groups[0]["maximize"] != false ||
		groups[1]["maximize"] != true || groups[1]["eps_inside"] != true || groups[1]["lr"] != 0.2 {
		t.Errorf("param_groups %s", f.Metadata["param_groups"])
	}
	if p, _ := groups[1]["params"].([]any); len(p) != 2 || p[0] != "emb" || p[1] != "sometimes" {
		t.Errorf("group 1 params %v", groups[1]["params"])
	}
}

// TestLoadRestoresOptions: Load sets the groups' hyperparameters, as
// load_state_dict does.
func TestLoadRestoresOptions(t *testing.T) {
	src := newModel(rand.New(rand.NewPCG(1, 1)))
	opt := src.optimizer(t)
	b, _ := opt.MarshalBinary()
	dst := src.clone()
	opt2, err := New(adagrad.Defaults(), dst.w, dst.b)
	if err != nil {
		t.Fatal(err)
	}
	if err := opt2.AddGroup(adagrad.Defaults(), dst.d, dst.sk); err != nil {
		t.Fatal(err)
	}
	if err := opt2.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if opt2.GroupOptions(i) != opt.GroupOptions(i) {
			t.Errorf("group %d: %+v, want %+v", i, opt2.GroupOptions(i), opt.GroupOptions(i))
		}
	}
}

// edit decodes a checkpoint, changes it and encodes it again.
func edit(t *testing.T, b []byte, change func(f *checkpoint.File)) []byte {
	t.Helper()
	f, err := checkpoint.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	change(f)
	var buf bytes.Buffer
	if err := checkpoint.Encode(&buf, f); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func editGroups(t *testing.T, b []byte, change func(g []map[string]any)) []byte {
	return edit(t, b, func(f *checkpoint.File) {
		var g []map[string]any
		if err := json.Unmarshal([]byte(f.Metadata["param_groups"]), &g); err != nil {
			t.Fatal(err)
		}
		change(g)
		js, _ := json.Marshal(g)
		f.Metadata["param_groups"] = string(js)
	})
}

func setTensor(f *checkpoint.File, name string, t checkpoint.Tensor) {
	for i := range f.Tensors {
		if f.Tensors[i].Name == name {
			f.Tensors[i] = t
		}
	}
}

func dropTensor(f *checkpoint.File, name string) {
	f.Tensors = slices.DeleteFunc(f.Tensors, func(t checkpoint.Tensor) bool { return t.Name == name })
}

func TestLoadErrorsChangeNothing(t *testing.T) {
	src := newModel(rand.New(rand.NewPCG(1, 1)))
	srcOpt := src.optimizer(t)
	src.train(t, srcOpt, 0, 2)
	good, _ := srcOpt.MarshalBinary()

	// A float step, as PyTorch keeps it, is accepted.
	float := edit(t, good, func(f *checkpoint.File) {
		setTensor(f, "emb.step", checkpoint.Tensor{Name: "emb.step", Shape: []int{}, Data: []float32{2}})
	})
	cases := []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "shorter than the 8-byte"},
		{"truncated", good[:len(good)-3], "truncated file"},
		{"corrupt header", bytes.Replace(good, []byte(`"dtype"`), []byte(`"dtipe"`), 1), `unknown field "dtipe"`},
		{"not an optimizer", edit(t, good, func(f *checkpoint.File) { delete(f.Metadata, "optimizer") }), `"optimizer" is "", want "Adagrad"`},
		{"no groups", edit(t, good, func(f *checkpoint.File) { delete(f.Metadata, "param_groups") }), `no "param_groups"`},
		{"groups not json", edit(t, good, func(f *checkpoint.File) { f.Metadata["param_groups"] = "[{" }), `"param_groups" metadata`},
		{"groups trailing", edit(t, good, func(f *checkpoint.File) { f.Metadata["param_groups"] += "[]" }), "after top-level value"},
		{"one group", editGroups(t, good, func(g []map[string]any) { g[1] = g[0] }), `parameter group 1: parameter "layer.weight" is not in the optimizer's group 1`},
		{"group count", edit(t, good, func(f *checkpoint.File) { f.Metadata["param_groups"] = "[]" }), "0 parameter groups, the optimizer has 2"},
		{"unknown field", editGroups(t, good, func(g []map[string]any) { g[0]["foreach"] = nil }), `unknown key "foreach"`},
		{"missing lr", editGroups(t, good, func(g []map[string]any) { delete(g[1], "lr") }), `parameter group 1: adagrad: options JSON: no "lr"`},
		{"negative lr", editGroups(t, good, func(g []map[string]any) { g[0]["lr"] = -1 }), "parameter group 0: adagrad: Invalid learning rate: -1"},
		{"negative eps", editGroups(t, good, func(g []map[string]any) { g[1]["eps"] = -1e-9 }), "Invalid epsilon value: -1e-09"},
		{"renamed param", editGroups(t, good, func(g []map[string]any) { g[0]["params"] = []string{"layer.weight", "layer.b"} }), `parameter "layer.b" is not in the optimizer's group 0`},
		{"missing param", editGroups(t, good, func(g []map[string]any) { g[0]["params"] = []string{"layer.weight"} }), `parameter group 0: parameter "layer.bias" is missing`},
		{"repeated param", editGroups(t, good, func(g []map[string]any) {
			g[0]["params"] = []string{"layer.weight", "layer.bias", "layer.bias"}
		}), "3 parameter names for 2 parameters"},
		{"missing sum", edit(t, good, func(f *checkpoint.File) { dropTensor(f, "emb.sum") }), `no tensor "emb.sum"`},
		{"missing step", edit(t, good, func(f *checkpoint.File) { dropTensor(f, "layer.bias.step") }), `no tensor "layer.bias.step"`},
		{"extra tensor", edit(t, good, func(f *checkpoint.File) {
			f.Tensors = append(f.Tensors, checkpoint.Tensor{Name: "other.sum", Shape: []int{1}, Data: []float32{1}})
		}), `tensor "other.sum" matches no parameter`},
		{"wrong dtype", edit(t, good, func(f *checkpoint.File) {
			setTensor(f, "layer.bias.sum", checkpoint.Tensor{Name: "layer.bias.sum", Shape: []int{250}, Data: make([]float64, 250)})
		}), `tensor "layer.bias.sum" is F64, the parameter needs F32`},
		{"wrong shape", edit(t, good, func(f *checkpoint.File) {
			setTensor(f, "layer.weight.sum", checkpoint.Tensor{Name: "layer.weight.sum", Shape: []int{250, 300}, Data: make([]float32, 75000)})
		}), `tensor "layer.weight.sum" has shape [250 300], the parameter has shape [300 250]`},
		{"wrong size", edit(t, good, func(f *checkpoint.File) {
			setTensor(f, "emb.sum", checkpoint.Tensor{Name: "emb.sum", Shape: []int{7, 4}, Data: make([]float64, 28)})
		}), `tensor "emb.sum" has shape [7 4], the parameter has shape [7 3]`},
		{"step not scalar", edit(t, good, func(f *checkpoint.File) {
			setTensor(f, "emb.step", checkpoint.Tensor{Name: "emb.step", Shape: []int{1}, Data: []int64{2}})
		}), `tensor "emb.step" has shape [1], want a scalar`},
		{"negative step", edit(t, good, func(f *checkpoint.File) {
			setTensor(f, "emb.step", checkpoint.Tensor{Name: "emb.step", Shape: []int{}, Data: []int64{-1}})
		}), "step counter -1 is negative"},
		{"fractional step", edit(t, good, func(f *checkpoint.File) {
			setTensor(f, "emb.step", checkpoint.Tensor{Name: "emb.step", Shape: []int{}, Data: []float64{1.5}})
		}), "step 1.5 is not a whole non-negative number"},
		{"negative sum", edit(t, good, func(f *checkpoint.File) {
			x, _ := f.Tensor("emb.sum")
			x.Data.([]float64)[5] = -0.5
		}), "emb.sum[5] is -0.5: a sum of squares cannot be negative"},
		{"-Inf sum", edit(t, good, func(f *checkpoint.File) {
			x, _ := f.Tensor("layer.bias.sum")
			x.Data.([]float32)[0] = float32(math.Inf(-1))
		}), "layer.bias.sum[0] is -Inf"},
		{"NaN step", edit(t, good, func(f *checkpoint.File) {
			setTensor(f, "emb.step", checkpoint.Tensor{Name: "emb.step", Shape: []int{}, Data: []float32{float32(math.NaN())}})
		}), "step NaN is not a whole"},
	}
	for _, c := range cases {
		dst := newModel(rand.New(rand.NewPCG(3, 3)))
		opt := dst.optimizer(t)
		dst.train(t, opt, 0, 1)
		before := snapshot(t, opt, dst.params()...)
		err := opt.UnmarshalBinary(c.b)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
		if after := snapshot(t, opt, dst.params()...); after != before {
			t.Errorf("%s: a failed load changed the optimizer", c.name)
		}
	}

	dst := newModel(rand.New(rand.NewPCG(3, 3)))
	opt := dst.optimizer(t)
	if err := opt.UnmarshalBinary(float); err != nil {
		t.Errorf("float step: %v", err)
	} else if st, _ := opt.State("emb"); st.Step != 2 {
		t.Errorf("float step: step %d", st.Step)
	}

	// Files on disk: a missing one, and a damaged one, named in the error.
	dir := t.TempDir()
	before := snapshot(t, opt, dst.params()...)
	if err := opt.Load(filepath.Join(dir, "missing")); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	bad := filepath.Join(dir, "bad")
	os.WriteFile(bad, good[:100], 0o644)
	if err := opt.Load(bad); err == nil || !errors.Is(err, checkpoint.ErrFormat) || !strings.Contains(err.Error(), bad) {
		t.Errorf("damaged file: %v", err)
	}
	if snapshot(t, opt, dst.params()...) != before {
		t.Error("a failed Load changed the optimizer")
	}

	// A different optimizer: the first mismatch is named.
	other, err := New(adagrad.Defaults(), &Param32{Name: "layer.weight", Value: make([]float32, 10)})
	if err != nil {
		t.Fatal(err)
	}
	if err := other.UnmarshalBinary(good); err == nil || !strings.Contains(err.Error(), "2 parameter groups, the optimizer has 1") {
		t.Errorf("other optimizer: %v", err)
	}
}

func TestSaveAtomic(t *testing.T) {
	mdl := newModel(rand.New(rand.NewPCG(1, 1)))
	opt := mdl.optimizer(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "ckpt.safetensors")
	if err := opt.Save(path); err != nil {
		t.Fatal(err)
	}
	mdl.train(t, opt, 0, 1)
	if err := opt.Save(path); err != nil {
		t.Fatal(err)
	}
	want, _ := opt.MarshalBinary()
	got, _ := os.ReadFile(path)
	if !bytes.Equal(got, want) {
		t.Error("the saved file is not MarshalBinary's bytes")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("%d entries in the directory, want 1", len(ents))
	}
	if err := opt.Save(filepath.Join(dir, "missing", "x")); err == nil {
		t.Error("saving into a missing directory succeeded")
	}
}

func TestSaveInfiniteOption(t *testing.T) {
	p := &Param32{Name: "p", Value: []float32{1}}
	opt, err := New(adagrad.Options{LR: math.Inf(1)}, p)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "x")
	if err := opt.Save(path); err == nil || !strings.Contains(err.Error(), "+Inf") {
		t.Errorf("Save with lr=+Inf: %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a file was written: %v", err)
	}
	if _, err := opt.MarshalBinary(); err == nil {
		t.Error("MarshalBinary with lr=+Inf: no error")
	}
}

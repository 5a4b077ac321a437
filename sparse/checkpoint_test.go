package sparse

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/checkpoint"
)

func TestSaveLoad(t *testing.T) {
	for _, rowwise := range []bool{false, true} {
		o := adagrad.Options{LR: 0.3, LRDecay: 0.01, WeightDecay: 0.001, InitialAccumulatorValue: 0.2, Eps: 1e-7,
			Maximize: true, EpsInside: true}
		r := rand.New(rand.NewPCG(8, 8))
		a := randomTableOf(t, r, 50, 12, layoutOf(rowwise), o)
		idx, grads := batch(r, 50, 12, 300, 0)
		for k := 0; k < 3; k++ {
			if err := a.Step(idx, grads); err != nil {
				t.Fatal(err)
			}
		}
		path := filepath.Join(t.TempDir(), "table.safetensors")
		if err := a.Save(path); err != nil {
			t.Fatal(err)
		}
		b, err := New(50, 12, layoutOf(rowwise), adagrad.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Load(path); err != nil {
			t.Fatal(err)
		}
		if b.Options() != a.Options() || b.Steps() != 3 {
			t.Fatalf("loaded options %+v steps %d, saved %+v 3", b.Options(), b.Steps(), a.Options())
		}
		// The loaded table continues exactly as the saved one.
		for _, x := range []*Table{a, b} {
			if err := x.Step(idx[:100], grads[:100*12]); err != nil {
				t.Fatal(err)
			}
		}
		for i := range a.weights {
			if !sameBits(a.weights[i], b.weights[i]) {
				t.Fatalf("rowwise=%v: weight %d differs after a step from the checkpoint", rowwise, i)
			}
		}
		for i := range a.state {
			if !sameBits(a.state[i], b.state[i]) {
				t.Fatalf("rowwise=%v: state %d differs after a step from the checkpoint", rowwise, i)
			}
		}
		data, err := a.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		c, _ := New(50, 12, layoutOf(rowwise), adagrad.Options{})
		if err := c.UnmarshalBinary(data); err != nil || c.Steps() != 4 || c.weights[17] != a.weights[17] {
			t.Fatalf("UnmarshalBinary: %v, steps %d", err, c.Steps())
		}
	}
}

// TestLoadRefuses: a checkpoint that does not fit the table, or is
// damaged, is an error and leaves the table as it was.
func TestLoadRefuses(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	src := randomTable(t, r, 20, 4, adagrad.Defaults())
	src.steps = 7
	good, err := src.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	encode := func(f *checkpoint.File) []byte {
		var buf bytes.Buffer
		if err := checkpoint.Encode(&buf, f); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	edit := func(fn func(f *checkpoint.File)) []byte {
		f, err := checkpoint.Decode(good)
		if err != nil {
			t.Fatal(err)
		}
		fn(f)
		return encode(f)
	}
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"truncated", good[:len(good)-3], "checkpoint"},
		{"garbage", []byte("not a checkpoint at all"), "checkpoint"},
		{"other optimizer", edit(func(f *checkpoint.File) { f.Metadata[metaOptimizer] = "Adagrad" }), `"optimizer" is "Adagrad"`},
		{"no options", edit(func(f *checkpoint.File) { delete(f.Metadata, metaOptions) }), `no "options" metadata`},
		{"bad options", edit(func(f *checkpoint.File) { f.Metadata[metaOptions] = `{"lr": 1}` }), `no "lr_decay"`},
		{"unknown option", edit(func(f *checkpoint.File) {
			f.Metadata[metaOptions] = strings.Replace(f.Metadata[metaOptions], "{", `{"momentum":0.9,`, 1)
		}), `unknown key "momentum"`},
		{"negative lr", edit(func(f *checkpoint.File) {
			f.Metadata[metaOptions] = strings.Replace(f.Metadata[metaOptions], `"lr":0.01`, `"lr":-1`, 1)
		}), "Invalid learning rate: -1"},
		{"rowwise file", edit(func(f *checkpoint.File) {
			f.Metadata[metaLayout] = "rowwise"
		}), `"layout" is "rowwise", the table's is "elementwise"`},
		{"wrong shape", edit(func(f *checkpoint.File) {
			w, _ := f.Tensor("weight")
			w.Shape = []int{4, 20}
		}), `tensor "weight" has shape [4 20], the table needs [20 4]`},
		{"wrong dtype", edit(func(f *checkpoint.File) {
			s, _ := f.Tensor("sum")
			d := s.Data.([]float32)
			s.Data = make([]float64, len(d))
		}), `tensor "sum" is F64, want F32`},
		{"missing step", edit(func(f *checkpoint.File) {
			f.Tensors = f.Tensors[:2]
		}), "want weight, sum and step"},
		{"renamed", edit(func(f *checkpoint.File) { f.Tensors[0].Name = "weights" }), "no tensor"},
		{"negative sum", edit(func(f *checkpoint.File) {
			s, _ := f.Tensor("sum")
			s.Data.([]float32)[7] = -1
		}), "sum[7] is -1: a sum of squares cannot be negative"},
		{"-Inf sum", edit(func(f *checkpoint.File) {
			s, _ := f.Tensor("sum")
			s.Data.([]float32)[0] = float32(math.Inf(-1))
		}), "sum[0] is -Inf"},
		{"negative step", edit(func(f *checkpoint.File) {
			s, _ := f.Tensor("step")
			s.Data = []int64{-2}
		}), "step counter -2 is negative"},
	}
	for _, c := range cases {
		dst := randomTable(t, r, 20, 4, adagrad.Defaults())
		w, s, n := snapshot(dst)
		o := dst.Options()
		err := dst.UnmarshalBinary(c.data)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
		unchanged(t, dst, w, s, n)
		if dst.Options() != o {
			t.Errorf("%s: options changed", c.name)
		}
	}
	// A missing file, through Load.
	dst := randomTable(t, r, 20, 4, adagrad.Defaults())
	if err := dst.Load(filepath.Join(t.TempDir(), "none")); err == nil || !os.IsNotExist(unwrapAll(err)) {
		t.Errorf("missing file: %v", err)
	}
	// A table of another size.
	other := randomTable(t, r, 21, 4, adagrad.Defaults())
	if err := other.UnmarshalBinary(good); err == nil || !strings.Contains(err.Error(), "the table needs [21 4]") {
		t.Errorf("other size: %v", err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}

// TestLoadMemory: Load reads the file's tensors into one copy beside the
// table, and no more: the bytes it allocates are within 10% of the
// weights' and the state's size, for both layouts.
func TestLoadMemory(t *testing.T) {
	for _, layout := range []Layout{Elementwise, Rowwise} {
		tab, err := New(1<<18, 16, layout, adagrad.Defaults())
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "t.safetensors")
		if err := tab.Save(path); err != nil {
			t.Fatal(err)
		}
		tensors := 4 * (len(tab.Weights()) + len(tab.State()))
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		if err := tab.Load(path); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		if got := after.TotalAlloc - before.TotalAlloc; got > uint64(tensors)*11/10 {
			t.Errorf("%v: Load of %d bytes of tensors allocated %d bytes", layout, tensors, got)
		}
	}
}

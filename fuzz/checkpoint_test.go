package fuzz

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/checkpoint"
	"github.com/adagrad-go/adagrad/optim"
)

// fuzzOptimizer returns the optimizer the loader is fuzzed against: two
// groups, float32 and float64, one parameter 2-D.
func fuzzOptimizer(t testing.TB) (*optim.Adagrad, []optim.Param) {
	w := &optim.Param32{Name: "w", Shape: []int{2, 3}, Value: []float32{1, 2, 3, 4, 5, 6}, Grad: []float32{1, -1, 2, -2, 0.5, 0}}
	b := &optim.Param64{Name: "b", Value: []float64{0.5, -0.5}, Grad: []float64{1, 2}}
	opt, err := optim.New(adagrad.Options{LR: 0.1, LRDecay: 0.01, Eps: 1e-10}, w)
	if err != nil {
		t.Fatal(err)
	}
	if err := opt.AddGroup(adagrad.Options{LR: 0.5, WeightDecay: 0.1, InitialAccumulatorValue: 0.25, Maximize: true}, b); err != nil {
		t.Fatal(err)
	}
	if err := opt.Step(); err != nil {
		t.Fatal(err)
	}
	return opt, []optim.Param{w, b}
}

// state is everything a load may change, as bytes.
func state(t testing.TB, opt *optim.Adagrad) []byte {
	b, err := opt.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func FuzzCheckpointLoad(f *testing.F) {
	opt, _ := fuzzOptimizer(f)
	good := state(f, opt)
	f.Add(good)
	f.Add(good[:len(good)/2])
	var buf bytes.Buffer
	checkpoint.Encode(&buf, &checkpoint.File{
		Metadata: map[string]string{"k": "v"},
		Tensors: []checkpoint.Tensor{
			{Name: "a", Shape: []int{2}, Data: []float32{1, 2}},
			{Name: "b", Shape: []int{}, Data: []int64{3}},
			{Name: "c", Shape: []int{0}, Data: []float64{}},
		},
	})
	f.Add(buf.Bytes())
	f.Add([]byte{})
	f.Add([]byte("\x02\x00\x00\x00\x00\x00\x00\x00{}"))
	// Files as Save writes them, and one PyTorch's tensors were written to
	// (checkpoint/testdata/torch_safetensors.py).
	path := filepath.Join(f.TempDir(), "c.safetensors")
	if err := checkpoint.Save(path, &checkpoint.File{
		Metadata: map[string]string{"format": "pt", "é\u2028<>": "\x00"},
		Tensors: []checkpoint.Tensor{
			{Name: "w", Shape: []int{2, 2}, Data: []float32{1, float32(math.Inf(-1)), float32(math.NaN()), -0}},
			{Name: "step", Shape: []int{}, Data: []int64{-5}},
			{Name: "😀", Shape: []int{1, 0, 3}, Data: []float64{}},
		},
	}); err != nil {
		f.Fatal(err)
	}
	for _, p := range []string{path, "../checkpoint/testdata/torch.safetensors"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		// The format: an error wrapping ErrFormat, or a file that encodes
		// back to something that decodes to the same tensors.
		file, err := checkpoint.Decode(data)
		readerAgrees(t, data, file, err)
		if err != nil {
			if !errors.Is(err, checkpoint.ErrFormat) {
				t.Fatalf("error %v does not wrap ErrFormat", err)
			}
		} else {
			var out bytes.Buffer
			if err := checkpoint.Encode(&out, file); err != nil {
				t.Fatalf("decoded file does not encode: %v", err)
			}
			again, err := checkpoint.Decode(out.Bytes())
			if err != nil {
				t.Fatalf("re-encoded file does not decode: %v", err)
			}
			if !sameFile(file, again) {
				t.Fatalf("round trip changed the file")
			}
		}

		// The optimizer: an error leaves it exactly as it was; success
		// makes it hold what the data says.
		opt, params := fuzzOptimizer(t)
		before := state(t, opt)
		vals := values(params)
		if err := opt.UnmarshalBinary(data); err != nil {
			if !bytes.Equal(state(t, opt), before) {
				t.Fatalf("failed load (%v) changed the optimizer state", err)
			}
		} else {
			after, err := checkpoint.Decode(state(t, opt))
			if err != nil || !sameTensors(file, after) {
				t.Fatalf("after a successful load the state is not the file's tensors (%v)", err)
			}
		}
		if !reflect.DeepEqual(values(params), vals) {
			t.Fatal("loading changed parameter values")
		}
	})
}

// hiddenReaderAt hides the bytes.Reader, so that the Reader reads through
// its buffer as it does from a file.
type hiddenReaderAt struct{ r *bytes.Reader }

func (h hiddenReaderAt) ReadAt(b []byte, off int64) (int, error) { return h.r.ReadAt(b, off) }

// readerAgrees checks that NewReader and ReadInto see what Decode saw: the
// same error, or the same tensors.
func readerAgrees(t *testing.T, data []byte, file *checkpoint.File, derr error) {
	r, err := checkpoint.NewReader(hiddenReaderAt{bytes.NewReader(data)}, int64(len(data)))
	if (err == nil) != (derr == nil) || err != nil && err.Error() != derr.Error() {
		t.Fatalf("NewReader: %v, Decode: %v", err, derr)
	}
	if err != nil {
		return
	}
	infos := r.Tensors()
	if len(infos) != len(file.Tensors) || !reflect.DeepEqual(r.Metadata(), file.Metadata) {
		t.Fatalf("Reader has %d tensors and metadata %v, Decode %d and %v", len(infos), r.Metadata(), len(file.Tensors), file.Metadata)
	}
	for i, in := range infos {
		want := &file.Tensors[i]
		if in.Name != want.Name || in.DType != want.DType() || !reflect.DeepEqual(in.Shape, want.Shape) {
			t.Fatalf("tensor %d: Reader %+v, Decode %+v", i, in, want)
		}
		var dst, short any
		switch in.DType {
		case checkpoint.F32:
			dst, short = make([]float32, in.Len()), make([]float32, in.Len()+1)
		case checkpoint.F64:
			dst, short = make([]float64, in.Len()), make([]float64, in.Len()+1)
		case checkpoint.I64:
			dst, short = make([]int64, in.Len()), make([]int64, in.Len()+1)
		}
		if err := r.ReadInto(in.Name, dst); err != nil {
			t.Fatalf("ReadInto(%q): %v", in.Name, err)
		}
		if !sameData(dst, want.Data) {
			t.Fatalf("ReadInto(%q) differs from Decode", in.Name)
		}
		if err := r.ReadInto(in.Name, short); err == nil {
			t.Fatalf("ReadInto(%q) into a slice of the wrong length: no error", in.Name)
		}
	}
}

func values(ps []optim.Param) []any {
	var out []any
	for _, p := range ps {
		switch p := p.(type) {
		case *optim.Param32:
			out = append(out, append([]float32(nil), p.Value...))
		case *optim.Param64:
			out = append(out, append([]float64(nil), p.Value...))
		}
	}
	return out
}

func sameData(a, b any) bool {
	switch x := a.(type) {
	case []float32:
		y, ok := b.([]float32)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
				return false
			}
		}
		return true
	case []float64:
		y, ok := b.([]float64)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if math.Float64bits(x[i]) != math.Float64bits(y[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

// sameTensors: every tensor of a is in b, with the same shape and bits
// (steps may be written as floats in a and as I64 in b).
func sameTensors(a, b *checkpoint.File) bool {
	if len(a.Tensors) != len(b.Tensors) {
		return false
	}
	for _, ta := range a.Tensors {
		tb, ok := b.Tensor(ta.Name)
		if !ok || !reflect.DeepEqual(ta.Shape, tb.Shape) {
			return false
		}
		if ta.DType() != tb.DType() {
			var v float64
			switch d := ta.Data.(type) {
			case []float32:
				v = float64(d[0])
			case []float64:
				v = d[0]
			default:
				return false
			}
			if s, ok := tb.Data.([]int64); !ok || float64(s[0]) != v {
				return false
			}
			continue
		}
		if !sameData(ta.Data, tb.Data) {
			return false
		}
	}
	return true
}

func sameFile(a, b *checkpoint.File) bool {
	if len(a.Metadata) != len(b.Metadata) {
		return false
	}
	for k, v := range a.Metadata {
		if b.Metadata[k] != v {
			return false
		}
	}
	for i := range a.Tensors {
		if a.Tensors[i].Name != b.Tensors[i].Name {
			// Encode orders by element size then name; compare by name.
			return sameTensors(a, b)
		}
	}
	return sameTensors(a, b)
}

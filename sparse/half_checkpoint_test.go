package sparse

import (
	"bytes"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/checkpoint"
)

// TestHalfSaveLoad: a 16-bit table saved and loaded into a table made with
// another seed and rounding continues with the saved table's bits; the
// file holds the weights as BF16 or F16, the state as F32, and the
// storage in its metadata.
func TestHalfSaveLoad(t *testing.T) {
	r := rand.New(rand.NewPCG(77, 1))
	for _, layout := range []Layout{Elementwise, Rowwise} {
		for _, s := range halfStorages(12345678901234567890) {
			o := adagrad.Defaults()
			o.LR = 0.003
			a := randomHalfTable(t, r, 60, 10, layout, o, s, 1)
			idx, grads := batch(r, 60, 10, 200, 0)
			for k := 0; k < 2; k++ {
				if err := a.Step(idx, grads); err != nil {
					t.Fatal(err)
				}
			}
			path := filepath.Join(t.TempDir(), "t.safetensors")
			if err := a.Save(path); err != nil {
				t.Fatal(err)
			}
			f, err := checkpoint.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			w, _ := f.Tensor("weight")
			sum, _ := f.Tensor("sum")
			want := checkpoint.BF16
			if s.Weights == Float16 {
				want = checkpoint.F16
			}
			if w.DType() != want || sum.DType() != checkpoint.F32 || f.Metadata[metaWeights] != s.Weights.String() ||
				f.Metadata[metaRounding] != s.Rounding.String() || f.Metadata[metaSeed] != "12345678901234567890" {
				t.Fatalf("%+v: weight %s, sum %s, metadata %v", s, w.DType(), sum.DType(), f.Metadata)
			}
			other := s
			other.Seed = 5
			other.Rounding = 1 - s.Rounding
			b, err := New(60, 10, layout, adagrad.Options{}, other)
			if err != nil {
				t.Fatal(err)
			}
			if err := b.Load(path); err != nil {
				t.Fatal(err)
			}
			if b.Storage() != s || b.Steps() != 2 || b.Options() != o {
				t.Fatalf("loaded storage %+v steps %d, saved %+v", b.Storage(), b.Steps(), s)
			}
			for _, x := range []*Table{a, b} {
				if err := x.Step(idx[:50], grads[:500]); err != nil {
					t.Fatal(err)
				}
			}
			if !slices.Equal(a.Weights16(), b.Weights16()) || !slices.Equal(u32s(a.State()), u32s(b.State())) {
				t.Fatalf("%v %+v: the loaded table does not continue as the saved one", layout, s)
			}
		}
	}
}

// TestHalfLoadRefuses: a checkpoint of another weight type, or with a
// damaged storage, is an error naming the problem, and changes nothing.
func TestHalfLoadRefuses(t *testing.T) {
	r := rand.New(rand.NewPCG(78, 1))
	bf := randomHalfTable(t, r, 20, 4, Elementwise, adagrad.Defaults(), Storage{Weights: BFloat16, Seed: 3}, 1)
	bfData, err := bf.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	f32Data, err := randomTable(t, r, 20, 4, adagrad.Defaults()).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	edit := func(data []byte, fn func(f *checkpoint.File)) []byte {
		f, err := checkpoint.Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		fn(f)
		var buf bytes.Buffer
		if err := checkpoint.Encode(&buf, f); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	for _, c := range []struct {
		name string
		into Storage
		data []byte
		want string
	}{
		{"bf16 into f32", Storage{}, bfData, `the checkpoint's weights are bfloat16 (metadata "weights"), the table's are float32`},
		{"f32 into bf16", Storage{Weights: BFloat16}, f32Data, `the checkpoint's weights are float32 (metadata "weights"), the table's are bfloat16`},
		{"bf16 into f16", Storage{Weights: Float16}, bfData, `the checkpoint's weights are bfloat16`},
		{"f32 tensor for bf16", Storage{Weights: BFloat16}, edit(bfData, func(f *checkpoint.File) {
			w, _ := f.Tensor("weight")
			w.Data = make([]float32, 80)
		}), `tensor "weight" is F32, want BF16`},
		{"f16 tensor for bf16", Storage{Weights: BFloat16}, edit(bfData, func(f *checkpoint.File) {
			w, _ := f.Tensor("weight")
			w.Data = make([]checkpoint.Float16, 80)
		}), `tensor "weight" is F16, want BF16`},
		{"bad rounding", Storage{Weights: BFloat16}, edit(bfData, func(f *checkpoint.File) { f.Metadata[metaRounding] = "nearest" }),
			`metadata "rounding" is "nearest"`},
		{"no seed", Storage{Weights: BFloat16}, edit(bfData, func(f *checkpoint.File) { delete(f.Metadata, metaSeed) }),
			`metadata "seed" is ""`},
		{"bad seed", Storage{Weights: BFloat16}, edit(bfData, func(f *checkpoint.File) { f.Metadata[metaSeed] = "-1" }),
			`metadata "seed" is "-1"`},
		{"seed too large", Storage{Weights: BFloat16}, edit(bfData, func(f *checkpoint.File) { f.Metadata[metaSeed] = "18446744073709551616" }),
			`want a decimal integer`},
		{"seed without type", Storage{}, edit(f32Data, func(f *checkpoint.File) { f.Metadata[metaSeed] = "1" }),
			`metadata "seed" without "weights"`},
	} {
		dst, err := New(20, 4, Elementwise, adagrad.Defaults(), c.into)
		if err != nil {
			t.Fatal(err)
		}
		if dst.Weights16() != nil {
			copy(dst.Weights16(), []uint16{1, 2, 3})
		}
		w16, w32, st := slices.Clone(dst.Weights16()), slices.Clone(dst.Weights()), dst.Storage()
		err = dst.UnmarshalBinary(c.data)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
		if !slices.Equal(w16, dst.Weights16()) || !slices.Equal(u32s(w32), u32s(dst.Weights())) || dst.Storage() != st || dst.Steps() != 0 {
			t.Errorf("%s: the table changed", c.name)
		}
	}
}

package sparse

import (
	"math"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/checkpoint"
	"github.com/adagrad-go/adagrad/internal/testenv"
	"github.com/adagrad-go/adagrad/kernel"
)

// TestPyTorchHalf: PyTorch reads the checkpoints of 16-bit tables, through
// a safetensors reader that is not this module's, as torch.bfloat16 and
// torch.float16 weights and torch.float32 state, bit for bit; its
// conversion of those weights to float32 is kernel.Widen's, and its
// conversion of float32 values to bfloat16 and float16 is kernel.Round's
// round to nearest even.
func TestPyTorchHalf(t *testing.T) {
	py := testenv.TorchPython()
	if py == "" {
		testenv.Missing(t, "no python3 with torch (apt-get install python3-torch, or set ADAGRAD_TORCH_PYTHON)")
	}
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(5, 55))
	tables := map[string]*Table{}
	for name, s := range map[string]Storage{"bf16": {Weights: BFloat16, Seed: 8}, "f16": {Weights: Float16, Seed: 9}} {
		o := adagrad.Defaults()
		o.LR = 0.05
		tab := randomHalfTable(t, r, 300, 16, Rowwise, o, s, 1)
		// Every 16-bit pattern but NaNs somewhere in the table.
		w := tab.Weights16()
		one := make([]float32, 1)
		for i := 0; i < len(w); i += 3 {
			u := uint16(i / 3 * 43)
			if kernel.Widen(s.Weights.format(), one, []uint16{u}); one[0] == one[0] {
				w[i] = u
			}
		}
		idx, grads := batch(r, 300, 16, 400, 0)
		if err := tab.Step(idx, grads); err != nil {
			t.Fatal(err)
		}
		if err := tab.Save(filepath.Join(dir, name+".safetensors")); err != nil {
			t.Fatal(err)
		}
		tables[name] = tab
	}
	x := roundInputsSparse(r, 5000)
	in := &checkpoint.File{Tensors: []checkpoint.Tensor{{Name: "x", Shape: []int{len(x)}, Data: x}}}
	if err := checkpoint.Save(filepath.Join(dir, "inputs.safetensors"), in); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, filepath.Join("testdata", "torch_half.py"), dir).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	t.Logf("%s", out)
	f, err := checkpoint.Load(filepath.Join(dir, "out.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	get := func(name string) *checkpoint.Tensor {
		x, ok := f.Tensor(name)
		if !ok {
			t.Fatalf("PyTorch wrote no %q", name)
		}
		return x
	}
	for name, tab := range tables {
		w := tab.Weights16()
		wide := make([]float32, len(w))
		kernel.Widen(tab.Storage().Weights.format(), wide, w)
		var bits []uint16
		switch d := get(name + ".weight").Data.(type) {
		case []checkpoint.BFloat16:
			for _, v := range d {
				bits = append(bits, uint16(v))
			}
		case []checkpoint.Float16:
			for _, v := range d {
				bits = append(bits, uint16(v))
			}
		}
		if len(bits) != len(w) || get(name+".weight").DType() != tab.weightDType() {
			t.Fatalf("%s: PyTorch's weights are %s of %d", name, get(name+".weight").DType(), len(bits))
		}
		pw := get(name + ".wide").Data.([]float32)
		for i := range w {
			if bits[i] != w[i] {
				t.Fatalf("%s: weight %d: PyTorch read %#04x, the table holds %#04x", name, i, bits[i], w[i])
			}
			if math.Float32bits(pw[i]) != math.Float32bits(wide[i]) {
				t.Fatalf("%s: weight %d (%#04x): PyTorch widens it to %#08x, kernel.Widen to %#08x", name, i, w[i], math.Float32bits(pw[i]), math.Float32bits(wide[i]))
			}
		}
		ps := get(name + ".sum").Data.([]float32)
		for i, v := range tab.State() {
			if math.Float32bits(ps[i]) != math.Float32bits(v) {
				t.Fatalf("%s: state %d differs", name, i)
			}
		}
	}
	for _, c := range []struct {
		name string
		f    kernel.HalfFormat
	}{{"x.bf16", kernel.BFloat16}, {"x.f16", kernel.Float16}} {
		want := make([]uint16, len(x))
		kernel.Round(kernel.Half{Format: c.f}, 0, 0, want, x)
		var got []uint16
		switch d := get(c.name).Data.(type) {
		case []checkpoint.BFloat16:
			for _, v := range d {
				got = append(got, uint16(v))
			}
		case []checkpoint.Float16:
			for _, v := range d {
				got = append(got, uint16(v))
			}
		}
		if len(got) != len(x) {
			t.Fatalf("%s: %d values", c.name, len(got))
		}
		for i := range x {
			if got[i] != want[i] {
				t.Fatalf("%s: %v (%#08x): PyTorch rounds to %#04x, kernel.Round to %#04x", c.name, x[i], math.Float32bits(x[i]), got[i], want[i])
			}
		}
	}
}

// roundInputsSparse returns float32 values for the rounding comparison:
// random bits, ties and near-ties of both formats, both ends of their
// ranges, subnormals, zeros and infinities (no NaN: formats differ in
// which NaN they return).
func roundInputsSparse(r *rand.Rand, n int) []float32 {
	out := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
		65504, 65519, 65520, 65521, 65536, 1e6, -65520, math.MaxFloat32, 0x1p-14, 0x1p-24, 0x1p-25, 0x3p-25, 0x1p-26,
		1e-45, 0x1p-126, 1 + 0x1p-8, 1 + 0x3p-8, 1 + 0x1p-11, 1 + 0x3p-11,
		math.Float32frombits(0x7F7F8000), math.Float32frombits(0x7F7F7FFF)}
	for len(out) < n {
		var b uint32
		switch r.IntN(3) {
		case 0:
			b = r.Uint32()
		case 1:
			b = r.Uint32()&^0xFFFF | []uint32{0x8000, 0x7FFF, 0x8001}[r.IntN(3)]
		default:
			b = math.Float32bits(float32(r.NormFloat64()*math.Pow(2, float64(r.IntN(44)-26))))&^0x1FFF | []uint32{0x1000, 0xFFF, 0x1001}[r.IntN(3)]
		}
		if x := math.Float32frombits(b); x == x {
			out = append(out, x)
		}
	}
	return out
}

package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/adagrad-go/adagrad/internal/golden"
)

// forEachPath runs f once for every path available here, generic included.
func forEachPath(t *testing.T, f func(t *testing.T, p Path)) {
	t.Helper()
	for _, p := range Paths() {
		t.Run(p.Name(), func(t *testing.T) { f(t, p) })
	}
}

// forEachAsmPath runs f for every path but generic.
func forEachAsmPath(t *testing.T, f func(t *testing.T, p Path)) {
	t.Helper()
	n := 0
	for _, p := range Paths() {
		if p.Name() != "generic" {
			n++
			t.Run(p.Name(), func(t *testing.T) { f(t, p) })
		}
	}
	if n == 0 {
		t.Skip("no assembly path on this machine or build")
	}
}

func sameBits64(a, b float64) bool {
	if a != a && b != b {
		return true
	}
	return math.Float64bits(a) == math.Float64bits(b)
}

// allOptions returns every combination of the flags with a few
// learning rates, epsilons and weight decays.
func allOptions() []Options {
	var out []Options
	for _, maximize := range []bool{false, true} {
		for _, inside := range []bool{false, true} {
			for _, wd := range []float64{0, 0.01, 3} {
				for _, lr := range []float64{0.01, 1} {
					for _, eps := range []float64{1e-10, 0.5} {
						out = append(out, Options{LR: lr, Eps: eps, WeightDecay: wd, Maximize: maximize, EpsInside: inside})
					}
				}
			}
		}
	}
	return append(out,
		Options{},                        // all zero: lr 0, eps 0
		Options{LR: math.Inf(1), Eps: 0}, // infinities through the division
		Options{LR: 1e-3, Eps: math.NaN(), WeightDecay: -1}, // NaN eps, negative decay
		Options{LR: -0.5, Eps: 1e-45, EpsInside: true},      // subnormal eps, negative lr
	)
}

// testLengths returns 0..130 and k*W-1, k*W, k*W+1 for the unroll widths.
func testLengths() []int {
	seen := map[int]bool{}
	var out []int
	add := func(n int) {
		if n >= 0 && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for n := 0; n <= 130; n++ {
		add(n)
	}
	for _, w := range []int{4, 8, 16, 32, 64} {
		for k := 1; k <= 12; k++ {
			add(k*w - 1)
			add(k*w + 0)
			add(k*w + 1)
		}
	}
	add(1000)
	add(4099)
	return out
}

// fill32 fills s with a mix of ordinary values and special ones.
func fill32(r *rand.Rand, s []float32, special float64) {
	sp := specials32()
	for i := range s {
		switch {
		case r.Float64() < special:
			s[i] = sp[r.IntN(len(sp))]
		case r.IntN(8) == 0:
			s[i] = math.Float32frombits(r.Uint32())
		default:
			s[i] = float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(8)-4)))
		}
	}
}

func specials64() []float64 {
	return []float64{
		0, math.Copysign(0, -1), 1, -1, 0.5, 3,
		math.Inf(1), math.Inf(-1), math.NaN(),
		math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64,
		math.Float64frombits(0x000fffffffffffff), math.Float64frombits(0x0010000000000000),
		math.MaxFloat64, -math.MaxFloat64, 1e-300, 1e300, 1e-160, 1e160,
		math.SmallestNonzeroFloat32, math.MaxFloat32,
	}
}

func fill64(r *rand.Rand, s []float64, special float64) {
	sp := specials64()
	for i := range s {
		switch {
		case r.Float64() < special:
			s[i] = sp[r.IntN(len(sp))]
		case r.IntN(8) == 0:
			s[i] = math.Float64frombits(r.Uint64())
		default:
			s[i] = r.NormFloat64() * math.Pow(10, float64(r.IntN(8)-4))
		}
	}
}

// guard is written around the slices under test; it must be there after
// the step.
const guard32 = float32(-12345.5)
const guard64 = float64(-98765.25)

// withGuards returns a slice of n elements at offset off inside a larger
// slice, everything else set to the guard value.
func withGuards32(n, off int) (all, s []float32) {
	all = make([]float32, off+n+8)
	for i := range all {
		all[i] = guard32
	}
	return all, all[off : off+n : off+n]
}

func withGuards64(n, off int) (all, s []float64) {
	all = make([]float64, off+n+8)
	for i := range all {
		all[i] = guard64
	}
	return all, all[off : off+n : off+n]
}

func checkGuards32(t *testing.T, what string, all []float32, off, n int) {
	t.Helper()
	for i, v := range all {
		if (i < off || i >= off+n) && math.Float32bits(v) != math.Float32bits(guard32) {
			t.Fatalf("%s: element %d outside the slice [%d,%d) was written: %g", what, i, off, off+n, v)
		}
	}
}

func checkGuards64(t *testing.T, what string, all []float64, off, n int) {
	t.Helper()
	for i, v := range all {
		if (i < off || i >= off+n) && math.Float64bits(v) != math.Float64bits(guard64) {
			t.Fatalf("%s: element %d outside the slice [%d,%d) was written: %g", what, i, off, off+n, v)
		}
	}
}

func TestPathsAgainstGeneric32(t *testing.T) {
	forEachAsmPath(t, func(t *testing.T, p Path) {
		r := rand.New(rand.NewPCG(10, 32))
		opts := allOptions()
		cases := 0
		for _, n := range testLengths() {
			for off := 0; off < 4; off++ {
				for oi, o := range opts {
					if n > 200 && oi%7 != 0 {
						continue // long slices: a sample of the options
					}
					special := []float64{0, 0.05, 0.5}[r.IntN(3)]
					pAll, param := withGuards32(n, off)
					gAll, grad := withGuards32(n, (off+1)%4)
					sAll, sum := withGuards32(n, (off+2)%4)
					fill32(r, param, special)
					fill32(r, grad, special)
					fill32(r, sum, special)
					for i := range sum {
						if r.IntN(4) != 0 {
							sum[i] = float32(math.Abs(float64(sum[i]))) // sums are mostly non-negative
						}
					}
					gradCopy := append([]float32(nil), grad...)
					wantP := append([]float32(nil), param...)
					wantS := append([]float32(nil), sum...)
					Generic().Step32(wantP, append([]float32(nil), grad...), wantS, o)
					if cases%2 == 0 {
						p.Step32(param, grad, sum, o)
					} else { // half the cases through a Prepared, as small parameters are stepped
						pr := p.Prepare(o)
						pr.Step32(param, grad, sum)
					}
					for i := 0; i < n; i++ {
						if !sameBits32(param[i], wantP[i]) || !sameBits32(sum[i], wantS[i]) {
							t.Fatalf("n=%d off=%d %+v: element %d: param %x sum %x, generic %x %x (grad %x)", n, off, o, i,
								math.Float32bits(param[i]), math.Float32bits(sum[i]), math.Float32bits(wantP[i]), math.Float32bits(wantS[i]),
								math.Float32bits(grad[i]))
						}
						if math.Float32bits(grad[i]) != math.Float32bits(gradCopy[i]) {
							t.Fatalf("n=%d: grad[%d] was written", n, i)
						}
					}
					checkGuards32(t, "param", pAll, off, n)
					checkGuards32(t, "grad", gAll, (off+1)%4, n)
					checkGuards32(t, "sum", sAll, (off+2)%4, n)
					cases++
				}
			}
		}
		t.Logf("%d cases", cases)
	})
}

func TestPathsAgainstGeneric64(t *testing.T) {
	forEachAsmPath(t, func(t *testing.T, p Path) {
		r := rand.New(rand.NewPCG(10, 64))
		opts := allOptions()
		cases := 0
		for _, n := range testLengths() {
			for off := 0; off < 4; off++ {
				for oi, o := range opts {
					if n > 200 && oi%7 != 0 {
						continue
					}
					special := []float64{0, 0.05, 0.5}[r.IntN(3)]
					pAll, param := withGuards64(n, off)
					gAll, grad := withGuards64(n, (off+1)%4)
					sAll, sum := withGuards64(n, (off+2)%4)
					fill64(r, param, special)
					fill64(r, grad, special)
					fill64(r, sum, special)
					for i := range sum {
						if r.IntN(4) != 0 {
							sum[i] = math.Abs(sum[i])
						}
					}
					gradCopy := append([]float64(nil), grad...)
					wantP := append([]float64(nil), param...)
					wantS := append([]float64(nil), sum...)
					Generic().Step64(wantP, append([]float64(nil), grad...), wantS, o)
					if cases%2 == 0 {
						p.Step64(param, grad, sum, o)
					} else {
						pr := p.Prepare(o)
						pr.Step64(param, grad, sum)
					}
					for i := 0; i < n; i++ {
						if !sameBits64(param[i], wantP[i]) || !sameBits64(sum[i], wantS[i]) {
							t.Fatalf("n=%d off=%d %+v: element %d: param %x sum %x, generic %x %x (grad %x)", n, off, o, i,
								math.Float64bits(param[i]), math.Float64bits(sum[i]), math.Float64bits(wantP[i]), math.Float64bits(wantS[i]),
								math.Float64bits(grad[i]))
						}
						if math.Float64bits(grad[i]) != math.Float64bits(gradCopy[i]) {
							t.Fatalf("n=%d: grad[%d] was written", n, i)
						}
					}
					checkGuards64(t, "param", pAll, off, n)
					checkGuards64(t, "grad", gAll, (off+1)%4, n)
					checkGuards64(t, "sum", sAll, (off+2)%4, n)
					cases++
				}
			}
		}
		t.Logf("%d cases", cases)
	})
}

// TestGolden steps every dense case of the PyTorch vectors through every
// path and requires PyTorch's bits after every step.
func TestGolden(t *testing.T) {
	set, err := golden.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Dense) == 0 {
		t.Fatal("no dense cases")
	}
	forEachPath(t, func(t *testing.T, p Path) {
		checked := 0
		for _, c := range set.Dense {
			o := Options{Eps: c.Eps, WeightDecay: c.WeightDecay, Maximize: c.Maximize}
			switch c.DType {
			case "float32":
				param := make([]float32, len(c.Param0))
				sum := make([]float32, len(c.Param0))
				for i, b := range c.Param0 {
					param[i] = math.Float32frombits(uint32(b))
					sum[i] = float32(c.InitialAccumulatorValue)
				}
				grad := make([]float32, len(param))
				for step := range c.Grads {
					for i, b := range c.Grads[step] {
						grad[i] = math.Float32frombits(uint32(b))
					}
					o.LR = golden.LR(c.LR, c.LRDecay, step+1)
					p.Step32(param, grad, sum, o)
					for i := range param {
						if math.Float32bits(param[i]) != uint32(c.Params[step][i]) || math.Float32bits(sum[i]) != uint32(c.Sums[step][i]) {
							t.Fatalf("%s step %d element %d: param %08x sum %08x, PyTorch %08x %08x", c.Name, step+1, i,
								math.Float32bits(param[i]), math.Float32bits(sum[i]), c.Params[step][i], c.Sums[step][i])
						}
					}
				}
			case "float64":
				param := make([]float64, len(c.Param0))
				sum := make([]float64, len(c.Param0))
				for i, b := range c.Param0 {
					param[i] = math.Float64frombits(b)
					sum[i] = c.InitialAccumulatorValue
				}
				grad := make([]float64, len(param))
				for step := range c.Grads {
					for i, b := range c.Grads[step] {
						grad[i] = math.Float64frombits(b)
					}
					o.LR = golden.LR(c.LR, c.LRDecay, step+1)
					p.Step64(param, grad, sum, o)
					for i := range param {
						if math.Float64bits(param[i]) != c.Params[step][i] || math.Float64bits(sum[i]) != c.Sums[step][i] {
							t.Fatalf("%s step %d element %d: param %016x sum %016x, PyTorch %016x %016x", c.Name, step+1, i,
								math.Float64bits(param[i]), math.Float64bits(sum[i]), c.Params[step][i], c.Sums[step][i])
						}
					}
				}
			default:
				t.Fatalf("%s: dtype %q", c.Name, c.DType)
			}
			checked++
		}
		t.Logf("%d dense cases bit-exact", checked)
	})
}

func TestLengthMismatchPanics(t *testing.T) {
	forEachPath(t, func(t *testing.T, p Path) {
		param := []float32{1, 2, 3}
		grad := []float32{1, 1, 1, 1}
		sum := []float32{0, 0, 0}
		func() {
			defer func() {
				r := recover()
				msg := fmt.Sprint(r)
				if !strings.Contains(msg, "len(param)=3, len(grad)=4, len(sum)=3") {
					t.Fatalf("panic %q does not name the lengths", msg)
				}
			}()
			p.Step32(param, grad, sum, Options{LR: 1})
		}()
		if param[0] != 1 || param[2] != 3 || sum[0] != 0 {
			t.Fatalf("a mismatched call wrote: %v %v", param, sum)
		}
		pr := p.Prepare(Options{LR: 1})
		for _, c := range []struct {
			p, g, s []float32
			want    string
		}{
			{param, grad, sum, "len(param)=3, len(grad)=4, len(sum)=3"},
			{param, param, nil, "len(param)=3, len(grad)=3, len(sum)=0"},
			{param[:2], grad[:2], sum, "len(param)=2, len(grad)=2, len(sum)=3"},
		} {
			func() {
				defer func() {
					if msg := fmt.Sprint(recover()); !strings.Contains(msg, "kernel.Step32: slice lengths differ: "+c.want) {
						t.Fatalf("Prepared.Step32: panic %q does not name the lengths %s", msg, c.want)
					}
				}()
				pr.Step32(c.p, c.g, c.s)
			}()
		}
		if param[0] != 1 || param[2] != 3 || sum[0] != 0 {
			t.Fatalf("a mismatched Prepared call wrote: %v %v", param, sum)
		}
		p64 := []float64{1, 2}
		func() {
			defer func() {
				if msg := fmt.Sprint(recover()); !strings.Contains(msg, "len(param)=2, len(grad)=2, len(sum)=1") {
					t.Fatalf("panic %q does not name the lengths", msg)
				}
			}()
			p.Step64(p64, []float64{1, 1}, []float64{0}, Options{LR: 1})
		}()
		func() {
			defer func() {
				if msg := fmt.Sprint(recover()); !strings.Contains(msg, "kernel.Step64: slice lengths differ: len(param)=2, len(grad)=3, len(sum)=2") {
					t.Fatalf("Prepared.Step64: panic %q does not name the lengths", msg)
				}
			}()
			pr.Step64(p64, []float64{1, 1, 1}, []float64{0, 0})
		}()
		if p64[0] != 1 || p64[1] != 2 {
			t.Fatalf("a mismatched call wrote: %v", p64)
		}
	})
	// The package-level functions check too.
	defer func() {
		if msg := fmt.Sprint(recover()); !strings.Contains(msg, "len(param)=1, len(grad)=0, len(sum)=1") {
			t.Fatalf("panic %q does not name the lengths", msg)
		}
	}()
	Step32([]float32{1}, nil, []float32{1}, Options{})
}

func TestEmptyIsNoOp(t *testing.T) {
	forEachPath(t, func(t *testing.T, p Path) {
		p.Step32(nil, nil, nil, Options{LR: 1})
		p.Step64([]float64{}, []float64{}, []float64{}, Options{LR: 1})
		pr := p.Prepare(Options{LR: 1})
		pr.Step32(nil, []float32{}, nil)
		pr.Step64(nil, nil, nil)
	})
	Step32(nil, nil, nil, Options{LR: 1})
	Step64(nil, nil, nil, Options{LR: 1})
}

// TestZeroAllocations holds every kernel, on every path and through the
// package-level functions, to no allocation per call: the coefficients
// passed to the assembly by pointer must stay on the stack.
func TestZeroAllocations(t *testing.T) {
	const dim, nrows = 64, 100
	table := make([]float32, dim*nrows)
	sum := make([]float32, dim*nrows)
	h := make([]float32, nrows)
	rows := []int32{3, 1, 4, 1, 5, 7, 2, 6}
	grads := make([]float32, dim*len(rows))
	p64 := make([]float64, 1000)
	g64 := make([]float64, 1000)
	s64 := make([]float64, 1000)
	list, ends := []int32{0, 1, 2, 3, 4}, []int32{2, 3, 5}
	dst := make([]float32, dim*len(ends))
	o := Options{LR: 0.01, Eps: 1e-10, WeightDecay: 0.1}
	var pr Prepared
	kernels := func(p Path) map[string]func() {
		return map[string]func(){
			"Step32 n=1":        func() { p.Step32(table[:1], grads[:1], sum[:1], o) },
			"Step32":            func() { p.Step32(table[:1000], table[1000:2000], sum[:1000], o) },
			"Step64 n=1":        func() { p.Step64(p64[:1], g64[:1], s64[:1], o) },
			"Prepare":           func() { pr = p.Prepare(o) },
			"Prepared.Step32":   func() { pr.Step32(table[:5], grads[:5], sum[:5]) },
			"Prepared.Step64":   func() { pr.Step64(p64[:9], g64[:9], s64[:9]) },
			"Step64":            func() { p.Step64(p64, g64, s64, o) },
			"StepRows32":        func() { p.StepRows32(table, sum, dim, rows, grads, nil, o) },
			"RowwiseStep32":     func() { p.RowwiseStep32(table[:dim], grads[:dim], &h[0], o) },
			"RowwiseStepRows32": func() { p.RowwiseStepRows32(table, h, dim, rows, grads, rows, o) },
			"SumRows32":         func() { p.SumRows32(dst, dim, grads, list, ends) },
		}
	}
	forEachPath(t, func(t *testing.T, p Path) {
		for name, f := range kernels(p) {
			if n := testing.AllocsPerRun(100, f); n != 0 {
				t.Errorf("%s: %v allocations per call", name, n)
			}
		}
	})
	for name, f := range map[string]func(){
		"Step32":            func() { Step32(table[:7], grads[:7], sum[:7], o) },
		"Step64":            func() { Step64(p64[:7], g64[:7], s64[:7], o) },
		"StepRows32":        func() { StepRows32(table, sum, dim, rows, grads, nil, o) },
		"RowwiseStep32":     func() { RowwiseStep32(table[:dim], grads[:dim], &h[0], o) },
		"RowwiseStepRows32": func() { RowwiseStepRows32(table, h, dim, rows, grads, nil, o) },
		"SumRows32":         func() { SumRows32(dst, dim, grads, list, ends) },
	} {
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("kernel.%s: %v allocations per call", name, n)
		}
	}
}

func TestSelectPath(t *testing.T) {
	for _, name := range []string{"", "auto", " auto "} {
		p, err := selectPath(name)
		if err != nil || p != available[0] {
			t.Errorf("selectPath(%q) = %v, %v; want the fastest path %q", name, p, err, available[0].Name())
		}
	}
	for _, p := range available {
		got, err := selectPath(p.Name())
		if err != nil || got != p {
			t.Errorf("selectPath(%q) = %v, %v", p.Name(), got, err)
		}
	}
	_, err := selectPath("fastest-please")
	if err == nil || !strings.Contains(err.Error(), "unknown path") || !strings.Contains(err.Error(), "generic") {
		t.Errorf("unknown name: error %v does not say what is available", err)
	}
	for _, name := range []string{"avx2", "neon"} {
		if slices.Contains(pathNames(), name) {
			continue
		}
		_, err := selectPath(name)
		if err == nil || !strings.Contains(err.Error(), "not available") || !strings.Contains(err.Error(), "available: ") {
			t.Errorf("unavailable %q: error %v", name, err)
		}
	}
	if Generic() != (Path{}) || Generic().Name() != "generic" || Paths()[len(Paths())-1] != Generic() {
		t.Errorf("the zero Path, Generic() and the last of Paths() are not all the generic path")
	}
}

// TestRequiredPath fails when ADAGRAD_REQUIRE_KERNEL names a path other
// than the one selected, so that a silent fallback fails CI.
func TestRequiredPath(t *testing.T) {
	want := os.Getenv("ADAGRAD_REQUIRE_KERNEL")
	if err := Check(); err != nil {
		t.Fatal(err)
	}
	got := Implementation()
	t.Logf("selected path: %s (available: %v)", got, pathNames())
	if want != "" && got != want {
		t.Fatalf("ADAGRAD_REQUIRE_KERNEL=%s but the selected path is %s (available: %v)", want, got, pathNames())
	}
}

func pathNames() []string {
	var names []string
	for _, p := range Paths() {
		names = append(names, p.Name())
	}
	return names
}

// childCommand runs this test binary again with args. Under an emulator
// that the kernel cannot start foreign binaries with, ADAGRAD_TEST_EXEC
// names the emulator command to run the child with (as go test -exec did
// for the parent).
func childCommand(args ...string) *exec.Cmd {
	prefix := strings.Fields(os.Getenv("ADAGRAD_TEST_EXEC"))
	if len(prefix) == 0 {
		return exec.Command(os.Args[0], args...)
	}
	return exec.Command(prefix[0], append(append(prefix[1:], os.Args[0]), args...)...)
}

// TestEnvironment runs this test binary again with ADAGRAD_KERNEL set.
func TestEnvironment(t *testing.T) {
	if os.Getenv("ADAGRAD_KERNEL_CHILD") != "" {
		fmt.Printf("selected=%s\n", Implementation())
		Step32([]float32{1}, []float32{1}, []float32{1}, Options{LR: 1})
		return
	}
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	run := func(env string) (string, error) {
		cmd := childCommand("-test.run=^TestEnvironment$")
		cmd.Env = append(os.Environ(), "ADAGRAD_KERNEL_CHILD=1", "ADAGRAD_KERNEL="+env, "ADAGRAD_REQUIRE_KERNEL=")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	for _, name := range pathNames() {
		out, err := run(name)
		if err != nil || !strings.Contains(out, "selected="+name+"\n") {
			t.Errorf("ADAGRAD_KERNEL=%s: %v\n%s", name, err, out)
		}
	}
	out, err := run("sse9")
	// The child lists its own paths: under an emulator it may run natively
	// and see more than this process does, but generic is always there.
	if err == nil || !strings.Contains(out, `ADAGRAD_KERNEL="sse9": unknown path; available: `) || !strings.Contains(out, "generic (or auto)") {
		t.Errorf("ADAGRAD_KERNEL=sse9 did not fail naming the available paths: %v\n%s", err, out)
	}
}

// TestAliasedGrad passes grad as the very same slice as param, then as sum,
// which the documentation allows: every path reads an element's inputs
// before writing it.
func TestAliasedGrad(t *testing.T) {
	forEachAsmPath(t, func(t *testing.T, p Path) {
		r := rand.New(rand.NewPCG(7, 8))
		for n := 0; n <= 70; n++ {
			for _, o := range allOptions() {
				for _, same := range []string{"param", "sum"} {
					param := make([]float32, n)
					sum := make([]float32, n)
					fill32(r, param, 0.05)
					fill32(r, sum, 0.05)
					wantP := append([]float32(nil), param...)
					wantS := append([]float32(nil), sum...)
					p64 := make([]float64, n)
					s64 := make([]float64, n)
					fill64(r, p64, 0.05)
					fill64(r, s64, 0.05)
					want64P := append([]float64(nil), p64...)
					want64S := append([]float64(nil), s64...)
					if same == "param" {
						Generic().Step32(wantP, wantP, wantS, o)
						p.Step32(param, param, sum, o)
						Generic().Step64(want64P, want64P, want64S, o)
						p.Step64(p64, p64, s64, o)
					} else {
						Generic().Step32(wantP, wantS, wantS, o)
						p.Step32(param, sum, sum, o)
						Generic().Step64(want64P, want64S, want64S, o)
						p.Step64(p64, s64, s64, o)
					}
					for i := range n {
						if !sameBits32(param[i], wantP[i]) || !sameBits32(sum[i], wantS[i]) {
							t.Fatalf("float32 n=%d grad=%s %+v: element %d differs from generic", n, same, o, i)
						}
						if !sameBits64(p64[i], want64P[i]) || !sameBits64(s64[i], want64S[i]) {
							t.Fatalf("float64 n=%d grad=%s %+v: element %d differs from generic", n, same, o, i)
						}
					}
				}
			}
		}
	})
}

// A model's small parameters (biases, layer norms) share one step's
// options: converting them once makes each call cheaper.
func ExamplePrepared() {
	bias := []float32{0.5, -0.5}
	scale := []float32{1, 1, 1}
	biasSum, scaleSum := make([]float32, 2), make([]float32, 3)
	biasGrad := []float32{0.25, -0.25}
	scaleGrad := []float32{1, 0, -1}

	s := Prepare(Options{LR: 0.1, Eps: 1e-10})
	s.Step32(bias, biasGrad, biasSum)
	s.Step32(scale, scaleGrad, scaleSum)
	fmt.Println(bias, biasSum)
	fmt.Println(scale, scaleSum)
	// Output:
	// [0.4 -0.4] [0.0625 0.0625]
	// [0.9 1 1.1] [1 0 1]
}

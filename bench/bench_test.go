package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/adagrad-go/adagrad/kernel"
)

// The benchmarks: one sub-benchmark per size and path, named
// Step32/n=16K/path=avx2 so that benchstat can put paths side by side
// (benchstat -col /path). Each size's slices are allocated only when a
// benchmark of that size is selected, shared by its paths, and freed
// before the next size.

func BenchmarkStep32(b *testing.B) { benchSteps(b, float32Type) }

func BenchmarkStep64(b *testing.B) { benchSteps(b, float64Type) }

func benchSteps(b *testing.B, t elemType) {
	for _, n := range defaultSizes {
		b.Run("n="+formatSize(n), func(b *testing.B) {
			ss := steppersFor(t, n, nil)
			for _, s := range ss {
				b.Run("path="+s.name, func(b *testing.B) {
					b.SetBytes(int64(n * t.bytes))
					for b.Loop() {
						s.run()
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/elem")
				})
			}
			ss = nil
			freeMemory()
		})
	}
}

// BenchmarkCall measures the fixed cost of a call with one element:
// api=Step32 (Step64) through the public, dispatched kernel.Step32 and
// kernel.Step64; api=Prepared through a kernel.Prepared made once; api=plain-go
// the loop written by hand, for the ratio. In mem=same, every call updates
// the same element, so each call waits for the previous one's result; in
// mem=rotating, calls go to 64 different elements in turn and may overlap.
func BenchmarkCall(b *testing.B) {
	const k = 64
	w32 := newWorkload[float32](k, 2)
	w64 := newWorkload[float64](k, 2)
	pr := kernel.Prepare(opts)
	lr32, eps32 := float32(opts.LR), float32(opts.Eps)
	for _, mem := range []string{"same", "rotating"} {
		step := 0
		if mem == "rotating" {
			step = 1
		}
		calls32 := map[string]func(i int){
			"Step32":   func(i int) { kernel.Step32(w32.param[i:i+1], w32.grad[i:i+1], w32.sum[i:i+1], opts) },
			"Prepared": func(i int) { pr.Step32(w32.param[i:i+1], w32.grad[i:i+1], w32.sum[i:i+1]) },
			"plain-go": func(i int) { plainLoop32(w32.param[i:i+1], w32.grad[i:i+1], w32.sum[i:i+1], lr32, eps32) },
		}
		calls64 := map[string]func(i int){
			"Step64":   func(i int) { kernel.Step64(w64.param[i:i+1], w64.grad[i:i+1], w64.sum[i:i+1], opts) },
			"Prepared": func(i int) { pr.Step64(w64.param[i:i+1], w64.grad[i:i+1], w64.sum[i:i+1]) },
			"plain-go": func(i int) { plainLoop64(w64.param[i:i+1], w64.grad[i:i+1], w64.sum[i:i+1], opts.LR, opts.Eps) },
		}
		for _, c := range []struct {
			typ   string
			bytes int
			calls map[string]func(int)
			apis  []string
		}{
			{"float32", float32Type.bytes, calls32, []string{"Step32", "Prepared", "plain-go"}},
			{"float64", float64Type.bytes, calls64, []string{"Step64", "Prepared", "plain-go"}},
		} {
			for _, api := range c.apis {
				call := c.calls[api]
				b.Run("type="+c.typ+"/mem="+mem+"/api="+api, func(b *testing.B) {
					b.SetBytes(int64(c.bytes))
					i := 0
					for b.Loop() {
						call(i)
						i = (i + step) % k
					}
				})
			}
		}
	}
}

func TestSizes(t *testing.T) {
	for _, tc := range []struct {
		s string
		n int
	}{{"1", 1}, {"1000", 1000}, {"1K", 1024}, {"16k", 16384}, {"256K", 262144}, {"4M", 4194304}, {"64m", 67108864}, {" 3 ", 3}} {
		n, err := parseSize(tc.s)
		if err != nil || n != tc.n {
			t.Errorf("parseSize(%q) = %d, %v; want %d", tc.s, n, err, tc.n)
		}
	}
	for _, n := range append(defaultSizes, 1000, 1025, 3<<20, 1<<20+1) {
		got, err := parseSize(formatSize(n))
		if err != nil || got != n {
			t.Errorf("parseSize(formatSize(%d) = %q) = %d, %v", n, formatSize(n), got, err)
		}
	}
	for _, s := range []string{"", "0", "-4", "K", "1.5M", "1G", "257M", "x", "99999999999999999999"} {
		if n, err := parseSize(s); err == nil {
			t.Errorf("parseSize(%q) = %d, want an error", s, n)
		}
	}
	if got := formatSize(16 << 10); got != "16K" {
		t.Errorf("formatSize(16384) = %q, want 16K", got)
	}
	if got := formatSize(1536); got != "1536" {
		t.Errorf("formatSize(1536) = %q, want 1536", got)
	}
	sizes, err := parseList("1, 16K,,64M", parseSize)
	if err != nil || len(sizes) != 3 || sizes[2] != 64<<20 {
		t.Errorf("parseList = %v, %v", sizes, err)
	}
	if _, err := parseList(" , ", parseSize); err == nil {
		t.Error("parseList of an empty list gave no error")
	}
	if _, err := parseList("float32,float16", parseType); err == nil {
		t.Error("parseList accepted float16")
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		xs   []float64
		want float64
	}{{[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 1, 3, 2}, 2.5}, {[]float64{2, 2, 9, 1, 2}, 2}} {
		in := append([]float64(nil), tc.xs...)
		if got := median(tc.xs); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", in, got, tc.want)
		}
		for i := range in {
			if in[i] != tc.xs[i] {
				t.Errorf("median reordered its argument: %v", tc.xs)
			}
		}
	}
	if !math.IsNaN(median(nil)) {
		t.Error("median(nil) is not NaN")
	}
}

// synthetic returns results with chosen times: generic 2 ns, avx2 0.5 ns,
// mem-ref 0.4 ns per element at 64M float32, and avx2 alone at 1K.
func synthetic() []result {
	mk := func(n int, path string, ns float64) result {
		return result{Type: "float32", N: n, Size: formatSize(n), Path: path, NsPerElem: ns,
			NsPerCall: ns * float64(n), GBPerS: 20 / ns, Samples: []float64{ns, ns * 1.1, ns * 0.9}}
	}
	rs := []result{mk(64<<20, "avx2", 0.5), mk(64<<20, "generic", 2), mk(64<<20, "mem-ref", 0.4), mk(1<<10, "avx2", 0.25)}
	derive(rs)
	return rs
}

func TestDerive(t *testing.T) {
	rs := synthetic()
	want := []struct{ speedup, share float64 }{{4, 0.8}, {1, 0.2}, {5, 1}, {0, 0}}
	for i, w := range want {
		if math.Abs(rs[i].SpeedupOverGeneric-w.speedup) > 1e-12 || math.Abs(rs[i].ShareOfMemRef-w.share) > 1e-12 {
			t.Errorf("%s n=%d: speed-up %v, share %v; want %v, %v", rs[i].Path, rs[i].N,
				rs[i].SpeedupOverGeneric, rs[i].ShareOfMemRef, w.speedup, w.share)
		}
	}
	if s := spread(rs[0]); math.Abs(s-0.2) > 1e-12 {
		t.Errorf("spread = %v, want 0.2", s)
	}
}

func TestTable(t *testing.T) {
	var buf bytes.Buffer
	writeTable(&buf, synthetic())
	lines := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
	if len(lines) != 6 {
		t.Fatalf("table has %d lines, want a title, a header and 4 rows:\n%s", len(lines), buf.String())
	}
	for i, want := range [][]string{
		{"float32", "20 bytes"},
		{"size", "path", "ns/elem", "GB/s", "vs generic", "of mem-ref"},
		{"64M", "avx2", "0.500", "40.0", "4.00x", "80%", "20%"},
		{"generic", "2.00", "10.0", "1.00x", "20%"},
		{"mem-ref", "0.400", "50.0", "5.00x", "100%"},
		{"1K", "avx2", "0.250", "80.0", "-"},
	} {
		for _, s := range want {
			if !strings.Contains(lines[i], s) {
				t.Errorf("line %d %q lacks %q", i, lines[i], s)
			}
		}
	}
	if strings.Contains(lines[3], "64M") {
		t.Errorf("the size is repeated on its second row: %q", lines[3])
	}
	buf.Reset()
	writeMarkdown(&buf, synthetic())
	wantMD := []string{
		"| float32, ns/element | 64M | 1K |",
		"|---|---:|---:|",
		"| avx2 | 0.500 | 0.250 |",
		"| generic | 2.00 | - |",
		"| mem-ref | 0.400 | - |",
		"| avx2, GB/s | 40.0 | 80.0 |",
		"| avx2, speed-up over generic | 4.00x | - |",
		"| avx2, share of mem-ref | 80% | - |",
	}
	if got := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n"); !slices.Equal(got, wantMD) {
		t.Errorf("Markdown table:\n%s\nwant:\n%s", buf.String(), strings.Join(wantMD, "\n"))
	}
	rs := append(synthetic(), result{Type: "float32", N: 64 << 20, Size: "64M", Path: plainGoName, NsPerElem: 1},
		result{Type: "float32", N: 1 << 10, Size: "1K", Path: plainGoName, NsPerElem: 0.5})
	derive(rs)
	buf.Reset()
	writePlainRatios(&buf, rs)
	wantRatios := []string{
		"",
		"| float32, time over plain-go | 64M | 1K |",
		"|---|---:|---:|",
		"| avx2 | 0.50x | 0.50x |",
		"| generic | 2.00x | - |",
	}
	if got := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n"); !slices.Equal(got, wantRatios) {
		t.Errorf("ratios to plain-go:\n%s\nwant:\n%s", buf.String(), strings.Join(wantRatios, "\n"))
	}
}

func TestJSON(t *testing.T) {
	rep := newReport(config{reps: 3, sample: time.Millisecond})
	rep.Results = synthetic()
	data, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"cpu", "gomaxprocs", "implementation", "paths", "mem_ref", "reps", "results"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("JSON report lacks %q: %s", k, data)
		}
	}
	if raw["implementation"] != kernel.Implementation() {
		t.Errorf("implementation = %v, want %s", raw["implementation"], kernel.Implementation())
	}
	first := raw["results"].([]any)[0].(map[string]any)
	for k, want := range map[string]any{"type": "float32", "n": 64.0 * (1 << 20), "size": "64M", "path": "avx2",
		"ns_per_element": 0.5, "speedup_over_generic": 4.0, "share_of_mem_ref": 0.8} {
		if first[k] != want {
			t.Errorf("results[0].%s = %v, want %v", k, first[k], want)
		}
	}
	var back report
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Results) != 4 || back.Results[1].SpeedupOverGeneric != 1 || len(back.Results[0].Samples) != 3 {
		t.Errorf("round trip lost results: %+v", back.Results)
	}
}

func TestWorkload(t *testing.T) {
	const n = patternLen + 1000 // the pattern, then part of it again
	w := newWorkload[float32](n, 1)
	var sumSq float64
	for i := range n {
		g, s, p := w.grad[i], w.sum[i], w.param[i]
		for _, v := range []float32{g, p} {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) || (v != 0 && math.Abs(float64(v)) < 0x1p-126) {
				t.Fatalf("element %d: %v is not a finite normal number", i, v)
			}
		}
		if !(s >= 1e-4 && s <= 1e-2) {
			t.Fatalf("sum[%d] = %v, want it in [1e-4, 1e-2]", i, s)
		}
		sumSq += float64(g) * float64(g)
	}
	if sd := math.Sqrt(sumSq / n); sd < 0.009 || sd > 0.011 {
		t.Errorf("gradient standard deviation %v, want about 0.01", sd)
	}
	if w.grad[patternLen+7] != w.grad[7] || w.grad[0] == w.grad[1] {
		t.Error("the slices are not a repeated random pattern")
	}
	w64 := newWorkload[float64](10, 1)
	if float32(w64.grad[3]) != w.grad[3] {
		t.Errorf("float64 and float32 workloads differ: %v, %v", w64.grad[3], w.grad[3])
	}
}

// TestMemRef holds the memory reference loop (assembly where available) to
// its Go definition, bit for bit, and checks it touches nothing outside its
// slices and never writes grad.
func TestMemRef(t *testing.T) {
	t.Logf("mem-ref runs in %s", memRefImpl())
	for n := 0; n <= 200; n++ {
		for _, off := range []int{0, 1, 3} {
			const pad = 40
			w := newWorkload[float32](off+n+pad, uint64(n))
			want := newWorkload[float32](off+n+pad, uint64(n))
			grad0 := append([]float32(nil), w.grad...)
			memRef32(w.param[off:off+n], w.grad[off:off+n], w.sum[off:off+n], memRefCoeff)
			memRef32Go(want.param[off:off+n], want.grad[off:off+n], want.sum[off:off+n], memRefCoeff)
			for i := range w.param {
				if math.Float32bits(w.param[i]) != math.Float32bits(want.param[i]) ||
					math.Float32bits(w.sum[i]) != math.Float32bits(want.sum[i]) || w.grad[i] != grad0[i] {
					t.Fatalf("float32 n=%d off=%d: element %d: param %v sum %v grad %v, want %v %v %v",
						n, off, i, w.param[i], w.sum[i], w.grad[i], want.param[i], want.sum[i], grad0[i])
				}
			}
			if n > 0 && w.param[off] == newWorkload[float32](off+1, uint64(n)).param[off] {
				t.Fatalf("float32 n=%d: param not updated", n)
			}

			v := newWorkload[float64](off+n+pad, uint64(n))
			want64 := newWorkload[float64](off+n+pad, uint64(n))
			memRef64(v.param[off:off+n], v.grad[off:off+n], v.sum[off:off+n], memRefCoeff)
			memRef64Go(want64.param[off:off+n], want64.grad[off:off+n], want64.sum[off:off+n], memRefCoeff)
			for i := range v.param {
				if math.Float64bits(v.param[i]) != math.Float64bits(want64.param[i]) ||
					math.Float64bits(v.sum[i]) != math.Float64bits(want64.sum[i]) {
					t.Fatalf("float64 n=%d off=%d: element %d: param %v sum %v, want %v %v",
						n, off, i, v.param[i], v.sum[i], want64.param[i], want64.sum[i])
				}
			}
		}
	}
}

// TestPlainLoop checks that the hand-written loop computes the Adagrad
// step: it rounds g*g before adding it where the contract uses an fma, so
// it may differ from the generic path in the last bits only.
func TestPlainLoop(t *testing.T) {
	const n = 5000
	a, b := newWorkload[float32](n, 3), newWorkload[float32](n, 3)
	c, d := newWorkload[float64](n, 3), newWorkload[float64](n, 3)
	p0 := append([]float32(nil), a.param...)
	p064 := append([]float64(nil), c.param...)
	for range 3 {
		plainLoop32(a.param, a.grad, a.sum, float32(opts.LR), float32(opts.Eps))
		kernel.Generic().Step32(b.param, b.grad, b.sum, opts)
		plainLoop64(c.param, c.grad, c.sum, opts.LR, opts.Eps)
		kernel.Generic().Step64(d.param, d.grad, d.sum, opts)
	}
	// near compares within tol relative to the largest of x, y and the
	// starting value x0: param - update cancels, so its rounding error is
	// relative to the operands, not to the result.
	near := func(x, y, x0, tol float64) bool {
		return math.Abs(x-y) <= tol*max(math.Abs(x), math.Abs(y), math.Abs(x0))
	}
	moved := 0
	for i := range n {
		if !near(float64(a.param[i]), float64(b.param[i]), float64(p0[i]), 1e-6) || !near(float64(a.sum[i]), float64(b.sum[i]), 0, 1e-6) {
			t.Fatalf("float32 element %d: plain loop %v %v, generic %v %v", i, a.param[i], a.sum[i], b.param[i], b.sum[i])
		}
		if !near(c.param[i], d.param[i], p064[i], 1e-14) || !near(c.sum[i], d.sum[i], 0, 1e-14) {
			t.Fatalf("float64 element %d: plain loop %v %v, generic %v %v", i, c.param[i], c.sum[i], d.param[i], d.sum[i])
		}
		if a.param[i] != p0[i] {
			moved++
		}
	}
	if moved < n/2 {
		t.Errorf("only %d of %d parameters moved", moved, n)
	}
}

// TestMeasure runs the whole measurement on small sizes and checks that
// every path gives a row with consistent figures.
func TestMeasure(t *testing.T) {
	var progress bytes.Buffer
	cfg := config{types: []elemType{float32Type, float64Type}, sizes: []int{1, 100}, reps: 2,
		sample: time.Millisecond, progress: &progress}
	rs := measure(cfg)
	names := pathNames()
	if len(rs) != 2*2*len(names) {
		t.Fatalf("%d results, want %d", len(rs), 2*2*len(names))
	}
	for i, r := range rs {
		if r.Path != names[i%len(names)] {
			t.Errorf("result %d is %s, want %s", i, r.Path, names[i%len(names)])
		}
		if !(r.NsPerElem > 0) || len(r.Samples) != 2 || r.CallsPerSample < 1 || r.SpeedupOverGeneric <= 0 || r.ShareOfMemRef <= 0 {
			t.Errorf("result %+v", r)
		}
		bytes := 20.0
		if r.Type == "float64" {
			bytes = 40
		}
		if math.Abs(r.GBPerS*r.NsPerElem-bytes) > 1e-9*bytes || math.Abs(r.NsPerCall-r.NsPerElem*float64(r.N)) > 1e-9*r.NsPerCall {
			t.Errorf("inconsistent figures: %+v", r)
		}
		if (r.Path == genericName && r.SpeedupOverGeneric != 1) || (r.Path == memRefName && r.ShareOfMemRef != 1) {
			t.Errorf("reference not at 1: %+v", r)
		}
	}
	if got := strings.Count(progress.String(), "\n"); got != 4 {
		t.Errorf("%d progress lines, want 4", got)
	}

	only := measure(config{types: []elemType{float32Type}, sizes: []int{8}, reps: 1, sample: time.Millisecond,
		paths: map[string]bool{memRefName: true, plainGoName: true}})
	if len(only) != 2 || only[0].Path != plainGoName || only[1].Path != memRefName || only[0].SpeedupOverGeneric != 0 {
		t.Errorf("-paths filter: %+v", only)
	}
}

func TestRunFlags(t *testing.T) {
	for _, args := range [][]string{{"-sizes", "0"}, {"-types", "int8"}, {"-reps", "-1"}, {"-paths", "nosuch"}, {"extra"}, {"-nosuchflag"}, {"-parts", "kernels,nosuch"}} {
		var out, errOut bytes.Buffer
		if code := run(args, &out, &errOut); code != 2 || errOut.Len() == 0 {
			t.Errorf("run(%q) = %d, stderr %q; want 2 and a message", args, code, errOut.String())
		}
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"-json", "-parts", "kernels", "-sizes", "64", "-types", "float64", "-reps", "1", "-sample", "1ms"}, &out, &errOut); code != 0 {
		t.Fatalf("run -json = %d: %s", code, errOut.String())
	}
	var rep report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("-json output is not JSON: %v\n%s", err, out.String())
	}
	if len(rep.Results) != len(pathNames()) || rep.Results[0].N != 64 || rep.Results[0].Type != "float64" || rep.Reps != 1 {
		t.Errorf("-json report: %+v", rep)
	}
	out.Reset()
	if code := run([]string{"-parts", "kernels", "-sizes", "32", "-reps", "1", "-sample", "1ms"}, &out, &errOut); code != 0 {
		t.Fatalf("run = %d: %s", code, errOut.String())
	}
	for _, s := range []string{"selected path: " + kernel.Implementation(), "GOMAXPROCS=", "CPU: ", "float32 (20 bytes", "float64 (40 bytes", "mem-ref"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("output lacks %q:\n%s", s, out.String())
		}
	}
}

func TestFrom(t *testing.T) {
	dir := t.TempDir()
	rep := newReport(config{reps: 3, sample: time.Millisecond})
	rep.Results = synthetic()
	data, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	saved := filepath.Join(dir, "report.json")
	if err := os.WriteFile(saved, data, 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"-from", saved}, &out, &errOut); code != 0 {
		t.Fatalf("run -from = %d: %s", code, errOut.String())
	}
	var table bytes.Buffer
	writeTable(&table, rep.Results)
	if !strings.Contains(out.String(), table.String()) || !strings.Contains(out.String(), "selected path: "+rep.Implementation) {
		t.Errorf("run -from printed:\n%s\nwant the header and:\n%s", out.String(), table.String())
	}
	out.Reset()
	if code := run([]string{"-from", saved, "-markdown"}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "| avx2, share of mem-ref | 80% | - |") {
		t.Errorf("run -from -markdown = %d:\n%s", code, out.String())
	}
	out.Reset()
	if code := run([]string{"-from", saved, "-json"}, &out, &errOut); code != 0 {
		t.Fatalf("run -from -json = %d", code)
	}
	var back report
	if err := json.Unmarshal(out.Bytes(), &back); err != nil || len(back.Results) != len(rep.Results) || back.Results[0].NsPerElem != 0.5 {
		t.Errorf("run -from -json gave %v, %+v", err, back)
	}

	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte("{\"results\": 3}"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.json")
	if err := os.WriteFile(empty, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{bad, empty, filepath.Join(dir, "missing.json")} {
		errOut.Reset()
		if code := run([]string{"-from", name}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), filepath.Base(name)) {
			t.Errorf("run -from %s = %d, %q; want 1 and a message naming the file", name, code, errOut.String())
		}
	}
}

// Example_table prints a table from given figures: a path at 0.5 ns per
// element against generic at 2 ns and the memory reference at 0.4 ns.
func Example_table() {
	writeTable(os.Stdout, synthetic())
	// Output:
	// float32 (20 bytes moved per element)
	// size   path        ns/elem     GB/s  vs generic  of mem-ref  spread
	// 64M    avx2          0.500     40.0       4.00x         80%     20%
	//        generic        2.00     10.0       1.00x         20%     20%
	//        mem-ref       0.400     50.0       5.00x        100%     20%
	// 1K     avx2          0.250     80.0           -           -     20%
}

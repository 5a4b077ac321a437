package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestModelSizes(t *testing.T) {
	sizes := modelSizes()
	total, small := 0, 0
	for _, n := range sizes {
		if n < 16 || n > 1<<20 {
			t.Errorf("parameter of %d elements, want 16 to 1M", n)
		}
		total += n
		if n <= smallParam {
			small++
		}
	}
	if len(sizes) != 64 || total < 4<<20 || total > 6<<20 || small < 16 {
		t.Errorf("%d parameters, %d elements, %d small: want 64, about 4M to 6M, many small", len(sizes), total, small)
	}
}

func TestModel(t *testing.T) {
	rs, err := measureModel(config{reps: 2, sample: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{modelOptim1, modelOptim2, modelPlain, modelConcat, modelOptimSm, modelPlainSm}
	if len(rs) != len(want) {
		t.Fatalf("%d results, want %d: %+v", len(rs), len(want), rs)
	}
	total := 0
	for _, n := range modelSizes() {
		total += n
	}
	for i, r := range rs {
		if r.How != want[i] || r.NsPerStep <= 0 || len(r.Samples) != 2 {
			t.Errorf("result %d: %+v, want %q with a time and 2 samples", i, r, want[i])
		}
		if i < 4 && r.Elements != total {
			t.Errorf("%s: %d elements, want %d", r.How, r.Elements, total)
		}
	}
	if rs[0].OverConcat <= 0 || rs[0].OverPlain <= 0 || rs[4].OverPlain <= 0 || rs[3].OverConcat != 0 || workerGain(rs) <= 0 {
		t.Errorf("ratios missing: %+v", rs)
	}
	for _, markdown := range []bool{false, true} {
		var b bytes.Buffer
		writeModel(&b, rs, markdown)
		for _, s := range append(want, "speed-up of 2 workers over 1: ", "5.25M") {
			if !strings.Contains(b.String(), s) {
				t.Errorf("markdown=%v: output lacks %q:\n%s", markdown, s, b.String())
			}
		}
	}
}

func TestDeriveModel(t *testing.T) {
	rs := []modelResult{
		{How: modelOptim1, NsPerStep: 12}, {How: modelOptim2, NsPerStep: 8}, {How: modelPlain, NsPerStep: 24},
		{How: modelConcat, NsPerStep: 10}, {How: modelOptimSm, NsPerStep: 3}, {How: modelPlainSm, NsPerStep: 6},
	}
	deriveModel(rs)
	for i, want := range [][2]float64{{1.2, 0.5}, {0.8, 1.0 / 3}, {2.4, 0}, {0, 10.0 / 24}, {0, 0.5}, {0, 0}} {
		if !near(rs[i].OverConcat, want[0]) || !near(rs[i].OverPlain, want[1]) {
			t.Errorf("%s: over one call %v, over plain %v; want %v", rs[i].How, rs[i].OverConcat, rs[i].OverPlain, want)
		}
	}
	if g := workerGain(rs); !near(g, 1.5) {
		t.Errorf("worker gain %v, want 1.5", g)
	}
}

func near(a, b float64) bool { return a-b < 1e-12 && b-a < 1e-12 }

func TestBags(t *testing.T) {
	rs, err := measureBags(config{reps: 3, sample: time.Millisecond, bags: [][2]int{{1000, 8}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2*len(bagSizes)*2 {
		t.Fatalf("%d results, want %d", len(rs), 2*len(bagSizes)*2)
	}
	for i, r := range rs {
		layout := []string{"elementwise", "rowwise"}[i/6]
		pooling := []string{"sum", "mean"}[i%2]
		if r.Rows != 1000 || r.Dim != 8 || r.Layout != layout || r.Bag != bagSizes[i/2%3] || r.Pooling != pooling {
			t.Errorf("result %d is %d x %d %s bag %d %s; want 1000 x 8 %s bag %d %s", i, r.Rows, r.Dim, r.Layout, r.Bag, r.Pooling, layout, bagSizes[i/2%3], pooling)
		}
		if r.UnfusedMrowsPerS <= 0 || r.FusedMrowsPerS <= 0 || r.Ratio <= 0 || len(r.FusedSamples) != 3 || len(r.UnfusedSamples) != 3 {
			t.Errorf("result %d: %+v", i, r)
		}
	}
	var b bytes.Buffer
	writeBags(&b, rs, true)
	if n := strings.Count(b.String(), "| 1000 x 8 |"); n != len(rs) {
		t.Errorf("%d Markdown rows, want %d:\n%s", n, len(rs), b.String())
	}
}

// TestFromParts: a saved report with only the model and bag parts prints
// both.
func TestFromParts(t *testing.T) {
	rep := newReport(config{reps: 3, sample: time.Millisecond})
	rep.Model = []modelResult{{How: modelOptim1, Params: 64, Elements: 5 << 20, NsPerStep: 2e6, Samples: []float64{2e6}},
		{How: modelConcat, Params: 1, Elements: 5 << 20, NsPerStep: 1e6, Samples: []float64{1e6}}}
	rep.Bags = []bagResult{{Rows: 1_000_000, Dim: 64, Layout: "rowwise", Bag: 20, Pooling: "sum",
		UnfusedMrowsPerS: 10, FusedMrowsPerS: 13, Ratio: 1.3, UnfusedSamples: []float64{1}, FusedSamples: []float64{1}}}
	data, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	saved := filepath.Join(t.TempDir(), "parts.json")
	if err := os.WriteFile(saved, data, 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"-from", saved, "-markdown"}, &out, &errOut); code != 0 {
		t.Fatalf("run -from = %d: %s", code, errOut.String())
	}
	for _, s := range []string{"| optim, 1 worker | 64 | 5.24M | 2.00 ms | 2.00x |", "| 1M x 64 | rowwise | 20 | sum | 10.00 | 13.00 | 1.30x |"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("output lacks %q:\n%s", s, out.String())
		}
	}
}

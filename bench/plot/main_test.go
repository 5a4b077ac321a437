package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotutil"
)

// quickReport was written by go run ./bench -quick -json -sizes 1,1K,16K.
const quickReport = "testdata/quick.json"

func TestDrawPNG(t *testing.T) {
	out := filepath.Join(t.TempDir(), "speed.png")
	var stderr bytes.Buffer
	if code := run([]string{"-from", quickReport, "-o", out, "-width", "900", "-height", "400"}, &stderr); code != 0 {
		t.Fatalf("exit code %d, stderr:\n%s", code, stderr.String())
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr:\n%s", stderr.String())
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s does not decode as PNG: %v", out, err)
	}
	if got, want := img.Bounds().Size(), image.Pt(900, 400); got != want {
		t.Errorf("size %v, want %v", got, want)
	}
	colours := map[color.RGBA]int{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			colours[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)]++
		}
	}
	if len(colours) < 10 {
		t.Errorf("%d distinct colours: the picture is blank or nearly", len(colours))
	}
	// Every path of the report is drawn in its colour: the kernels and
	// plain-go in the first colours of the palette, mem-ref in black.
	rep, err := readReport(quickReport)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, r := range rep.Results {
		if !slices.Contains(paths, r.Path) && r.Path != memRefName {
			paths = append(paths, r.Path)
		}
	}
	for i, path := range paths {
		c := color.RGBAModel.Convert(plotutil.DarkColors[i]).(color.RGBA)
		if colours[c] < 50 {
			t.Errorf("path %s: %d pixels of its colour %v", path, colours[c], c)
		}
	}
	if black := colours[color.RGBA{A: 255}]; black < 50 {
		t.Errorf("%d black pixels: no text, axes or mem-ref line", black)
	}
}

func TestDrawVectorFormats(t *testing.T) {
	for _, format := range []string{"svg", "pdf"} {
		out := filepath.Join(t.TempDir(), "speed."+format)
		var stderr bytes.Buffer
		if code := run([]string{"-from", quickReport, "-o", out}, &stderr); code != 0 {
			t.Fatalf("%s: exit code %d, stderr:\n%s", format, code, stderr.String())
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		magic := map[string]string{"svg": "<svg", "pdf": "%PDF-"}[format]
		if !bytes.Contains(data[:min(len(data), 512)], []byte(magic)) {
			t.Errorf("%s: no %q near the start:\n%.200s", format, magic, data)
		}
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	garbage := write("garbage.json", "measuring float32 n=1\n")
	array := write("array.json", `[{"type": "float32"}]`)
	empty := write("empty.json", `{"go_version": "go1.26.8", "cpu": "x", "results": []}`)
	other := write("other.json", `{"name": "something else"}`)
	unusable := write("unusable.json", `{"results": [{"type": "float32", "n": 0, "path": "avx2", "ns_per_element": 1},
		{"type": "float32", "n": 16, "path": "avx2", "ns_per_element": 0}]}`)
	missing := filepath.Join(dir, "missing.json")

	for _, tc := range []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"no -from", []string{"-o", "x.png"}, "-from is required"},
		{"missing file", []string{"-from", missing}, "no such file"},
		{"not JSON", []string{"-from", garbage}, "not a report written by go run ./bench -json"},
		{"a JSON array", []string{"-from", array}, "not a report written by go run ./bench -json"},
		{"no results", []string{"-from", empty}, "the report has no results"},
		{"another JSON object", []string{"-from", other}, "the report has no results"},
		{"no usable result", []string{"-from", unusable}, "no result has a positive n and ns/element"},
		{"unknown format", []string{"-from", quickReport, "-o", "speed.gif"}, `unknown format "gif"`},
		{"no extension", []string{"-from", quickReport, "-o", "speed"}, "no extension"},
		{"too small", []string{"-from", quickReport, "-width", "10"}, "want at least"},
		{"extra argument", []string{"-from", quickReport, "r.json"}, "unexpected arguments"},
		{"unknown flag", []string{"-from", quickReport, "-dpi", "300"}, "flag provided but not defined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "speed.png")
			if !slices.Contains(tc.args, "-o") {
				tc.args = append(tc.args, "-o", out)
			}
			var stderr bytes.Buffer
			if code := run(tc.args, &stderr); code != 2 {
				t.Errorf("exit code %d, want 2; stderr:\n%s", code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr %q does not say %q", stderr.String(), tc.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%s was written", out)
			}
		})
	}
}

func TestUnwritableOutput(t *testing.T) {
	out := filepath.Join(t.TempDir(), "no-such-dir", "speed.png")
	var stderr bytes.Buffer
	if code := run([]string{"-from", quickReport, "-o", out}, &stderr); code != 1 {
		t.Errorf("exit code %d, want 1; stderr:\n%s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "no-such-dir") {
		t.Errorf("stderr %q does not name the file", stderr.String())
	}
}

func TestSkipsUnusableResults(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "r.json")
	report := `{"cpu": "test CPU", "go_version": "go1.26.8", "results": [
		{"type": "float32", "n": 1, "path": "generic", "ns_per_element": 10},
		{"type": "float32", "n": 1024, "path": "generic", "ns_per_element": 3},
		{"type": "float32", "n": 1024, "path": "mem-ref", "ns_per_element": 0.05},
		{"type": "float32", "n": 4096, "path": "mem-ref", "ns_per_element": -1}]}`
	if err := os.WriteFile(in, []byte(report), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	if code := run([]string{"-from", in, "-o", filepath.Join(dir, "speed.png")}, &stderr); code != 0 {
		t.Fatalf("exit code %d, stderr:\n%s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "left out 1 results") {
		t.Errorf("stderr %q does not count the result left out", stderr.String())
	}
}

func labels(ticks []plot.Tick) []string {
	var ls []string
	for _, t := range ticks {
		if t.Label != "" {
			ls = append(ls, t.Label)
		}
	}
	return ls
}

func TestTicks(t *testing.T) {
	for _, tc := range []struct {
		name   string
		ticks  []plot.Tick
		labels []string
	}{
		{"sizes 1 to 64M", sizeTicks(0.5, 128<<20), []string{"1", "1K", "1M"}},
		{"sizes 1 to 16K", sizeTicks(0.5, 32<<10), []string{"1", "1K"}},
		{"sizes 16K to 4M", sizeTicks(8<<10, 8<<20), []string{"16K", "64K", "256K", "1M", "4M"}},
		{"ns 0.03 to 30", decadeTicks(0.03, 30), []string{"0.1", "1", "10"}},
		{"ns 0.2 to 3", decadeTicks(0.2, 3), []string{"0.2", "0.5", "1", "2"}},
	} {
		if got := labels(tc.ticks); !slices.Equal(got, tc.labels) {
			t.Errorf("%s: labels %q, want %q", tc.name, got, tc.labels)
		}
	}
	if got := len(sizeTicks(0.5, 128<<20)); got != 14 {
		t.Errorf("sizes 1 to 64M: %d ticks, want one per power of 4 (14)", got)
	}
}

func TestSubtitle(t *testing.T) {
	rep, err := readReport(quickReport)
	if err != nil {
		t.Fatal(err)
	}
	s := subtitle(rep)
	for _, want := range []string{rep.CPU, rep.GoVersion} {
		if want == "" || !strings.Contains(s, want) {
			t.Errorf("subtitle %q does not name %q", s, want)
		}
	}
}

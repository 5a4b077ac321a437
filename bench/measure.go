package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
)

// result is the measurement of one path at one size and type.
type result struct {
	Type      string  `json:"type"` // "float32" or "float64"
	N         int     `json:"n"`    // elements per slice
	Size      string  `json:"size"` // N as "16K", "64M"
	Path      string  `json:"path"`
	NsPerElem float64 `json:"ns_per_element"` // median over the samples
	NsPerCall float64 `json:"ns_per_call"`
	GBPerS    float64 `json:"gb_per_s"` // bytes a step moves / time, 1 GB = 1e9 bytes
	// SpeedupOverGeneric is generic's ns/element over this path's, both
	// measured in this run; 0 when generic was not measured.
	SpeedupOverGeneric float64 `json:"speedup_over_generic,omitempty"`
	// ShareOfMemRef is mem-ref's ns/element over this path's at the same
	// size, measured in this run: beyond the caches, the share of the
	// memory bandwidth the path reaches. 0 when mem-ref was not measured.
	ShareOfMemRef float64 `json:"share_of_mem_ref,omitempty"`
	// TimeOverPlainGo is this path's ns/element over plain-go's at the
	// same size, measured in this run: how much an exact step costs
	// against the loop written by hand. 0 when plain-go was not measured.
	TimeOverPlainGo float64 `json:"time_over_plain_go,omitempty"`
	// Samples are the ns/element of every sample, in the order taken;
	// CallsPerSample is how many calls each one timed.
	Samples        []float64 `json:"samples_ns_per_element"`
	CallsPerSample int       `json:"calls_per_sample"`
}

// report is everything a run measured, and where.
type report struct {
	GoVersion      string   `json:"go_version"`
	GOOS           string   `json:"goos"`
	GOARCH         string   `json:"goarch"`
	GOMAXPROCS     int      `json:"gomaxprocs"`
	ArchLevel      string   `json:"arch_level,omitempty"` // GOAMD64 or GOARM64, as built
	CPU            string   `json:"cpu"`
	CPUFeatures    []string `json:"cpu_features"` // the ones that matter here
	Caches         string   `json:"caches"`
	Implementation string   `json:"implementation"` // the path kernel.Step32 uses
	ForcedKernel   string   `json:"adagrad_kernel"` // the ADAGRAD_KERNEL setting, if any
	Paths          []string `json:"paths"`          // kernel paths available, fastest first
	MemRef         string   `json:"mem_ref"`        // "avx" or "go"
	Reps           int      `json:"reps"`
	SampleTime     string   `json:"sample_time"`
	Results        []result `json:"results"`
	// The model-shaped optimizer step and the fused bag step (-parts).
	Model []modelResult `json:"model,omitempty"`
	Bags  []bagResult   `json:"bags,omitempty"`
}

// config is what to measure and how long.
type config struct {
	parts  map[string]bool // which of partNames to measure
	bags   [][2]int        // the tables of the bags part, rows x dim
	types  []elemType
	sizes  []int
	paths  map[string]bool // nil: all
	reps   int             // samples per path and size; the median is reported
	sample time.Duration   // the least time one sample runs
	// progress, when not nil, receives a line per size measured.
	progress io.Writer
}

// median returns the median of xs (the mean of the middle two for an even
// count), or NaN for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// timeCalls returns how long k calls of run take.
func timeCalls(run func(), k int) time.Duration {
	start := time.Now()
	for range k {
		run()
	}
	return time.Since(start)
}

// calibrate returns how many calls of run take about d (at least one).
func calibrate(run func(), d time.Duration) int {
	k := 1
	for {
		t := timeCalls(run, k)
		if t >= d/8 || k >= 1<<30 {
			if t <= 0 {
				t = 1
			}
			return max(1, int(float64(k)*float64(d)/float64(t)+0.5))
		}
		k *= 8
	}
}

// inTurns measures runs side by side: one warm-up and calibration each
// (to calls taking at least sample), then reps rounds in which each run
// takes one sample in turn. It returns each run's samples in ns per call
// and its calls per sample.
func inTurns(runs []func(), reps int, sample time.Duration) (samples [][]float64, calls []int) {
	calls = make([]int, len(runs))
	for i, run := range runs {
		run() // warm caches, branch predictors and the page tables
		calls[i] = calibrate(run, sample)
	}
	samples = make([][]float64, len(runs))
	for range reps {
		for i, run := range runs {
			d := timeCalls(run, calls[i])
			samples[i] = append(samples[i], float64(d.Nanoseconds())/float64(calls[i]))
		}
	}
	return samples, calls
}

// measureSize measures every stepper over one workload in turns (inTurns).
func measureSize(t elemType, n int, ss []stepper, cfg config) []result {
	runs := make([]func(), len(ss))
	for i, s := range ss {
		runs[i] = s.run
	}
	samples, calls := inTurns(runs, cfg.reps, cfg.sample)
	for _, xs := range samples {
		for j := range xs {
			xs[j] /= float64(n)
		}
	}
	rs := make([]result, len(ss))
	for i, s := range ss {
		ns := median(samples[i])
		rs[i] = result{
			Type: t.name, N: n, Size: formatSize(n), Path: s.name,
			NsPerElem: ns, NsPerCall: ns * float64(n),
			GBPerS:         float64(t.bytes) / ns,
			Samples:        samples[i],
			CallsPerSample: calls[i],
		}
	}
	derive(rs)
	return rs
}

// derive fills SpeedupOverGeneric, ShareOfMemRef and TimeOverPlainGo of
// every result from the generic, mem-ref and plain-go results of the same
// type and size.
func derive(rs []result) {
	type key struct {
		typ string
		n   int
	}
	generic := map[key]float64{}
	memRef := map[key]float64{}
	plain := map[key]float64{}
	for _, r := range rs {
		switch r.Path {
		case genericName:
			generic[key{r.Type, r.N}] = r.NsPerElem
		case memRefName:
			memRef[key{r.Type, r.N}] = r.NsPerElem
		case plainGoName:
			plain[key{r.Type, r.N}] = r.NsPerElem
		}
	}
	for i := range rs {
		r := &rs[i]
		k := key{r.Type, r.N}
		if g, ok := generic[k]; ok && r.NsPerElem > 0 {
			r.SpeedupOverGeneric = g / r.NsPerElem
		}
		if m, ok := memRef[k]; ok && r.NsPerElem > 0 {
			r.ShareOfMemRef = m / r.NsPerElem
		}
		if p, ok := plain[k]; ok && p > 0 && r.Path != memRefName {
			r.TimeOverPlainGo = r.NsPerElem / p
		}
	}
}

// measure runs every type and size of cfg, freeing each workload before
// the next is allocated.
func measure(cfg config) []result {
	var all []result
	for _, t := range cfg.types {
		for _, n := range cfg.sizes {
			if cfg.progress != nil {
				fmt.Fprintf(cfg.progress, "measuring %s n=%s\n", t.name, formatSize(n))
			}
			ss := steppersFor(t, n, cfg.paths)
			all = append(all, measureSize(t, n, ss, cfg)...)
			ss = nil
			freeMemory()
		}
	}
	return all
}

// spread is (max-min)/median of the samples, a measure of the noise.
func spread(r result) float64 { return sampleSpread(r.Samples, r.NsPerElem) }

// writeTable prints the results a table per type: one row per size and
// path, in the order measured.
func writeTable(w io.Writer, rs []result) {
	var types []string
	for _, r := range rs {
		if !slices.Contains(types, r.Type) {
			types = append(types, r.Type)
		}
	}
	for ti, typ := range types {
		if ti > 0 {
			fmt.Fprintln(w)
		}
		bytes := 20
		if typ == "float64" {
			bytes = 40
		}
		fmt.Fprintf(w, "%s (%d bytes moved per element)\n", typ, bytes)
		fmt.Fprintf(w, "%-5s  %-8s  %9s  %7s  %10s  %10s  %6s\n",
			"size", "path", "ns/elem", "GB/s", "vs generic", "of mem-ref", "spread")
		last := -1
		for _, r := range rs {
			if r.Type != typ {
				continue
			}
			size := ""
			if r.N != last {
				size = r.Size
				last = r.N
			}
			fmt.Fprintf(w, "%-5s  %-8s  %9s  %7.1f  %10s  %10s  %5.0f%%\n",
				size, r.Path, formatNs(r.NsPerElem), r.GBPerS,
				formatRatio(r.SpeedupOverGeneric), formatShare(r.ShareOfMemRef), 100*spread(r))
		}
	}
}

// formatNs writes a time with three significant digits or more.
func formatNs(ns float64) string {
	switch {
	case ns >= 100:
		return fmt.Sprintf("%.0f", ns)
	case ns >= 10:
		return fmt.Sprintf("%.1f", ns)
	case ns >= 1:
		return fmt.Sprintf("%.2f", ns)
	}
	return fmt.Sprintf("%.3f", ns)
}

func formatRatio(x float64) string {
	if x == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fx", x)
}

func formatShare(x float64) string {
	if x == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", 100*x)
}

// grid is the results of one type as a table: a column per size and a
// row per path, in the order the results came.
type grid struct {
	sizes []int
	paths []string
	cell  map[string]map[int]result
}

// typesOf returns the types of the results that keep accepts, in order.
func typesOf(rs []result, keep func(result) bool) []string {
	var types []string
	for _, r := range rs {
		if keep(r) && !slices.Contains(types, r.Type) {
			types = append(types, r.Type)
		}
	}
	return types
}

// gridOf returns the results of type typ that keep accepts as a grid.
func gridOf(rs []result, typ string, keep func(result) bool) grid {
	g := grid{cell: map[string]map[int]result{}}
	for _, r := range rs {
		if r.Type != typ || !keep(r) {
			continue
		}
		if !slices.Contains(g.sizes, r.N) {
			g.sizes = append(g.sizes, r.N)
		}
		if g.cell[r.Path] == nil {
			g.paths = append(g.paths, r.Path)
			g.cell[r.Path] = map[int]result{}
		}
		g.cell[r.Path][r.N] = r
	}
	return g
}

// header writes the Markdown table's first two lines: title, then a
// column per size.
func (g grid) header(w io.Writer, title string) {
	fmt.Fprintf(w, "| %s |", title)
	for _, n := range g.sizes {
		fmt.Fprintf(w, " %s |", formatSize(n))
	}
	fmt.Fprintf(w, "\n|---|%s\n", strings.Repeat("---:|", len(g.sizes)))
}

// row writes a Markdown row labelled label: f of path's result at each
// size, "-" where there is none.
func (g grid) row(w io.Writer, label, path string, f func(r result) string) {
	fmt.Fprintf(w, "| %s |", label)
	for _, n := range g.sizes {
		v := "-"
		if r, ok := g.cell[path][n]; ok {
			v = f(r)
		}
		fmt.Fprintf(w, " %s |", v)
	}
	fmt.Fprintln(w)
}

func all(result) bool { return true }

// writeMarkdown prints the results as Markdown, for a README: per type, a
// table of ns/element with a column per size and a row per path, then the
// first (fastest) kernel path's GB/s, speed-up over generic and share of
// mem-ref.
func writeMarkdown(w io.Writer, rs []result) {
	for ti, typ := range typesOf(rs, all) {
		if ti > 0 {
			fmt.Fprintln(w)
		}
		g := gridOf(rs, typ, all)
		g.header(w, typ+", ns/element")
		for _, p := range g.paths {
			g.row(w, p, p, func(r result) string { return formatNs(r.NsPerElem) })
		}
		best := g.paths[0]
		if best == genericName || best == plainGoName || best == memRefName {
			continue
		}
		g.row(w, best+", GB/s", best, func(r result) string { return fmt.Sprintf("%.1f", r.GBPerS) })
		g.row(w, best+", speed-up over generic", best, func(r result) string { return formatRatio(r.SpeedupOverGeneric) })
		g.row(w, best+", share of mem-ref", best, func(r result) string { return formatShare(r.ShareOfMemRef) })
	}
}

// writePlainRatios prints, per type, each kernel path's time over the
// plain Go loop's at every size, as Markdown rows after the tables.
func writePlainRatios(w io.Writer, rs []result) {
	kernelPath := func(r result) bool { return r.Path != plainGoName && r.Path != memRefName }
	for _, typ := range typesOf(rs, func(r result) bool { return r.TimeOverPlainGo > 0 }) {
		g := gridOf(rs, typ, kernelPath)
		fmt.Fprintln(w)
		g.header(w, typ+", time over plain-go")
		for _, p := range g.paths {
			g.row(w, p, p, func(r result) string { return formatRatio(r.TimeOverPlainGo) })
		}
	}
}

// legend explains the table's names.
const legend = `prepared: the fastest path through a kernel.Prepared made once;
plain-go: the Adagrad loop written by hand in Go; mem-ref: a loop moving the
same bytes as a step with trivial arithmetic (at sizes beyond the last cache,
the memory bandwidth of one thread). vs generic: generic's time over the
path's; of mem-ref: mem-ref's time over the path's, both from this run.
spread: (slowest - fastest sample) / median.`

// joinNames joins names for the header.
func joinNames(names []string) string { return strings.Join(names, ", ") }

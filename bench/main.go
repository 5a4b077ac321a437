package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/adagrad-go/adagrad/kernel"
	"github.com/klauspost/cpuid/v2"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the command: it parses args, measures, and writes the report to
// stdout. It returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sizesFlag := fs.String("sizes", "", "comma-separated sizes in elements, such as 1,16K,64M (default 1,1K,16K,256K,4M,64M; with -quick 1,1K,16K,256K,4M)")
	typesFlag := fs.String("types", "float32,float64", "comma-separated element types")
	pathsFlag := fs.String("paths", "", "comma-separated paths to measure (default all: "+joinNames(pathNames())+"); generic and mem-ref give the ratio columns")
	reps := fs.Int("reps", 0, "samples per path and size; the median is reported (default 9; with -quick 3)")
	sample := fs.Duration("sample", 0, "the least time one sample runs (default 50ms; with -quick 10ms)")
	partsFlag := fs.String("parts", strings.Join(partNames, ","), "comma-separated parts to measure: kernels (every path at every size), model (an optimizer step over a model-shaped set of parameters), bags (the fused bag step against the unfused pair)")
	quick := fs.Bool("quick", false, "a short run: fewer samples, shorter ones, no 64M")
	asJSON := fs.Bool("json", false, "write the report as JSON")
	markdown := fs.Bool("markdown", false, "write the table as Markdown")
	from := fs.String("from", "", "measure nothing: read a report written by -json from this file and print it")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: go run ./bench [flags]\n\nMeasures every Adagrad kernel path on this machine.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "bench: unexpected arguments: %s\n", strings.Join(fs.Args(), " "))
		return 2
	}
	if *from != "" {
		return printSaved(*from, *asJSON, *markdown, stdout, stderr)
	}
	if err := kernel.Check(); err != nil {
		fmt.Fprintf(stderr, "bench: %v\n", err)
		return 2
	}

	cfg := config{reps: 9, sample: 50 * time.Millisecond, sizes: defaultSizes, bags: bagShapes, progress: stderr}
	if *quick {
		cfg.reps, cfg.sample, cfg.sizes = 3, 10*time.Millisecond, defaultSizes[:len(defaultSizes)-1]
	}
	if *reps != 0 {
		if *reps < 1 {
			fmt.Fprintf(stderr, "bench: -reps %d: want at least 1\n", *reps)
			return 2
		}
		cfg.reps = *reps
	}
	if *sample != 0 {
		if *sample < 0 {
			fmt.Fprintf(stderr, "bench: -sample %v: want a positive duration\n", *sample)
			return 2
		}
		cfg.sample = *sample
	}
	var err error
	if *sizesFlag != "" {
		if cfg.sizes, err = parseList(*sizesFlag, parseSize); err != nil {
			fmt.Fprintf(stderr, "bench: -sizes: %v\n", err)
			return 2
		}
	}
	parts, err := parseList(*partsFlag, func(s string) (string, error) {
		s = strings.TrimSpace(s)
		if !slices.Contains(partNames, s) {
			return "", fmt.Errorf("unknown part %q (want %s)", s, joinNames(partNames))
		}
		return s, nil
	})
	if err != nil {
		fmt.Fprintf(stderr, "bench: -parts: %v\n", err)
		return 2
	}
	cfg.parts = map[string]bool{}
	for _, p := range parts {
		cfg.parts[p] = true
	}
	if cfg.types, err = parseList(*typesFlag, parseType); err != nil {
		fmt.Fprintf(stderr, "bench: -types: %v\n", err)
		return 2
	}
	if *pathsFlag != "" {
		names, _ := parseList(*pathsFlag, func(s string) (string, error) { return strings.TrimSpace(s), nil })
		cfg.paths = map[string]bool{}
		for _, name := range names {
			if !slices.Contains(pathNames(), name) {
				fmt.Fprintf(stderr, "bench: -paths: %q is not available here; available: %s\n", name, joinNames(pathNames()))
				return 2
			}
			cfg.paths[name] = true
		}
	}

	rep := newReport(cfg)
	if !*asJSON {
		writeHeader(stdout, rep)
		fmt.Fprintln(stdout)
	}
	if cfg.parts[partKernels] {
		rep.Results = measure(cfg)
	}
	if cfg.parts[partModel] {
		if rep.Model, err = measureModel(cfg); err != nil {
			fmt.Fprintf(stderr, "bench: model: %v\n", err)
			return 1
		}
	}
	if cfg.parts[partBags] {
		if rep.Bags, err = measureBags(cfg); err != nil {
			fmt.Fprintf(stderr, "bench: bags: %v\n", err)
			return 1
		}
	}
	return writeReport(rep, *asJSON, *markdown, stdout, stderr)
}

// writeReport writes the results of rep as JSON, Markdown or a table.
func writeReport(rep report, asJSON, markdown bool, stdout, stderr io.Writer) int {
	switch {
	case asJSON:
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintf(stderr, "bench: %v\n", err)
			return 1
		}
	case markdown:
		writeMarkdown(stdout, rep.Results)
		writePlainRatios(stdout, rep.Results)
	default:
		if len(rep.Results) > 0 {
			writeTable(stdout, rep.Results)
			fmt.Fprintln(stdout)
			fmt.Fprintln(stdout, legend)
		}
	}
	if !asJSON {
		writeModel(stdout, rep.Model, markdown)
		writeBags(stdout, rep.Bags, markdown)
	}
	return 0
}

// printSaved prints a report that -json wrote to the file name.
func printSaved(name string, asJSON, markdown bool, stdout, stderr io.Writer) int {
	data, err := os.ReadFile(name)
	if err != nil {
		fmt.Fprintf(stderr, "bench: %v\n", err)
		return 1
	}
	var rep report
	if err := json.Unmarshal(data, &rep); err != nil {
		fmt.Fprintf(stderr, "bench: %s: not a report written by -json: %v\n", name, err)
		return 1
	}
	if len(rep.Results) == 0 && len(rep.Model) == 0 && len(rep.Bags) == 0 {
		fmt.Fprintf(stderr, "bench: %s: the report has no results\n", name)
		return 1
	}
	derive(rep.Results) // the ratios, also for a report saved before one was added
	deriveModel(rep.Model)
	if !asJSON {
		writeHeader(stdout, rep)
		fmt.Fprintln(stdout)
	}
	return writeReport(rep, asJSON, markdown, stdout, stderr)
}

// newReport describes this machine and run, without results.
func newReport(cfg config) report {
	var paths []string
	for _, p := range kernel.Paths() {
		paths = append(paths, p.Name())
	}
	var feats []string
	for _, f := range []cpuid.FeatureID{cpuid.AVX, cpuid.AVX2, cpuid.FMA3, cpuid.AVX512F, cpuid.ASIMD} {
		if cpuid.CPU.Supports(f) {
			feats = append(feats, f.String())
		}
	}
	return report{
		GoVersion:      runtime.Version(),
		GOOS:           runtime.GOOS,
		GOARCH:         runtime.GOARCH,
		GOMAXPROCS:     runtime.GOMAXPROCS(0),
		ArchLevel:      archLevel(),
		CPU:            cpuName(),
		CPUFeatures:    feats,
		Caches:         cacheSizes(),
		Implementation: kernel.Implementation(),
		ForcedKernel:   os.Getenv("ADAGRAD_KERNEL"),
		Paths:          paths,
		MemRef:         memRefImpl(),
		Reps:           cfg.reps,
		SampleTime:     cfg.sample.String(),
	}
}

// archLevel returns the GOAMD64 or GOARM64 setting this binary was built
// with, such as "GOAMD64=v1", or "" when the build does not record one.
func archLevel() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, s := range info.Settings {
		if s.Key == "GOAMD64" || s.Key == "GOARM64" {
			return s.Key + "=" + s.Value
		}
	}
	return ""
}

// cpuName is the CPU's brand name with its core count.
func cpuName() string {
	c := cpuid.CPU
	name := strings.TrimSpace(c.BrandName)
	if name == "" {
		name = "unknown CPU"
	}
	if c.Family != 0 {
		name += fmt.Sprintf(" (family %d, model %d)", c.Family, c.Model)
	}
	if c.PhysicalCores > 0 {
		name += fmt.Sprintf(", %d cores", c.PhysicalCores)
	}
	if c.LogicalCores > 0 && c.LogicalCores != c.PhysicalCores {
		name += fmt.Sprintf(", %d threads", c.LogicalCores)
	}
	return name
}

// cacheSizes lists the data caches cpuid reports.
func cacheSizes() string {
	var parts []string
	for _, c := range []struct {
		name string
		size int
	}{{"L1d", cpuid.CPU.Cache.L1D}, {"L2", cpuid.CPU.Cache.L2}, {"L3", cpuid.CPU.Cache.L3}} {
		if c.size > 0 {
			parts = append(parts, c.name+" "+formatBytes(c.size))
		}
	}
	if len(parts) == 0 {
		return "unknown"
	}
	return strings.Join(parts, ", ")
}

// formatBytes writes n bytes in KiB or MiB when whole.
func formatBytes(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// writeHeader prints where the run happens.
func writeHeader(w io.Writer, r report) {
	level := ""
	if r.ArchLevel != "" {
		level = " " + r.ArchLevel
	}
	fmt.Fprintf(w, "adagrad kernels, %s %s/%s%s, GOMAXPROCS=%d\n", r.GoVersion, r.GOOS, r.GOARCH, level, r.GOMAXPROCS)
	fmt.Fprintf(w, "CPU: %s; %s; %s\n", r.CPU, strings.Join(r.CPUFeatures, " "), r.Caches)
	forced := "ADAGRAD_KERNEL unset"
	if r.ForcedKernel != "" {
		forced = "ADAGRAD_KERNEL=" + r.ForcedKernel
	}
	fmt.Fprintf(w, "selected path: %s (%s); available: %s; mem-ref in %s\n",
		r.Implementation, forced, joinNames(r.Paths), r.MemRef)
	fmt.Fprintf(w, "median of %d samples of at least %s each, per path and size\n", r.Reps, r.SampleTime)
}

package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

// report holds the fields of a report written by go run ./bench -json that
// the picture needs.
type report struct {
	GoVersion  string   `json:"go_version"`
	GOOS       string   `json:"goos"`
	GOARCH     string   `json:"goarch"`
	GOMAXPROCS int      `json:"gomaxprocs"`
	ArchLevel  string   `json:"arch_level"`
	CPU        string   `json:"cpu"`
	Results    []result `json:"results"`
}

// result is one path at one size and element type.
type result struct {
	Type      string  `json:"type"`
	N         int     `json:"n"`
	Path      string  `json:"path"`
	NsPerElem float64 `json:"ns_per_element"`
}

// usable reports whether r can be a point of a log-log plot.
func (r result) usable() bool {
	return r.Type != "" && r.Path != "" && r.N > 0 &&
		r.NsPerElem > 0 && !math.IsInf(r.NsPerElem, 0) && !math.IsNaN(r.NsPerElem)
}

// run is the command: it parses args, reads the report and writes the
// picture. It returns the exit code: 2 for bad flags or a bad report, 1 when
// the picture cannot be written.
func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("plot", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "the report written by go run ./bench -json (required)")
	out := fs.String("o", "speed.png", "the picture to write; its extension picks the format: "+strings.Join(formats, ", "))
	width := fs.Int("width", 1200, "the picture's width in pixels (at 96 per inch for vector formats)")
	height := fs.Int("height", 520, "the picture's height in pixels")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: go run ./bench/plot -from r.json [-o speed.png]\n\n"+
			"Draws a speed report as ns per element against n, log-log, one line per path.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "plot: unexpected arguments: %s\n", strings.Join(fs.Args(), " "))
		return 2
	}
	if *from == "" {
		fmt.Fprintln(stderr, "plot: -from is required: the report written by go run ./bench -json")
		return 2
	}
	if *width < 200 || *height < 150 {
		fmt.Fprintf(stderr, "plot: -width %d -height %d: want at least 200x150\n", *width, *height)
		return 2
	}
	format, err := formatOf(*out)
	if err != nil {
		fmt.Fprintf(stderr, "plot: -o: %v\n", err)
		return 2
	}
	rep, err := readReport(*from)
	if err != nil {
		fmt.Fprintf(stderr, "plot: %v\n", err)
		return 2
	}
	if skipped := len(rep.Results) - len(usableResults(rep.Results)); skipped > 0 {
		fmt.Fprintf(stderr, "plot: %s: left out %d results without a positive n and ns/element\n", *from, skipped)
	}
	if err := writePicture(rep, *out, format, *width, *height); err != nil {
		fmt.Fprintf(stderr, "plot: %v\n", err)
		return 1
	}
	return 0
}

// readReport reads and checks the report in the file name.
func readReport(name string) (report, error) {
	var rep report
	data, err := os.ReadFile(name)
	if err != nil {
		return rep, err
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		return rep, fmt.Errorf("%s: not a report written by go run ./bench -json: %v", name, err)
	}
	if len(rep.Results) == 0 {
		return rep, fmt.Errorf("%s: the report has no results", name)
	}
	if len(usableResults(rep.Results)) == 0 {
		return rep, fmt.Errorf("%s: no result has a positive n and ns/element", name)
	}
	return rep, nil
}

// usableResults returns the results that can be drawn.
func usableResults(rs []result) []result {
	var us []result
	for _, r := range rs {
		if r.usable() {
			us = append(us, r)
		}
	}
	return us
}

// formats are the extensions -o accepts.
var formats = []string{"png", "svg", "pdf", "jpg", "jpeg", "tif", "tiff", "eps"}

// formatOf returns the format the extension of name asks for.
func formatOf(name string) (string, error) {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(name), "."))
	for _, f := range formats {
		if ext == f {
			return f, nil
		}
	}
	if ext == "" {
		return "", errors.New(name + ": no extension; want one of " + strings.Join(formats, ", "))
	}
	return "", fmt.Errorf("%s: unknown format %q; want one of %s", name, ext, strings.Join(formats, ", "))
}

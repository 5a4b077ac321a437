package kernel

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The NEON path carries the vector instructions Go's arm64 assembler lacks
// as WORDs, each with the instruction it encodes beside it. These tests
// assemble kernel_arm64.s, rows_arm64.s and online_arm64.s for arm64 with the go command,
// whatever the host, and hold every WORD to its comment through go tool
// objdump's decoding.

const (
	neonFile     = "kernel_arm64.s"
	neonRowsFile = "rows_arm64.s"
	neonOnline   = "online_arm64.s"
	neonHalf     = "half_arm64.s"
)

// neonFiles are the generated files and the generator's arguments that
// write each.
var neonFiles = []struct {
	name string
	args []string
}{
	{neonFile, nil},
	{neonRowsFile, []string{"-rows"}},
	{neonOnline, []string{"-online"}},
	{neonHalf, []string{"-half"}},
}

// goTool returns the go command, or skips the test when there is none.
func goTool(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("the go command is not on PATH (%v): cannot assemble the NEON files for arm64", err)
	}
	return gobin
}

// runGo runs the go command with extra environment settings and returns
// its standard output.
func runGo(t *testing.T, gobin string, env []string, args ...string) []byte {
	t.Helper()
	return runGoIn(t, gobin, "", env, args...)
}

// runGoIn is runGo in directory dir.
func runGoIn(t *testing.T, gobin, dir string, env []string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(gobin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return out
}

// wordLine is a WORD directive of the source and the instruction its
// comment names.
type wordLine struct {
	line    int
	enc     uint32
	comment string
}

var (
	wordRE = regexp.MustCompile(`^\s*WORD\s+\$0x([0-9a-fA-F]{1,8})\s*//\s*(\S.*?)\s*$`)
	// objdump -gnu: file:line, address, encoding, Go syntax // GNU syntax.
	dumpRE = regexp.MustCompile(`^\s*(\S+):(\d+)\s+0x[0-9a-f]+\s+([0-9a-f]{8})\s+.*?//\s*(\S.*?)\s*$`)
)

// parseWords returns every WORD of an assembly source; a WORD without an
// instruction beside it is an error.
func parseWords(src []byte) ([]wordLine, error) {
	var ws []wordLine
	for i, l := range strings.Split(string(src), "\n") {
		code, _, _ := strings.Cut(l, "//")
		if !strings.Contains(code, "WORD") {
			continue
		}
		m := wordRE.FindStringSubmatch(l)
		if m == nil {
			return nil, fmt.Errorf("line %d: WORD without the instruction it encodes beside it: %q", i+1, l)
		}
		enc, err := strconv.ParseUint(m[1], 16, 32)
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", i+1, err)
		}
		ws = append(ws, wordLine{line: i + 1, enc: uint32(enc), comment: m[2]})
	}
	return ws, nil
}

// decoded is one instruction of go tool objdump's listing.
type decoded struct {
	enc uint32
	gnu string
}

// parseDump returns the instructions objdump lists for file, by source
// line. Each WORD is a line of its own, so a line holds one instruction.
func parseDump(dump []byte, file string) map[int][]decoded {
	out := make(map[int][]decoded)
	for _, l := range strings.Split(string(dump), "\n") {
		m := dumpRE.FindStringSubmatch(l)
		if m == nil || filepath.Base(m[1]) != file {
			continue
		}
		line, _ := strconv.Atoi(m[2])
		enc, _ := strconv.ParseUint(m[3], 16, 32)
		out[line] = append(out[line], decoded{uint32(enc), m[4]})
	}
	return out
}

// normInsn puts an instruction in one spelling: lower case, single spaces.
func normInsn(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// wordMismatches holds every WORD to the instruction objdump decodes at
// its line and returns what disagrees.
func wordMismatches(ws []wordLine, dump map[int][]decoded) []string {
	var bad []string
	for _, w := range ws {
		ds := dump[w.line]
		switch {
		case len(ds) != 1:
			bad = append(bad, fmt.Sprintf("line %d: objdump lists %d instructions for WORD $0x%08x", w.line, len(ds), w.enc))
		case ds[0].enc != w.enc:
			bad = append(bad, fmt.Sprintf("line %d: WORD $0x%08x assembled as %08x", w.line, w.enc, ds[0].enc))
		case normInsn(ds[0].gnu) != normInsn(w.comment):
			bad = append(bad, fmt.Sprintf("line %d: WORD $0x%08x decodes to %q, the comment says %q", w.line, w.enc, ds[0].gnu, w.comment))
		}
	}
	return bad
}

// assembleNEON builds the package for linux/arm64 with the go command,
// which writes go_asm.h (the offsets the files include) and assembles
// file (one of the generated files), and returns go tool objdump
// -gnu's listing of file's object, taken out of the package archive.
func assembleNEON(t *testing.T, gobin, file string) []byte {
	t.Helper()
	dir := t.TempDir()
	archive := filepath.Join(dir, "kernel.a")
	env := []string{"GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0", "GOFLAGS="}
	runGo(t, gobin, env, "build", "-o", archive, ".")
	obj := strings.TrimSuffix(file, ".s") + ".o"
	runGoIn(t, gobin, dir, env, "tool", "pack", "x", archive, obj)
	return runGo(t, gobin, env, "tool", "objdump", "-gnu", filepath.Join(dir, obj))
}

// TestNEONWords assembles the generated files and checks
// that every WORD decodes to the instruction its comment names, and that
// the WORDs cover every vector instruction each file needs.
func TestNEONWords(t *testing.T) {
	gobin := goTool(t)
	// The instructions each file needs as WORDs: the dense step in both
	// precisions, the row kernels on float32 lanes.
	needs := map[string][]string{
		neonFile:     {"fadd.4s", "fsub.4s", "fmul.4s", "fdiv.4s", "fsqrt.4s", "fadd.2d", "fsub.2d", "fmul.2d", "fdiv.2d", "fsqrt.2d"},
		neonRowsFile: {"fadd.4s", "fsub.4s", "fmul.4s", "fdiv.4s", "fsqrt.4s"},
		neonOnline:   {"fadd.4s", "fsub.4s", "fmul.4s", "fdiv.4s", "fsqrt.4s", "fmax.4s", "fcmgt.4s"},
		neonHalf: {"fadd.4s", "fsub.4s", "fmul.4s", "fdiv.4s", "fsqrt.4s", "fcmgt.4s", "fcmeq.4s", "fcvtzs.4s", "scvtf.4s",
			"mul.4s", "fcvtl.4s", "fcvtl2.4s", "fcvtn.4h", "fcvtn2.8h"},
	}
	for _, f := range neonFiles {
		t.Run(f.name, func(t *testing.T) {
			src, err := os.ReadFile(f.name)
			if err != nil {
				t.Fatal(err)
			}
			ws, err := parseWords(src)
			if err != nil {
				t.Fatal(err)
			}
			dump := parseDump(assembleNEON(t, gobin, f.name), f.name)
			if len(dump) == 0 {
				t.Fatalf("objdump listed no instruction of %s", f.name)
			}
			for _, b := range wordMismatches(ws, dump) {
				t.Error(b)
			}

			seen := make(map[string]int)
			for _, w := range ws {
				f := strings.Fields(normInsn(w.comment))
				arr := f[1][strings.LastIndex(f[1], ".")+1:]
				arr = strings.TrimSuffix(arr, ",")
				seen[f[0]+"."+arr]++
			}
			for _, need := range needs[f.name] {
				if seen[need] == 0 {
					t.Errorf("no WORD encodes %s", need)
				}
			}
			t.Logf("%d WORDs checked: %v", len(ws), seen)

			// The check itself must catch a wrong comment: another
			// precision, or another destination register.
			if len(ws) == 0 {
				t.Fatalf("no WORD in %s", f.name)
			}
			w := ws[0]
			op, rest, _ := strings.Cut(w.comment, " V")
			d, rest, _ := strings.Cut(rest, ".")
			n, _ := strconv.Atoi(d)
			for _, wrong := range []string{
				strings.NewReplacer(".4S", ".2D", ".2D", ".4S").Replace(w.comment),
				fmt.Sprintf("%s V%d.%s", op, (n+1)%32, rest),
			} {
				mut := w
				mut.comment = wrong
				if len(wordMismatches([]wordLine{mut}, dump)) == 0 {
					t.Errorf("line %d: the check accepted %q for %q", w.line, wrong, w.comment)
				}
			}
		})
	}
}

// TestNEONGenerated checks that the generated files are what their
// generator writes, so that the table in kernel/_gen is the
// one place the encodings come from.
func TestNEONGenerated(t *testing.T) {
	gobin := goTool(t)
	// Build and run the generator for the host, whatever this test
	// binary was built for.
	host := strings.Fields(string(runGo(t, gobin, nil, "env", "GOHOSTOS", "GOHOSTARCH")))
	if len(host) != 2 {
		t.Fatalf("go env GOHOSTOS GOHOSTARCH: %q", host)
	}
	for _, f := range neonFiles {
		want, err := os.ReadFile(f.name)
		if err != nil {
			t.Fatal(err)
		}
		args := append([]string{"run", "./_gen"}, f.args...)
		got := runGo(t, gobin, []string{"GOOS=" + host[0], "GOARCH=" + host[1]}, args...)
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the output of go %s: regenerate it with go generate ./...", f.name, strings.Join(args, " "))
		}
	}
}

func TestParseWordsRejectsBareWord(t *testing.T) {
	for _, src := range []string{
		"\tWORD $0x4e20d400\n",
		"\tWORD $0x4e20d400 //\n",
		"\tWORD $(0x4e20d400|1)\n",
	} {
		if _, err := parseWords([]byte(src)); err == nil {
			t.Errorf("parseWords(%q) accepted a WORD without its instruction", src)
		}
	}
	ws, err := parseWords([]byte("\tWORD $0x6ea1f98c // FSQRT V12.4S, V12.4S\n\t// WORD in a comment\n"))
	if err != nil || len(ws) != 1 || ws[0].enc != 0x6ea1f98c || ws[0].comment != "FSQRT V12.4S, V12.4S" || ws[0].line != 1 {
		t.Errorf("parseWords = %+v, %v", ws, err)
	}
}

// neonLoop is a main loop of a generated file: its label, the lanes of
// its floating-point instructions, and the count of each instruction of
// loopOps per iteration.
type neonLoop struct {
	label, arr string
	elems      int            // elements per iteration
	want       map[string]int // per iteration; absent ops: none
	count      int            // elements counted by each SUBS, when not elems
}

// loopOps are the instructions TestNEONMainLoop counts.
var loopOps = []string{"fadd", "fsub", "fmul", "fdiv", "fsqrt", "fmla", "fmax", "fcmgt", "fcmeq",
	"fcvtl", "fcvtl2", "fcvtn", "fcvtn2", "fcvtzs", "scvtf", "mul"}

// halfLoops are the main loops of half_arm64.s, given the instructions of
// the step on two registers (step): the loop of each element-wise kernel
// and rounding (labels loop, then b or f for the format, s or n for the
// rounding), and the two passes of row-wise ones (p1, p2, then rb or rf,
// s or n), 8 elements per SUBS.
func halfLoops(step map[string]int) []neonLoop {
	with := func(m map[string]int, more ...map[string]int) map[string]int {
		out := map[string]int{}
		for _, x := range append([]map[string]int{m}, more...) {
			for k, v := range x {
				out[k] += v
			}
		}
		return out
	}
	var (
		hash     = map[string]int{"mul": 4}
		widenF16 = map[string]int{"fcvtl": 1, "fcvtl2": 1}
		roundBF  = map[string]int{"fcmeq": 2}
		nearestF = map[string]int{"fcvtn": 1, "fcvtn2": 1}
		// per register: 2^-14 > a, a*2^24, y-n, bits*2^-24, frac >
		// bits, trunc(y), float32(n), float32(bits); then FCVTN's
		// NaNs.
		stochF = map[string]int{"fcmgt": 4, "fmul": 4, "fsub": 2, "fcvtzs": 2, "scvtf": 4, "fcvtn": 1, "fcvtn2": 1, "fcmeq": 2}
		// pass 2: the gradient (fmla for weight decay), step*g, p - g
		pass2 = map[string]int{"fmla": 2, "fmul": 2, "fsub": 2}
	)
	return []neonLoop{
		{"loopbs", ".4s", 8, with(step, hash, roundBF), 0},
		{"loopbn", ".4s", 8, with(step, roundBF), 0},
		{"loopfs", ".4s", 8, with(step, widenF16, hash, stochF), 0},
		{"loopfn", ".4s", 8, with(step, widenF16, nearestF), 0},
		{"p1rbs", ".4s", 16, map[string]int{"fmla": 8}, 8},
		{"p1rfn", ".4s", 16, with(map[string]int{"fmla": 8}, widenF16, widenF16), 8},
		{"p2rbs", ".4s", 8, with(pass2, hash, roundBF), 0},
		{"p2rbn", ".4s", 8, with(pass2, roundBF), 0},
		{"p2rfs", ".4s", 8, with(pass2, widenF16, hash, stochF), 0},
		{"p2rfn", ".4s", 8, with(pass2, widenF16, nearestF), 0},
	}
}

// TestNEONMainLoop checks the shape of the main loops in the assembled
// code: no scalar floating-point instruction, every vector floating-point
// instruction on full registers of the function's lanes, and the expected
// count of each arithmetic instruction per iteration: for the dense step
// (and its row kernel) one FDIV, FSQRT, FSUB and FMUL and two FADD and two
// FMLA per register of elements. It logs the loops' instructions per
// element.
func TestNEONMainLoop(t *testing.T) {
	gobin := goTool(t)
	step := regexp.MustCompile(`^subs x[0-9]+, x[0-9]+, #(0x[0-9a-f]+|[0-9]+)$`)
	scalarFP := regexp.MustCompile(`^f[a-z]+ [hsd][0-9]+`)
	stepOps := func(vectors int) map[string]int {
		return map[string]int{"fadd": 2 * vectors, "fdiv": vectors, "fsqrt": vectors, "fsub": vectors, "fmul": vectors, "fmla": 2 * vectors}
	}
	loops := map[string][]neonLoop{
		neonFile: {
			{"loop32", ".4s", 16, stepOps(4), 0},
			{"loop64", ".2d", 8, stepOps(4), 0},
		},
		neonRowsFile: {
			// stepRows32Asm: the dense step on each row.
			{"loope", ".4s", 16, stepOps(4), 0},
			// rowwiseRows32Asm: the gradient (fmla for weight decay)
			// and its square, then the gradient again and the update.
			{"rloop1", ".4s", 16, map[string]int{"fmla": 8}, 0},
			{"rloop2", ".4s", 16, map[string]int{"fmla": 4, "fmul": 4, "fsub": 4}, 0},
			// sumRows32Asm: one further row of 16 columns added.
			{"sadd16", ".4s", 16, map[string]int{"fadd": 4}, 0},
		},
		neonOnline: {
			// proximalRows32Asm, per register: s = fma(g, g, s), eta,
			// eta*g, v, eta*l1, m, max, eta*l2 + 1 and the quotient.
			{"loopp", ".4s", 16, map[string]int{"fmla": 4, "fsqrt": 4, "fdiv": 8, "fmul": 12, "fsub": 8, "fmax": 4, "fadd": 4}, 0},
			// ftrlRows32Asm, per register: gs, sNew, r, sqrt(s),
			// sigma*p, lin, quad, the comparison and the quotient.
			{"loopf", ".4s", 16, map[string]int{"fmul": 8, "fadd": 12, "fmla": 4, "fsqrt": 8, "fsub": 12, "fdiv": 12, "fcmgt": 4}, 0},
		},
		neonHalf: halfLoops(stepOps(2)),
	}
	for _, f := range neonFiles {
		if loops[f.name] == nil {
			t.Fatalf("no loops listed for %s", f.name)
		}
		src, err := os.ReadFile(f.name)
		if err != nil {
			t.Fatal(err)
		}
		dump := parseDump(assembleNEON(t, gobin, f.name), f.name)
		lines := strings.Split(string(src), "\n")
		for _, c := range loops[f.name] {
			// The loop runs from its label to the last branch back to it.
			back := regexp.MustCompile(`^B[A-Z]*\s+` + c.label + `$`)
			start, end := 0, 0
			for i, l := range lines {
				switch {
				case strings.TrimSpace(l) == c.label+":":
					start = i + 1
				case start != 0 && back.MatchString(strings.TrimSpace(l)):
					end = i + 1
				}
			}
			if start == 0 || end <= start {
				t.Fatalf("%s: no loop from label %s back to it", f.name, c.label)
			}
			var insns []string
			for line := start + 1; line <= end; line++ {
				for _, d := range dump[line] {
					insns = append(insns, normInsn(d.gnu))
				}
			}
			count := map[string]int{}
			for _, in := range insns {
				op, _, _ := strings.Cut(in, " ")
				count[op]++
				if m := step.FindStringSubmatch(in); m != nil {
					n, err := strconv.ParseInt(m[1], 0, 64)
					if err != nil {
						t.Fatal(err)
					}
					want := c.elems
					if c.count != 0 {
						want = c.count
					}
					if int(n) != want {
						t.Errorf("%s: %s counts %d elements, want %d", c.label, in, n, want)
					}
				}
				if scalarFP.MatchString(in) {
					t.Errorf("%s: scalar instruction in the main loop: %s", c.label, in)
				}
				if strings.HasPrefix(op, "f") && !strings.Contains(in, c.arr) {
					t.Errorf("%s: floating-point instruction not on %s lanes: %s", c.label, c.arr, in)
				}
			}
			for _, op := range loopOps {
				if count[op] != c.want[op] {
					t.Errorf("%s: %d %s per iteration of %d elements, want %d", c.label, count[op], op, c.elems, c.want[op])
				}
			}
			t.Logf("%s %s: %d instructions for %d elements: %.3f per element", f.name, c.label, len(insns), c.elems, float64(len(insns))/float64(c.elems))
		}
	}
}

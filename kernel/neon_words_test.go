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
// assemble kernel_arm64.s for arm64 with the go tool, whatever the host,
// and hold every WORD to its comment through go tool objdump's decoding.

const neonFile = "kernel_arm64.s"

// goTool returns the go command, or skips the test when there is none.
func goTool(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("the go command is not on PATH (%v): cannot assemble %s for arm64", err, neonFile)
	}
	return gobin
}

// runGo runs the go command with extra environment settings and returns
// its standard output.
func runGo(t *testing.T, gobin string, env []string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(gobin, args...)
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

// assembleNEON assembles kernel_arm64.s for linux/arm64 and returns go
// tool objdump -gnu's listing of the object.
func assembleNEON(t *testing.T, gobin string) []byte {
	t.Helper()
	goroot := strings.TrimSpace(string(runGo(t, gobin, nil, "env", "GOROOT")))
	obj := filepath.Join(t.TempDir(), "kernel_arm64.o")
	env := []string{"GOOS=linux", "GOARCH=arm64"}
	runGo(t, gobin, env, "tool", "asm",
		"-p", "github.com/adagrad-go/adagrad/kernel",
		"-I", filepath.Join(goroot, "pkg", "include"),
		"-D", "GOOS_linux", "-D", "GOARCH_arm64",
		"-o", obj, neonFile)
	return runGo(t, gobin, env, "tool", "objdump", "-gnu", obj)
}

// TestNEONWords assembles kernel_arm64.s and checks that every WORD
// decodes to the instruction its comment names, and that the WORDs cover
// every vector instruction the path needs in both precisions.
func TestNEONWords(t *testing.T) {
	gobin := goTool(t)
	src, err := os.ReadFile(neonFile)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := parseWords(src)
	if err != nil {
		t.Fatal(err)
	}
	dump := parseDump(assembleNEON(t, gobin), neonFile)
	if len(dump) == 0 {
		t.Fatalf("objdump listed no instruction of %s", neonFile)
	}
	for _, b := range wordMismatches(ws, dump) {
		t.Error(b)
	}

	// The path needs each of these, in both precisions, as WORDs.
	seen := make(map[string]int)
	for _, w := range ws {
		f := strings.Fields(normInsn(w.comment))
		arr := f[1][strings.LastIndex(f[1], ".")+1:]
		arr = strings.TrimSuffix(arr, ",")
		seen[f[0]+"."+arr]++
	}
	for _, op := range []string{"fadd", "fsub", "fmul", "fdiv", "fsqrt"} {
		for _, arr := range []string{"4s", "2d"} {
			if seen[op+"."+arr] == 0 {
				t.Errorf("no WORD encodes %s on .%s lanes", op, arr)
			}
		}
	}
	t.Logf("%d WORDs checked: %v", len(ws), seen)

	// The check itself must catch a wrong comment: another precision, or
	// another destination register.
	if len(ws) > 0 {
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
	}
}

// TestNEONGenerated checks that kernel_arm64.s is what its generator
// writes, so that the table in kernel/internal/neonenc is the one place
// the encodings come from.
func TestNEONGenerated(t *testing.T) {
	gobin := goTool(t)
	want, err := os.ReadFile(neonFile)
	if err != nil {
		t.Fatal(err)
	}
	// Build and run the generator for the host, whatever this test
	// binary was built for.
	host := strings.Fields(string(runGo(t, gobin, nil, "env", "GOHOSTOS", "GOHOSTARCH")))
	if len(host) != 2 {
		t.Fatalf("go env GOHOSTOS GOHOSTARCH: %q", host)
	}
	got := runGo(t, gobin, []string{"GOOS=" + host[0], "GOARCH=" + host[1]}, "run", "./internal/neonenc")
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output of go run ./internal/neonenc: regenerate it with GOARCH=arm64 go generate ./kernel", neonFile)
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

// TestNEONMainLoop checks the shape of each function's main loop in the
// assembled code: no scalar floating-point instruction, every vector
// floating-point instruction on full registers of the function's lanes, and
// exactly one FDIV and one FSQRT per register of elements the loop consumes.
// It logs the loop's instructions per element.
func TestNEONMainLoop(t *testing.T) {
	gobin := goTool(t)
	src, err := os.ReadFile(neonFile)
	if err != nil {
		t.Fatal(err)
	}
	dump := parseDump(assembleNEON(t, gobin), neonFile)
	lines := strings.Split(string(src), "\n")
	scalarFP := regexp.MustCompile(`^f[a-z]+ [hsd][0-9]+`)
	step := regexp.MustCompile(`^subs x3, x3, #(0x[0-9a-f]+|[0-9]+)$`)
	for _, c := range []struct {
		label, arr string
		lanes      int
	}{{"loop32", ".4s", 4}, {"loop64", ".2d", 2}} {
		start, end := 0, 0
		for i, l := range lines {
			switch strings.TrimSpace(l) {
			case c.label + ":":
				start = i + 1
			case "BGE " + c.label:
				end = i + 1
			}
		}
		if start == 0 || end <= start {
			t.Fatalf("%s: no loop from label %s to BGE %s", neonFile, c.label, c.label)
		}
		var insns []string
		for line := start + 1; line <= end; line++ {
			for _, d := range dump[line] {
				insns = append(insns, normInsn(d.gnu))
			}
		}
		elems, count := 0, map[string]int{}
		for _, in := range insns {
			op, _, _ := strings.Cut(in, " ")
			count[op]++
			if m := step.FindStringSubmatch(in); m != nil {
				n, err := strconv.ParseInt(m[1], 0, 64)
				if err != nil {
					t.Fatal(err)
				}
				elems = int(n)
			}
			if scalarFP.MatchString(in) {
				t.Errorf("%s: scalar instruction in the main loop: %s", c.label, in)
			}
			if strings.HasPrefix(op, "f") && !strings.Contains(in, c.arr) {
				t.Errorf("%s: floating-point instruction not on %s lanes: %s", c.label, c.arr, in)
			}
		}
		if elems == 0 || elems%c.lanes != 0 {
			t.Fatalf("%s: cannot tell the elements per iteration (subs x3 ...) from %q", c.label, insns)
		}
		vectors := elems / c.lanes
		for _, op := range []string{"fdiv", "fsqrt", "fsub", "fmul"} {
			if count[op] != vectors {
				t.Errorf("%s: %d %s for %d registers of elements", c.label, count[op], op, vectors)
			}
		}
		if count["fmla"] != 2*vectors {
			t.Errorf("%s: %d fmla for %d registers of elements, want 2 each", c.label, count["fmla"], vectors)
		}
		t.Logf("%s: %d instructions for %d elements: %.3f per element", c.label, len(insns), elems, float64(len(insns))/float64(elems))
	}
}

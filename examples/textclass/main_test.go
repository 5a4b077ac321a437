package main

import (
	"bytes"
	"errors"
	"flag"
	"math"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/adagrad-go/adagrad/sparse"
)

func runOut(t *testing.T, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	if err := run(args, &out); err != nil {
		t.Fatalf("run(%q): %v\n%s", args, err, out.String())
	}
	return out.String()
}

func floats(t *testing.T, re *regexp.Regexp, s string, group int) []float64 {
	t.Helper()
	var fs []float64
	for _, m := range re.FindAllStringSubmatch(s, -1) {
		f, err := strconv.ParseFloat(m[group], 64)
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, f)
	}
	return fs
}

func falling(xs []float64) bool {
	for i := 1; i < len(xs); i++ {
		if !(xs[i] < xs[i-1]) {
			return false
		}
	}
	return len(xs) > 1
}

var (
	epochRe    = regexp.MustCompile(`(?m)^Epoch (\d+)/(\d+), Loss: ([0-9.]+)$`)
	sentenceRe = regexp.MustCompile(`(?m)^  "([^"]+)" +p\(positive\) = ([0-9.]+)  (right|WRONG)$`)
	passRe     = regexp.MustCompile(`(?m)^pass \d+: mean loss ([0-9.]+) \(dense: ([0-9.]+)\)$`)
	accRe      = regexp.MustCompile(`(?m)^held-out accuracy: ([0-9.]+)%$`)
	timeRe     = regexp.MustCompile(`(?m)^embedding update, median of (\d+) steps: sparse ([0-9.]+) µs, dense ([0-9.]+) µs: dense/sparse = ([0-9.]+)x \(totals \S+ and \S+\)$`)
)

// The four sentences: the loss falls and each is classified right, with a
// probability on the right side of one half.
func TestFourSentences(t *testing.T) {
	for _, seed := range []string{"1", "2", "3"} {
		out := runOut(t, "-synthetic=false", "-seed", seed)
		losses := floats(t, epochRe, out, 3)
		if len(losses) != 6 || !falling(losses) {
			t.Errorf("seed %s: losses %v, want 6 falling:\n%s", seed, losses, out)
		}
		ms := sentenceRe.FindAllStringSubmatch(out, -1)
		if len(ms) != len(examples) {
			t.Fatalf("seed %s: %d sentence lines:\n%s", seed, len(ms), out)
		}
		for i, m := range ms {
			p, _ := strconv.ParseFloat(m[2], 64)
			e := examples[i]
			if m[1] != e.text || m[3] != "right" || (p > 0.5) != (e.label == 1) {
				t.Errorf("seed %s: %q with label %v: p = %v, %s", seed, m[1], e.label, p, m[3])
			}
		}
		if !strings.Contains(out, "all four classified right after epoch") {
			t.Errorf("seed %s: not all right:\n%s", seed, out)
		}
		if strings.Contains(out, "synthetic") {
			t.Errorf("seed %s: -synthetic=false ran the synthetic task", seed)
		}
	}
}

// A small synthetic task: the loss falls pass after pass, the held-out
// sentences are mostly right, the two embeddings end equal and both
// updates are timed.
func TestSynthetic(t *testing.T) {
	out := runOut(t, "-epochs", "5", "-vocab", "3000", "-sentences", "800", "-passes", "3")
	sp, dn := floats(t, passRe, out, 1), floats(t, passRe, out, 2)
	if len(sp) != 3 || !falling(sp) {
		t.Errorf("pass losses %v, want 3 falling:\n%s", sp, out)
	}
	for i := range sp {
		if sp[i] != dn[i] {
			t.Errorf("pass %d: sparse loss %v, dense %v", i+1, sp[i], dn[i])
		}
	}
	if acc := floats(t, accRe, out, 1); len(acc) != 1 || acc[0] < 60 {
		t.Errorf("held-out accuracy %v:\n%s", acc, out)
	}
	m := timeRe.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no timing line:\n%s", out)
	}
	// 720 training sentences in batches of 32: 23 steps a pass.
	if m[1] != "69" {
		t.Errorf("%s steps, want 69", m[1])
	}
	for _, s := range m[2:] {
		if f, _ := strconv.ParseFloat(s, 64); !(f > 0) {
			t.Errorf("timing %q in %q", s, m[0])
		}
	}
	if !strings.Contains(out, "equal, bit for bit") {
		t.Errorf("no equality line:\n%s", out)
	}
}

// lossGrad's gradients against finite differences of its loss.
func TestGradient(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	m, err := newModel(12, 4, 0.1, r, sparse.Storage{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.opt.Close()
	// Bags [1 5 5 2], [7], [], [3 1]: a repeated index, an empty bag.
	indices := []int64{1, 5, 5, 2, 7, 3, 1}
	offsets := []int64{0, 4, 5, 5}
	labels := []float32{1, 0, 1, 0}
	loss := func() float64 {
		l, err := m.lossGrad(indices, offsets, labels)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	loss()
	dim := m.emb.Dim()
	// The table's gradient: the rows of an index's occurrences summed.
	gTable := make([]float64, m.emb.Rows()*dim)
	for i, idx := range indices {
		for j := 0; j < dim; j++ {
			gTable[int(idx)*dim+j] += float64(m.grads[i*dim+j])
		}
	}
	gw := append([]float32(nil), m.w.Grad...)
	gb := m.b.Grad[0]
	numeric := func(v *float32) float64 {
		old := *v
		const h = 1e-2
		*v = old + h
		up := loss()
		*v = old - h
		down := loss()
		*v = old
		return (up - down) / (2 * h)
	}
	near := func(got, want float64) bool { return math.Abs(got-want) <= 1e-3+1e-2*math.Abs(want) }
	weights := m.emb.Weights()
	for _, k := range []int{1*dim + 0, 5*dim + 3, 2*dim + 1, 7*dim + 2, 3*dim + 3, 0*dim + 1, 11*dim + 2} {
		if n := numeric(&weights[k]); !near(gTable[k], n) {
			t.Errorf("embedding element %d: gradient %v, finite difference %v", k, gTable[k], n)
		}
	}
	for j := range gw {
		if n := numeric(&m.w.Value[j]); !near(float64(gw[j]), n) {
			t.Errorf("fc.weight[%d]: gradient %v, finite difference %v", j, gw[j], n)
		}
	}
	if n := numeric(&m.b.Value[0]); !near(float64(gb), n) {
		t.Errorf("fc.bias: gradient %v, finite difference %v", gb, n)
	}
}

// The sparse step leaves the rows of words not in the batch as they were,
// and the dense update, equal on the touched rows, does too.
func TestUntouchedRows(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	m, err := newModel(50, 8, 0.1, r, sparse.Storage{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.opt.Close()
	before := append([]float32(nil), m.emb.Weights()...)
	indices := []int64{3, 9, 9, 40}
	if _, err := m.lossGrad(indices, []int64{0, 2}, []float32{1, 0}); err != nil {
		t.Fatal(err)
	}
	d := &dense{grad: make([]float32, 50*8), sum: make([]float32, 50*8)}
	d.o.LR, d.o.Eps = 0.1, m.emb.Options().Eps
	dw := append([]float32(nil), before...)
	d.step(dw, 8, indices, m.grads)
	if err := m.step(indices); err != nil {
		t.Fatal(err)
	}
	after := m.emb.Weights()
	for row := 0; row < 50; row++ {
		touched := row == 3 || row == 9 || row == 40
		for j := row * 8; j < (row+1)*8; j++ {
			if changed := after[j] != before[j]; changed != touched {
				t.Errorf("row %d (touched: %v): %v -> %v", row, touched, before[j], after[j])
			}
		}
	}
	if !equalBits(after, dw) || !equalBits(m.emb.State(), d.sum) {
		t.Error("the dense update differs from the sparse one")
	}
}

// The synthetic corpus: sizes, labels of both kinds, a skewed frequency.
func TestCorpus(t *testing.T) {
	c := makeCorpus(rand.New(rand.NewPCG(9, 9)), 2000, 100000, 1.1)
	if len(c.sentences) != 2000 || len(c.labels) != 2000 {
		t.Fatalf("%d sentences, %d labels", len(c.sentences), len(c.labels))
	}
	count := map[int64]int{}
	pos := 0
	for i, s := range c.sentences {
		if len(s) < 8 || len(s) > 20 {
			t.Fatalf("sentence %d has %d words", i, len(s))
		}
		for _, w := range s {
			if w < 0 || w >= 100000 {
				t.Fatalf("word %d", w)
			}
			count[w]++
		}
		pos += int(c.labels[i])
	}
	if pos < 600 || pos > 1400 {
		t.Errorf("%d positive sentences of 2000", pos)
	}
	total := 0
	for _, n := range count {
		total += n
	}
	// Zipf: the most frequent word is far more frequent than the 100th,
	// and thousands of words occur at all.
	if count[0] < 10*count[99] || count[0] < total/20 || len(count) < 2000 {
		t.Errorf("word 0: %d, word 99: %d, %d distinct of %d", count[0], count[99], len(count), total)
	}
}

func TestFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-dim", "0"}, {"-epochs", "0"}, {"-vocab", "10"}, {"-sentences", "5"}, {"-zipf", "1"},
		{"-batch", "0"}, {"-lr", "-1"}, {"extra"}, {"-nosuch"},
	} {
		var out bytes.Buffer
		if err := run(args, &out); err == nil {
			t.Errorf("run(%q) succeeded:\n%s", args, out.String())
		}
	}
	var out bytes.Buffer
	err := run([]string{"-h"}, &out)
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out.String(), "-vocab") {
		t.Errorf("-h: %v\n%s", err, out.String())
	}
}

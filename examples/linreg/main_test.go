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
)

type result struct {
	start, end [2]float64 // w, b
	losses     []float64
	converged  int // epoch, 0 if not printed
	out        string
}

var (
	startRe = regexp.MustCompile(`start w = (-?[0-9.]+), b = (-?[0-9.]+)`)
	lossRe  = regexp.MustCompile(`(?m)^Epoch \[(\d+)/(\d+)\], Loss: ([0-9.]+)$`)
	endRe   = regexp.MustCompile(`(?m)^learned w = (-?[0-9.]+), b = (-?[0-9.]+) \(truth: w = 2, b = 3\)$`)
	convRe  = regexp.MustCompile(`(?m)^within 0.05 of the truth from epoch (\d+) on$`)
)

func atof(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func runParse(t *testing.T, args ...string) result {
	t.Helper()
	var out bytes.Buffer
	if err := run(args, &out); err != nil {
		t.Fatalf("run(%q): %v", args, err)
	}
	r := result{out: out.String()}
	m := startRe.FindStringSubmatch(r.out)
	e := endRe.FindStringSubmatch(r.out)
	if m == nil || e == nil {
		t.Fatalf("run(%q): no start or end line in\n%s", args, r.out)
	}
	r.start = [2]float64{atof(t, m[1]), atof(t, m[2])}
	r.end = [2]float64{atof(t, e[1]), atof(t, e[2])}
	for _, l := range lossRe.FindAllStringSubmatch(r.out, -1) {
		r.losses = append(r.losses, atof(t, l[3]))
	}
	if c := convRe.FindStringSubmatch(r.out); c != nil {
		r.converged = int(atof(t, c[1]))
	}
	return r
}

// The article's settings: the loss falls at every report, w and b move
// towards the truth, and (as in PyTorch) they are not there after 100
// epochs, which the program says.
func TestArticleSettings(t *testing.T) {
	for _, seed := range []string{"1", "2", "3"} {
		r := runParse(t, "-seed", seed)
		if len(r.losses) != 5 {
			t.Fatalf("seed %s: %d loss lines, want 5 (every 20 of 100 epochs):\n%s", seed, len(r.losses), r.out)
		}
		for i := 1; i < len(r.losses); i++ {
			if !(r.losses[i] < r.losses[i-1]) {
				t.Errorf("seed %s: loss did not fall: %v", seed, r.losses)
			}
		}
		for i, truth := range []float64{2, 3} {
			if !(math.Abs(r.end[i]-truth) < math.Abs(r.start[i]-truth)) {
				t.Errorf("seed %s: parameter %d went from %v to %v, not towards %v", seed, i, r.start[i], r.end[i], truth)
			}
		}
		if r.converged != 0 || !strings.Contains(r.out, "not within 0.05 of the truth yet") {
			t.Errorf("seed %s: 100 epochs at lr 0.1 should stop short of the truth:\n%s", seed, r.out)
		}
	}
}

// leastSquares returns the exact least-squares line through the points.
func leastSquares(xs, ys []float32) (w, b float64) {
	var sx, sy, sxx, sxy float64
	for i := range xs {
		x, y := float64(xs[i]), float64(ys[i])
		sx += x
		sy += y
		sxx += x * x
		sxy += x * y
	}
	n := float64(len(xs))
	w = (n*sxy - sx*sy) / (n*sxx - sx*sx)
	return w, (sy - w*sx) / n
}

// With a larger learning rate it converges, and to the least-squares fit of
// the data it generated.
func TestConverges(t *testing.T) {
	r := runParse(t, "-lr", "1", "-epochs", "300", "-every", "50")
	if r.converged == 0 || r.converged > 100 {
		t.Fatalf("lr 1 did not get within 0.05 of the truth within 100 epochs:\n%s", r.out)
	}
	xs, ys := data(rand.New(rand.NewPCG(1, 0x6c696e726567)), 100)
	w, b := leastSquares(xs, ys)
	if math.Abs(w-2) > 0.01 || math.Abs(b-3) > 0.05 {
		t.Fatalf("least squares w = %v, b = %v: the data are not y = 2x + 3 + small noise", w, b)
	}
	if math.Abs(r.end[0]-w) > 2e-4 || math.Abs(r.end[1]-b) > 2e-4 {
		t.Errorf("learned w = %v, b = %v; least squares w = %v, b = %v", r.end[0], r.end[1], w, b)
	}
	if len(r.losses) != 6 {
		t.Errorf("%d loss lines, want 6", len(r.losses))
	}
}

// The gradient mse computes against a central difference of the loss.
func TestGradient(t *testing.T) {
	xs, ys := data(rand.New(rand.NewPCG(7, 0)), 100)
	for _, p := range [][2]float32{{0.5, -1}, {2.2, 2.5}, {-1, 0.3}} {
		gw, gb := []float32{0}, []float32{0}
		mse(xs, ys, p[0], p[1], gw, gb)
		loss := func(w, b float64) float64 {
			s := 0.0
			for i := range xs {
				e := w*float64(xs[i]) + b - float64(ys[i])
				s += e * e
			}
			return s / float64(len(xs))
		}
		const h = 1e-4
		w, b := float64(p[0]), float64(p[1])
		nw := (loss(w+h, b) - loss(w-h, b)) / (2 * h)
		nb := (loss(w, b+h) - loss(w, b-h)) / (2 * h)
		if math.Abs(float64(gw[0])-nw) > 1e-3*math.Max(1, math.Abs(nw)) ||
			math.Abs(float64(gb[0])-nb) > 1e-3*math.Max(1, math.Abs(nb)) {
			t.Errorf("at %v: gradient (%v, %v), numeric (%v, %v)", p, gw[0], gb[0], nw, nb)
		}
	}
}

func TestFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-epochs", "0"}, {"-n", "1"}, {"-lr", "-1"}, {"-lr", "x"}, {"extra"}, {"-nosuch"},
	} {
		var out bytes.Buffer
		if err := run(args, &out); err == nil {
			t.Errorf("run(%q) succeeded:\n%s", args, out.String())
		}
	}
	var out bytes.Buffer
	err := run([]string{"-h"}, &out)
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out.String(), "-lr 1") {
		t.Errorf("-h: %v\n%s", err, out.String())
	}
}

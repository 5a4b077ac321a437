package main

import (
	"bytes"
	"math"
	"regexp"
	"testing"
)

var halfPassRe = regexp.MustCompile(`(?m)^pass \d+: mean loss ([0-9.]+)( \(dense: [0-9.]+\))?$`)

var heldLossRe = regexp.MustCompile(`(?m)^held-out loss: ([0-9.]+)$`)

// TestWeights16 trains the synthetic task at a small learning rate (0.01,
// 10 passes, 20,000 words) with float32 weights, bfloat16 weights with
// stochastic rounding and bfloat16 weights rounded to nearest. Stochastic
// rounding must stay within 0.005 of float32 in the last pass's training
// loss and in the held-out loss, and within 3 points of its held-out
// accuracy; rounding to nearest, which loses every update below half a
// unit in the last place, must be at least 0.01 behind in training loss.
// float16 with stochastic rounding must stay within the same distances.
func TestWeights16(t *testing.T) {
	type result struct{ train, held, acc float64 }
	res := map[string]result{}
	for _, w := range [][]string{{"f32"}, {"bf16", "stochastic"}, {"bf16", "nearest"}, {"fp16", "stochastic"}} {
		args := []string{"-epochs", "5", "-lr", "0.01", "-passes", "10", "-vocab", "20000", "-sentences", "3000", "-weights", w[0]}
		if len(w) > 1 {
			args = append(args, "-rounding", w[1])
		}
		out := runOut(t, args...)
		train := floats(t, halfPassRe, out, 1)
		held, acc := floats(t, heldLossRe, out, 1), floats(t, accRe, out, 1)
		if len(train) != 10 || len(held) != 1 || len(acc) != 1 {
			t.Fatalf("%v: %d pass losses, held-out %v %v:\n%s", w, len(train), held, acc, out)
		}
		name := w[0]
		if len(w) > 1 {
			name += "-" + w[1]
		}
		res[name] = result{train[9], held[0], acc[0]}
		t.Logf("%-15s last pass loss %.4f, held-out loss %.4f, accuracy %.1f%%", name, train[9], held[0], acc[0])
	}
	f := res["f32"]
	for _, name := range []string{"bf16-stochastic", "fp16-stochastic"} {
		r := res[name]
		if math.Abs(r.train-f.train) > 0.005 || math.Abs(r.held-f.held) > 0.005 || math.Abs(r.acc-f.acc) > 3 {
			t.Errorf("%s: %+v, float32 %+v: farther than 0.005 in loss or 3 points in accuracy", name, r, f)
		}
	}
	if n := res["bf16-nearest"]; !(n.train > f.train+0.01) {
		t.Errorf("bf16 rounded to nearest: last pass loss %.4f, float32 %.4f: not 0.01 behind", n.train, f.train)
	}
}

func TestWeightFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-weights", "f64"}, {"-weights", "bf16", "-rounding", "up"}, {"-rounding", "nearest"},
	} {
		if err := run(args, new(bytes.Buffer)); err == nil {
			t.Errorf("run(%q) succeeded", args)
		}
	}
	out := runOut(t, "-synthetic=false", "-weights", "fp16", "-rounding", "nearest", "-epochs", "3", "-every", "1")
	if !regexp.MustCompile(`embedding dim 50, float16 weights \(nearest-even rounding\)`).MatchString(out) {
		t.Errorf("no description of the weights:\n%s", out)
	}
}

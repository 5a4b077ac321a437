package hyper

import (
	"math"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	if err := Check("optim", 0.01, 0, 0, 0, 1e-10); err != nil {
		t.Fatalf("valid: %v", err)
	}
	for _, c := range []struct {
		args [5]float64
		want string
	}{
		{[5]float64{-1, 0, 0, 0, 0}, "optim: Invalid learning rate: -1"},
		{[5]float64{0, math.NaN(), 0, 0, 0}, "optim: Invalid lr_decay value: NaN"},
		{[5]float64{0, 0, -0.5, 0, 0}, "optim: Invalid weight_decay value: -0.5"},
		{[5]float64{0, 0, 0, -2, 0}, "optim: Invalid initial_accumulator_value value: -2"},
		{[5]float64{0, 0, 0, 0, math.Inf(-1)}, "optim: Invalid epsilon value: -Inf"},
	} {
		a := c.args
		err := Check("optim", a[0], a[1], a[2], a[3], a[4])
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Check%v = %v, want %q", a, err, c.want)
		}
	}
}

func TestLR(t *testing.T) {
	if got := LR(0.1, 0.5, 1); got != 0.1 {
		t.Errorf("step 1: %v", got)
	}
	if got, want := LR(0.1, 0.5, 3), 0.1/2.0; got != want {
		t.Errorf("step 3: %v, want %v", got, want)
	}
}

func TestJSONMissing(t *testing.T) {
	j := NewJSON(0.01, 0, 0, 0, 1e-10, false)
	if m := j.Missing(); m != "" {
		t.Fatalf("all set: Missing() = %q", m)
	}
	for _, c := range []struct {
		clear func(*JSON)
		want  string
	}{
		{func(j *JSON) { j.LR = nil }, "lr"},
		{func(j *JSON) { j.LRDecay = nil }, "lr_decay"},
		{func(j *JSON) { j.WeightDecay = nil }, "weight_decay"},
		{func(j *JSON) { j.InitialAccumulatorValue = nil }, "initial_accumulator_value"},
		{func(j *JSON) { j.Eps = nil }, "eps"},
		{func(j *JSON) { j.Maximize = nil }, "maximize"},
	} {
		k := j
		c.clear(&k)
		if m := k.Missing(); m != c.want {
			t.Errorf("Missing() = %q, want %q", m, c.want)
		}
	}
	if *j.LR != 0.01 || *j.Eps != 1e-10 || *j.Maximize {
		t.Errorf("NewJSON kept the wrong values: %+v", j)
	}
}

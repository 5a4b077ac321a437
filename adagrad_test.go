package adagrad

import (
	"math"
	"strings"
	"testing"

	"github.com/adagrad-go/adagrad/internal/golden"
	"github.com/adagrad-go/adagrad/kernel"
)

func TestDefaults(t *testing.T) {
	if got, want := Defaults(), (Options{LR: 0.01, Eps: 1e-10}); got != want {
		t.Errorf("Defaults() = %+v, want %+v", got, want)
	}
}

func TestValidate(t *testing.T) {
	if err := Defaults().Validate(); err != nil {
		t.Errorf("Defaults: %v", err)
	}
	if err := (Options{LR: math.Inf(1), Eps: math.Inf(1)}).Validate(); err != nil {
		t.Errorf("infinities are valid, as in PyTorch: %v", err)
	}
	for _, c := range []struct {
		o    Options
		want string
	}{
		{Options{LR: -1}, "adagrad: Invalid learning rate: -1"},
		{Options{LR: math.NaN()}, "adagrad: Invalid learning rate: NaN"},
		{Options{LRDecay: -0.5}, "adagrad: Invalid lr_decay value: -0.5"},
		{Options{WeightDecay: -1}, "adagrad: Invalid weight_decay value: -1"},
		{Options{InitialAccumulatorValue: -2}, "adagrad: Invalid initial_accumulator_value value: -2"},
		{Options{Eps: math.Inf(-1)}, "adagrad: Invalid epsilon value: -Inf"},
		{Options{LR: -1, Eps: -1}, "adagrad: Invalid learning rate: -1"}, // the first one
	} {
		if err := c.o.Validate(); err == nil || err.Error() != c.want {
			t.Errorf("%+v: %v, want %q", c.o, err, c.want)
		}
	}
}

func TestLRAt(t *testing.T) {
	o := Options{LR: 0.1, LRDecay: 0.01}
	for _, c := range []struct {
		t    int64
		want float64
	}{{1, 0.1}, {2, 0.1 / 1.01}, {101, 0.1 / 2}} {
		if got := o.LRAt(c.t); got != c.want {
			t.Errorf("LRAt(%d) = %v, want %v", c.t, got, c.want)
		}
	}
	k := Options{LR: 0.5, LRDecay: 1, WeightDecay: 0.25, Eps: 1e-8, Maximize: true, EpsInside: true}.KernelOptions(3)
	if want := (kernel.Options{LR: 0.5 / 3, Eps: 1e-8, WeightDecay: 0.25, Maximize: true, EpsInside: true}); k != want {
		t.Errorf("KernelOptions(3) = %+v, want %+v", k, want)
	}
}

func TestSteps(t *testing.T) {
	if n, err := NextStep(0); n != 1 || err != nil {
		t.Errorf("NextStep(0) = %d, %v", n, err)
	}
	if n, err := NextStep(math.MaxInt64 - 1); n != math.MaxInt64 || err != nil {
		t.Errorf("NextStep(MaxInt64-1) = %d, %v", n, err)
	}
	if _, err := NextStep(math.MaxInt64); err == nil {
		t.Error("NextStep(MaxInt64): no error")
	}
	if _, err := NextStep(-1); err == nil {
		t.Error("NextStep(-1): no error")
	}
	for _, n := range []int64{0, 1, math.MaxInt64} {
		if err := CheckSteps(n); err != nil {
			t.Errorf("CheckSteps(%d): %v", n, err)
		}
	}
	if err := CheckSteps(-1); err == nil {
		t.Error("CheckSteps(-1): no error")
	}
}

func TestJSONRoundTrip(t *testing.T) {
	for _, o := range []Options{
		Defaults(),
		{LR: 0.1, LRDecay: 0.01, WeightDecay: 1e-5, InitialAccumulatorValue: 0.1, Eps: 1e-8, Maximize: true, EpsInside: true},
		{LR: math.MaxFloat64, Eps: math.SmallestNonzeroFloat64},
	} {
		js, err := o.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		var got Options
		if err := got.UnmarshalJSON(js); err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		if got != o {
			t.Errorf("%s read back as %+v, want %+v", js, got, o)
		}
	}
	js, _ := Defaults().MarshalJSON()
	want := `{"lr":0.01,"lr_decay":0,"weight_decay":0,"initial_accumulator_value":0,"eps":1e-10,"maximize":false,"eps_inside":false}`
	if string(js) != want {
		t.Errorf("Defaults as JSON: %s, want %s", js, want)
	}
}

func TestJSONExtra(t *testing.T) {
	o := Options{LR: 0.5}
	js, err := EncodeJSON(o, Member{"params", []string{"w", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(js), `"eps_inside":false,"params":["w","b"]}`) {
		t.Errorf("EncodeJSON: %s", js)
	}
	var got Options
	var params []string
	if err := DecodeJSON(js, &got, Member{"params", &params}); err != nil {
		t.Fatal(err)
	}
	if got != o || len(params) != 2 || params[0] != "w" || params[1] != "b" {
		t.Errorf("read back %+v %q", got, params)
	}
	if err := DecodeJSON(js, &got); err == nil || !strings.Contains(err.Error(), `unknown key "params"`) {
		t.Errorf("without the extra member: %v", err)
	}
	if err := DecodeJSON(append(js[:len(js)-len(`,"params":["w","b"]}`):len(js)-len(`,"params":["w","b"]}`)], '}'), &got, Member{"params", &params}); err == nil ||
		!strings.Contains(err.Error(), `no "params"`) {
		t.Errorf("extra member missing: %v", err)
	}
}

func TestJSONInfinite(t *testing.T) {
	for _, o := range []Options{{LR: math.Inf(1)}, {Eps: math.Inf(1)}, {LRDecay: math.Inf(1)}} {
		if _, err := o.MarshalJSON(); err == nil || !strings.Contains(err.Error(), "cannot be written") {
			t.Errorf("%+v: %v", o, err)
		}
	}
}

func TestJSONStrict(t *testing.T) {
	good := `{"lr":0.01,"lr_decay":0,"weight_decay":0,"initial_accumulator_value":0,"eps":1e-10,"maximize":false,"eps_inside":false}`
	var o Options
	if err := o.UnmarshalJSON([]byte(good)); err != nil {
		t.Fatal(err)
	}
	body := good[1 : len(good)-1]
	for _, c := range []struct{ name, js, want string }{
		{"unknown", `{` + body + `,"momentum":0}`, `unknown key "momentum"`},
		{"duplicate", `{` + body + `,"lr":1}`, `key "lr" appears more than once`},
		{"duplicate escaped", `{` + body + `,"l\u0072":1}`, `key "lr" appears more than once`},
		{"case-folded", strings.Replace(good, `"lr":`, `"LR":`, 1), `key "LR": keys are case-sensitive, want "lr"`},
		{"case-folded unicode", strings.Replace(good, `"eps_inside"`, `"eps_in\u017fide"`, 1), "keys are case-sensitive"},
		{"missing", strings.Replace(good, `"eps":1e-10,`, ``, 1), `no "eps"`},
		{"missing ours", strings.Replace(good, `,"eps_inside":false`, ``, 1), `no "eps_inside"`},
		{"null", strings.Replace(good, `"lr":0.01`, `"lr":null`, 1), `"lr" is null`},
		{"string", strings.Replace(good, `"lr":0.01`, `"lr":"0.01"`, 1), `"lr"`},
		{"bool as number", strings.Replace(good, `"maximize":false`, `"maximize":0`, 1), `"maximize"`},
		{"too large", strings.Replace(good, `"lr":0.01`, `"lr":1e999`, 1), `"lr"`},
		{"trailing", good + `{}`, "data after the object"},
		{"array", `[` + good + `]`, "not a JSON object"},
		{"truncated", good[:40], "options JSON"},
		{"cut after a member", good[:len(good)-1], "the object is cut short"},
		{"cut after a key", `{"lr"`, "cut short"},
		{"empty", ``, "not a JSON object"},
	} {
		var o Options
		err := o.UnmarshalJSON([]byte(c.js))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error containing %q", c.name, err, c.want)
		}
	}
}

// TestLRAtGolden holds LRAt to the formula the golden tests use, over the
// golden cases' hyperparameters and steps.
func TestLRAtGolden(t *testing.T) {
	set, err := golden.Load()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range set.Dense {
		o := Options{LR: c.LR, LRDecay: c.LRDecay}
		for step := 1; step <= len(c.Grads); step++ {
			if got, want := o.LRAt(int64(step)), golden.LR(c.LR, c.LRDecay, step); got != want {
				t.Fatalf("%s step %d: LRAt %v, golden %v", c.Name, step, got, want)
			}
			n++
		}
	}
	if n == 0 {
		t.Fatal("no golden cases")
	}
}

func TestCheckSums(t *testing.T) {
	if err := CheckSums("s", []float32{0, float32(math.Copysign(0, -1)), 1, float32(math.NaN()), float32(math.Inf(1))}); err != nil {
		t.Errorf("valid sums: %v", err)
	}
	if err := CheckSums("s", []float64{1, 2, -1e-300}); err == nil || err.Error() != "adagrad: s[2] is -1e-300: a sum of squares cannot be negative" {
		t.Errorf("negative: %v", err)
	}
	if err := CheckSums("w.sum", []float32{float32(math.Inf(-1))}); err == nil || !strings.Contains(err.Error(), "w.sum[0] is -Inf") {
		t.Errorf("-Inf: %v", err)
	}
}

func TestJSONExtraKeys(t *testing.T) {
	var o Options
	var x float64
	for _, extra := range [][]Member{{{"lr", &x}}, {{"x", &x}, {"x", &x}}} {
		if _, err := EncodeJSON(o, extra...); err == nil {
			t.Errorf("EncodeJSON with extra %q: no error", extra[0].Key)
		}
		if err := DecodeJSON([]byte(`{}`), &o, extra...); err == nil || !strings.Contains(err.Error(), "extra member") {
			t.Errorf("DecodeJSON with extra %q: %v", extra[0].Key, err)
		}
	}
}

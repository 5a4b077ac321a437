package adagrad

import (
	"strings"
	"testing"
)

func TestOnlineJSON(t *testing.T) {
	o := Defaults()
	o.Kind, o.L1, o.L2, o.L2Shrinkage, o.Beta = FTRL, 0.5, 0.25, 0.125, 1
	o.DecaySteps, o.DecayRate, o.DecayFloor = 10, 0.5, 0.01
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	js, err := o.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(js), `"kind":"ftrl","l1":0.5,"l2":0.25,"l2_shrinkage":0.125,"beta":1,"decay_steps":10,"decay_rate":0.5,"decay_floor":0.01`) {
		t.Errorf("JSON %s", js)
	}
	var got Options
	if err := got.UnmarshalJSON(js); err != nil || got != o {
		t.Errorf("round trip: %+v, %v", got, err)
	}
	// Plain Adagrad keeps the form it had before the kinds existed, and
	// that form reads as plain Adagrad, whatever o held before.
	plain := `{"lr":0.01,"lr_decay":0,"weight_decay":0,"initial_accumulator_value":0,"eps":1e-10,"maximize":false,"eps_inside":false}`
	if js, _ := Defaults().MarshalJSON(); string(js) != plain {
		t.Errorf("plain JSON %s", js)
	}
	got = o
	if err := got.UnmarshalJSON([]byte(plain)); err != nil || got != Defaults() {
		t.Errorf("plain: %+v, %v", got, err)
	}
	// One of the kind's keys means all of them.
	if err := got.UnmarshalJSON([]byte(plain[:len(plain)-1] + `,"kind":"ftrl"}`)); err == nil || !strings.Contains(err.Error(), `no "l1"`) {
		t.Errorf("partial: %v", err)
	}
	bad := strings.Replace(string(js), `"ftrl"`, `"sgd"`, 1)
	if err := got.UnmarshalJSON([]byte(bad)); err == nil || !strings.Contains(err.Error(), `unknown kind "sgd"`) {
		t.Errorf("unknown kind: %v", err)
	}
	if _, err := EncodeJSON(o, Member{"kind", 1}); err == nil {
		t.Error("an extra member may not repeat a kind key")
	}
}

func TestOnlineValidate(t *testing.T) {
	ok := func(f func(*Options)) Options { o := Defaults(); f(&o); return o }
	for _, c := range []struct {
		o    Options
		want string
	}{
		{ok(func(o *Options) { o.L1 = 1 }), "kind adagrad has weight_decay"},
		{ok(func(o *Options) { o.Kind = 7 }), "unknown kind 7"},
		{ok(func(o *Options) { o.Kind = ProximalAdagrad }), "initial_accumulator_value > 0"},
		{ok(func(o *Options) { o.Kind, o.InitialAccumulatorValue, o.WeightDecay = ProximalAdagrad, 0.1, 1 }), "not weight_decay"},
		{ok(func(o *Options) { o.Kind, o.InitialAccumulatorValue, o.Beta = ProximalAdagrad, 0.1, 1 }), "FTRL's"},
		{ok(func(o *Options) { o.Kind, o.Maximize = FTRL, true }), "cannot maximize"},
		{ok(func(o *Options) { o.Kind, o.LR = FTRL, 0 }), "learning rate > 0"},
		{ok(func(o *Options) { o.Kind, o.L1 = FTRL, -1 }), "Invalid l1 value: -1"},
		{ok(func(o *Options) { o.DecaySteps = -1 }), "decay_steps"},
		{ok(func(o *Options) { o.DecaySteps, o.DecayRate = 5, 0 }), "decay_rate value: 0"},
		{ok(func(o *Options) { o.DecaySteps, o.DecayRate = 5, 1.5 }), "decay_rate value: 1.5"},
		{ok(func(o *Options) { o.DecayRate = 0.5 }), "need decay_steps > 0"},
	} {
		if err := c.o.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.o, err, c.want)
		}
	}
	for _, o := range []Options{
		ok(func(o *Options) { o.Kind, o.InitialAccumulatorValue, o.L1, o.L2 = ProximalAdagrad, 0.1, 0.1, 0.1 }),
		ok(func(o *Options) { o.Kind, o.L1, o.L2, o.L2Shrinkage, o.Beta = FTRL, 1, 1, 1, 1 }),
		ok(func(o *Options) { o.DecaySteps, o.DecayRate, o.DecayFloor = 100, 0.9, 0.1 }),
	} {
		if err := o.Validate(); err != nil {
			t.Errorf("%+v: %v", o, err)
		}
	}
}

func TestPeriods(t *testing.T) {
	o := Options{DecaySteps: 3}
	for t0, want := range []int64{0, 0, 0, 1, 1, 1, 2} {
		if got := o.Periods(int64(t0)); got != want {
			t.Errorf("Periods(%d) = %d, want %d", t0, got, want)
		}
	}
	if (Options{}).Periods(100) != 0 {
		t.Error("no decay, yet periods")
	}
}

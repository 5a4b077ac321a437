// Package hyper holds what packages optim and sparse share about Adagrad's
// hyperparameters: PyTorch's checks, its learning-rate decay, and their
// JSON in checkpoints.
package hyper

import "fmt"

// Check returns PyTorch's error for the first invalid hyperparameter
// (negative, or NaN), prefixed with pkg ("optim", "sparse"), or nil.
func Check(pkg string, lr, lrDecay, weightDecay, initialAccumulatorValue, eps float64) error {
	for _, f := range []struct {
		what string
		v    float64
	}{
		{"learning rate", lr},
		{"lr_decay value", lrDecay},
		{"weight_decay value", weightDecay},
		{"initial_accumulator_value value", initialAccumulatorValue},
		{"epsilon value", eps},
	} {
		if !(f.v >= 0) { // NaN fails this too
			return fmt.Errorf("%s: Invalid %s: %v", pkg, f.what, f.v)
		}
	}
	return nil
}

// LR returns the learning rate of step (counted from 1), as PyTorch
// computes it, in float64: lr / (1 + (step-1)*lrDecay).
func LR(lr, lrDecay float64, step int64) float64 {
	return lr / (1 + float64(step-1)*lrDecay)
}

// JSON is the hyperparameters of torch.optim.Adagrad under PyTorch's names,
// as the checkpoints of packages optim and sparse hold them in their JSON
// metadata. A nil field was missing from the JSON.
type JSON struct {
	LR                      *float64 `json:"lr"`
	LRDecay                 *float64 `json:"lr_decay"`
	WeightDecay             *float64 `json:"weight_decay"`
	InitialAccumulatorValue *float64 `json:"initial_accumulator_value"`
	Eps                     *float64 `json:"eps"`
	Maximize                *bool    `json:"maximize"`
}

// NewJSON returns the JSON of the given values.
func NewJSON(lr, lrDecay, weightDecay, initialAccumulatorValue, eps float64, maximize bool) JSON {
	return JSON{&lr, &lrDecay, &weightDecay, &initialAccumulatorValue, &eps, &maximize}
}

// Missing returns the JSON name of the first field that is nil, or "".
func (j JSON) Missing() string {
	for _, f := range []struct {
		name string
		set  bool
	}{{"lr", j.LR != nil}, {"lr_decay", j.LRDecay != nil}, {"weight_decay", j.WeightDecay != nil},
		{"initial_accumulator_value", j.InitialAccumulatorValue != nil}, {"eps", j.Eps != nil},
		{"maximize", j.Maximize != nil}} {
		if !f.set {
			return f.name
		}
	}
	return ""
}

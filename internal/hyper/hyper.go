// Package hyper holds what packages optim and sparse share about Adagrad's
// hyperparameters: PyTorch's checks and its learning-rate decay.
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

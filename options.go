package adagrad

import (
	"fmt"

	"github.com/adagrad-go/adagrad/kernel"
)

// Options are Adagrad's hyperparameters, with the names, meaning and
// defaults of torch.optim.Adagrad's arguments. Start from [Defaults]: the
// zero Options has a learning rate and an eps of 0, both valid.
type Options struct {
	LR                      float64 // learning rate (PyTorch: lr)
	LRDecay                 float64 // step t uses LR / (1 + (t-1)*LRDecay) (lr_decay)
	WeightDecay             float64 // L2 penalty folded into the gradient (weight_decay)
	InitialAccumulatorValue float64 // the state's starting value (initial_accumulator_value)
	Eps                     float64 // added to the denominator for stability (eps)
	Maximize                bool    // ascend the objective instead of descending (maximize)
	EpsInside               bool    // std = sqrt(sum+eps) instead of PyTorch's sqrt(sum)+eps

	// The update kind and its hyperparameters, and accumulator decay:
	// see online.go. The zero values are plain Adagrad without decay.
	Kind        Kind    // Adagrad (the zero Kind), ProximalAdagrad or FTRL
	L1          float64 // L1 strength (TensorFlow: l1_regularization_strength)
	L2          float64 // L2 strength (l2_regularization_strength)
	L2Shrinkage float64 // FTRL's magnitude penalty (l2_shrinkage_regularization_strength)
	Beta        float64 // FTRL's beta (Keras' beta)
	DecaySteps  int64   // decay the accumulators every DecaySteps steps; 0 = off
	DecayRate   float64 // the factor of each decay, in (0, 1]
	DecayFloor  float64 // no decay takes an accumulator below this
}

// Defaults returns PyTorch's defaults: lr 0.01, eps 1e-10, everything else
// zero or false.
func Defaults() Options { return Options{LR: 0.01, Eps: 1e-10} }

// Validate returns PyTorch's error for the first invalid hyperparameter
// (negative, or NaN), such as "adagrad: Invalid learning rate: -1", or nil.
// Infinities are valid, as in PyTorch, but cannot be saved (see
// [Options.MarshalJSON]).
func (o Options) Validate() error {
	for _, f := range [...]struct {
		what string
		v    float64
	}{
		{"learning rate", o.LR},
		{"lr_decay value", o.LRDecay},
		{"weight_decay value", o.WeightDecay},
		{"initial_accumulator_value value", o.InitialAccumulatorValue},
		{"epsilon value", o.Eps},
	} {
		if !(f.v >= 0) { // NaN fails this too
			return fmt.Errorf("adagrad: Invalid %s: %v", f.what, f.v)
		}
	}
	return o.validateOnline()
}

// LRAt returns the learning rate of step t (counted from 1) as PyTorch
// computes it, in float64: LR / (1 + (t-1)*LRDecay).
func (o Options) LRAt(t int64) float64 {
	return o.LR / (1 + float64(t-1)*o.LRDecay)
}

// KernelOptions returns the options of step t (counted from 1) for package
// kernel: the learning rate of [Options.LRAt], the other hyperparameters as
// they are.
func (o Options) KernelOptions(t int64) kernel.Options {
	return kernel.Options{
		LR:          o.LRAt(t),
		Eps:         o.Eps,
		WeightDecay: o.WeightDecay,
		Maximize:    o.Maximize,
		EpsInside:   o.EpsInside,
	}
}

package adagrad

import (
	"fmt"
	"math"
	"slices"

	"github.com/adagrad-go/adagrad/kernel"
)

// Kind is the update an optimizer or table applies: one axis of its
// state, fixed when it is made (its element type and layout are others).
// The zero Kind is plain Adagrad.
//
//   - [Adagrad]: torch.optim.Adagrad's step (state: the sum of squares).
//   - [ProximalAdagrad]: TensorFlow's ApplyProximalAdagrad: the Adagrad
//     step without eps, then the proximal step of L1 and L2 (state: the
//     sum of squares). The contract is [kernel.ProximalStep32].
//   - [FTRL]: FTRL-Proximal as TensorFlow's ApplyFtrlV2 with
//     learning_rate_power -0.5 (state: the sum of squares, "accum", and
//     the linear term, "linear"). The contract is [kernel.FTRLStep32].
//
// ProximalAdagrad and FTRL use LR (with LRDecay), InitialAccumulatorValue,
// L1, L2 and, for FTRL, L2Shrinkage and Beta. They ignore Eps (TensorFlow's
// kernels have none) and refuse WeightDecay, Maximize and EpsInside
// (L2 and L2Shrinkage are their weight decay). L1, L2, L2Shrinkage and
// Beta must be 0 for Adagrad.
//
// Accumulator decay (DeepRec's AdagradDecay) is on when DecaySteps > 0,
// for every kind: before the update of every step t that is a multiple of
// DecaySteps, every accumulator s becomes max(s*DecayRate, DecayFloor),
// in the element type (see [kernel.Decay32]). Tables apply it lazily, with
// the same bits; see package sparse.
type Kind uint8

const (
	Adagrad Kind = iota
	ProximalAdagrad
	FTRL
)

var kindNames = [...]string{"adagrad", "proximal_adagrad", "ftrl"}

// String returns the kind's name in checkpoints: "adagrad",
// "proximal_adagrad" or "ftrl".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// MarshalText returns the kind's name; an unknown kind is an error.
func (k Kind) MarshalText() ([]byte, error) {
	if int(k) >= len(kindNames) {
		return nil, fmt.Errorf("adagrad: unknown kind %d", int(k))
	}
	return []byte(k.String()), nil
}

// UnmarshalText reads a kind's name.
func (k *Kind) UnmarshalText(b []byte) error {
	i := slices.Index(kindNames[:], string(b))
	if i < 0 {
		return fmt.Errorf("unknown kind %q, want one of %q", b, kindNames)
	}
	*k = Kind(i)
	return nil
}

// onlineKeys are the checkpoint keys of the kind and decay, written after
// optionKeys, and only when the options are not plain Adagrad without
// decay: a file written before they existed, or by plain Adagrad, has none
// of them, and reads as plain Adagrad. When one is there, all must be.
var onlineKeys = [...]string{"kind", "l1", "l2", "l2_shrinkage", "beta", "decay_steps", "decay_rate", "decay_floor"}

func (o *Options) appendOnline(ms []Member) []Member {
	fields := [...]any{&o.Kind, &o.L1, &o.L2, &o.L2Shrinkage, &o.Beta, &o.DecaySteps, &o.DecayRate, &o.DecayFloor}
	for i, key := range onlineKeys {
		ms = append(ms, Member{key, fields[i]})
	}
	return ms
}

// plain reports whether o is plain Adagrad without decay: its checkpoint
// form is the one without onlineKeys.
func (o *Options) plain() bool {
	return o.Kind == Adagrad && o.DecaySteps == 0 && o.L1 == 0 && o.L2 == 0 &&
		o.L2Shrinkage == 0 && o.Beta == 0 && o.DecayRate == 0 && o.DecayFloor == 0
}

func (o *Options) resetOnline() {
	o.Kind, o.L1, o.L2, o.L2Shrinkage, o.Beta = Adagrad, 0, 0, 0, 0
	o.DecaySteps, o.DecayRate, o.DecayFloor = 0, 0, 0
}

func onlineSeen(seen map[string]bool) bool {
	for _, k := range onlineKeys {
		if seen[k] {
			return true
		}
	}
	return false
}

// validateOnline checks the kind, its hyperparameters and the decay.
func (o Options) validateOnline() error {
	if int(o.Kind) >= len(kindNames) {
		return fmt.Errorf("adagrad: unknown kind %d", int(o.Kind))
	}
	for _, f := range [...]struct {
		what string
		v    float64
	}{
		{"l1", o.L1},
		{"l2", o.L2},
		{"l2_shrinkage", o.L2Shrinkage},
		{"beta", o.Beta},
		{"decay_floor", o.DecayFloor},
	} {
		if !(f.v >= 0) || math.IsInf(f.v, 1) {
			return fmt.Errorf("adagrad: Invalid %s value: %v (want a finite value >= 0)", f.what, f.v)
		}
	}
	switch o.Kind {
	case Adagrad:
		if o.L1 != 0 || o.L2 != 0 || o.L2Shrinkage != 0 || o.Beta != 0 {
			return fmt.Errorf("adagrad: l1, l2, l2_shrinkage and beta are for proximal_adagrad and ftrl; kind adagrad has weight_decay")
		}
	case ProximalAdagrad, FTRL:
		switch {
		case o.WeightDecay != 0:
			return fmt.Errorf("adagrad: kind %v takes l2 (and l2_shrinkage), not weight_decay", o.Kind)
		case o.Maximize:
			return fmt.Errorf("adagrad: kind %v cannot maximize", o.Kind)
		case o.EpsInside:
			return fmt.Errorf("adagrad: kind %v has no eps: eps_inside must be false", o.Kind)
		case o.Kind == ProximalAdagrad && (o.L2Shrinkage != 0 || o.Beta != 0):
			return fmt.Errorf("adagrad: l2_shrinkage and beta are FTRL's; kind proximal_adagrad has l1 and l2")
		case o.Kind == ProximalAdagrad && !(o.InitialAccumulatorValue > 0):
			return fmt.Errorf("adagrad: kind proximal_adagrad needs initial_accumulator_value > 0 (its step divides by sqrt(accum)), not %v", o.InitialAccumulatorValue)
		case o.Kind == FTRL && !(o.LR > 0):
			return fmt.Errorf("adagrad: kind ftrl needs a learning rate > 0 (its step divides by it), not %v", o.LR)
		}
	}
	switch {
	case o.DecaySteps < 0:
		return fmt.Errorf("adagrad: Invalid decay_steps value: %d (0 is off)", o.DecaySteps)
	case o.DecaySteps == 0 && (o.DecayRate != 0 || o.DecayFloor != 0):
		return fmt.Errorf("adagrad: decay_rate and decay_floor need decay_steps > 0")
	case o.DecaySteps > 0 && !(o.DecayRate > 0 && o.DecayRate <= 1):
		return fmt.Errorf("adagrad: Invalid decay_rate value: %v (want 0 < decay_rate <= 1)", o.DecayRate)
	}
	return nil
}

// Decays reports whether the accumulators decay.
func (o Options) Decays() bool { return o.DecaySteps > 0 }

// Periods returns how many decay periods have begun by step t (counted
// from 1): t / DecaySteps, or 0 without decay. The accumulators a step t
// reads have been decayed Periods(t) times.
func (o Options) Periods(t int64) int64 {
	if o.DecaySteps <= 0 || t <= 0 {
		return 0
	}
	return t / o.DecaySteps
}

// OnlineOptions returns the options of step t (counted from 1) of
// ProximalAdagrad and FTRL for package kernel: the learning rate of
// [Options.LRAt] and the kind's hyperparameters as they are.
func (o Options) OnlineOptions(t int64) kernel.Online {
	return kernel.Online{LR: o.LRAt(t), L1: o.L1, L2: o.L2, L2Shrinkage: o.L2Shrinkage, Beta: o.Beta}
}

// DecayOptions returns the decay's factor and floor for package kernel.
func (o Options) DecayOptions() kernel.Decay {
	return kernel.Decay{Rate: o.DecayRate, Floor: o.DecayFloor}
}

package optim

import (
	"fmt"
	"slices"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/checkpoint"
	"github.com/adagrad-go/adagrad/kernel"
)

// A group's update kind (adagrad.Options.Kind) is fixed when it is added:
// ProximalAdagrad updates the sum of squares as Adagrad does
// (kernel.ProximalStep32 and ProximalStep64); FTRL also keeps one linear
// term per element (kernel.FTRLStep32 and FTRLStep64, [State].Linear32 and
// Linear64, and in checkpoints the tensor "<name>.linear"). With decay
// (DecaySteps > 0), the step t of a parameter (its own counter) first
// decays every element of its sum once when t is a multiple of DecaySteps
// (kernel.Decay32, Decay64): dense parameters decay eagerly, and need no
// more state.

// onlineState is a parameter's state beyond its sum, and its step's
// options.
type onlineState struct {
	on       bool // the group's kind is not Adagrad, or it decays
	kind     adagrad.Kind
	lin32    []float32
	lin64    []float64
	opts     kernel.Online
	decayNow bool
	decay    kernel.Decay
}

func (s *onlineState) init(o adagrad.Options, n int, is32 bool) {
	s.on, s.kind = o.Kind != adagrad.Adagrad || o.Decays(), o.Kind
	if o.Kind == adagrad.FTRL {
		if is32 {
			s.lin32 = make([]float32, n)
		} else {
			s.lin64 = make([]float64, n)
		}
	}
}

// prepare sets the options of step t of the parameter.
func (s *onlineState) prepare(o adagrad.Options, t int64) {
	s.on = o.Kind != adagrad.Adagrad || o.Decays()
	s.opts = o.OnlineOptions(t)
	s.decayNow = o.Periods(t) > o.Periods(t-1)
	s.decay = o.DecayOptions()
}

// updateOnline is update for the other kinds and for decay.
func (p *pstate) updateOnline(lo, hi int) {
	s := &p.online
	if p.p32 != nil {
		v, g, sum := p.v32[lo:hi], p.g32[lo:hi], p.sum32[lo:hi]
		if s.decayNow {
			kernel.Decay32(sum, 1, s.decay)
		}
		switch s.kind {
		case adagrad.ProximalAdagrad:
			kernel.ProximalStep32(v, g, sum, s.opts)
		case adagrad.FTRL:
			kernel.FTRLStep32(v, g, sum, s.lin32[lo:hi], s.opts)
		default:
			p.prep.Step32(v, g, sum)
		}
		return
	}
	v, g, sum := p.v64[lo:hi], p.g64[lo:hi], p.sum64[lo:hi]
	if s.decayNow {
		kernel.Decay64(sum, 1, s.decay)
	}
	switch s.kind {
	case adagrad.ProximalAdagrad:
		kernel.ProximalStep64(v, g, sum, s.opts)
	case adagrad.FTRL:
		kernel.FTRLStep64(v, g, sum, s.lin64[lo:hi], s.opts)
	default:
		p.prep.Step64(v, g, sum)
	}
}

// linearTensors is the parameter's "<name>.linear" tensor, of FTRL.
func (p *pstate) linearTensors() []checkpoint.Tensor {
	switch {
	case p.online.lin32 != nil:
		return []checkpoint.Tensor{{Name: p.name + ".linear", Shape: p.shape, Data: p.online.lin32}}
	case p.online.lin64 != nil:
		return []checkpoint.Tensor{{Name: p.name + ".linear", Shape: p.shape, Data: p.online.lin64}}
	}
	return nil
}

// linears counts the parameters with linear terms.
func (a *Adagrad) linears() int {
	n := 0
	for _, p := range a.params {
		n += len(p.linearTensors())
	}
	return n
}

type linearRead struct {
	lin32 []float32
	lin64 []float64
}

// readLinear reads the linear terms of an FTRL parameter; the kinds have
// been checked to match.
func readLinear(r *checkpoint.Reader, p *pstate) (linearRead, error) {
	var in linearRead
	want := p.linearTensors()
	if len(want) == 0 {
		return in, nil
	}
	name := want[0].Name
	x, ok := r.Info(name)
	if !ok {
		return in, fmt.Errorf("no tensor %q", name)
	}
	dt := checkpoint.F32
	if p.p64 != nil {
		dt = checkpoint.F64
	}
	if x.DType != dt || !slices.Equal(x.Shape, p.shape) {
		return in, fmt.Errorf("tensor %q is %s %v, the parameter needs %s %v", name, x.DType, x.Shape, dt, p.shape)
	}
	if p.p64 != nil {
		in.lin64 = make([]float64, x.Len())
		return in, r.ReadInto(name, in.lin64)
	}
	in.lin32 = make([]float32, x.Len())
	return in, r.ReadInto(name, in.lin32)
}

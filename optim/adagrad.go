package optim

import (
	"errors"
	"fmt"
	"math"
	"unicode/utf8"
	"unsafe"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/internal/workers"
	"github.com/adagrad-go/adagrad/kernel"
)

// Param32 is a float32 parameter: its values and their gradient.
//
// The optimizer keeps a pointer to the Param32 and reads Value and Grad at
// every [Adagrad.Step]: fill Grad in place between steps, or set it to nil
// to leave the parameter out of a step. Value and Grad must keep the length
// the parameter had when it was added.
type Param32 struct {
	Name  string    // unique within the optimizer; keys the checkpoint
	Shape []int     // optional: the tensor's shape for checkpoints; nil means []int{len(Value)}
	Value []float32 // updated in place by Step
	Grad  []float32 // read by Step; nil: skipped
}

// Param64 is [Param32] for float64 parameters.
type Param64 struct {
	Name  string
	Shape []int
	Value []float64
	Grad  []float64
}

// Param is a *Param32 or a *Param64.
type Param interface {
	paramName() string
}

func (p *Param32) paramName() string { return p.Name }
func (p *Param64) paramName() string { return p.Name }

// State is a parameter's optimizer state, as PyTorch's optimizer.state[p].
type State struct {
	Step  int64     // steps taken so far
	Sum32 []float32 // the running sum of squared gradients, for a *Param32
	Sum64 []float64 // for a *Param64

	// FTRL's linear terms (kind FTRL only; see online.go).
	Linear32 []float32
	Linear64 []float64
}

// pstate is one parameter and its state.
type pstate struct {
	name  string
	shape []int
	p32   *Param32
	p64   *Param64
	group *group
	step  int64
	sum32 []float32
	sum64 []float64

	// Set by Step's checks for the update that follows.
	v32, g32 []float32
	v64, g64 []float64
	prep     kernel.Prepared // this step's options, converted once

	// Where the Value and Grad were when their memory was last checked
	// for overlaps.
	seenV, seenG unsafe.Pointer

	online onlineState // the state of the update kind and decay (online.go)
}

func (p *pstate) len() int {
	if p.p32 != nil {
		return len(p.sum32)
	}
	return len(p.sum64)
}

// update runs the kernel on elements [lo, hi) of the parameter.
func (p *pstate) update(lo, hi int) {
	if p.online.on {
		p.updateOnline(lo, hi)
		return
	}
	if p.p32 != nil {
		p.prep.Step32(p.v32[lo:hi], p.g32[lo:hi], p.sum32[lo:hi])
	} else {
		p.prep.Step64(p.v64[lo:hi], p.g64[lo:hi], p.sum64[lo:hi])
	}
}

type group struct {
	opts   adagrad.Options
	params []*pstate
}

// Adagrad is torch.optim.Adagrad for dense parameters: the same
// hyperparameters, defaults, checks, per-parameter step counters and
// results, bit for bit.
//
// An Adagrad is not safe for concurrent use. Its worker goroutines are
// started by the first Step that needs them; [Adagrad.Close] stops them, and
// they are also stopped once the Adagrad is garbage collected.
type Adagrad struct {
	groups []*group
	params []*pstate
	byName map[string]*pstate
	team   workers.Team
	job    job    // a step's work for the team
	spans  []span // scratch for the overlap check, kept between steps
}

// New returns an optimizer with one parameter group of the given options
// and parameters. More groups can be added with [Adagrad.AddGroup].
func New(o adagrad.Options, params ...Param) (*Adagrad, error) {
	a := &Adagrad{byName: map[string]*pstate{}}
	a.team = workers.NewTeam(a)
	a.job.init(a)
	if err := a.AddGroup(o, params...); err != nil {
		return nil, err
	}
	return a, nil
}

// AddGroup adds a parameter group, as PyTorch's add_param_group: each
// parameter's state starts at step 0 with its sum filled with the group's
// InitialAccumulatorValue. It fails, changing nothing, if an option is
// invalid, the group is empty, or a parameter is nil, unnamed, named like
// another, or has a Shape that does not match its Value or a Grad of
// another length, or if a parameter's Value shares memory with another's
// Value (in this group or an earlier one) or with any Grad: PyTorch refuses
// a tensor in two groups, and a step would update the memory twice. Tie
// weights by giving one parameter both uses.
func (a *Adagrad) AddGroup(o adagrad.Options, params ...Param) error {
	if err := o.Validate(); err != nil {
		return err
	}
	if len(params) == 0 {
		return errors.New("optim: empty parameter group")
	}
	g := &group{opts: o}
	seen := map[string]bool{}
	for i, p := range params {
		ps := &pstate{group: g}
		var n int
		switch p := p.(type) {
		case *Param32:
			if p == nil {
				return fmt.Errorf("optim: parameter %d of the group is nil", i)
			}
			ps.p32, ps.shape, n = p, p.Shape, len(p.Value)
			if p.Grad != nil && len(p.Grad) != n {
				return fmt.Errorf("optim: parameter %q: len(Grad)=%d, len(Value)=%d", p.Name, len(p.Grad), n)
			}
		case *Param64:
			if p == nil {
				return fmt.Errorf("optim: parameter %d of the group is nil", i)
			}
			ps.p64, ps.shape, n = p, p.Shape, len(p.Value)
			if p.Grad != nil && len(p.Grad) != n {
				return fmt.Errorf("optim: parameter %q: len(Grad)=%d, len(Value)=%d", p.Name, len(p.Grad), n)
			}
		default:
			return fmt.Errorf("optim: parameter %d of the group is %T, want *Param32 or *Param64", i, p)
		}
		ps.name = p.paramName()
		switch {
		case ps.name == "":
			return fmt.Errorf("optim: parameter %d of the group has no name", i)
		case !utf8.ValidString(ps.name):
			return fmt.Errorf("optim: parameter name %q is not valid UTF-8 text", ps.name)
		case a.byName[ps.name] != nil || seen[ps.name]:
			return fmt.Errorf("optim: parameter %q appears more than once", ps.name)
		}
		seen[ps.name] = true
		if ps.shape == nil {
			ps.shape = []int{n}
		} else {
			ps.shape = append([]int(nil), ps.shape...)
			if m, ok := numel(ps.shape); !ok || m != n {
				return fmt.Errorf("optim: parameter %q: shape %v does not hold len(Value)=%d elements", ps.name, ps.shape, n)
			}
		}
		if ps.p32 != nil {
			ps.sum32 = make([]float32, n)
			fill(ps.sum32, float32(o.InitialAccumulatorValue))
		} else {
			ps.sum64 = make([]float64, n)
			fill(ps.sum64, o.InitialAccumulatorValue)
		}
		ps.online.init(o, n, ps.p32 != nil)
		g.params = append(g.params, ps)
	}
	if err := a.checkMemory(g.params); err != nil {
		return fmt.Errorf("optim: %w", err)
	}
	for _, ps := range g.params {
		a.byName[ps.name] = ps
		a.params = append(a.params, ps)
	}
	a.groups = append(a.groups, g)
	return nil
}

func fill[T float32 | float64](s []T, v T) {
	for i := range s {
		s[i] = v
	}
}

func numel(shape []int) (int, bool) {
	n := 1
	for _, d := range shape {
		if d < 0 || (d != 0 && n > math.MaxInt/d) {
			return 0, false
		}
		n *= d
	}
	return n, true
}

// Groups returns the number of parameter groups.
func (a *Adagrad) Groups() int { return len(a.groups) }

// GroupOptions returns the options of group i (0 is the group New made).
func (a *Adagrad) GroupOptions(i int) adagrad.Options { return a.groups[i].opts }

// SetGroupOptions changes the hyperparameters of group i, as assigning to
// optimizer.param_groups[i][...] does in PyTorch (a learning-rate
// schedule, for instance). InitialAccumulatorValue only matters when a
// group is added, so changing it has no effect on existing sums.
func (a *Adagrad) SetGroupOptions(i int, o adagrad.Options) error {
	if i < 0 || i >= len(a.groups) {
		return fmt.Errorf("optim: no parameter group %d (there are %d)", i, len(a.groups))
	}
	if err := o.Validate(); err != nil {
		return err
	}
	if o.Kind != a.groups[i].opts.Kind {
		return fmt.Errorf("optim: parameter group %d is of kind %v; it cannot become %v", i, a.groups[i].opts.Kind, o.Kind)
	}
	a.groups[i].opts = o
	return nil
}

// State returns the state of the parameter called name. The sum slice is
// the optimizer's own (no copy): read it, do not change it.
func (a *Adagrad) State(name string) (State, bool) {
	p := a.byName[name]
	if p == nil {
		return State{}, false
	}
	return State{Step: p.step, Sum32: p.sum32, Sum64: p.sum64, Linear32: p.online.lin32, Linear64: p.online.lin64}, true
}

// ZeroGrad sets every element of every non-nil gradient to zero, as
// PyTorch 1.13's zero_grad(set_to_none=False). To leave a parameter out
// of the next steps instead, set its Grad to nil.
func (a *Adagrad) ZeroGrad() {
	for _, p := range a.params {
		if p.p32 != nil {
			clear(p.p32.Grad)
		} else {
			clear(p.p64.Grad)
		}
	}
}

// Step applies one Adagrad update to every parameter whose Grad is not nil,
// and advances those parameters' step counters; parameters with a nil Grad
// are skipped, as PyTorch skips a parameter whose grad is None.
//
// Step first checks every parameter: if a Value or Grad no longer has the
// length of the parameter's state, it returns an error naming the first
// such parameter and changes nothing at all. Large parameters are split
// across the worker goroutines (see [Adagrad.SetWorkers]); the results do
// not depend on the number of workers. After the first Step, Step does not
// allocate.
func (a *Adagrad) Step() error {
	if err := kernel.Check(); err != nil {
		return fmt.Errorf("optim: %w", err)
	}
	for _, p := range a.params {
		var nv, ng int
		if p.p32 != nil {
			p.v32, p.g32 = p.p32.Value, p.p32.Grad
			nv, ng = len(p.v32), len(p.g32)
		} else {
			p.v64, p.g64 = p.p64.Value, p.p64.Grad
			nv, ng = len(p.v64), len(p.g64)
		}
		if !p.stepped() {
			continue
		}
		if n := p.len(); nv != n || ng != n {
			return a.checkErr(fmt.Errorf("optim: Step: parameter %q: len(Value)=%d, len(Grad)=%d, but its state holds %d elements; no parameter was updated", p.name, nv, ng, n))
		}
		if _, err := adagrad.NextStep(p.step); err != nil {
			return a.checkErr(fmt.Errorf("optim: Step: parameter %q: %w; no parameter was updated", p.name, err))
		}
	}
	if err := a.checkMoved(); err != nil {
		return a.checkErr(fmt.Errorf("optim: Step: %w; no parameter was updated", err))
	}
	for _, p := range a.params {
		if p.stepped() {
			p.step++
			p.prep = kernel.Prepare(p.group.opts.KernelOptions(p.step))
			p.online.prepare(p.group.opts, p.step)
		}
	}
	a.job.run(&a.team)
	a.forget()
	return nil
}

// checkMoved checks the parameters' memory for overlaps again when a
// Value or Grad was replaced since the last check.
func (a *Adagrad) checkMoved() error {
	moved := false
	for _, p := range a.params {
		moved = moved || p.moved()
	}
	if !moved {
		return nil
	}
	return a.checkMemory(nil)
}

// checkMemory checks the memory of the optimizer's parameters and of more
// for overlaps (checkOverlap). appendSpans records where each Value and
// Grad was; when the check fails, that is forgotten, so that the next Step
// checks again.
func (a *Adagrad) checkMemory(more []*pstate) error {
	spans := a.spans[:0]
	for _, p := range a.params {
		spans = appendSpans(spans, p)
	}
	for _, p := range more {
		spans = appendSpans(spans, p)
	}
	a.spans = spans
	err := checkOverlap(spans)
	if err != nil {
		a.unsee()
	}
	return err
}

// unsee forgets where the parameters' memory was last checked, so that the
// next Step checks it again.
func (a *Adagrad) unsee() {
	for _, p := range a.params {
		p.seenV, p.seenG = nil, nil
	}
}

// stepped reports whether the parameter takes part in the step being
// made: Step's checks found a gradient.
func (p *pstate) stepped() bool { return p.g32 != nil || p.g64 != nil }

// forget drops what Step's checks saw, so that the optimizer keeps no
// reference to the caller's slices between steps.
func (a *Adagrad) forget() {
	for _, p := range a.params {
		p.v32, p.g32, p.v64, p.g64 = nil, nil, nil, nil
	}
}

// checkErr returns err after a failed check, forgetting what the checks
// saw so far.
func (a *Adagrad) checkErr(err error) error {
	a.forget()
	return err
}

// Params returns the names of the parameters, group by group, in the order
// they were added.
func (a *Adagrad) Params() []string {
	names := make([]string, len(a.params))
	for i, p := range a.params {
		names[i] = p.name
	}
	return names
}

package optim

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/adagrad-go/adagrad/checkpoint"
	"github.com/adagrad-go/adagrad/internal/hyper"
)

// Metadata keys and values of an optimizer checkpoint.
const (
	metaOptimizer = "optimizer"
	metaGroups    = "param_groups"
	optimizerName = "Adagrad"
)

// groupJSON is one entry of the "param_groups" metadata: PyTorch's
// param_groups entry, with parameter names instead of indices.
type groupJSON struct {
	hyper.JSON
	EpsInside bool     `json:"eps_inside"`
	Params    []string `json:"params"`
}

// file returns the optimizer's state as a checkpoint file. The tensors
// alias the state: nothing is copied.
func (a *Adagrad) file() (*checkpoint.File, error) {
	groups := make([]groupJSON, len(a.groups))
	f := &checkpoint.File{Tensors: make([]checkpoint.Tensor, 0, 2*len(a.params))}
	for i, g := range a.groups {
		o := g.opts
		groups[i] = groupJSON{JSON: hyper.NewJSON(o.LR, o.LRDecay, o.WeightDecay, o.InitialAccumulatorValue, o.Eps, o.Maximize),
			EpsInside: o.EpsInside, Params: make([]string, len(g.params))}
		for j, p := range g.params {
			groups[i].Params[j] = p.name
			var sum any = p.sum32
			if p.p64 != nil {
				sum = p.sum64
			}
			f.Tensors = append(f.Tensors,
				checkpoint.Tensor{Name: p.name + ".sum", Shape: p.shape, Data: sum},
				checkpoint.Tensor{Name: p.name + ".step", Shape: []int{}, Data: []int64{p.step}})
		}
	}
	js, err := json.Marshal(groups)
	if err != nil { // an infinite hyperparameter, which JSON cannot hold
		return nil, fmt.Errorf("optim: checkpoint: parameter groups: %v", err)
	}
	f.Metadata = map[string]string{metaOptimizer: optimizerName, metaGroups: string(js)}
	return f, nil
}

// Save writes the optimizer's state to the file at path, atomically (see
// [checkpoint.Save]): a crash leaves either the old file or the new one.
// The file layout is described in the package documentation.
//
// An infinite hyperparameter (valid, as in PyTorch) cannot be written: JSON
// has no infinity.
func (a *Adagrad) Save(path string) error {
	f, err := a.file()
	if err != nil {
		return err
	}
	return checkpoint.Save(path, f)
}

// MarshalBinary returns the optimizer's state in the format Save writes.
func (a *Adagrad) MarshalBinary() ([]byte, error) {
	f, err := a.file()
	if err != nil {
		return nil, err
	}
	return checkpoint.Marshal(f)
}

// Load replaces the optimizer's state with the one in the file at path:
// each group's hyperparameters, each parameter's step and sum, as PyTorch's
// load_state_dict. The optimizer must have the parameters the file was
// saved from: the same groups, holding parameters of the same names,
// element types and shapes. Anything else, or a missing, truncated or
// corrupted file, is an error naming the first problem, and leaves the
// optimizer exactly as it was.
func (a *Adagrad) Load(path string) error {
	f, err := checkpoint.Load(path)
	if err != nil {
		return fmt.Errorf("optim: %w", err)
	}
	return a.restore(f)
}

// UnmarshalBinary is Load for a checkpoint held in memory.
func (a *Adagrad) UnmarshalBinary(data []byte) error {
	f, err := checkpoint.Decode(data)
	if err != nil {
		return fmt.Errorf("optim: %w", err)
	}
	return a.restore(f)
}

// pending is the state of one parameter read from a checkpoint.
type pending struct {
	p     *pstate
	step  int64
	sum32 []float32
	sum64 []float64
}

func (a *Adagrad) restore(f *checkpoint.File) error {
	errf := func(format string, args ...any) error {
		return fmt.Errorf("optim: checkpoint: "+format, args...)
	}
	if got := f.Metadata[metaOptimizer]; got != optimizerName {
		return errf("metadata %q is %q, want %q", metaOptimizer, got, optimizerName)
	}
	gs, ok := f.Metadata[metaGroups]
	if !ok {
		return errf("no %q metadata", metaGroups)
	}
	dec := json.NewDecoder(strings.NewReader(gs))
	dec.DisallowUnknownFields()
	var groups []groupJSON
	if err := dec.Decode(&groups); err != nil {
		return errf("%q metadata: %v", metaGroups, err)
	}
	if dec.More() {
		return errf("%q metadata: trailing data", metaGroups)
	}
	if len(groups) != len(a.groups) {
		return errf("%d parameter groups, the optimizer has %d", len(groups), len(a.groups))
	}
	tensors := make(map[string]*checkpoint.Tensor, len(f.Tensors))
	for i := range f.Tensors {
		tensors[f.Tensors[i].Name] = &f.Tensors[i]
	}
	opts := make([]Options, len(groups))
	var states []pending
	used := map[string]bool{}
	for i, gj := range groups {
		if name := gj.Missing(); name != "" {
			return errf("parameter group %d: no %q", i, name)
		}
		o := Options{LR: *gj.LR, LRDecay: *gj.LRDecay, WeightDecay: *gj.WeightDecay,
			InitialAccumulatorValue: *gj.InitialAccumulatorValue, Eps: *gj.Eps, Maximize: *gj.Maximize,
			EpsInside: gj.EpsInside}
		if err := o.Validate(); err != nil {
			return errf("parameter group %d: %v", i, err)
		}
		opts[i] = o
		g := a.groups[i]
		for _, name := range gj.Params {
			if p := a.byName[name]; p == nil || p.group != g {
				return errf("parameter group %d: parameter %q is not in the optimizer's group %d", i, name, i)
			}
		}
		for _, p := range g.params {
			if !slices.Contains(gj.Params, p.name) {
				return errf("parameter group %d: parameter %q is missing", i, p.name)
			}
			st, err := readState(tensors, p)
			if err != nil {
				return errf("%v", err)
			}
			used[p.name+".sum"], used[p.name+".step"] = true, true
			states = append(states, st)
		}
		if len(gj.Params) != len(g.params) {
			return errf("parameter group %d: %d parameter names for %d parameters (a name repeated?)", i, len(gj.Params), len(g.params))
		}
	}
	for _, t := range f.Tensors {
		if !used[t.Name] {
			return errf("tensor %q matches no parameter of the optimizer", t.Name)
		}
	}
	// Everything checked: apply.
	for i, o := range opts {
		a.groups[i].opts = o
	}
	for _, st := range states {
		st.p.step = st.step
		copy(st.p.sum32, st.sum32)
		copy(st.p.sum64, st.sum64)
	}
	return nil
}

func readState(tensors map[string]*checkpoint.Tensor, p *pstate) (pending, error) {
	st := pending{p: p}
	sum, ok := tensors[p.name+".sum"]
	if !ok {
		return st, fmt.Errorf("no tensor %q", p.name+".sum")
	}
	want := checkpoint.F32
	if p.p64 != nil {
		want = checkpoint.F64
	}
	if sum.DType() != want {
		return st, fmt.Errorf("tensor %q is %s, the parameter needs %s", sum.Name, sum.DType(), want)
	}
	if !slices.Equal(sum.Shape, p.shape) {
		return st, fmt.Errorf("tensor %q has shape %v, the parameter has shape %v", sum.Name, sum.Shape, p.shape)
	}
	st.sum32, _ = sum.Data.([]float32)
	st.sum64, _ = sum.Data.([]float64)

	step, ok := tensors[p.name+".step"]
	if !ok {
		return st, fmt.Errorf("no tensor %q", p.name+".step")
	}
	if len(step.Shape) != 0 {
		return st, fmt.Errorf("tensor %q has shape %v, want a scalar (shape [])", step.Name, step.Shape)
	}
	var v float64
	switch d := step.Data.(type) {
	case []int64:
		if d[0] < 0 {
			return st, fmt.Errorf("tensor %q: negative step %d", step.Name, d[0])
		}
		st.step = d[0]
		return st, nil
	case []float32:
		v = float64(d[0])
	case []float64:
		v = d[0]
	}
	// PyTorch keeps the step as a float tensor: accept a float that holds a
	// whole, non-negative number.
	if !(v >= 0 && v <= 1<<53) || v != math.Trunc(v) {
		return st, fmt.Errorf("tensor %q: step %v is not a whole non-negative number", step.Name, v)
	}
	st.step = int64(v)
	return st, nil
}

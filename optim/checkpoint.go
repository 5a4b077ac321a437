package optim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/checkpoint"
)

// Metadata keys and values of an optimizer checkpoint.
const (
	metaOptimizer = "optimizer"
	metaGroups    = "param_groups"
	optimizerName = "Adagrad"
)

// file returns the optimizer's state as a checkpoint file. The tensors
// alias the state: nothing is copied. Each "param_groups" entry is the
// group's options (package adagrad's checkpoint form) followed by its
// parameters' names under "params".
func (a *Adagrad) file() (*checkpoint.File, error) {
	var groups bytes.Buffer
	groups.WriteByte('[')
	f := &checkpoint.File{Tensors: make([]checkpoint.Tensor, 0, 2*len(a.params))}
	for i, g := range a.groups {
		names := make([]string, len(g.params))
		for j, p := range g.params {
			names[j] = p.name
			var sum any = p.sum32
			if p.p64 != nil {
				sum = p.sum64
			}
			f.Tensors = append(f.Tensors,
				checkpoint.Tensor{Name: p.name + ".sum", Shape: p.shape, Data: sum},
				checkpoint.Tensor{Name: p.name + ".step", Shape: []int{}, Data: []int64{p.step}})
			f.Tensors = append(f.Tensors, p.linearTensors()...)
		}
		js, err := adagrad.EncodeJSON(g.opts, adagrad.Member{Key: "params", Value: names})
		if err != nil {
			return nil, fmt.Errorf("optim: checkpoint: parameter group %d: %w", i, err)
		}
		if i > 0 {
			groups.WriteByte(',')
		}
		groups.Write(js)
	}
	groups.WriteByte(']')
	f.Metadata = map[string]string{metaOptimizer: optimizerName, metaGroups: groups.String()}
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
//
// A state no training can produce, a negative or -Inf sum, is refused with
// an error naming the tensor and the element (see [adagrad.CheckSums]);
// NaN is accepted, since training on NaN gradients produces it.
func (a *Adagrad) Load(path string) error {
	r, err := checkpoint.Open(path)
	if err != nil {
		return fmt.Errorf("optim: %w", err)
	}
	defer r.Close()
	return a.restore(r)
}

// UnmarshalBinary is Load for a checkpoint held in memory.
func (a *Adagrad) UnmarshalBinary(data []byte) error {
	r, err := checkpoint.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return fmt.Errorf("optim: %w", err)
	}
	return a.restore(r)
}

// pending is the state of one parameter read from a checkpoint.
type pending struct {
	p     *pstate
	step  int64
	sum32 []float32
	sum64 []float64
	lin   linearRead // FTRL's linear terms (online.go)
}

// restore checks the file against the optimizer, reads every state tensor
// into memory of its own (one copy of the file's tensors, beside the
// optimizer's state), checks the values, and only then replaces the state.
func (a *Adagrad) restore(r *checkpoint.Reader) error {
	errf := func(format string, args ...any) error {
		return fmt.Errorf("optim: checkpoint: "+format, args...)
	}
	meta := r.Metadata()
	if got := meta[metaOptimizer]; got != optimizerName {
		return errf("metadata %q is %q, want %q", metaOptimizer, got, optimizerName)
	}
	gs, ok := meta[metaGroups]
	if !ok {
		return errf("no %q metadata", metaGroups)
	}
	var entries []json.RawMessage
	if err := json.Unmarshal([]byte(gs), &entries); err != nil {
		return errf("%q metadata: %v", metaGroups, err)
	}
	if len(entries) != len(a.groups) {
		return errf("%d parameter groups, the optimizer has %d", len(entries), len(a.groups))
	}
	opts := make([]adagrad.Options, len(entries))
	states := make([]pending, 0, len(a.params))
	for i, js := range entries {
		g := a.groups[i]
		var names []string
		if err := adagrad.DecodeJSON(js, &opts[i], adagrad.Member{Key: "params", Value: &names}); err != nil {
			return errf("parameter group %d: %v", i, err)
		}
		if err := opts[i].Validate(); err != nil {
			return errf("parameter group %d: %v", i, err)
		}
		if opts[i].Kind != g.opts.Kind {
			return errf("parameter group %d: the checkpoint's is of kind %v, the optimizer's %v", i, opts[i].Kind, g.opts.Kind)
		}
		if len(names) > len(g.params) {
			return errf("parameter group %d: %d parameter names for %d parameters", i, len(names), len(g.params))
		}
		seen := make(map[string]bool, len(names))
		for _, name := range names {
			if p := a.byName[name]; p == nil || p.group != g {
				return errf("parameter group %d: parameter %q is not in the optimizer's group %d", i, name, i)
			}
			if seen[name] {
				return errf("parameter group %d: parameter %q is named twice", i, name)
			}
			seen[name] = true
		}
		for _, p := range g.params {
			if !seen[p.name] {
				return errf("parameter group %d: parameter %q is missing", i, p.name)
			}
			st, err := readState(r, p)
			if err != nil {
				return errf("%v", err)
			}
			if st.lin, err = readLinear(r, p); err != nil {
				return errf("%v", err)
			}
			states = append(states, st)
		}
	}
	if infos := r.Tensors(); len(infos) != 2*len(a.params)+a.linears() { // each parameter found its two (three)
		for _, t := range infos {
			base, ok := strings.CutSuffix(t.Name, ".sum")
			if !ok {
				base, ok = strings.CutSuffix(t.Name, ".step")
			}
			if !ok {
				base, ok = strings.CutSuffix(t.Name, ".linear")
			}
			if !ok || a.byName[base] == nil {
				return errf("tensor %q matches no parameter of the optimizer", t.Name)
			}
		}
		return errf("%d tensors, want %d: a name repeated?", len(infos), 2*len(a.params)+a.linears())
	}
	// Everything checked: apply.
	for i, o := range opts {
		a.groups[i].opts = o
	}
	for _, st := range states {
		st.p.step = st.step
		copy(st.p.sum32, st.sum32)
		copy(st.p.sum64, st.sum64)
		copy(st.p.online.lin32, st.lin.lin32)
		copy(st.p.online.lin64, st.lin.lin64)
	}
	return nil
}

func readState(r *checkpoint.Reader, p *pstate) (pending, error) {
	st := pending{p: p}
	sum, ok := r.Info(p.name + ".sum")
	if !ok {
		return st, fmt.Errorf("no tensor %q", p.name+".sum")
	}
	want := checkpoint.F32
	if p.p64 != nil {
		want = checkpoint.F64
	}
	if sum.DType != want {
		return st, fmt.Errorf("tensor %q is %s, the parameter needs %s", sum.Name, sum.DType, want)
	}
	if !slices.Equal(sum.Shape, p.shape) {
		return st, fmt.Errorf("tensor %q has shape %v, the parameter has shape %v", sum.Name, sum.Shape, p.shape)
	}
	var err error
	if p.p64 != nil {
		st.sum64 = make([]float64, sum.Len())
		if err = r.ReadInto(sum.Name, st.sum64); err == nil {
			err = adagrad.CheckSums(sum.Name, st.sum64)
		}
	} else {
		st.sum32 = make([]float32, sum.Len())
		if err = r.ReadInto(sum.Name, st.sum32); err == nil {
			err = adagrad.CheckSums(sum.Name, st.sum32)
		}
	}
	if err != nil {
		return st, err
	}

	step, ok := r.Info(p.name + ".step")
	if !ok {
		return st, fmt.Errorf("no tensor %q", p.name+".step")
	}
	if len(step.Shape) != 0 {
		return st, fmt.Errorf("tensor %q has shape %v, want a scalar (shape [])", step.Name, step.Shape)
	}
	var v float64
	switch step.DType {
	case checkpoint.I64:
		var d [1]int64
		if err := r.ReadInto(step.Name, d[:]); err != nil {
			return st, err
		}
		if err := adagrad.CheckSteps(d[0]); err != nil {
			return st, fmt.Errorf("tensor %q: %v", step.Name, err)
		}
		st.step = d[0]
		return st, nil
	case checkpoint.F32:
		var d [1]float32
		if err := r.ReadInto(step.Name, d[:]); err != nil {
			return st, err
		}
		v = float64(d[0])
	case checkpoint.F64:
		var d [1]float64
		if err := r.ReadInto(step.Name, d[:]); err != nil {
			return st, err
		}
		v = d[0]
	default:
		return st, fmt.Errorf("tensor %q is %s, want I64 (or PyTorch's float)", step.Name, step.DType)
	}
	// PyTorch keeps the step as a float tensor: accept a float that holds a
	// whole, non-negative number.
	if !(v >= 0 && v <= 1<<53) || v != math.Trunc(v) {
		return st, fmt.Errorf("tensor %q: step %v is not a whole non-negative number", step.Name, v)
	}
	st.step = int64(v)
	return st, nil
}

package sparse

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/adagrad-go/adagrad/checkpoint"
	"github.com/adagrad-go/adagrad/internal/hyper"
)

// A table's checkpoint is a safetensors file (package checkpoint) with
// three tensors and two metadata entries:
//
//	weight   F32 [rows, dim]   the weights
//	sum      F32 [rows, dim]   the state, element-wise; [rows] row-wise
//	step     I64 []            the step counter
//	__metadata__: "optimizer": "SparseAdagrad",
//	              "options": the hyperparameters as JSON, PyTorch's names
//	              (lr, lr_decay, weight_decay, initial_accumulator_value,
//	              eps, maximize) and eps_inside, rowwise.
const (
	metaOptimizer = "optimizer"
	metaOptions   = "options"
	optimizerName = "SparseAdagrad"
)

type optionsJSON struct {
	hyper.JSON
	EpsInside *bool `json:"eps_inside"`
	RowWise   *bool `json:"rowwise"`
}

// file returns the table as a checkpoint file; the tensors alias the
// table's memory.
func (t *Table) file() *checkpoint.File {
	o := t.opts
	js, err := json.Marshal(optionsJSON{hyper.NewJSON(o.LR, o.LRDecay, o.WeightDecay, o.InitialAccumulatorValue,
		o.Eps, o.Maximize), &o.EpsInside, &o.RowWise})
	if err != nil { // finite numbers and booleans only: cannot fail
		panic(err)
	}
	return &checkpoint.File{
		Metadata: map[string]string{metaOptimizer: optimizerName, metaOptions: string(js)},
		Tensors: []checkpoint.Tensor{
			{Name: "weight", Shape: []int{t.rows, t.dim}, Data: t.weights},
			{Name: "sum", Shape: t.stateShape(), Data: t.state},
			{Name: "step", Shape: []int{}, Data: []int64{t.steps}},
		},
	}
}

func (t *Table) stateShape() []int {
	if t.opts.RowWise {
		return []int{t.rows}
	}
	return []int{t.rows, t.dim}
}

// Save writes the table, its state, step counter and hyperparameters to
// the file at path, atomically (see [checkpoint.Save]): a crash leaves
// either the old file or the new one.
func (t *Table) Save(path string) error {
	return checkpoint.Save(path, t.file())
}

// MarshalBinary returns the checkpoint Save writes, in memory.
func (t *Table) MarshalBinary() ([]byte, error) {
	return checkpoint.Marshal(t.file())
}

// Load replaces the table's weights, state, step counter and
// hyperparameters with those of the checkpoint at path. The checkpoint must
// be of a table of the same rows, dim and mode. Anything else, or a
// missing, truncated or corrupted file, is an error naming the first
// problem, and leaves the table exactly as it was.
func (t *Table) Load(path string) error {
	f, err := checkpoint.Load(path)
	if err != nil {
		return fmt.Errorf("sparse: %w", err)
	}
	return t.restore(f)
}

// UnmarshalBinary is Load for a checkpoint held in memory.
func (t *Table) UnmarshalBinary(data []byte) error {
	f, err := checkpoint.Decode(data)
	if err != nil {
		return fmt.Errorf("sparse: %w", err)
	}
	return t.restore(f)
}

func (t *Table) restore(f *checkpoint.File) error {
	errf := func(format string, args ...any) error {
		return fmt.Errorf("sparse: checkpoint: "+format, args...)
	}
	if got := f.Metadata[metaOptimizer]; got != optimizerName {
		return errf("metadata %q is %q, want %q", metaOptimizer, got, optimizerName)
	}
	js, ok := f.Metadata[metaOptions]
	if !ok {
		return errf("no %q metadata", metaOptions)
	}
	dec := json.NewDecoder(strings.NewReader(js))
	dec.DisallowUnknownFields()
	var oj optionsJSON
	if err := dec.Decode(&oj); err != nil {
		return errf("%q metadata: %v", metaOptions, err)
	}
	if dec.More() {
		return errf("%q metadata: trailing data", metaOptions)
	}
	missing := oj.Missing()
	if missing == "" && oj.EpsInside == nil {
		missing = "eps_inside"
	}
	if missing == "" && oj.RowWise == nil {
		missing = "rowwise"
	}
	if missing != "" {
		return errf("%q metadata: no %q", metaOptions, missing)
	}
	o := Options{LR: *oj.LR, LRDecay: *oj.LRDecay, WeightDecay: *oj.WeightDecay,
		InitialAccumulatorValue: *oj.InitialAccumulatorValue, Eps: *oj.Eps, Maximize: *oj.Maximize,
		EpsInside: *oj.EpsInside, RowWise: *oj.RowWise}
	if err := o.Validate(); err != nil {
		return errf("%v", err)
	}
	if o.RowWise != t.opts.RowWise {
		return errf("rowwise is %v, the table's is %v", o.RowWise, t.opts.RowWise)
	}
	if len(f.Tensors) != 3 {
		names := make([]string, len(f.Tensors))
		for i, x := range f.Tensors {
			names[i] = x.Name
		}
		return errf("tensors %q, want weight, sum and step", names)
	}
	get := func(name string, shape []int, dt checkpoint.DType) (*checkpoint.Tensor, error) {
		x, ok := f.Tensor(name)
		if !ok {
			return nil, errf("no tensor %q", name)
		}
		if x.DType() != dt {
			return nil, errf("tensor %q is %s, want %s", name, x.DType(), dt)
		}
		if !slices.Equal(x.Shape, shape) {
			return nil, errf("tensor %q has shape %v, the table needs %v", name, x.Shape, shape)
		}
		return x, nil
	}
	w, err := get("weight", []int{t.rows, t.dim}, checkpoint.F32)
	if err != nil {
		return err
	}
	s, err := get("sum", t.stateShape(), checkpoint.F32)
	if err != nil {
		return err
	}
	st, err := get("step", []int{}, checkpoint.I64)
	if err != nil {
		return err
	}
	step := st.Data.([]int64)[0]
	if step < 0 || step == math.MaxInt64 {
		return errf("step %d is not a valid step count", step)
	}
	// Everything checked: apply.
	t.opts = o
	t.steps = step
	copy(t.weights, w.Data.([]float32))
	copy(t.state, s.Data.([]float32))
	return nil
}

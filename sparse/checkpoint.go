package sparse

import (
	"fmt"
	"slices"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/checkpoint"
)

// A table's checkpoint is a safetensors file (package checkpoint) with
// three tensors and three metadata entries:
//
//	weight   F32 [rows, dim]   the weights
//	sum      F32 [rows, dim]   the state, elementwise; [rows] rowwise
//	step     I64 []            the step counter
//	__metadata__: "optimizer": "SparseAdagrad",
//	              "layout": "elementwise" or "rowwise",
//	              "options": the hyperparameters in package adagrad's
//	              checkpoint form (PyTorch's names, and eps_inside)
const (
	metaOptimizer = "optimizer"
	metaLayout    = "layout"
	metaOptions   = "options"
	optimizerName = "SparseAdagrad"
)

// file returns the table as a checkpoint file; the tensors alias the
// table's memory. Options JSON cannot hold (an infinite learning rate) are
// an error.
func (t *Table) file() (*checkpoint.File, error) {
	js, err := t.opts.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("sparse: checkpoint: %w", err)
	}
	return &checkpoint.File{
		Metadata: map[string]string{metaOptimizer: optimizerName, metaLayout: t.layout.String(), metaOptions: string(js)},
		Tensors: []checkpoint.Tensor{
			{Name: "weight", Shape: []int{t.rows, t.dim}, Data: t.weights},
			{Name: "sum", Shape: t.stateShape(), Data: t.state},
			{Name: "step", Shape: []int{}, Data: []int64{t.steps}},
		},
	}, nil
}

func (t *Table) stateShape() []int {
	if t.layout == Rowwise {
		return []int{t.rows}
	}
	return []int{t.rows, t.dim}
}

// Save writes the table, its state, step counter and hyperparameters to
// the file at path, atomically (see [checkpoint.Save]): a crash leaves
// either the old file or the new one.
//
// An infinite hyperparameter (valid, as in PyTorch) cannot be written: JSON
// has no infinity.
func (t *Table) Save(path string) error {
	f, err := t.file()
	if err != nil {
		return err
	}
	return checkpoint.Save(path, f)
}

// MarshalBinary returns the checkpoint Save writes, in memory.
func (t *Table) MarshalBinary() ([]byte, error) {
	f, err := t.file()
	if err != nil {
		return nil, err
	}
	return checkpoint.Marshal(f)
}

// Load replaces the table's weights, state, step counter and
// hyperparameters with those of the checkpoint at path. The checkpoint must
// be of a table of the same rows, dim and layout. Anything else, or a
// missing, truncated or corrupted file, is an error naming the first
// problem, and leaves the table exactly as it was.
//
// A state no training can produce, a negative or -Inf sum, is refused with
// an error naming the tensor and the element (see [adagrad.CheckSums]);
// NaN is accepted, since training on NaN gradients produces it.
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
	if got := f.Metadata[metaLayout]; got != t.layout.String() {
		return errf("metadata %q is %q, the table's is %q", metaLayout, got, t.layout)
	}
	js, ok := f.Metadata[metaOptions]
	if !ok {
		return errf("no %q metadata", metaOptions)
	}
	var o adagrad.Options
	if err := o.UnmarshalJSON([]byte(js)); err != nil {
		return errf("%q metadata: %v", metaOptions, err)
	}
	if err := o.Validate(); err != nil {
		return errf("%v", err)
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
	if err := adagrad.CheckSums("sum", s.Data.([]float32)); err != nil {
		return errf("%v", err)
	}
	step := st.Data.([]int64)[0]
	if err := adagrad.CheckSteps(step); err != nil {
		return errf("tensor \"step\": %v", err)
	}
	// Everything checked: apply.
	t.opts = o
	t.steps = step
	copy(t.weights, w.Data.([]float32))
	copy(t.state, s.Data.([]float32))
	return nil
}

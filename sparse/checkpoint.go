package sparse

import (
	"bytes"
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
//
// A table of 16-bit weights keeps them as they are, BF16 or F16 [rows,
// dim] (the state stays F32), and its [Storage] in three more metadata
// entries: "weights" ("bfloat16" or "float16"), "rounding" ("stochastic"
// or "nearest-even") and "seed" (decimal). A checkpoint of float32 weights
// has none of the three.
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
	f := &checkpoint.File{
		Metadata: map[string]string{metaOptimizer: optimizerName, metaLayout: t.layout.String(), metaOptions: string(js)},
		Tensors: []checkpoint.Tensor{
			{Name: "weight", Shape: []int{t.rows, t.dim}, Data: t.weightData()},
			{Name: "sum", Shape: t.stateShape(), Data: t.state},
			{Name: "step", Shape: []int{}, Data: []int64{t.steps}},
		},
	}
	t.half.addMetadata(f.Metadata)
	f.Tensors = append(f.Tensors, t.onlineTensors()...)
	return f, nil
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
// hyperparameters with those of the checkpoint at path, and for 16-bit
// weights their rounding and seed, so that the table continues with the
// bits the saved one would have had. The checkpoint must be of a table of
// the same rows, dim, layout and weight type. Anything else, or a
// missing, truncated or corrupted file, is an error naming the first
// problem, and leaves the table exactly as it was.
//
// A state no training can produce, a negative or -Inf sum, is refused with
// an error naming the tensor and the element (see [adagrad.CheckSums]);
// NaN is accepted, since training on NaN gradients produces it.
func (t *Table) Load(path string) error {
	r, err := checkpoint.Open(path)
	if err != nil {
		return fmt.Errorf("sparse: %w", err)
	}
	defer r.Close()
	return t.restore(r)
}

// UnmarshalBinary is Load for a checkpoint held in memory.
func (t *Table) UnmarshalBinary(data []byte) error {
	r, err := checkpoint.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return fmt.Errorf("sparse: %w", err)
	}
	return t.restore(r)
}

// restore checks the file's header against the table, reads the weights
// and the state into memory of their own (one copy of the file's tensors
// beside the table), checks the state's values, and only then copies them
// into the table, so that an error anywhere changes nothing.
func (t *Table) restore(r *checkpoint.Reader) error {
	errf := func(format string, args ...any) error {
		return fmt.Errorf("sparse: checkpoint: "+format, args...)
	}
	meta := r.Metadata()
	if got := meta[metaOptimizer]; got != optimizerName {
		return errf("metadata %q is %q, want %q", metaOptimizer, got, optimizerName)
	}
	if got := meta[metaLayout]; got != t.layout.String() {
		return errf("metadata %q is %q, the table's is %q", metaLayout, got, t.layout)
	}
	js, ok := meta[metaOptions]
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
	st, err := t.half.fromMetadata(meta)
	if err != nil {
		return errf("%v", err)
	}
	if err := t.checkKindOf(o); err != nil {
		return errf("%v", err)
	}
	wants := append([]checkpoint.TensorInfo{
		{Name: "weight", DType: t.weightDType(), Shape: []int{t.rows, t.dim}},
		{Name: "sum", DType: checkpoint.F32, Shape: t.stateShape()},
		{Name: "step", DType: checkpoint.I64, Shape: []int{}},
	}, t.onlineInfos()...)
	if infos := r.Tensors(); len(infos) != len(wants) {
		names := make([]string, len(infos))
		for i, x := range infos {
			names[i] = x.Name
		}
		want := wants[0].Name
		for i, x := range wants[1:] {
			if i == len(wants)-2 {
				want += " and " + x.Name
			} else {
				want += ", " + x.Name
			}
		}
		return errf("tensors %q, want %s", names, want)
	}
	for _, want := range wants {
		x, ok := r.Info(want.Name)
		if !ok {
			return errf("no tensor %q", want.Name)
		}
		if x.DType != want.DType {
			return errf("tensor %q is %s, want %s", want.Name, x.DType, want.DType)
		}
		if !slices.Equal(x.Shape, want.Shape) {
			return errf("tensor %q has shape %v, the table needs %v", want.Name, x.Shape, want.Shape)
		}
	}
	var step [1]int64
	if err := r.ReadInto("step", step[:]); err != nil {
		return errf("%v", err)
	}
	if err := adagrad.CheckSteps(step[0]); err != nil {
		return errf("tensor \"step\": %v", err)
	}
	sum := make([]float32, len(t.state))
	if err := r.ReadInto("sum", sum); err != nil {
		return errf("%v", err)
	}
	if err := adagrad.CheckSums("sum", sum); err != nil {
		return errf("%v", err)
	}
	weights := t.newWeightData()
	if err := r.ReadInto("weight", weights); err != nil {
		return errf("%v", err)
	}
	online, err := t.readOnline(r, o, step[0])
	if err != nil {
		return errf("%v", err)
	}
	// Everything checked: apply.
	t.applyOnline(online)
	t.opts = o
	t.steps = step[0]
	t.setWeightData(weights)
	t.half.Storage = st
	copy(t.state, sum)
	return nil
}

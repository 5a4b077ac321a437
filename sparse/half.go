package sparse

import (
	"errors"
	"fmt"
	"strconv"
	"unsafe"

	"github.com/adagrad-go/adagrad/checkpoint"
	"github.com/adagrad-go/adagrad/kernel"
)

// WeightType is the type a table keeps its weights in, fixed when the
// table is made.
type WeightType int

const (
	// Float32 weights: the table as it has always been.
	Float32 WeightType = iota
	// BFloat16 weights: 8 bits of precision, float32's range.
	BFloat16
	// Float16 weights (IEEE binary16): 11 bits of precision, largest
	// finite value 65504.
	Float16
)

// String returns "float32", "bfloat16" or "float16", the names checkpoints
// use.
func (w WeightType) String() string {
	switch w {
	case Float32:
		return "float32"
	case BFloat16:
		return "bfloat16"
	case Float16:
		return "float16"
	}
	return fmt.Sprintf("WeightType(%d)", int(w))
}

// size returns the bytes of one weight.
func (w WeightType) size() int {
	if w == Float32 {
		return 4
	}
	return 2
}

// format is the kernel's name of a 16-bit type.
func (w WeightType) format() kernel.HalfFormat {
	if w == Float16 {
		return kernel.Float16
	}
	return kernel.BFloat16
}

// Rounding is how a step rounds the new weights of a 16-bit table.
type Rounding int

const (
	// Stochastic rounding, the default: a new weight between two 16-bit
	// values goes to the upper one with probability equal to its distance
	// from the lower one over the gap, so that updates smaller than the
	// gap still move the weights on average.
	Stochastic Rounding = iota
	// NearestEven rounds to the nearest 16-bit value, ties to even: an
	// update smaller than half the gap is lost.
	NearestEven
)

// String returns "stochastic" or "nearest-even", the names checkpoints
// use.
func (r Rounding) String() string {
	switch r {
	case Stochastic:
		return "stochastic"
	case NearestEven:
		return "nearest-even"
	}
	return fmt.Sprintf("Rounding(%d)", int(r))
}

// Storage is how a table keeps its weights, given to [New] when the table
// is made: the weights' type, and for 16-bit weights how a step rounds
// them and the seed of the random bits of stochastic rounding. The zero
// Storage is float32 weights, as a table made without one has;
// Storage{Weights: BFloat16} is bfloat16 weights with stochastic rounding
// and seed 0. Rounding and Seed apply to 16-bit weights only: a float32
// table with either set is an error.
type Storage struct {
	Weights  WeightType
	Rounding Rounding
	Seed     uint64
}

// halfWeights is the storage of a table and, for 16-bit weights, the
// weights themselves.
type halfWeights struct {
	Storage
	bits []uint16 // rows*dim 16-bit weights, row-major; nil for float32 tables
}

// storageOf checks the optional Storage of New.
func storageOf(s []Storage) (halfWeights, error) {
	var h halfWeights
	switch len(s) {
	case 0:
		return h, nil
	case 1:
		h.Storage = s[0]
	default:
		return h, fmt.Errorf("sparse: %d Storage values; a table has one", len(s))
	}
	switch {
	case h.Weights < Float32 || h.Weights > Float16:
		return h, fmt.Errorf("sparse: unknown weight type %v", h.Weights)
	case h.Rounding != Stochastic && h.Rounding != NearestEven:
		return h, fmt.Errorf("sparse: unknown rounding %v", h.Rounding)
	case h.Weights == Float32 && (h.Rounding != Stochastic || h.Seed != 0):
		return h, errors.New("sparse: float32 weights are not rounded: Rounding and Seed apply to 16-bit weights only")
	}
	return h, nil
}

// allocate makes the 16-bit weights of n elements, or returns the
// runtime's refusal as an error.
func (h *halfWeights) allocate(n int) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%v", v)
		}
	}()
	h.bits = tableArray[uint16](n, 0)
	return nil
}

// overlaps reports whether s shares memory with the 16-bit weights.
func (h *halfWeights) overlaps(s []float32) bool {
	if len(s) == 0 || len(h.bits) == 0 {
		return false
	}
	alo, blo := uintptr(unsafe.Pointer(unsafe.SliceData(s))), uintptr(unsafe.Pointer(unsafe.SliceData(h.bits)))
	return alo < blo+2*uintptr(len(h.bits)) && blo < alo+4*uintptr(len(s))
}

// Storage returns how the table keeps its weights.
func (t *Table) Storage() Storage { return t.half.Storage }

// Weights16 returns the weights of a table of 16-bit weights as their
// bits (bfloat16 or float16, see [Table.Storage]), rows*dim values,
// row-major. It is the table's own memory; steps update it in place. For a
// table of float32 weights it returns nil (see [Table.Weights]).
func (t *Table) Weights16() []uint16 { return t.half.bits }

// SetWeights sets every weight from src, rows*dim float32 values,
// row-major: a copy for float32 weights; for 16-bit weights each value
// rounded to nearest even (as kernel.Round rounds it, NaN and overflow
// included). A wrong length is an error and changes nothing.
func (t *Table) SetWeights(src []float32) error {
	if len(src) != t.rows*t.dim {
		return fmt.Errorf("sparse: %d values for the weights of a table of %d x %d", len(src), t.rows, t.dim)
	}
	if t.weights != nil {
		copy(t.weights, src)
		return nil
	}
	kernel.Round(kernel.Half{Format: t.half.Weights.format()}, 0, 0, t.half.bits, src)
	return nil
}

// updateHalf steps the coalesced rows of s of a 16-bit table: the rows
// seen once with their gradient rows in src, the others with their sums
// (see coalesceAndUpdate).
// The random bits are those of the table's seed and this step (t.steps,
// already counted).
func (t *Table) updateHalf(s *scratch, src *source, o kernel.Options) {
	h := kernel.Half{Format: t.half.Weights.format(), Stochastic: t.half.Rounding == Stochastic, Seed: t.half.Seed, Step: t.steps}
	f := kernel.StepRowsHalf
	if t.layout == Rowwise {
		f = kernel.RowwiseStepRowsHalf
	}
	if len(s.rows1) > 0 {
		f(h, t.half.bits, t.state, t.dim, s.rows1, src.rows, s.grow1, o)
	}
	if len(s.rowsN) > 0 {
		f(h, t.half.bits, t.state, t.dim, s.rowsN, s.buf, nil, o)
	}
}

// lookup is Lookup on a 16-bit table: each row widened into dst; the
// batch has been checked.
func (h *halfWeights) lookup(dst []float32, indices []int64, d int) {
	kernel.WidenRows(h.Weights.format(), dst, h.bits, d, indices)
}

// The metadata entries of a checkpoint of 16-bit weights.
const (
	metaWeights  = "weights"
	metaRounding = "rounding"
	metaSeed     = "seed"
)

// addMetadata adds the storage of 16-bit weights to a checkpoint's
// metadata; float32 weights add nothing.
func (h *halfWeights) addMetadata(m map[string]string) {
	if h.Weights == Float32 {
		return
	}
	m[metaWeights] = h.Weights.String()
	m[metaRounding] = h.Rounding.String()
	m[metaSeed] = strconv.FormatUint(h.Seed, 10)
}

// fromMetadata returns the storage a checkpoint's metadata describes,
// which must have the table's weight type.
func (h *halfWeights) fromMetadata(m map[string]string) (Storage, error) {
	var s Storage
	name, ok := m[metaWeights]
	if !ok {
		for _, k := range []string{metaRounding, metaSeed} {
			if _, ok := m[k]; ok {
				return s, fmt.Errorf("metadata %q without %q", k, metaWeights)
			}
		}
		name = Float32.String()
	}
	if name != h.Weights.String() {
		return s, fmt.Errorf("the checkpoint's weights are %s (metadata %q), the table's are %s", name, metaWeights, h.Weights)
	}
	s.Weights = h.Weights
	if s.Weights == Float32 {
		return s, nil
	}
	switch m[metaRounding] {
	case Stochastic.String():
		s.Rounding = Stochastic
	case NearestEven.String():
		s.Rounding = NearestEven
	default:
		return s, fmt.Errorf("metadata %q is %q, want %q or %q", metaRounding, m[metaRounding], Stochastic, NearestEven)
	}
	seed, err := strconv.ParseUint(m[metaSeed], 10, 64)
	if err != nil {
		return s, fmt.Errorf("metadata %q is %q, want a decimal integer in [0, 2^64)", metaSeed, m[metaSeed])
	}
	s.Seed = seed
	return s, nil
}

// weightDType is the checkpoint dtype of the table's weights.
func (t *Table) weightDType() checkpoint.DType {
	switch t.half.Weights {
	case BFloat16:
		return checkpoint.BF16
	case Float16:
		return checkpoint.F16
	}
	return checkpoint.F32
}

// weightData returns the weights as checkpoint tensor data, aliasing the
// table's memory.
func (t *Table) weightData() any {
	b := t.half.bits
	switch t.half.Weights {
	case BFloat16:
		return unsafe.Slice((*checkpoint.BFloat16)(unsafe.SliceData(b)), len(b))
	case Float16:
		return unsafe.Slice((*checkpoint.Float16)(unsafe.SliceData(b)), len(b))
	}
	return t.weights
}

// newWeightData returns memory of its own for the weights of a
// checkpoint, of the type weightData returns.
func (t *Table) newWeightData() any {
	n := t.rows * t.dim
	switch t.half.Weights {
	case BFloat16:
		return make([]checkpoint.BFloat16, n)
	case Float16:
		return make([]checkpoint.Float16, n)
	}
	return make([]float32, n)
}

// setWeightData copies weights from newWeightData's memory into the
// table.
func (t *Table) setWeightData(w any) {
	switch w := w.(type) {
	case []float32:
		copy(t.weights, w)
	case []checkpoint.BFloat16:
		for i, v := range w {
			t.half.bits[i] = uint16(v)
		}
	case []checkpoint.Float16:
		for i, v := range w {
			t.half.bits[i] = uint16(v)
		}
	}
}

// roundRow sets row r of the 16-bit weights from a row of float32 values,
// rounded to nearest even.
func (h *halfWeights) roundRow(r int, src []float32) {
	d := len(src)
	kernel.Round(kernel.Half{Format: h.Weights.format()}, 0, 0, h.bits[r*d:r*d+d], src)
}

package sparse

import (
	"errors"
	"fmt"
	"slices"

	"github.com/adagrad-go/adagrad/kernel"
)

// Lookup copies the rows that indices name into dst, one after the other
// (len(dst) == len(indices)*dim): the forward pass of an embedding. A bad
// index or length is an error and dst is not written.
func (t *Table) Lookup(dst []float32, indices []int64) error {
	if err := checkBatch(t, indices, dst); err != nil {
		return err
	}
	if err := kernel.Check(); err != nil {
		return fmt.Errorf("sparse: %w", err)
	}
	d := t.dim
	if t.weights == nil {
		t.half.lookup(dst, indices, d)
		return nil
	}
	kernel.CopyRows32(dst, t.weights, d, indices)
	return nil
}

// Pooling is how a bag's rows are combined.
type Pooling int

const (
	Sum  Pooling = iota // the sum of the bag's rows
	Mean                // the sum divided by the number of rows
)

func (p Pooling) String() string {
	switch p {
	case Sum:
		return "sum"
	case Mean:
		return "mean"
	}
	return fmt.Sprintf("Pooling(%d)", int(p))
}

// checkBags checks offsets against n indices, as torch.nn.EmbeddingBag
// takes them: bag b holds indices[offsets[b]:offsets[b+1]], the last bag
// runs to the end; offsets start at 0 and never decrease. An empty bag is
// allowed.
func checkBags(offsets []int64, n int, p Pooling) error {
	if p != Sum && p != Mean {
		return fmt.Errorf("sparse: unknown pooling %v", p)
	}
	if len(offsets) == 0 {
		if n != 0 {
			return fmt.Errorf("sparse: %d indices but no bags (offsets is empty)", n)
		}
		return nil
	}
	if offsets[0] != 0 {
		return fmt.Errorf("sparse: offsets[0] = %d; the first bag must start at 0", offsets[0])
	}
	for b := 1; b < len(offsets); b++ {
		if offsets[b] < offsets[b-1] || offsets[b] > int64(n) {
			return fmt.Errorf("sparse: offsets[%d] = %d is outside [offsets[%d], %d] = [%d, %d]",
				b, offsets[b], b-1, n, offsets[b-1], n)
		}
	}
	return nil
}

// bag returns the bounds of bag b.
func bag(offsets []int64, n, b int) (lo, hi int) {
	lo = int(offsets[b])
	hi = n
	if b+1 < len(offsets) {
		hi = int(offsets[b+1])
	}
	return lo, hi
}

// checkWeights checks per-sample weights for n indices: none, or one per
// index with Sum pooling, as torch.nn.EmbeddingBag allows them.
func checkWeights(w []float32, n int, p Pooling) error {
	if w == nil {
		return nil
	}
	if p != Sum {
		return fmt.Errorf("sparse: per-sample weights need %v pooling, not %v", Sum, p)
	}
	if len(w) != n {
		return fmt.Errorf("sparse: %d per-sample weights for %d indices", len(w), n)
	}
	return nil
}

// Bag pools bags of rows into dst, one row of dim values per bag
// (len(dst) == len(offsets)*dim), like torch.nn.EmbeddingBag with offsets:
// bag b is indices[offsets[b]:offsets[b+1]], the last bag runs to the end
// of indices. Sum adds the rows in order (float32, left to right); Mean
// then divides by the bag's size (one division, correctly rounded). With
// perSampleWeights (nil, or one per index; Sum only, as in PyTorch) each
// row is first multiplied by its index's weight (one rounding), then
// added. An empty bag gives zeros. A bad index, offset or length is an
// error and dst is not written.
func (t *Table) Bag(dst []float32, indices, offsets []int64, p Pooling, perSampleWeights []float32) error {
	if err := checkBags(offsets, len(indices), p); err != nil {
		return err
	}
	if err := checkWeights(perSampleWeights, len(indices), p); err != nil {
		return err
	}
	if err := checkIndices(t, indices); err != nil {
		return err
	}
	d := t.dim
	if len(dst) != len(offsets)*d {
		return fmt.Errorf("sparse: dst holds %d values for %d bags of dim %d: want %d", len(dst), len(offsets), d, len(offsets)*d)
	}
	if t.overlaps(dst) {
		return errors.New("sparse: dst overlaps the table's own weights or state")
	}
	if err := kernel.Check(); err != nil {
		return fmt.Errorf("sparse: %w", err)
	}
	for b := range offsets {
		lo, hi := bag(offsets, len(indices), b)
		out := dst[b*d : b*d+d]
		clear(out)
		var w []float32
		if perSampleWeights != nil {
			w = perSampleWeights[lo:hi]
		}
		if t.weights == nil {
			kernel.AddRowsHalf(t.half.Weights.format(), out, t.half.bits, d, indices[lo:hi], w)
		} else {
			kernel.AddRows32(out, t.weights, d, indices[lo:hi], w)
		}
		if p == Mean && hi-lo > 1 {
			n := float32(hi - lo)
			for j := range out {
				out[j] /= n
			}
		}
	}
	return nil
}

// BagBackward turns the gradient of pooled bags (pooled: one row of dim
// values per bag, as Bag wrote them) into one gradient row per index in
// dst (len(dst) == n*dim for the n indices the bags were made of): with
// Sum each index gets its bag's gradient row, with Mean that row divided by
// the bag's size, with perSampleWeights that row times the index's weight
// (one rounding). dst and the indices then go to Step; [Table.StepBags]
// does both without writing dst. A bad offset or length is an error and
// dst is not written.
func (t *Table) BagBackward(dst, pooled []float32, offsets []int64, p Pooling, perSampleWeights []float32) error {
	d := t.dim
	if len(dst)%d != 0 {
		return fmt.Errorf("sparse: dst holds %d values, not a whole number of rows of dim %d", len(dst), d)
	}
	n := len(dst) / d
	if err := t.checkPooled(pooled, offsets, n, p, perSampleWeights); err != nil {
		return err
	}
	if t.overlaps(dst) {
		return errors.New("sparse: dst overlaps the table's own weights or state")
	}
	t.backward(dst, pooled, offsets, n, p, perSampleWeights)
	return nil
}

// checkPooled checks the bags of n indices, their per-sample weights and
// the pooled gradient, as BagBackward and StepBags take them.
func (t *Table) checkPooled(pooled []float32, offsets []int64, n int, p Pooling, w []float32) error {
	if err := checkBags(offsets, n, p); err != nil {
		return err
	}
	if err := checkWeights(w, n, p); err != nil {
		return err
	}
	if d := t.dim; len(pooled) != len(offsets)*d {
		return fmt.Errorf("sparse: pooled holds %d values for %d bags of dim %d: want %d", len(pooled), len(offsets), d, len(offsets)*d)
	}
	return nil
}

// backward writes the gradient row of each of the n indices into dst
// (bagGrad), bag by bag; everything has been checked.
func (t *Table) backward(dst, pooled []float32, offsets []int64, n int, p Pooling, w []float32) {
	d := t.dim
	for b := range offsets {
		lo, hi := bag(offsets, n, b)
		g := pooled[b*d : b*d+d]
		for i := lo; i < hi; i++ {
			bagGrad(dst[i*d:i*d+d], g, p, hi-lo, w, i)
		}
	}
}

// bagGrad writes into out the gradient row of index i of a bag of size m
// whose pooled gradient is g.
func bagGrad(out, g []float32, p Pooling, m int, w []float32, i int) {
	switch {
	case w != nil:
		s := w[i]
		g = g[:len(out)]
		for j := range out {
			out[j] = float32(s * g[j])
		}
	case p == Mean && m > 1:
		n := float32(m)
		g = g[:len(out)]
		for j := range out {
			out[j] = g[j] / n
		}
	default:
		copy(out, g)
	}
}

// StepBags is [Table.BagBackward] followed by [Table.Step] on the same
// indices, with the same bits, without the gradient row per index: a row
// that a batch touches once is stepped straight from its bag's pooled
// gradient row (divided by the bag's size with Mean, once per bag), and the
// rows of a row touched more often are summed in order of occurrence from
// the same rows. With perSampleWeights, whose rows differ from index to
// index, the rows are made as BagBackward makes them. Everything is
// checked first, as Step and BagBackward check it: an error changes
// nothing.
func (t *Table) StepBags(indices, offsets []int64, pooled []float32, p Pooling, perSampleWeights []float32) error {
	n, d := len(indices), t.dim
	if err := t.checkPooled(pooled, offsets, n, p, perSampleWeights); err != nil {
		return err
	}
	if err := checkCount(n); err != nil {
		return err
	}
	if t.overlaps(pooled) {
		return errors.New("sparse: pooled overlaps the table's own weights or state")
	}
	if err := checkIndices(t, indices); err != nil {
		return err
	}
	b := &t.bags
	src := source{rows: pooled}
	switch {
	case perSampleWeights != nil:
		b.rows = slices.Grow(b.rows[:0], n*d)[:n*d]
		t.backward(b.rows, pooled, offsets, n, p, perSampleWeights)
		src.rows = b.rows
	default:
		if p == Mean {
			b.rows = slices.Grow(b.rows[:0], len(pooled))[:len(pooled)]
			for k := range offsets {
				lo, hi := bag(offsets, n, k)
				bagGrad(b.rows[k*d:k*d+d], pooled[k*d:k*d+d], p, hi-lo, nil, 0)
			}
			src.rows = b.rows
		}
		b.of = slices.Grow(b.of[:0], n)[:n]
		for k := range offsets {
			lo, hi := bag(offsets, n, k)
			for i := lo; i < hi; i++ {
				b.of[i] = int32(k)
			}
		}
		src.of = b.of
	}
	return update(t, indices, src)
}

// bagScratch is StepBags' memory, kept between steps.
type bagScratch struct {
	rows []float32 // gradient rows StepBags makes: per bag with Mean, per index with weights
	of   []int32   // the bag of each index
}

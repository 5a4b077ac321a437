package sparse

import (
	"errors"
	"fmt"
)

// Lookup copies the rows that indices name into dst, one after the other
// (len(dst) == len(indices)*dim): the forward pass of an embedding. A bad
// index or length is an error and dst is not written.
func (t *Table) Lookup(dst []float32, indices []int64) error {
	if err := checkBatch(t, indices, dst); err != nil {
		return err
	}
	d := t.dim
	for i, r := range indices {
		copy(dst[i*d:i*d+d], t.weights[int(r)*d:int(r)*d+d])
	}
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

// Bag pools bags of rows into dst, one row of dim values per bag
// (len(dst) == len(offsets)*dim), like torch.nn.EmbeddingBag with offsets:
// bag b is indices[offsets[b]:offsets[b+1]], the last bag runs to the end
// of indices. Sum adds the rows in order (float32, left to right); Mean
// then divides by the bag's size (one division, correctly rounded). An
// empty bag gives zeros. A bad index, offset or length is an error and dst
// is not written.
func (t *Table) Bag(dst []float32, indices, offsets []int64, p Pooling) error {
	if err := checkBags(offsets, len(indices), p); err != nil {
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
	for b := range offsets {
		lo, hi := bag(offsets, len(indices), b)
		out := dst[b*d : b*d+d]
		clear(out)
		for _, r := range indices[lo:hi] {
			add32(out, t.weights[int(r)*d:int(r)*d+d])
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
// the bag's size. dst and the indices then go to Step. A bad offset or
// length is an error and dst is not written.
func (t *Table) BagBackward(dst, pooled []float32, offsets []int64, p Pooling) error {
	d := t.dim
	if len(dst)%d != 0 {
		return fmt.Errorf("sparse: dst holds %d values, not a whole number of rows of dim %d", len(dst), d)
	}
	n := len(dst) / d
	if err := checkBags(offsets, n, p); err != nil {
		return err
	}
	if len(pooled) != len(offsets)*d {
		return fmt.Errorf("sparse: pooled holds %d values for %d bags of dim %d: want %d", len(pooled), len(offsets), d, len(offsets)*d)
	}
	if t.overlaps(dst) {
		return errors.New("sparse: dst overlaps the table's own weights or state")
	}
	for b := range offsets {
		lo, hi := bag(offsets, n, b)
		g := pooled[b*d : b*d+d]
		for i := lo; i < hi; i++ {
			out := dst[i*d : i*d+d]
			copy(out, g)
			if p == Mean && hi-lo > 1 {
				m := float32(hi - lo)
				for j := range out {
					out[j] /= m
				}
			}
		}
	}
	return nil
}

// add32 adds b into a, element by element.
func add32(a, b []float32) {
	b = b[:len(a)]
	for j := range a {
		a[j] += b[j]
	}
}

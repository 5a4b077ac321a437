package sparse

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sync/atomic"
	"unsafe"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/kernel"
)

// Step applies one Adagrad step to the rows that indices name: grads holds
// one gradient row of dim values per index, row-major
// (len(grads) == len(indices)*dim). See the package documentation for the
// semantics. An error (a bad index, reported as an [*IndexError], or a
// wrong length) changes nothing. grads and indices are only read.
func (t *Table) Step(indices []int64, grads []float32) error {
	return step(t, indices, grads)
}

// StepInt32 is [Table.Step] with int32 indices.
func (t *Table) StepInt32(indices []int32, grads []float32) error {
	return step(t, indices, grads)
}

// index is the type of row indices.
type index interface{ ~int32 | ~int64 }

// checkBatch checks every index and the gradient's length.
func checkBatch[I index](t *Table, indices []I, grads []float32) error {
	if len(grads)%t.dim != 0 || len(grads)/t.dim != len(indices) {
		return fmt.Errorf("sparse: %d gradient values for %d indices of a table of dim %d: want %d x %d",
			len(grads), len(indices), t.dim, len(indices), t.dim)
	}
	if err := checkCount(len(indices)); err != nil {
		return err
	}
	if t.overlaps(grads) {
		return errors.New("sparse: the gradient (or destination) slice overlaps the table's own weights or state")
	}
	return checkIndices(t, indices)
}

// checkCount refuses a batch of more indices than the row kernels can
// number (int32 positions).
func checkCount(n int) error {
	if n > math.MaxInt32 {
		return fmt.Errorf("sparse: %d indices in one batch; at most %d", n, math.MaxInt32)
	}
	return nil
}

// overlaps reports whether s shares memory with the table's weights or
// state.
func (t *Table) overlaps(s []float32) bool {
	return overlap(s, t.weights) || overlap(s, t.state) || t.half.overlaps(s) || overlap(s, t.online.linear)
}

func overlap(a, b []float32) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	alo, blo := uintptr(unsafe.Pointer(unsafe.SliceData(a))), uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return alo < blo+4*uintptr(len(b)) && blo < alo+4*uintptr(len(a))
}

// checkIndices returns an [*IndexError] for the first index outside the
// table.
func checkIndices[I index](t *Table, indices []I) error {
	rows := I(t.rows) // t.rows <= MaxRows: fits both types
	for i, x := range indices {
		if x < 0 || x >= rows {
			return &IndexError{Pos: i, Index: int64(x), Rows: t.rows}
		}
	}
	return nil
}

// How a step runs: the indices are checked; then the duplicates are found
// with a hash table of the batch's rows (coalesce, below), which links the
// positions of a row in order; a row seen once keeps its gradient row
// where it is, the gradient rows of a row seen more often are summed in
// order by kernel.SumRows32; then the rows are updated by the batched row
// kernels (kernel.StepRows32 or kernel.RowwiseStepRows32), which prefetch
// rows ahead, the rows seen once in order of position so that the gradient
// is read in order. Rows of one element are all listed with their
// gradients copied or summed in one pass (coalesce1), as a copy costs less
// there than a second pass. With more than one worker the batch is first
// cut into parts by a hash of the row (parallel, below), and each part is
// then coalesced and updated on its own.

// minPerWorker is the fewest indices worth another goroutine.
const minPerWorker = 512

// source is where a step's gradient rows are: the row of the index at
// position i is rows[k*dim:(k+1)*dim], k = of[i], or k = i when of is nil
// (one gradient row per index, as Step takes them).
type source struct {
	rows []float32
	of   []int32
}

// row returns k for position i.
func (g *source) row(i int32) int32 {
	if g.of == nil {
		return i
	}
	return g.of[i]
}

func step[I index](t *Table, indices []I, grads []float32) error {
	if err := checkBatch(t, indices, grads); err != nil {
		return err
	}
	return update(t, indices, source{rows: grads})
}

// update counts the step and updates the rows that indices name with the
// gradient rows of src; the batch has been checked.
func update[I index](t *Table, indices []I, src source) error {
	if err := kernel.Check(); err != nil {
		return fmt.Errorf("sparse: %w", err)
	}
	steps, err := adagrad.NextStep(t.steps)
	if err != nil {
		return fmt.Errorf("sparse: %w", err)
	}
	t.steps = steps
	if len(indices) == 0 {
		return nil
	}
	o := t.opts.KernelOptions(t.steps)
	nw := t.team.Workers()
	if most := (len(indices) + minPerWorker - 1) / minPerWorker; nw > most {
		nw = most
	}
	for len(t.scratch) < nw {
		t.scratch = append(t.scratch, &scratch{})
	}
	if nw == 1 {
		s := t.scratch[0]
		s.batch = appendKeys(s.batch[:0], indices, 0)
		t.coalesceAndUpdate(s, &src, o)
		return nil
	}
	parallel(t, indices, src, o, nw)
	return nil
}

// parallel steps the rows in nw parts, part p owning the rows that hash to
// it, on the table's worker pool. First the batch is split: slice k of the
// indices (the k-th nw-th of the batch) is sorted into its parts by
// scratch k. Then part p gathers its keys from every slice, in order, and
// is coalesced and updated by scratch p. The calling goroutine and the
// workers take slices, then parts, in turn, so that a worker slow to start
// (its core busy with other programs) leaves its share to the others
// instead of holding up the step. The wait between the two phases spins
// (yielding to the scheduler): parking a goroutine and waking it costs
// tens of microseconds, on virtual machines more, which is a good part of
// a step; for the same reason the pool's workers spin for a while between
// steps.
func parallel[I index](t *Table, indices []I, src source, o kernel.Options, nw int) {
	if t.job == nil {
		t.job = &job{t: t}
		t.job.run = t.job.do
	}
	j := t.job
	switch x := any(indices).(type) {
	case []int64:
		j.idx64 = x
	case []int32:
		j.idx32 = x
	}
	j.n, j.src, j.o, j.nw = len(indices), src, o, nw
	j.nextSlice.Store(0)
	j.slicesDone.Store(0)
	j.nextPart.Store(0)
	t.team.Run(j.run)
	j.idx64, j.idx32, j.src = nil, nil, source{} // keep no reference to the caller's memory
}

// job is a parallel step, kept by the table so that a step allocates
// nothing.
type job struct {
	t     *Table
	idx64 []int64 // the indices: one of the two
	idx32 []int32
	n     int // how many
	src   source
	o     kernel.Options
	nw    int

	nextSlice, slicesDone, nextPart atomic.Int64

	run func(int) // do, as a func value made once
}

// do is the work of goroutine w (any of them) in a parallel step.
func (j *job) do(int) {
	t, n, nw := j.t, j.n, j.nw
	for {
		k := int(j.nextSlice.Add(1) - 1)
		if k >= nw {
			break
		}
		lo, hi := k*n/nw, (k+1)*n/nw
		if j.idx64 != nil {
			split(t.scratch[k], j.idx64[lo:hi], lo, nw)
		} else {
			split(t.scratch[k], j.idx32[lo:hi], lo, nw)
		}
		j.slicesDone.Add(1)
	}
	for j.slicesDone.Load() < int64(nw) {
		runtime.Gosched()
	}
	for {
		p := int(j.nextPart.Add(1) - 1)
		if p >= nw {
			return
		}
		s := t.scratch[p]
		s.batch = s.batch[:0]
		for _, from := range t.scratch[:nw] {
			s.batch = append(s.batch, from.parts[from.bounds[p]:from.bounds[p+1]]...)
		}
		t.coalesceAndUpdate(s, &j.src, j.o)
	}
}

// coalesceAndUpdate sums the duplicates among s.keys and steps their rows:
// rows seen once with their gradient row in src, rows seen more often
// with their sum (rows of one element: all with their sums, see
// coalesce1).
func (t *Table) coalesceAndUpdate(s *scratch, src *source, o kernel.Options) {
	s.coalesce(src, t.dim)
	if t.weights == nil {
		t.updateHalf(s, src, o)
		return
	}
	if t.online.on {
		t.updateOnline(s, src, o)
		return
	}
	f := kernel.StepRows32
	if t.layout == Rowwise {
		f = kernel.RowwiseStepRows32
	}
	if len(s.rows1) > 0 {
		f(t.weights, t.state, t.dim, s.rows1, src.rows, s.grow1, o)
	}
	if len(s.rowsN) > 0 {
		f(t.weights, t.state, t.dim, s.rowsN, s.buf, nil, o)
	}
}

// part returns the part (of nw) that owns row r.
func part(r uint32, nw int) int {
	return int(uint64(r*0x85EBCA77) * uint64(nw) >> 32)
}

// A key is one index of a batch: its row in the high 32 bits, its
// position in the batch in the low 32.
func key(row uint32, pos int) uint64 { return uint64(row)<<32 | uint64(uint32(pos)) }

// appendKeys appends the keys of indices, whose positions start at base.
func appendKeys[I index](dst []uint64, indices []I, base int) []uint64 {
	dst = slices.Grow(dst, len(indices))
	for i, x := range indices {
		dst = append(dst, key(uint32(x), base+i))
	}
	return dst
}

// scratch is one worker's memory, kept between steps.
type scratch struct {
	parts  []uint64 // a slice of the batch's keys, by part, in order within each
	bounds []int    // part p is parts[bounds[p]:bounds[p+1]]
	next   []int    // where split puts the next key of each part

	batch []uint64 // the keys to coalesce, in order of position

	// coalesce's hash table and links, by place in batch (see there).
	slots []uint32 // place+1 of a row's first occurrence; 0: empty
	last  []int32  // by first occurrence: the place of the row's last one so far; -1: a later occurrence
	link  []int32  // the place of the row's next occurrence, up to its last

	rows1, grow1 []int32   // rows that occur once, and their gradient rows
	rowsN        []int32   // rows that occur more often (of one element: all rows); their sums are buf's rows
	list, ends   []int32   // their occurrences, grouped by row, in order (kernel.SumRows32)
	buf          []float32 // summed gradients
}

// split puts the keys of indices (positions from base) into s.parts, by
// part of nw, keeping their order within each part.
func split[I index](s *scratch, indices []I, base, nw int) {
	s.bounds = slices.Grow(s.bounds[:0], nw+1)[:nw+1]
	clear(s.bounds)
	for _, x := range indices {
		s.bounds[part(uint32(x), nw)+1]++
	}
	for p := 1; p <= nw; p++ {
		s.bounds[p] += s.bounds[p-1]
	}
	s.parts = slices.Grow(s.parts[:0], len(indices))[:len(indices)]
	next := slices.Grow(s.next[:0], nw)[:nw]
	copy(next, s.bounds)
	for i, x := range indices {
		p := part(uint32(x), nw)
		s.parts[next[p]] = key(uint32(x), base+i)
		next[p]++
	}
	s.next = next
}

// coalesce fills s's lists for the keys in s.batch, which are in order
// of position: the rows that occur once, with their gradient rows in
// src, in order of position, so that the gradient rows are read in
// order; and the rows that occur more often, in order of their first
// occurrence, with their gradients summed into buf in order of
// occurrence: ((g1 + g2) + g3) + ... in float32 (kernel.SumRows32).
//
// The duplicates are found by a hash table of the rows, open addressing
// with linear probing, at least four times as many slots as keys (at most
// 2^32, which holds any batch at half load or less). With half as many,
// more probes meet another row's slot: coalescing a batch of 16K distinct
// rows took a third longer here. A slot holds the place in the batch of a
// row's first occurrence and, in the bits that place leaves, a second
// hash of the row, so that the batch is read only to confirm a match; 4
// bytes a slot, 256 KiB for a batch of 16K indices. A pass over the batch
// in order looks each row up: the first occurrence of a row takes a slot,
// a later one is linked after the row's last occurrence so far. A second
// pass in order lists the rows; then the table is cleared whole for the
// next batch (faster than emptying the used slots one by one at random
// places). Each row's occurrences are thus listed in order of position,
// which is what fixes the bits of the sums; the order of the rows
// themselves changes no bits, as rows are stepped independently. Rows of
// one element take coalesce1 instead.
func (s *scratch) coalesce(src *source, dim int) {
	if dim == 1 {
		s.coalesce1(src)
		return
	}
	batch := s.batch
	n := len(batch)
	slots, mask, shift, posBits := s.hashTable(n)
	posMask := uint32(1)<<posBits - 1
	s.last = slices.Grow(s.last[:0], n)[:n]
	s.link = slices.Grow(s.link[:0], n)[:n]
	last, link := s.last, s.link
	for j, k := range batch {
		r := uint32(k >> 32)
		h, tag := slotOf(r, shift, mask), tagOf(r, posBits)
		for {
			e := slots[h]
			if e == 0 {
				slots[h] = tag | uint32(j+1)
				last[j] = int32(j)
				break
			}
			if f := e&posMask - 1; e&^posMask == tag && uint32(batch[f]>>32) == r {
				last[j] = -1
				link[last[f]] = int32(j)
				last[f] = int32(j)
				break
			}
			h = (h + 1) & mask
		}
	}
	s.rows1, s.grow1, s.rowsN = s.rows1[:0], s.grow1[:0], s.rowsN[:0]
	s.list, s.ends = s.list[:0], s.ends[:0]
	for j, k := range batch {
		if last[j] < 0 {
			continue
		}
		if last[j] == int32(j) {
			s.rows1 = append(s.rows1, int32(k>>32))
			s.grow1 = append(s.grow1, src.row(int32(k)))
			continue
		}
		s.rowsN = append(s.rowsN, int32(k>>32))
		for x := int32(j); ; x = link[x] {
			s.list = append(s.list, src.row(int32(batch[x])))
			if x == last[j] {
				break
			}
		}
		s.ends = append(s.ends, int32(len(s.list)))
	}
	clear(slots)
	if len(s.rowsN) == 0 {
		return
	}
	need := len(s.rowsN) * dim
	if cap(s.buf) < need {
		s.buf = make([]float32, need, need+need/4)
	}
	s.buf = s.buf[:need]
	kernel.SumRows32(s.buf, dim, src.rows, s.list, s.ends)
}

// slotOf is the first slot of row r in a hash table of mask+1 slots
// (shift = 32 - log2 of that), and tagOf the second hash a slot keeps
// above its posBits bits of place.
func slotOf(r uint32, shift uint, mask uint32) uint32 { return r * 0x9E3779B1 >> shift & mask }
func tagOf(r uint32, posBits uint) uint32             { return r * 0xC2B2AE35 >> posBits << posBits }

// hashTable returns coalesce's hash table for a batch of n keys, empty:
// its slots, the mask and shift of a slot's number, and how many low bits
// of a slot hold a place (n < 2^31, so that a tag of 1 bit or more is
// left).
func (s *scratch) hashTable(n int) (slots []uint32, mask uint32, shift, posBits uint) {
	size := 16
	for size/4 < n && uint64(size) < 1<<32 { // 4*n could overflow an int of 32 bits
		size *= 2
	}
	if len(s.slots) < size {
		s.slots = make([]uint32, size) // empty, as every call leaves it
	}
	mask = uint32(size - 1)
	return s.slots[:size], mask, uint(32 - bits.Len32(mask)), uint(bits.Len32(uint32(n)))
}

// coalesce1 is coalesce for rows of one element, in one pass: a row's
// first occurrence takes the next place in rowsN and its gradient is
// copied to the same place in buf, and a later occurrence adds its
// gradient there, in order of occurrence, as kernel.SumRows32 would. So
// every row goes to rowsN, in order of first occurrence, and rows1 is
// empty: for one element, copying the gradient costs less than the second
// pass and the lists of occurrences it saves. The hash table is
// coalesce's, its slots holding places in rowsN.
func (s *scratch) coalesce1(src *source) {
	batch := s.batch
	n := len(batch)
	slots, mask, shift, posBits := s.hashTable(n)
	posMask := uint32(1)<<posBits - 1
	rows := slices.Grow(s.rowsN[:0], n)[:n]
	sums := slices.Grow(s.buf[:0], n)[:n]
	g := src.rows
	m := 0
	for _, k := range batch {
		r := uint32(k >> 32)
		h, tag := slotOf(r, shift, mask), tagOf(r, posBits)
		x := g[src.row(int32(k))]
		for {
			e := slots[h]
			if e == 0 {
				slots[h] = tag | uint32(m+1)
				rows[m] = int32(r)
				sums[m] = x
				m++
				break
			}
			if f := e&posMask - 1; e&^posMask == tag && uint32(rows[f]) == r {
				sums[f] += x
				break
			}
			h = (h + 1) & mask
		}
	}
	s.rows1, s.grow1 = s.rows1[:0], s.grow1[:0]
	s.rowsN, s.buf = rows[:m], sums[:m]
	clear(slots)
}

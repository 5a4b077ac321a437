package sparse

import (
	"fmt"
	"math"
	"runtime"
	"sync/atomic"

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
	if len(indices) > math.MaxInt32 {
		return fmt.Errorf("sparse: %d indices in one batch; at most %d", len(indices), math.MaxInt32)
	}
	return checkIndices(t, indices)
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

// minPerWorker is the fewest indices worth another goroutine.
const minPerWorker = 512

func step[I index](t *Table, indices []I, grads []float32) error {
	if err := checkBatch(t, indices, grads); err != nil {
		return err
	}
	t.steps++
	if len(indices) == 0 {
		return nil
	}
	o := t.kernelOptions(t.steps)
	nw := t.nworkers()
	if most := (len(indices) + minPerWorker - 1) / minPerWorker; nw > most {
		nw = most
	}
	for len(t.scratch) < nw {
		t.scratch = append(t.scratch, &scratch{})
	}
	if nw == 1 {
		work(t, t.scratch[0], indices, grads, o, 0, 1)
		return nil
	}
	parallel(t, indices, grads, o, nw)
	return nil
}

// parallel sums duplicates in nw parts, part p owning the rows that hash
// to it, then updates the rows in chunks, on the table's worker pool: the
// calling goroutine and the workers take parts, then chunks, in turn, and
// the caller waits only for the work a worker has taken, so that a worker
// slow to start (its core busy with other programs) leaves its share to the
// others instead of holding up the step. The waits spin (yielding to the
// scheduler): parking a goroutine and waking it costs tens of
// microseconds, on virtual machines more, which is a good part of a step;
// for the same reason the pool's workers spin for a while between steps.
func parallel[I index](t *Table, indices []I, grads []float32, o kernel.Options, nw int) {
	var nextPart, partsDone, nextChunk, chunksDone atomic.Int64
	var ready atomic.Bool
	var chunks []chunk
	doParts := func() {
		for {
			p := nextPart.Add(1) - 1
			if p >= int64(nw) {
				return
			}
			coalesce(t.scratch[p], indices, grads, t.dim, int(p), nw)
			partsDone.Add(1)
		}
	}
	doChunks := func() {
		for {
			c := nextChunk.Add(1) - 1
			if c >= int64(len(chunks)) {
				return
			}
			t.update(chunks[c], grads, o)
			chunksDone.Add(1)
		}
	}
	t.workerPool().Run(func(w int) {
		doParts()
		if w != 0 {
			for !ready.Load() {
				runtime.Gosched()
			}
			doChunks()
			return
		}
		for partsDone.Load() < int64(nw) {
			runtime.Gosched()
		}
		for p, s := range t.scratch[:nw] {
			for lo := 0; lo < len(s.rows1); lo += chunkRows {
				chunks = append(chunks, chunk{w: int32(p), lo: int32(lo), hi: int32(min(lo+chunkRows, len(s.rows1)))})
			}
			for lo := 0; lo < len(s.rowsN); lo += chunkRows {
				chunks = append(chunks, chunk{w: int32(p), dup: true, lo: int32(lo), hi: int32(min(lo+chunkRows, len(s.rowsN)))})
			}
		}
		ready.Store(true)
		doChunks()
		for chunksDone.Load() < int64(len(chunks)) {
			runtime.Gosched()
		}
	})
}

// chunkRows is how many rows a goroutine takes at a time.
const chunkRows = 512

// chunk is rows [lo, hi) of part w's rows seen once (or, when dup, of its
// rows seen more often).
type chunk struct {
	w, lo, hi int32
	dup       bool
}

// update steps the rows of one chunk.
func (t *Table) update(c chunk, grads []float32, o kernel.Options) {
	s := t.scratch[c.w]
	f := kernel.StepRows32
	if t.opts.RowWise {
		f = kernel.RowwiseStepRows32
	}
	if c.dup {
		f(t.weights, t.state, t.dim, s.rowsN[c.lo:c.hi], s.buf[int(c.lo)*t.dim:int(c.hi)*t.dim], nil, o)
	} else {
		f(t.weights, t.state, t.dim, s.rows1[c.lo:c.hi], grads, s.grow1[c.lo:c.hi], o)
	}
}

// work sums the duplicates of the rows of worker w's share and steps
// them: rows seen once with their gradient row in grads, rows seen more
// often with their sum.
func work[I index](t *Table, s *scratch, indices []I, grads []float32, o kernel.Options, w, nw int) {
	coalesce(s, indices, grads, t.dim, w, nw)
	f := kernel.StepRows32
	if t.opts.RowWise {
		f = kernel.RowwiseStepRows32
	}
	if len(s.rows1) > 0 {
		f(t.weights, t.state, t.dim, s.rows1, grads, s.grow1, o)
	}
	if len(s.rowsN) > 0 {
		f(t.weights, t.state, t.dim, s.rowsN, s.buf, nil, o)
	}
}

// part returns the worker (of nw) that owns row r.
func part(r uint32, nw int) int {
	return int(uint64(r*0x85EBCA77) * uint64(nw) >> 32)
}

// scratch is one worker's memory, kept between steps.
type scratch struct {
	// An open-addressing hash table (linear probing) from row to its
	// place in urows. An entry of another generation is empty, so that a
	// new step empties the table by incrementing gen.
	ent   []entry
	shift uint32
	gen   uint32

	urows  []int32 // distinct rows, in order of first occurrence
	ufirst []int32 // where each first occurs in the batch
	ucount []int32 // how often each occurs

	pairs, pairSlot []int32 // later occurrences: position in the batch, place in urows

	rows1, grow1 []int32   // rows that occur once, and their gradient rows
	rowsN        []int32   // rows that occur more often; their sums are buf's rows
	list, ends   []int32   // their occurrences, grouped by row, in order (kernel.SumRows32)
	buf          []float32 // summed gradients
}

// entry is a slot of the hash table: row -> slot, alive when gen is the
// scratch's generation. One entry is one memory access.
type entry struct {
	gen, row uint32
	slot     int32
}

// reset empties the lists and the hash table, sized for about n rows.
func (s *scratch) reset(n int) {
	s.urows, s.ufirst, s.ucount = s.urows[:0], s.ufirst[:0], s.ucount[:0]
	s.pairs, s.pairSlot = s.pairs[:0], s.pairSlot[:0]
	s.rows1, s.grow1, s.rowsN = s.rows1[:0], s.grow1[:0], s.rowsN[:0]
	s.list, s.ends = s.list[:0], s.ends[:0]
	want := 64
	for want < 2*n {
		want *= 2
	}
	if len(s.ent) < want {
		s.resize(want)
		return
	}
	s.gen++
	if s.gen == 0 { // wrapped: entries of generation 0 would look alive
		clear(s.ent)
		s.gen = 1
	}
}

// resize makes the hash table hold size entries (a power of two) and puts
// the rows of urows back in.
func (s *scratch) resize(size int) {
	s.ent = make([]entry, size)
	s.gen = 1
	s.shift = 32
	for 1<<(32-s.shift) < size {
		s.shift--
	}
	mask := uint32(size - 1)
	for k, r := range s.urows {
		h := (uint32(r) * 0x9E3779B1) >> s.shift
		for s.ent[h].gen == s.gen {
			h = (h + 1) & mask
		}
		s.ent[h] = entry{gen: s.gen, row: uint32(r), slot: int32(k)}
	}
}

// coalesce fills s's lists for the rows of indices that worker w of nw
// owns: the rows that occur once, with their gradient rows in grads, and
// the rows that occur more often, with their gradients summed into buf in
// order of occurrence: ((g1 + g2) + g3) + ... in float32
// (kernel.SumRows32).
func coalesce[I index](s *scratch, indices []I, grads []float32, dim, w, nw int) {
	s.reset(len(indices)/nw + 1)
	mask := uint32(len(s.ent) - 1)
	for i, x := range indices {
		r := uint32(x)
		if nw > 1 && part(r, nw) != w {
			continue
		}
		h := (r * 0x9E3779B1) >> s.shift
		for {
			e := &s.ent[h]
			if e.gen != s.gen { // empty: the row's first occurrence
				*e = entry{gen: s.gen, row: r, slot: int32(len(s.urows))}
				s.urows = append(s.urows, int32(r))
				s.ufirst = append(s.ufirst, int32(i))
				s.ucount = append(s.ucount, 1)
				if 2*len(s.urows) > len(s.ent) {
					s.resize(2 * len(s.ent))
					mask = uint32(len(s.ent) - 1)
				}
				break
			}
			if e.row == r {
				s.ucount[e.slot]++
				s.pairs = append(s.pairs, int32(i))
				s.pairSlot = append(s.pairSlot, e.slot)
				break
			}
			h = (h + 1) & mask
		}
	}
	// Rows seen once keep their gradient row where it is. Rows seen more
	// often get a group in list: their first occurrence, then room for
	// the others, which ucount now points at.
	for k, c := range s.ucount {
		if c == 1 {
			s.rows1 = append(s.rows1, s.urows[k])
			s.grow1 = append(s.grow1, s.ufirst[k])
			continue
		}
		s.rowsN = append(s.rowsN, s.urows[k])
		s.ucount[k] = int32(len(s.list) + 1)
		s.list = append(s.list, s.ufirst[k])
		for q := int32(1); q < c; q++ {
			s.list = append(s.list, 0)
		}
		s.ends = append(s.ends, int32(len(s.list)))
	}
	for m, i := range s.pairs {
		k := s.pairSlot[m]
		s.list[s.ucount[k]] = i
		s.ucount[k]++
	}
	if len(s.rowsN) == 0 {
		return
	}
	need := len(s.rowsN) * dim
	if cap(s.buf) < need {
		s.buf = make([]float32, need, need+need/4)
	}
	s.buf = s.buf[:need]
	kernel.SumRows32(s.buf, dim, grads, s.list, s.ends)
}

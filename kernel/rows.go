package kernel

import (
	"fmt"
	"unsafe"
)

// zeroRow is the row list of a single-row call; it is never written.
var zeroRow = []int32{0}

// StepRows32 applies [Step32] to some rows of a table: for each i, row
// rows[i] of table and of sum (dim elements from rows[i]*dim) with its
// gradient row, in the order of rows, each row giving exactly the bits of
// Step32 on that row. It is one call for a whole batch, so that the cost of
// a call is not paid per row, and it fetches the rows a few rows ahead of the one
// it updates, so that the memory latency of rows scattered over a large
// table overlaps with the arithmetic.
//
// It is [Path.StepRows32] on the selected path.
func StepRows32(table, sum []float32, dim int, rows []int32, grads []float32, gradRows []int32, o Options) {
	mustActive().StepRows32(table, sum, dim, rows, grads, gradRows, o)
}

// RowwiseStep32 is the rowwise Adagrad step on one row. It and
// [RowwiseStepRows32] keep one accumulator h per row instead of one per
// element (FBGEMM's rowwise Adagrad). For one row of dim
// float32 elements, all arithmetic in float32, each operation correctly
// rounded and fma rounded once:
//
//	for j:       g[j] = grad[j]
//	             if maximize         { g[j] = -g[j] }
//	             if weightDecay != 0 { g[j] = fma(weightDecay, param[j], g[j]) }
//	sum of squares, in a fixed order:
//	             a[0..15] = +0
//	             for j in order: a[j%16] = fma(g[j], g[j], a[j%16])
//	             for w in 8, 4, 2, 1: for k < w: a[k] = a[k] + a[k+w]
//	             ss = a[0]
//	mean = ss / float32(dim)        // float32(dim) rounded to nearest, exact up to 2^24
//	h    = h + mean
//	std  = sqrt(h) + eps            // sqrt(h + eps) when EpsInside
//	step = lr / std
//	for j:       param[j] = param[j] - float32(step*g[j])
//
// The update multiplies, rounds the product, then subtracts: it is not
// fused into an fma. Weight decay is folded into g exactly as in the dense
// step. A row of zero elements (dim 0) is left as it is and so is its h.
//
// The fixed order makes every path give the same bits: with AVX2 the 16
// accumulators are two 8-lane registers (lanes j%16 < 8 and >= 8), with
// NEON four 4-lane registers. The accumulators are never -0, so the zero
// lanes of a masked tail leave them unchanged (fma(0, 0, a) = a).
//
// The gradient, with sign flip and weight decay, is needed twice: for the
// sum of squares and for the update. The paths compute it twice, in two
// passes over the row (the row is in the first-level cache by then); the
// first pass reads param (for weight decay) and grad, the second reads
// them again and writes param. param is not written before the second
// pass, so both passes see the same g.
//
// RowwiseStep32 is [Path.RowwiseStep32] on the selected path.
func RowwiseStep32(param, grad []float32, h *float32, o Options) {
	mustActive().RowwiseStep32(param, grad, h, o)
}

// RowwiseStepRows32 is [Path.RowwiseStepRows32] on the selected path.
func RowwiseStepRows32(table, h []float32, dim int, rows []int32, grads []float32, gradRows []int32, o Options) {
	mustActive().RowwiseStepRows32(table, h, dim, rows, grads, gradRows, o)
}

// StepRows32 applies the element-wise step ([Step32]) to rows of a
// row-major table of dim columns: for i in order, row r = rows[i] of table
// and of sum (elements [r*dim, (r+1)*dim)), with the gradient row
// grads[k*dim:(k+1)*dim], where k = gradRows[i], or k = i when gradRows is
// nil. Each row gets exactly the bits of Step32 on that row; a row listed
// twice is stepped twice, in order.
//
// table and sum must have the same length, a multiple of dim; every row
// and gradient row must be inside its slice, and gradRows, when not nil,
// must be as long as rows; otherwise StepRows32 panics, saying what is
// wrong, before anything is written. grads is never written; it must not
// overlap table or sum. dim 0 or no rows is a no-op.
func (p Path) StepRows32(table, sum []float32, dim int, rows []int32, grads []float32, gradRows []int32, o Options) {
	if len(sum) != len(table) {
		panic(fmt.Sprintf("kernel.StepRows32: len(table)=%d, len(sum)=%d differ", len(table), len(sum)))
	}
	checkRows("StepRows32", table, dim, rows, grads, gradRows)
	if dim == 0 || len(rows) == 0 {
		return
	}
	var c coeffs32
	o.set32(&c)
	if p.id == asmID {
		raceRows(table, sum, 0, dim, rows, grads, gradRows)
		stepRows32Asm(&c, table, sum, dim, rows, grads, gradRows)
		return
	}
	stepRows32Generic(&c, table, sum, dim, rows, grads, gradRows)
}

// RowwiseStep32 applies one rowwise Adagrad step (the contract is in the
// documentation of the package-level [RowwiseStep32]) to one row: it reads grad,
// updates param and the row's accumulator *h. The slices must have the same
// length, otherwise RowwiseStep32 panics before anything is written; empty
// slices are a no-op. grad is never written; it may be the very same slice
// as param but must not overlap it otherwise, and h must not point into
// either slice.
func (p Path) RowwiseStep32(param, grad []float32, h *float32, o Options) {
	if len(param) != len(grad) {
		panic(fmt.Sprintf("kernel.RowwiseStep32: len(param)=%d, len(grad)=%d differ", len(param), len(grad)))
	}
	if len(param) == 0 {
		return
	}
	if h == nil {
		panic("kernel.RowwiseStep32: nil accumulator")
	}
	var c coeffs32
	o.set32(&c)
	p.rowwiseRows32(&c, param, unsafe.Slice(h, 1), len(param), zeroRow, grad, nil)
}

// RowwiseStepRows32 applies the rowwise step to rows of a row-major table
// of dim columns: for i in order, row r = rows[i] of table (elements
// [r*dim, (r+1)*dim)) and its accumulator h[r], with the gradient row
// grads[k*dim:(k+1)*dim], where k = gradRows[i], or k = i when gradRows is
// nil. Each row gets exactly the bits of [RowwiseStep32] on that row; a row
// listed twice is stepped twice, in order.
//
// len(table) must be len(h)*dim; every row and gradient row must be inside
// its slice, and gradRows, when not nil, must be as long as rows; otherwise
// RowwiseStepRows32 panics, saying what is wrong, before anything is
// written. grads is never written; it must not overlap table or h. dim 0
// or no rows is a no-op.
func (p Path) RowwiseStepRows32(table, h []float32, dim int, rows []int32, grads []float32, gradRows []int32, o Options) {
	if dim > 0 && len(table) != len(h)*dim || dim == 0 && len(table) != 0 {
		panic(fmt.Sprintf("kernel.RowwiseStepRows32: len(table)=%d is not len(h)*dim = %d*%d", len(table), len(h), dim))
	}
	checkRows("RowwiseStepRows32", table, dim, rows, grads, gradRows)
	if dim == 0 || len(rows) == 0 {
		return
	}
	var c coeffs32
	o.set32(&c)
	p.rowwiseRows32(&c, table, h, dim, rows, grads, gradRows)
}

// rowwiseRows32 runs the path's rowwise row kernel on checked rows, dim > 0.
func (p Path) rowwiseRows32(c *coeffs32, table, h []float32, dim int, rows []int32, grads []float32, gradRows []int32) {
	if p.id == asmID {
		raceRows(table, h, 1, dim, rows, grads, gradRows)
		rowwiseRows32Asm(c, table, h, dim, rows, grads, gradRows)
		return
	}
	rowwiseRows32Generic(c, table, h, dim, rows, grads, gradRows)
}

// checkRows panics unless every row and gradient row is inside its slice.
// Row r of a table of n rows is inside when 0 <= r < n; nothing is
// multiplied, so nothing can overflow.
func checkRows(fn string, table []float32, dim int, rows []int32, grads []float32, gradRows []int32) {
	checkRowsLen(fn, len(table), dim, rows, grads, gradRows)
}

// checkRowsLen is checkRows for a table of tableLen elements of any type.
func checkRowsLen(fn string, tableLen, dim int, rows []int32, grads []float32, gradRows []int32) {
	if dim < 0 {
		panic(fmt.Sprintf("kernel.%s: dim=%d is negative", fn, dim))
	}
	if dim == 0 {
		return
	}
	if tableLen%dim != 0 {
		panic(fmt.Sprintf("kernel.%s: len(table)=%d is not a multiple of dim=%d", fn, tableLen, dim))
	}
	if len(grads)%dim != 0 {
		panic(fmt.Sprintf("kernel.%s: len(grads)=%d is not a multiple of dim=%d", fn, len(grads), dim))
	}
	n := int64(tableLen / dim)
	for i, r := range rows {
		if r < 0 || int64(r) >= n {
			panic(fmt.Sprintf("kernel.%s: rows[%d]=%d is outside the table's %d rows", fn, i, r, n))
		}
	}
	ng := int64(len(grads) / dim)
	if gradRows == nil {
		if int64(len(rows)) != ng {
			panic(fmt.Sprintf("kernel.%s: len(grads)=%d is not len(rows)*dim = %d*%d", fn, len(grads), len(rows), dim))
		}
		return
	}
	if len(gradRows) != len(rows) {
		panic(fmt.Sprintf("kernel.%s: len(gradRows)=%d, len(rows)=%d differ", fn, len(gradRows), len(rows)))
	}
	for i, k := range gradRows {
		if k < 0 || int64(k) >= ng {
			panic(fmt.Sprintf("kernel.%s: gradRows[%d]=%d is outside the %d gradient rows", fn, i, k, ng))
		}
	}
}

// raceRows reports to the race detector, row by row, what an assembly
// row kernel reads and writes: the table rows (float32, or the bits of
// 16-bit weights), their state (stateDim elements per row: dim for sum, 1
// for h; 0 means dim) and the gradient rows. It does nothing in builds
// without the race detector.
func raceRows[T float32 | uint16](table []T, state []float32, stateDim, dim int, rows []int32, grads []float32, gradRows []int32) {
	if !raceEnabled {
		return
	}
	if stateDim == 0 {
		stateDim = dim
	}
	for i, r := range rows {
		k := i
		if gradRows != nil {
			k = int(gradRows[i])
		}
		o := int(r) * dim
		s := int(r) * stateDim
		raceRead(grads[k*dim : k*dim+dim])
		raceRead(table[o : o+dim])
		raceWrite(table[o : o+dim])
		raceRead(state[s : s+stateDim])
		raceWrite(state[s : s+stateDim])
	}
}

// raceSums32 reports what an assembly SumRows32 reads and writes.
func raceSums32(dst []float32, dim int, grads []float32, list []int32) {
	if !raceEnabled {
		return
	}
	for _, k := range list {
		raceRead(grads[int(k)*dim : int(k)*dim+dim])
	}
	raceWrite(dst)
}

// SumRows32 is [Path.SumRows32] on the selected path.
func SumRows32(dst []float32, dim int, grads []float32, list, ends []int32) {
	mustActive().SumRows32(dst, dim, grads, list, ends)
}

// SumRows32 sums groups of gradient rows, the way duplicate indices of a
// sparse batch are combined: row i of dst (dim values) becomes the sum of
// the rows list[ends[i-1]:ends[i]] of grads (ends[-1] being 0), added in
// that order, left to right, in float32:
//
//	dst[i*dim+j] = ((grads[list[lo]*dim+j] + grads[list[lo+1]*dim+j]) + ...) + grads[list[hi-1]*dim+j]
//
// A group of one row is a copy. Every path gives the same bits. It
// prefetches the rows of the groups a few groups ahead.
//
// len(dst) must be len(ends)*dim, ends must increase strictly (no empty
// group) and end at len(list), and every listed row must be inside grads;
// otherwise SumRows32 panics, saying what is wrong, before anything is
// written. grads is never written; dst must not overlap it.
func (p Path) SumRows32(dst []float32, dim int, grads []float32, list, ends []int32) {
	checkSums(dst, dim, grads, list, ends)
	if dim == 0 || len(ends) == 0 {
		return
	}
	if p.id == asmID {
		raceSums32(dst, dim, grads, list)
		sumRows32Asm(dst, dim, grads, list, ends)
		return
	}
	sumRows32Generic(dst, dim, grads, list, ends)
}

func checkSums(dst []float32, dim int, grads []float32, list, ends []int32) {
	if dim < 0 {
		panic(fmt.Sprintf("kernel.SumRows32: dim=%d is negative", dim))
	}
	if dim > 0 && (len(dst)%dim != 0 || len(dst)/dim != len(ends)) || dim == 0 && len(dst) != 0 {
		panic(fmt.Sprintf("kernel.SumRows32: len(dst)=%d is not len(ends)*dim = %d*%d", len(dst), len(ends), dim))
	}
	prev := int32(0)
	for i, e := range ends {
		if e <= prev || int64(e) > int64(len(list)) {
			panic(fmt.Sprintf("kernel.SumRows32: ends[%d]=%d: groups must be non-empty and end inside the list of %d rows", i, e, len(list)))
		}
		prev = e
	}
	if len(ends) > 0 && int(prev) != len(list) {
		panic(fmt.Sprintf("kernel.SumRows32: the last group ends at %d, not at len(list)=%d", prev, len(list)))
	}
	if dim == 0 {
		return
	}
	if len(grads)%dim != 0 {
		panic(fmt.Sprintf("kernel.SumRows32: len(grads)=%d is not a multiple of dim=%d", len(grads), dim))
	}
	ng := int64(len(grads) / dim)
	for i, k := range list {
		if k < 0 || int64(k) >= ng {
			panic(fmt.Sprintf("kernel.SumRows32: list[%d]=%d is outside the %d gradient rows", i, k, ng))
		}
	}
}

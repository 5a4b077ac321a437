package kernel

import (
	"fmt"
	"math"
)

// HalfFormat is a 16-bit floating-point format of weights, held as its
// bits in a uint16.
type HalfFormat uint8

const (
	// BFloat16: 1 sign bit, 8 exponent bits, 7 fraction bits (the upper
	// half of a float32).
	BFloat16 HalfFormat = iota + 1
	// Float16: IEEE 754 binary16, 1 sign bit, 5 exponent bits, 10
	// fraction bits.
	Float16
)

// String returns "bfloat16" or "float16".
func (f HalfFormat) String() string {
	switch f {
	case BFloat16:
		return "bfloat16"
	case Float16:
		return "float16"
	}
	return fmt.Sprintf("HalfFormat(%d)", int(f))
}

// Half says how a row kernel keeps 16-bit weights: their format, how an
// updated weight is rounded back to it, and the key of the random bits of
// stochastic rounding.
//
// The arithmetic of a 16-bit row is the float32 arithmetic on the widened
// row: each weight is widened to float32 exactly ([Widen]), the step is
// the float32 step ([StepRows32] element-wise, [RowwiseStepRows32]
// row-wise, with the widened weights as param, the float32 state and the
// gradient row as they are), and each new float32 weight x is rounded back
// to 16 bits ([Round]), stochastically with the random bits
// [RandomBits](Seed, Step, row, column), or to nearest even.
type Half struct {
	Format     HalfFormat
	Stochastic bool   // stochastic rounding; false: round to nearest, ties to even
	Seed       uint64 // the seed of the random bits
	Step       int64  // the step counter of the update, part of the key of the random bits
}

// RandomBits returns the 32 random bits that stochastic rounding uses for
// the weight in column col of row row, in the step numbered step of a table
// with seed seed. It is a counter-based generator: the bits depend on
// these four numbers only, not on any order of computation, so a table's
// bits are the same for any number of workers and on every path. With
// m(z) the finalizer of SplitMix64 and f(x) that of MurmurHash3 (32 bits),
//
//	k   = m(m(seed) + step*0x9E3779B97F4A7C15)          // uint64, wrapping
//	k   = m(k + (uint64(uint32(row))+1)*0xD1B54A32D192ED03)
//	key = uint32(k) ^ uint32(k>>32)
//	bits = f(key + uint32(col)*0x9E3779B9)               // uint32, wrapping
//
// m(z): z = (z^z>>30)*0xBF58476D1CE4E5B9; z = (z^z>>27)*0x94D049BB133111EB; z^z>>31.
// f(x): x ^= x>>16; x *= 0x85EBCA6B; x ^= x>>13; x *= 0xC2B2AE35; x ^ x>>16.
func RandomBits(seed uint64, step int64, row int32, col int) uint32 {
	return colBits(rowKey(seed, step, row), col)
}

func mix64(z uint64) uint64 {
	z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
	z = (z ^ z>>27) * 0x94D049BB133111EB
	return z ^ z>>31
}

// rowKey is the per-row part of RandomBits.
func rowKey(seed uint64, step int64, row int32) uint32 {
	k := mix64(rowBase(seed, step) + (uint64(uint32(row))+1)*0xD1B54A32D192ED03)
	return uint32(k) ^ uint32(k>>32)
}

// rowBase is the part of rowKey common to every row of a step.
func rowBase(seed uint64, step int64) uint64 {
	return mix64(mix64(seed) + uint64(step)*0x9E3779B97F4A7C15)
}

// colBits is the per-column part of RandomBits.
func colBits(key uint32, col int) uint32 {
	x := key + uint32(col)*0x9E3779B9
	x ^= x >> 16
	x *= 0x85EBCA6B
	x ^= x >> 13
	x *= 0xC2B2AE35
	return x ^ x>>16
}

// Widen converts 16-bit weights of format f to float32, exactly: dst[i] =
// src[i] widened. Every finite value, zero, subnormal and infinity is
// represented exactly in float32. A NaN widens to a NaN of the same sign
// with the fraction bits shifted into the top of float32's fraction and the
// quiet bit set. len(dst) must be len(src); otherwise Widen panics.
func Widen(f HalfFormat, dst []float32, src []uint16) {
	if len(dst) != len(src) {
		panic(fmt.Sprintf("kernel.Widen: len(dst)=%d, len(src)=%d differ", len(dst), len(src)))
	}
	checkFormat("Widen", f)
	for i, u := range src {
		dst[i] = widen(f, u)
	}
}

// Round rounds float32 values to 16-bit weights as a step does: dst[i] =
// the rounding of src[i], with the random bits RandomBits(h.Seed, h.Step,
// row, col0+i) when h.Stochastic. The rule, for x = src[i] with magnitude
// a:
//
// Stochastic rounding: when a lies strictly between two neighbouring
// 16-bit values lo < a < hi (in magnitude; the sign is kept), the result is
// hi with probability (a-lo)/(hi-lo), taken from the random bits, and lo
// otherwise; a value that is exactly representable (zeros, infinities, any
// 16-bit value) is kept. An exact tie (a halfway) is no exception: it goes
// either way with probability 1/2. Above the largest finite value, infinity
// counts as the next value, at the place the next power of two would be
// (bfloat16: 2^128; float16: 65536): a in (65504, 65536) rounds to 65504
// or to infinity, a >= 65536 to infinity (for bfloat16 every finite
// float32 is below 2^128). Subnormals of the 16-bit format are ordinary
// neighbours on their evenly spaced grid. The probability is exact, with
//
//   - bfloat16: the top 16 random bits r are added to the 16 bits below the
//     bfloat16 part of x's float32 bits, and the sum truncated: a carry
//     (probability (a-lo)/(hi-lo) exactly) moves to hi;
//   - float16, a >= 2^-14: the same with the top 13 random bits added to
//     the 13 bits below the float16 part (after rebiasing), exact;
//   - float16, a < 2^-14 (the subnormal grid of step 2^-24): y = a*2^24
//     (exact), n = floor(y), the result is n+1 steps when
//     float32(bits>>8)*2^-24 < y-n, else n: the probability is y-n rounded
//     up to a multiple of 2^-24, exact whenever a has no bits below 2^-48.
//
// Round to nearest: IEEE round to nearest, ties to even, with overflow to
// infinity from the halfway point above the largest finite value on
// (bfloat16: a >= 2^128 - 2^119; float16: a >= 65520).
//
// NaN: a quiet NaN of the same sign, whose fraction is the top bits of x's
// fraction with the quiet bit set (what F16C's VCVTPS2PH gives).
//
// len(dst) must be len(src); otherwise Round panics.
func Round(h Half, row int32, col0 int, dst []uint16, src []float32) {
	if len(dst) != len(src) {
		panic(fmt.Sprintf("kernel.Round: len(dst)=%d, len(src)=%d differ", len(dst), len(src)))
	}
	checkFormat("Round", h.Format)
	key := rowKey(h.Seed, h.Step, row)
	for i, x := range src {
		var r uint32
		if h.Stochastic {
			r = colBits(key, col0+i)
		}
		dst[i] = round16(h.Format, h.Stochastic, x, r)
	}
}

func checkFormat(fn string, f HalfFormat) {
	if f != BFloat16 && f != Float16 {
		panic(fmt.Sprintf("kernel.%s: unknown format %v", fn, f))
	}
}

// widen is Widen on one value.
func widen(f HalfFormat, u uint16) float32 {
	if f == BFloat16 {
		b := uint32(u) << 16
		if b&0x7FFFFFFF > 0x7F800000 {
			b |= 1 << 22
		}
		return math.Float32frombits(b)
	}
	s := uint32(u&0x8000) << 16
	e := uint32(u>>10) & 0x1F
	m := uint32(u & 0x3FF)
	switch {
	case e == 0x1F && m == 0:
		return math.Float32frombits(s | 0x7F800000)
	case e == 0x1F:
		return math.Float32frombits(s | 0x7FC00000 | m<<13)
	case e == 0:
		v := float32(m) * 0x1p-24 // exact
		return math.Float32frombits(s | math.Float32bits(v))
	}
	return math.Float32frombits(s | (e+112)<<23 | m<<13)
}

// round16 is Round on one value with its random bits r.
func round16(f HalfFormat, stochastic bool, x float32, r uint32) uint16 {
	b := math.Float32bits(x)
	a := b & 0x7FFFFFFF
	if f == BFloat16 {
		if a > 0x7F800000 {
			return uint16(b>>16) | 0x40
		}
		if stochastic {
			return uint16((b + r>>16) >> 16)
		}
		return uint16((b + 0x7FFF + (b>>16)&1) >> 16)
	}
	s := uint16(b>>16) & 0x8000
	switch {
	case a > 0x7F800000:
		return s | 0x7E00 | uint16(a>>13)&0x3FF
	case a >= 0x38800000: // 2^-14 and up: float16 normal, overflow and infinity
		if stochastic {
			a += r >> 19
		} else {
			a += 0xFFF + (a>>13)&1
		}
		if a >= 0x47800000 { // 65536
			return s | 0x7C00
		}
		return s | uint16((a-0x38000000)>>13)
	}
	y := math.Float32frombits(a) * 0x1p24 // exact, < 1024
	n := uint16(y)
	frac := y - float32(n) // exact
	if stochastic {
		if float32(r>>8)*0x1p-24 < frac {
			n++
		}
	} else if frac > 0.5 || frac == 0.5 && n&1 == 1 {
		n++
	}
	return s | n
}

// StepRowsHalf is [Path.StepRowsHalf] on the selected path.
func StepRowsHalf(h Half, table []uint16, sum []float32, dim int, rows []int32, grads []float32, gradRows []int32, o Options) {
	mustActive().StepRowsHalf(h, table, sum, dim, rows, grads, gradRows, o)
}

// RowwiseStepRowsHalf is [Path.RowwiseStepRowsHalf] on the selected path.
func RowwiseStepRowsHalf(h Half, table []uint16, hs []float32, dim int, rows []int32, grads []float32, gradRows []int32, o Options) {
	mustActive().RowwiseStepRowsHalf(h, table, hs, dim, rows, grads, gradRows, o)
}

// StepRowsHalf is [Path.StepRows32] for a table of 16-bit weights (see
// [Half]) with float32 sums: each listed row r is widened, stepped
// element-wise with its gradient row and sum row exactly as [Step32] steps
// it, and rounded back with the random bits of (h.Seed, h.Step, r, column).
// The arguments are checked, and it panics, as StepRows32 does.
func (p Path) StepRowsHalf(h Half, table []uint16, sum []float32, dim int, rows []int32, grads []float32, gradRows []int32, o Options) {
	if len(sum) != len(table) {
		panic(fmt.Sprintf("kernel.StepRowsHalf: len(table)=%d, len(sum)=%d differ", len(table), len(sum)))
	}
	checkFormat("StepRowsHalf", h.Format)
	checkRowsLen("StepRowsHalf", len(table), dim, rows, grads, gradRows)
	if dim == 0 || len(rows) == 0 {
		return
	}
	var c coeffsHalf
	o.set32(&c.coeffs32)
	vec := 0
	if p.id == asmID && halfAsm {
		vec = dim &^ 7
	}
	if vec > 0 {
		c.base = rowBase(h.Seed, h.Step)
		if h.Stochastic {
			c.stochastic = ^uint32(0)
		}
		raceRows(table, sum, dim, dim, rows, grads, gradRows)
		if h.Format == BFloat16 {
			stepRowsBF16Asm(&c, table, sum, dim, rows, grads, gradRows)
		} else {
			stepRowsF16Asm(&c, table, sum, dim, rows, grads, gradRows)
		}
	}
	if vec < dim {
		stepRowsHalfGeneric(&c.coeffs32, &h, table, sum, dim, vec, rows, grads, gradRows)
	}
}

// coeffsHalf is what the assembly 16-bit row kernels read: the step's
// coefficients, the part of the random bits' key common to all rows, and
// the rounding.
type coeffsHalf struct {
	coeffs32
	base       uint64 // rowBase(seed, step)
	stochastic uint32 // all ones for stochastic rounding, else 0
}

// RowwiseStepRowsHalf is [Path.RowwiseStepRows32] for a table of 16-bit
// weights (see [Half]) with float32 accumulators hs, one per row: each
// listed row r is widened, stepped exactly as [RowwiseStep32] steps it, and
// rounded back with the random bits of (h.Seed, h.Step, r, column). The
// arguments are checked, and it panics, as RowwiseStepRows32 does.
func (p Path) RowwiseStepRowsHalf(h Half, table []uint16, hs []float32, dim int, rows []int32, grads []float32, gradRows []int32, o Options) {
	if dim > 0 && len(table) != len(hs)*dim || dim == 0 && len(table) != 0 {
		panic(fmt.Sprintf("kernel.RowwiseStepRowsHalf: len(table)=%d is not len(h)*dim = %d*%d", len(table), len(hs), dim))
	}
	checkFormat("RowwiseStepRowsHalf", h.Format)
	checkRowsLen("RowwiseStepRowsHalf", len(table), dim, rows, grads, gradRows)
	if dim == 0 || len(rows) == 0 {
		return
	}
	var c coeffsHalf
	o.set32(&c.coeffs32)
	if p.id == asmID && halfAsm && dim%8 == 0 {
		c.base = rowBase(h.Seed, h.Step)
		if h.Stochastic {
			c.stochastic = ^uint32(0)
		}
		raceRows(table, hs, 1, dim, rows, grads, gradRows)
		if h.Format == BFloat16 {
			rowwiseRowsBF16Asm(&c, table, hs, dim, rows, grads, gradRows)
		} else {
			rowwiseRowsF16Asm(&c, table, hs, dim, rows, grads, gradRows)
		}
		return
	}
	rowwiseRowsHalfGeneric(&c.coeffs32, &h, table, hs, dim, rows, grads, gradRows)
}

// halfChunk is how many elements of a row the generic element-wise kernel
// widens at a time.
const halfChunk = 64

// stepRowsHalfGeneric is the reference element-wise 16-bit row kernel:
// step32Generic on the widened row, a chunk at a time, each chunk rounded
// back before the next; from column col0 on (the assembly kernels leave
// the last columns to it).
func stepRowsHalfGeneric(c *coeffs32, h *Half, table []uint16, sum []float32, dim, col0 int, rows []int32, grads []float32, gradRows []int32) {
	var buf [halfChunk]float32
	for i, r := range rows {
		k := i
		if gradRows != nil {
			k = int(gradRows[i])
		}
		o := int(r) * dim
		key := rowKey(h.Seed, h.Step, r)
		for j0 := col0; j0 < dim; j0 += halfChunk {
			n := min(halfChunk, dim-j0)
			w := table[o+j0 : o+j0+n]
			x := buf[:n]
			for j, u := range w {
				x[j] = widen(h.Format, u)
			}
			step32Generic(c, x, grads[k*dim+j0:k*dim+j0+n], sum[o+j0:o+j0+n])
			for j, v := range x {
				var rb uint32
				if h.Stochastic {
					rb = colBits(key, j0+j)
				}
				w[j] = round16(h.Format, h.Stochastic, v, rb)
			}
		}
	}
}

// rowwiseRowsHalfGeneric is the reference row-wise 16-bit row kernel:
// rowwise32Generic on the widened row (widening again where it reads
// param), each new weight rounded back.
func rowwiseRowsHalfGeneric(c *coeffs32, h *Half, table []uint16, hs []float32, dim int, rows []int32, grads []float32, gradRows []int32) {
	f := h.Format
	for i, r := range rows {
		k := i
		if gradRows != nil {
			k = int(gradRows[i])
		}
		o := int(r) * dim
		w := table[o : o+dim]
		grad := grads[k*dim : k*dim+dim]
		var a [16]float32 // +0
		for j := range w {
			g := rowGrad32(grad[j], widen(f, w[j]), c)
			a[j%16] = fma32(g, g, a[j%16])
		}
		for wd := 8; wd >= 1; wd /= 2 {
			for q := 0; q < wd; q++ {
				a[q] = a[q] + a[q+wd]
			}
		}
		mean := a[0] / float32(dim)
		hr := hs[r] + mean
		var std float32
		if c.epsInside {
			std = sqrt32(hr + c.eps)
		} else {
			std = sqrt32(hr) + c.eps
		}
		step := c.lr / std
		key := rowKey(h.Seed, h.Step, r)
		for j := range w {
			p := widen(f, w[j])
			g := rowGrad32(grad[j], p, c)
			var rb uint32
			if h.Stochastic {
				rb = colBits(key, j)
			}
			w[j] = round16(f, h.Stochastic, p-float32(step*g), rb)
		}
		hs[r] = hr
	}
}

// WidenRows is [Path.WidenRows] on the selected path.
func WidenRows(f HalfFormat, dst []float32, table []uint16, dim int, rows []int64) {
	mustActive().WidenRows(f, dst, table, dim, rows)
}

// AddRowsHalf is [Path.AddRowsHalf] on the selected path.
func AddRowsHalf(f HalfFormat, dst []float32, table []uint16, dim int, rows []int64, weights []float32) {
	mustActive().AddRowsHalf(f, dst, table, dim, rows, weights)
}

// WidenRows widens the rows of a table of 16-bit weights of format f
// (dim weights a row) that rows lists into dst, one after the other, as
// [Widen] widens them: dst[i*dim+j] is table[rows[i]*dim+j] widened, the
// same bits on every path. len(dst) must be len(rows)*dim, len(table) a
// multiple of dim and every row in the table (when dim > 0); otherwise it
// panics before writing anything.
func (p Path) WidenRows(f HalfFormat, dst []float32, table []uint16, dim int, rows []int64) {
	checkFormat("WidenRows", f)
	checkLookup("WidenRows", len(table), dim, dst, rows)
	vec := 0
	if p.id == asmID && lookupAsm {
		vec = dim &^ 7
	}
	if vec > 0 && len(rows) > 0 {
		raceTableRows(table, dim, rows)
		raceWrite(dst)
		if f == BFloat16 {
			widenRowsBF16Asm(dst, table, dim, rows)
		} else {
			widenRowsF16Asm(dst, table, dim, rows)
		}
	}
	if vec == dim {
		return
	}
	for i, r := range rows {
		o := int(r) * dim
		for j := vec; j < dim; j++ {
			dst[i*dim+j] = widen(f, table[o+j])
		}
	}
}

// AddRowsHalf adds the widened rows of a table of 16-bit weights of format
// f that rows lists to the dim values in dst, in the order of rows, in
// float32, each row times its weight when weights is not nil (one per
// row): for each row r and column j in turn, dst[j] = dst[j] + w where w
// is table[r*dim+j] widened ([Widen]), or float32(weights[i] * w) (the
// product rounded, then added: no fused multiply-add). Every result is
// correctly rounded, so every path gives the same bits, but for the
// payloads of NaNs. len(dst) must be dim, len(table) a multiple of dim,
// every row in the table (when dim > 0) and weights nil or of len(rows);
// otherwise it panics before writing anything.
func (p Path) AddRowsHalf(f HalfFormat, dst []float32, table []uint16, dim int, rows []int64, weights []float32) {
	checkFormat("AddRowsHalf", f)
	checkBag("AddRowsHalf", len(table), dim, dst, rows, weights)
	vec := 0
	if p.id == asmID && lookupAsm {
		vec = dim &^ 7
	}
	if vec > 0 && len(rows) > 0 {
		raceTableRows(table, dim, rows)
		raceRead(weights)
		raceRead(dst)
		raceWrite(dst)
		if f == BFloat16 {
			addRowsBF16Asm(dst, table, dim, rows, weights)
		} else {
			addRowsF16Asm(dst, table, dim, rows, weights)
		}
	}
	if vec == dim {
		return
	}
	for i, r := range rows {
		o := int(r) * dim
		for j := vec; j < dim; j++ {
			w := widen(f, table[o+j])
			if weights != nil {
				w = float32(weights[i] * w)
			}
			dst[j] += w
		}
	}
}

// checkLookup panics unless function fn can look up rows, of dim elements,
// in a table of n elements into dst: the table is made of such rows, each
// of rows is in it, and dst holds len(rows) of them.
func checkLookup(fn string, n, dim int, dst []float32, rows []int64) {
	checkTableRows(fn, n, dim, rows)
	if len(dst) != len(rows)*dim {
		panic(fmt.Sprintf("kernel.%s: len(dst)=%d is not len(rows)*dim = %d*%d", fn, len(dst), len(rows), dim))
	}
}

// checkBag panics unless function fn can add rows of dim elements of a
// table of n elements, times weights (nil or one per row), into dst of
// dim elements.
func checkBag(fn string, n, dim int, dst []float32, rows []int64, weights []float32) {
	checkTableRows(fn, n, dim, rows)
	if len(dst) != dim {
		panic(fmt.Sprintf("kernel.%s: len(dst)=%d, dim=%d differ", fn, len(dst), dim))
	}
	if weights != nil && len(weights) != len(rows) {
		panic(fmt.Sprintf("kernel.%s: %d weights for %d rows", fn, len(weights), len(rows)))
	}
}

// checkTableRows panics when a table of n elements is not made of rows of
// dim, or a row of rows is outside it; with dim 0 there is nothing to
// read, and rows are not checked (as checkRowsLen does).
func checkTableRows(fn string, n, dim int, rows []int64) {
	if dim < 0 {
		panic(fmt.Sprintf("kernel.%s: dim=%d is negative", fn, dim))
	}
	if dim == 0 {
		return
	}
	if n%dim != 0 {
		panic(fmt.Sprintf("kernel.%s: len(table)=%d is not a multiple of dim=%d", fn, n, dim))
	}
	nrows := n / dim
	for i, r := range rows {
		if r < 0 || r >= int64(nrows) {
			panic(fmt.Sprintf("kernel.%s: rows[%d]=%d is outside the table's %d rows", fn, i, r, nrows))
		}
	}
}

// raceTableRows reports to the race detector the table rows an assembly
// lookup reads.
func raceTableRows[E uint16 | float32](table []E, dim int, rows []int64) {
	if !raceEnabled {
		return
	}
	for _, r := range rows {
		raceRead(table[int(r)*dim : int(r)*dim+dim])
	}
}

//go:build gc && !purego

package kernel

// half_arm64.s is generated (see generate.go).

// halfAsm reports whether this build has assembly for the 16-bit row
// kernels (arm64: NEON, with FCVTL and FCVTN for float16).
const halfAsm = true

// lookupAsm reports whether this build has assembly for WidenRows and
// AddRowsHalf.
const lookupAsm = true

// stepRowsBF16Asm is stepRowsHalfGeneric for bfloat16 weights computed by
// NEON (half_arm64.s), on the columns [0, dim&^7) of each row: the
// widening is a shift, the rounding integer additions of the random or
// the rounding bits. It prefetches the rows of rows[i+8] while it updates
// rows[i].
//
//go:noescape
func stepRowsBF16Asm(c *coeffsHalf, table []uint16, state []float32, dim int, rows []int32, grads []float32, gradRows []int32)

// stepRowsF16Asm is stepRowsBF16Asm for float16 weights: FCVTL widens,
// FCVTN rounds to nearest, and stochastic rounding is computed in integer
// and float32 lanes as round16 computes it.
//
//go:noescape
func stepRowsF16Asm(c *coeffsHalf, table []uint16, state []float32, dim int, rows []int32, grads []float32, gradRows []int32)

// rowwiseRowsBF16Asm is rowwiseRowsHalfGeneric for bfloat16 weights
// computed by NEON, for dim a multiple of 8: the accumulators a[0..3],
// a[4..7], a[8..11] and a[12..15] of the sum of squares are the lanes of
// four registers, as in rowwiseRows32Asm.
//
//go:noescape
func rowwiseRowsBF16Asm(c *coeffsHalf, table []uint16, state []float32, dim int, rows []int32, grads []float32, gradRows []int32)

// rowwiseRowsF16Asm is rowwiseRowsBF16Asm for float16 weights.
//
//go:noescape
func rowwiseRowsF16Asm(c *coeffsHalf, table []uint16, state []float32, dim int, rows []int32, grads []float32, gradRows []int32)

// widenRowsBF16Asm is WidenRows for bfloat16 weights computed by NEON, on
// the columns [0, dim&^7) of each row; the caller widens the others. The
// widening interleaves zeros below the bits and gives a NaN its quiet
// bit, as Widen does. It prefetches rows[i+8] while it widens rows[i].
//
//go:noescape
func widenRowsBF16Asm(dst []float32, table []uint16, dim int, rows []int64)

// widenRowsF16Asm is widenRowsBF16Asm for float16 weights (FCVTL, which
// quiets a NaN as Widen does).
//
//go:noescape
func widenRowsF16Asm(dst []float32, table []uint16, dim int, rows []int64)

// addRowsBF16Asm is AddRowsHalf for bfloat16 weights computed by NEON, on
// the columns [0, dim&^7); weights is nil or one per row (FMUL by a lane,
// then FADD: the product rounded, then the sum). It prefetches rows[i+8]
// while it adds rows[i].
//
//go:noescape
func addRowsBF16Asm(dst []float32, table []uint16, dim int, rows []int64, weights []float32)

// addRowsF16Asm is addRowsBF16Asm for float16 weights.
//
//go:noescape
func addRowsF16Asm(dst []float32, table []uint16, dim int, rows []int64, weights []float32)

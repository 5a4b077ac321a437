//go:build gc && !purego

package kernel

// halfAsm reports whether this build has assembly for the 16-bit row
// kernels (amd64: AVX2, with F16C for float16, which asmOK requires).
const halfAsm = true

// lookupAsm reports whether this build has assembly for WidenRows and
// AddRowsHalf.
const lookupAsm = true

// stepRowsBF16Asm is stepRowsHalfGeneric for bfloat16 weights computed by
// AVX2 (half_amd64.s), on the columns [0, dim&^7) of each row: the
// widening is a byte shuffle, the rounding integer additions of the random
// or the rounding bits. It has a loop for each rounding, with and without
// weight decay, and prefetches the rows of rows[i+8] into the second-level
// cache a few columns at a time while it updates rows[i].
//
//go:noescape
func stepRowsBF16Asm(c *coeffsHalf, table []uint16, state []float32, dim int, rows []int32, grads []float32, gradRows []int32)

// stepRowsF16Asm is stepRowsBF16Asm for float16 weights: F16C's VCVTPH2PS
// widens and VCVTPS2PH rounds, to nearest even as round16 does, or, for
// stochastic rounding, after the random bits have been added to the
// float32 bits and the 13 bits below the float16 fraction cleared; the
// lanes below 2^-14 take round16's computation in float32 lanes.
//
//go:noescape
func stepRowsF16Asm(c *coeffsHalf, table []uint16, state []float32, dim int, rows []int32, grads []float32, gradRows []int32)

// rowwiseRowsBF16Asm is rowwiseRowsHalfGeneric for bfloat16 weights
// computed by AVX2, for dim a multiple of 8: the accumulators a[0..7] and
// a[8..15] of the sum of squares are the lanes of two YMM registers, as in
// rowwiseRows32Asm.
//
//go:noescape
func rowwiseRowsBF16Asm(c *coeffsHalf, table []uint16, state []float32, dim int, rows []int32, grads []float32, gradRows []int32)

// rowwiseRowsF16Asm is rowwiseRowsBF16Asm for float16 weights.
//
//go:noescape
func rowwiseRowsF16Asm(c *coeffsHalf, table []uint16, state []float32, dim int, rows []int32, grads []float32, gradRows []int32)

// widenRowsBF16Asm is WidenRows for bfloat16 weights computed by AVX2, on
// the columns [0, dim&^7) of each row; the caller widens the others. It
// prefetches rows[i+8] while it widens rows[i].
//
//go:noescape
func widenRowsBF16Asm(dst []float32, table []uint16, dim int, rows []int64)

// widenRowsF16Asm is widenRowsBF16Asm for float16 weights (VCVTPH2PS).
//
//go:noescape
func widenRowsF16Asm(dst []float32, table []uint16, dim int, rows []int64)

// addRowsBF16Asm is AddRowsHalf for bfloat16 weights computed by AVX2, on
// the columns [0, dim&^7); weights is nil or one per row. It prefetches
// rows[i+8] while it adds rows[i].
//
//go:noescape
func addRowsBF16Asm(dst []float32, table []uint16, dim int, rows []int64, weights []float32)

// addRowsF16Asm is addRowsBF16Asm for float16 weights.
//
//go:noescape
func addRowsF16Asm(dst []float32, table []uint16, dim int, rows []int64, weights []float32)

//go:build gc && !purego

package kernel

// stepRows32Asm is stepRows32Generic computed by AVX2 and FMA3
// (rows_amd64.s): 32, then 8, then 4 elements at a time, the last dim%4
// one at a time; rows of one element in a loop of their own. It prefetches
// the table, sum and gradient rows of rows[i+8] (rows[i+32] for rows of at
// most 4 elements) into the second-level cache while it updates rows[i].
//
//go:noescape
func stepRows32Asm(c *coeffs32, table, sum []float32, dim int, rows []int32, grads []float32, gradRows []int32)

// rowwiseRows32Asm is rowwiseRows32Generic computed by AVX2 and FMA3: the
// accumulators a[0..7] and a[8..15] of the sum of squares are the lanes of
// two YMM registers. It prefetches the table row, h and the gradient row
// of rows[i+8] while it updates rows[i].
//
//go:noescape
func rowwiseRows32Asm(c *coeffs32, table, h []float32, dim int, rows []int32, grads []float32, gradRows []int32)

// sumRows32Asm is sumRows32Generic computed by AVX2. It prefetches the
// rows of group i+8 while it sums group i.
//
//go:noescape
func sumRows32Asm(dst []float32, dim int, grads []float32, list, ends []int32)

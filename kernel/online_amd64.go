//go:build gc && !purego

package kernel

// onlineAsm reports whether the assembly path has the online row kernels:
// AVX2 does.
const onlineAsm = true

// online64Asm reports whether the assembly path has the float64 dense
// online steps and the decay: AVX2 does.
const online64Asm = true

// proximalRows32Asm is ProximalStepRows32's generic loop computed by AVX2
// and FMA3 (online_amd64.s), 8 lanes at a time, the last dim%8 elements
// one at a time; rows of one element in a loop of their own. It prefetches
// the table, sum and gradient rows of rows[i+8] (rows[i+32] for rows of at
// most 4 elements) into the second-level cache while it updates rows[i].
//
//go:noescape
func proximalRows32Asm(c *online32, table, sum []float32, dim int, rows []int32, grads []float32, gradRows []int32)

// ftrlRows32Asm is FTRLStepRows32's generic loop computed by AVX2 and
// FMA3, as proximalRows32Asm; it also prefetches the linear row.
//
//go:noescape
func ftrlRows32Asm(c *online32, table, sum, linear []float32, dim int, rows []int32, grads []float32, gradRows []int32)

// proximal64Asm is proximal64Generic computed by AVX2 and FMA3
// (online_amd64.s), 4 lanes at a time, the last len%4 elements one at a
// time. param, grad and sum have the same length.
//
//go:noescape
func proximal64Asm(c *online64, param, grad, sum []float64)

// ftrl64Asm is ftrl64Generic computed by AVX2 and FMA3, as proximal64Asm.
//
//go:noescape
func ftrl64Asm(c *online64, param, grad, sum, linear []float64)

// decay32Asm and decay64Asm are decay computed by AVX2 (online_amd64.s),
// 8 or 4 lanes at a time, the last elements one at a time; n > 0.
//
//go:noescape
func decay32Asm(c *decay32, sum []float32, n int64)

//go:noescape
func decay64Asm(c *decay64, sum []float64, n int64)

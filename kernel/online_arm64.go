//go:build gc && !purego

package kernel

// online_arm64.s is generated (see generate.go).

// onlineAsm reports whether the assembly path has the online row kernels:
// NEON does.
const onlineAsm = true

// proximalRows32Asm is ProximalStepRows32's generic loop computed by NEON
// (online_arm64.s), 16 elements at a time, then 4, the last dim%4 one at
// a time. It prefetches the table, sum and gradient rows of rows[i+8]
// while it updates rows[i].
//
//go:noescape
func proximalRows32Asm(c *online32, table, sum []float32, dim int, rows []int32, grads []float32, gradRows []int32)

// ftrlRows32Asm is FTRLStepRows32's generic loop computed by NEON, as
// proximalRows32Asm; it also prefetches the linear row.
//
//go:noescape
func ftrlRows32Asm(c *online32, table, sum, linear []float32, dim int, rows []int32, grads []float32, gradRows []int32)

//go:build !amd64 || !gc || purego

package kernel

// onlineAsm reports whether the assembly path has the online row kernels:
// in this build it has none (on arm64 the NEON path runs the generic Go
// for them).
const onlineAsm = false

func proximalRows32Asm(c *online32, table, sum []float32, dim int, rows []int32, grads []float32, gradRows []int32) {
	panic("kernel: no online assembly in this build")
}

func ftrlRows32Asm(c *online32, table, sum, linear []float32, dim int, rows []int32, grads []float32, gradRows []int32) {
	panic("kernel: no online assembly in this build")
}

func proximal64Asm(c *online64, param, grad, sum []float64) {
	panic("kernel: no online assembly in this build")
}

func ftrl64Asm(c *online64, param, grad, sum, linear []float64) {
	panic("kernel: no online assembly in this build")
}

func decay32Asm(c *decay32, sum []float32, n int64) {
	panic("kernel: no online assembly in this build")
}

func decay64Asm(c *decay64, sum []float64, n int64) {
	panic("kernel: no online assembly in this build")
}

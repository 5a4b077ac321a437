//go:build (!amd64 && !arm64) || !gc || purego

package kernel

// onlineAsm reports whether the assembly path has the online row kernels:
// in this build it has none.
const onlineAsm = false

func proximalRows32Asm(c *online32, table, sum []float32, dim int, rows []int32, grads []float32, gradRows []int32) {
	panic("kernel: no online assembly in this build")
}

func ftrlRows32Asm(c *online32, table, sum, linear []float32, dim int, rows []int32, grads []float32, gradRows []int32) {
	panic("kernel: no online assembly in this build")
}

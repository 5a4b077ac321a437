//go:build !amd64 || !gc || purego

package kernel

// online64Asm reports whether the assembly path has the float64 dense
// online steps and the decay: only the AVX2 path does.
const online64Asm = false

func proximal64Asm(c *online64, param, grad, sum []float64) {
	panic("kernel: no float64 online assembly in this build")
}

func ftrl64Asm(c *online64, param, grad, sum, linear []float64) {
	panic("kernel: no float64 online assembly in this build")
}

func decay32Asm(c *decay32, sum []float32, n int64) {
	panic("kernel: no decay assembly in this build")
}

func decay64Asm(c *decay64, sum []float64, n int64) {
	panic("kernel: no decay assembly in this build")
}

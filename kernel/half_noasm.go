//go:build (!amd64 && !arm64) || !gc || purego

package kernel

// This build has no assembly for the 16-bit row kernels: the assembly
// path (if any) uses the generic ones, and these are never called.
const halfAsm = false

func stepRowsBF16Asm(c *coeffsHalf, table []uint16, state []float32, dim int, rows []int32, grads []float32, gradRows []int32) {
	panic("unreachable")
}

func stepRowsF16Asm(c *coeffsHalf, table []uint16, state []float32, dim int, rows []int32, grads []float32, gradRows []int32) {
	panic("unreachable")
}

func rowwiseRowsBF16Asm(c *coeffsHalf, table []uint16, state []float32, dim int, rows []int32, grads []float32, gradRows []int32) {
	panic("unreachable")
}

func rowwiseRowsF16Asm(c *coeffsHalf, table []uint16, state []float32, dim int, rows []int32, grads []float32, gradRows []int32) {
	panic("unreachable")
}

//go:build (!amd64 && !arm64) || !gc || purego

package kernel

// This build has no assembly path.
const (
	asmName = ""
	asmOK   = false
)

// The assembly kernels of other builds are never called in this one (no
// path is the assembly path); here they are the generic kernels, so that
// the calls by name compile.

func step32Asm(c *coeffs32, param, grad, sum []float32) { step32Generic(c, param, grad, sum) }

func step64Asm(c *coeffs64, param, grad, sum []float64) { step64Generic(c, param, grad, sum) }

func stepRows32Asm(c *coeffs32, table, sum []float32, dim int, rows []int32, grads []float32, gradRows []int32) {
	stepRows32Generic(c, table, sum, dim, rows, grads, gradRows)
}

func rowwiseRows32Asm(c *coeffs32, table, h []float32, dim int, rows []int32, grads []float32, gradRows []int32) {
	rowwiseRows32Generic(c, table, h, dim, rows, grads, gradRows)
}

func sumRows32Asm(dst []float32, dim int, grads []float32, list, ends []int32) {
	sumRows32Generic(dst, dim, grads, list, ends)
}

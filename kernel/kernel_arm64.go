//go:build gc && !purego

package kernel

// The assembly path of this build: neon. Every arm64 CPU has NEON
// (Advanced SIMD) with IEEE-754 arithmetic in all lanes, so the path is
// always there.
const (
	asmName = "neon"
	asmOK   = true
)

// kernel_arm64.s is generated (see generate.go).

// step32Asm is step32Generic computed by NEON (kernel_arm64.s), for
// len(param) > 0.
//
//go:noescape
func step32Asm(c *coeffs32, param, grad, sum []float32)

// step64Asm is step64Generic computed by NEON, for len(param) > 0.
//
//go:noescape
func step64Asm(c *coeffs64, param, grad, sum []float64)

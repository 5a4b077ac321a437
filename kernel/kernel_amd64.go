//go:build gc && !purego

package kernel

import "github.com/klauspost/cpuid/v2"

// The assembly path of this build: avx2, which needs AVX2, FMA3 and F16C
// (the float16 conversions of the 16-bit row kernels; every AVX2 CPU has
// it); cpuid also checks that the OS saves the YMM registers.
const asmName = "avx2"

var asmOK = cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3, cpuid.F16C)

// step32Asm is step32Generic computed by AVX2 and FMA3 (kernel_amd64.s),
// for len(param) > 0.
//
//go:noescape
func step32Asm(c *coeffs32, param, grad, sum []float32)

// step64Asm is step64Generic computed by AVX2 and FMA3, for len(param) > 0.
//
//go:noescape
func step64Asm(c *coeffs64, param, grad, sum []float64)

//go:build gc && !purego

package kernel

import "github.com/klauspost/cpuid/v2"

// The assembly path of this build: avx2, which needs AVX2, FMA3 and F16C
// (the float16 conversions of the 16-bit row kernels; every AVX2 CPU has
// it); cpuid also checks that the OS saves the YMM registers.
const asmName = "avx2"

var asmOK = cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3, cpuid.F16C)

// step32Ref is step32Generic computed by AVX2 and FMA3 (kernel_amd64.s) on
// the slices *param, *grad and *sum; when their lengths differ or c.asm is
// false, it jumps to step32Checked.
//
//go:noescape
func step32Ref(c *coeffs32, param, grad, sum *[]float32)

// step64Ref is step32Ref for float64: step64Generic, or step64Checked.
//
//go:noescape
func step64Ref(c *coeffs64, param, grad, sum *[]float64)

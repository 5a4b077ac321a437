//go:build gc && !purego

package kernel

import "github.com/klauspost/cpuid/v2"

var avx2Impl = &impl{name: "avx2", step32: step32AVX2Go, step64: step64AVX2Go,
	stepRows32: stepRows32AVX2Go, rowwiseRows32: rowwiseRows32AVX2Go, sumRows32: sumRows32AVX2Go}

// archImpls returns the assembly paths this CPU can run. The avx2 path
// needs AVX2 and FMA3 both (cpuid also checks that the OS saves the YMM
// registers).
func archImpls() []*impl {
	if cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3) {
		return []*impl{avx2Impl}
	}
	return nil
}

func step32AVX2Go(param, grad, sum []float32, c coeffs32) {
	raceRead32(grad)
	raceRead32(sum)
	raceWrite32(param)
	raceWrite32(sum)
	step32AVX2(param, grad, sum, c.lr, c.epsIn, c.epsOut, c.wd, c.neg, c.wdMask)
}

func step64AVX2Go(param, grad, sum []float64, c coeffs64) {
	raceRead64(grad)
	raceRead64(sum)
	raceWrite64(param)
	raceWrite64(sum)
	step64AVX2(param, grad, sum, c.lr, c.epsIn, c.epsOut, c.wd, c.neg, c.wdMask)
}

func stepRows32AVX2Go(table, sum []float32, dim int, rows []int32, grads []float32, gradRows []int32, c coeffs32) {
	raceRows32(table, sum, 0, dim, rows, grads, gradRows)
	stepRows32AVX2(table, sum, dim, rows, grads, gradRows, c.lr, c.epsIn, c.epsOut, c.wd, c.neg, c.wdMask)
}

func rowwiseRows32AVX2Go(table, h []float32, dim int, rows []int32, grads []float32, gradRows []int32, c coeffs32) {
	raceRows32(table, h, 1, dim, rows, grads, gradRows)
	rowwiseRows32AVX2(table, h, dim, rows, grads, gradRows, c.lr, c.epsIn, c.epsOut, c.wd, c.neg, c.wdMask)
}

func sumRows32AVX2Go(dst []float32, dim int, grads []float32, list, ends []int32) {
	raceSums32(dst, dim, grads, list)
	sumRows32AVX2(dst, dim, grads, list, ends)
}

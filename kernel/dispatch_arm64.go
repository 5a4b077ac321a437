//go:build gc && !purego

package kernel

var neonImpl = &impl{name: "neon", step32: step32NEONGo, step64: step64NEONGo,
	stepRows32: stepRows32NEONGo, rowwiseRows32: rowwiseRows32NEONGo, sumRows32: sumRows32NEONGo}

// archImpls returns the assembly paths this CPU can run. Every arm64 CPU
// has NEON (Advanced SIMD) with IEEE-754 arithmetic in all lanes, so the
// neon path is always there.
func archImpls() []*impl {
	return []*impl{neonImpl}
}

func step32NEONGo(param, grad, sum []float32, c coeffs32) {
	raceRead32(grad)
	raceRead32(sum)
	raceWrite32(param)
	raceWrite32(sum)
	step32NEON(param, grad, sum, c.lr, c.epsIn, c.epsOut, c.wd, c.neg, c.wdMask)
}

func step64NEONGo(param, grad, sum []float64, c coeffs64) {
	raceRead64(grad)
	raceRead64(sum)
	raceWrite64(param)
	raceWrite64(sum)
	step64NEON(param, grad, sum, c.lr, c.epsIn, c.epsOut, c.wd, c.neg, c.wdMask)
}

func stepRows32NEONGo(table, sum []float32, dim int, rows []int32, grads []float32, gradRows []int32, c coeffs32) {
	raceRows32(table, sum, 0, dim, rows, grads, gradRows)
	stepRows32NEON(table, sum, dim, rows, grads, gradRows, c.lr, c.epsIn, c.epsOut, c.wd, c.neg, c.wdMask)
}

func rowwiseRows32NEONGo(table, h []float32, dim int, rows []int32, grads []float32, gradRows []int32, c coeffs32) {
	raceRows32(table, h, 1, dim, rows, grads, gradRows)
	rowwiseRows32NEON(table, h, dim, rows, grads, gradRows, c.lr, c.epsIn, c.epsOut, c.wd, c.neg, c.wdMask)
}

func sumRows32NEONGo(dst []float32, dim int, grads []float32, list, ends []int32) {
	raceSums32(dst, dim, grads, list)
	sumRows32NEON(dst, dim, grads, list, ends)
}

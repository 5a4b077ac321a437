//go:build gc && !purego

package kernel

// step32AVX2 is, with c the step's coefficients:
//
//	for i := range param {
//		g := math.Float32frombits(math.Float32bits(grad[i]) ^ neg)
//		if wdMask != 0 {
//			g = fma32(wd, param[i], g)
//		}
//		s := fma32(g, g, sum[i])
//		std := sqrt32(s+epsIn) + epsOut
//		param[i] = param[i] - float32(lr*g)/std
//		sum[i] = s
//	}
//
// with len(grad) and len(sum) at least len(param).
//
//go:noescape
func step32AVX2(param, grad, sum []float32, lr, epsIn, epsOut, wd float32, neg, wdMask uint32)

// step64AVX2 is step32AVX2 for float64.
//
//go:noescape
func step64AVX2(param, grad, sum []float64, lr, epsIn, epsOut, wd float64, neg, wdMask uint64)

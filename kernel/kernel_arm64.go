//go:build gc && !purego

package kernel

// kernel_arm64.s is generated (see generate.go).

// step32NEON is, with c the step's coefficients:
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
func step32NEON(param, grad, sum []float32, lr, epsIn, epsOut, wd float32, neg, wdMask uint32)

// step64NEON is, with c the step's coefficients:
//
//	for i := range param {
//		g := math.Float64frombits(math.Float64bits(grad[i]) ^ neg)
//		if wdMask != 0 {
//			g = math.FMA(wd, param[i], g)
//		}
//		s := math.FMA(g, g, sum[i])
//		std := math.Sqrt(s+epsIn) + epsOut
//		param[i] = param[i] - float64(lr*g)/std
//		sum[i] = s
//	}
//
// with len(grad) and len(sum) at least len(param).
//
//go:noescape
func step64NEON(param, grad, sum []float64, lr, epsIn, epsOut, wd float64, neg, wdMask uint64)

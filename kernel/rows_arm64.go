//go:build gc && !purego

package kernel

// rows_arm64.s is generated (see generate.go).

// stepRows32NEON is, with the rows and gradient rows checked and dim > 0:
//
//	for i, r := range rows {
//		k := i
//		if len(gradRows) != 0 {
//			k = int(gradRows[i])
//		}
//		step32NEON(table[int(r)*dim:][:dim], grads[k*dim:][:dim], sum[int(r)*dim:][:dim],
//			lr, epsIn, epsOut, wd, neg, wdMask)
//	}
//
// It prefetches the table and sum rows of rows[i+8] while it updates
// rows[i].
//
//go:noescape
func stepRows32NEON(table, sum []float32, dim int, rows []int32, grads []float32, gradRows []int32, lr, epsIn, epsOut, wd float32, neg, wdMask uint32)

// rowwiseRows32NEON is, with the rows and gradient rows checked and dim > 0:
//
//	for i, r := range rows {
//		k := i
//		if len(gradRows) != 0 {
//			k = int(gradRows[i])
//		}
//		param := table[int(r)*dim:][:dim]
//		grad := grads[k*dim:][:dim]
//		g := func(j int) float32 {
//			x := math.Float32frombits(math.Float32bits(grad[j]) ^ neg)
//			if wdMask != 0 {
//				x = fma32(wd, param[j], x)
//			}
//			return x
//		}
//		var a [16]float32
//		for j := range param {
//			a[j%16] = fma32(g(j), g(j), a[j%16])
//		}
//		for w := 8; w >= 1; w /= 2 {
//			for k := 0; k < w; k++ {
//				a[k] = a[k] + a[k+w]
//			}
//		}
//		h[r] = h[r] + a[0]/float32(dim)
//		step := lr / (sqrt32(h[r]+epsIn) + epsOut)
//		for j := range param {
//			param[j] = param[j] - float32(step*g(j))
//		}
//	}
//
// a[0..3], a[4..7], a[8..11] and a[12..15] are the lanes of four
// registers. It prefetches the table row and h of rows[i+8] while it
// updates rows[i].
//
//go:noescape
func rowwiseRows32NEON(table, h []float32, dim int, rows []int32, grads []float32, gradRows []int32, lr, epsIn, epsOut, wd float32, neg, wdMask uint32)

// sumRows32NEON is, with the arguments checked and dim > 0:
//
//	lo := 0
//	for i, e := range ends {
//		for j := 0; j < dim; j++ {
//			s := grads[int(list[lo])*dim+j]
//			for _, k := range list[lo+1 : e] {
//				s = s + grads[int(k)*dim+j]
//			}
//			dst[i*dim+j] = s
//		}
//		lo = int(e)
//	}
//
// It prefetches the rows of group i+8 while it sums group i.
//
//go:noescape
func sumRows32NEON(dst []float32, dim int, grads []float32, list, ends []int32)

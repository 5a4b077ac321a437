package kernel

// stepRows32With applies a path's element-wise step to each listed row:
// the fallback of a path without a batched row kernel. The rows have been
// checked.
func stepRows32With(step func(param, grad, sum []float32, c coeffs32), table, sum []float32, dim int, rows []int32, grads []float32, gradRows []int32, c coeffs32) {
	for i, r := range rows {
		k := i
		if gradRows != nil {
			k = int(gradRows[i])
		}
		o := int(r) * dim
		g := grads[k*dim : k*dim+dim]
		step(table[o:o+dim], g, sum[o:o+dim], c)
	}
}

// rowwiseRows32Generic is the reference row-wise step, row after row. The
// rows have been checked and dim > 0.
func rowwiseRows32Generic(table, h []float32, dim int, rows []int32, grads []float32, gradRows []int32, c coeffs32) {
	for i, r := range rows {
		k := i
		if gradRows != nil {
			k = int(gradRows[i])
		}
		o := int(r) * dim
		h[r] = rowwise32Generic(table[o:o+dim], grads[k*dim:k*dim+dim], h[r], c)
	}
}

// rowGrad32 is the gradient as the step uses it: sign flipped when
// maximizing, weight decay folded in.
func rowGrad32(g, p float32, c *coeffs32) float32 {
	if c.maximize {
		g = -g
	}
	if c.decay {
		g = fma32(c.wd, p, g)
	}
	return g
}

// rowwise32Generic is the reference row-wise step on one row of at least
// one element; it returns the new accumulator. Each operation is written
// as the contract names it.
func rowwise32Generic(param, grad []float32, h float32, c coeffs32) float32 {
	grad = grad[:len(param)]
	var a [16]float32 // +0
	for j := range param {
		g := rowGrad32(grad[j], param[j], &c)
		a[j%16] = fma32(g, g, a[j%16])
	}
	for w := 8; w >= 1; w /= 2 {
		for k := 0; k < w; k++ {
			a[k] = a[k] + a[k+w]
		}
	}
	mean := a[0] / float32(len(param))
	h = h + mean
	var std float32
	if c.epsInside {
		std = sqrt32(h + c.eps)
	} else {
		std = sqrt32(h) + c.eps
	}
	step := c.lr / std
	for j := range param {
		g := rowGrad32(grad[j], param[j], &c)
		param[j] = param[j] - float32(step*g)
	}
	return h
}

// sumRows32Generic is the reference SumRows32; the arguments have been
// checked and dim > 0.
func sumRows32Generic(dst []float32, dim int, grads []float32, list, ends []int32) {
	lo := 0
	for i, e := range ends {
		out := dst[i*dim : i*dim+dim]
		k := int(list[lo])
		copy(out, grads[k*dim:k*dim+dim])
		for _, k := range list[lo+1 : e] {
			g := grads[int(k)*dim : int(k)*dim+dim]
			for j := range out {
				out[j] = out[j] + g[j]
			}
		}
		lo = int(e)
	}
}

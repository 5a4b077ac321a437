package kernel

// The generic path's row kernels, the reference for the others. They are
// called with the rows and gradient rows checked and dim > 0. The gradient
// row of rows[i] is grads[k*dim:(k+1)*dim], with k = gradRows[i], or k = i
// when gradRows is nil.

// stepRows32Generic is step32Generic on each listed row, in order.
func stepRows32Generic(c *coeffs32, table, sum []float32, dim int, rows []int32, grads []float32, gradRows []int32) {
	for i, r := range rows {
		k := i
		if gradRows != nil {
			k = int(gradRows[i])
		}
		o := int(r) * dim
		step32Generic(c, table[o:o+dim], grads[k*dim:k*dim+dim], sum[o:o+dim])
	}
}

// rowwiseRows32Generic is rowwise32Generic on each listed row, in order,
// with the row's accumulator h[r].
func rowwiseRows32Generic(c *coeffs32, table, h []float32, dim int, rows []int32, grads []float32, gradRows []int32) {
	for i, r := range rows {
		k := i
		if gradRows != nil {
			k = int(gradRows[i])
		}
		o := int(r) * dim
		h[r] = rowwise32Generic(c, table[o:o+dim], grads[k*dim:k*dim+dim], h[r])
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

// rowwise32Generic is the reference rowwise step (the contract of
// RowwiseStep32) on one row of at least one element; it returns the new
// accumulator. Each operation is written as the contract names it.
func rowwise32Generic(c *coeffs32, param, grad []float32, h float32) float32 {
	grad = grad[:len(param)]
	var a [16]float32 // +0
	for j := range param {
		g := rowGrad32(grad[j], param[j], c)
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
		g := rowGrad32(grad[j], param[j], c)
		param[j] = param[j] - float32(step*g)
	}
	return h
}

// sumRows32Generic is the reference SumRows32: each group's rows added in
// order, left to right, in float32; the arguments have been checked and
// dim > 0.
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

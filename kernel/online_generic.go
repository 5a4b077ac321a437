package kernel

import "math"

// The generic online kernels: the contracts of ProximalStep32 and
// FTRLStep32 (and their float64 forms) in code, each operation written as
// the contract names it; explicit conversions keep the compiler from
// fusing a product into an add.

func proximal32Generic(c *online32, param, grad, sum []float32) {
	grad = grad[:len(param)]
	sum = sum[:len(param)]
	lr, l1, l2 := c.lr, c.l1, c.l2
	for i := range param {
		g := grad[i]
		s := fma32(g, g, sum[i])
		eta := lr / sqrt32(s)
		v := param[i] - float32(eta*g)
		if l1 > 0 {
			m := float32(abs32(v) - float32(eta*l1))
			if !(m > 0) && m == m {
				m = 0
			}
			v = copysign32(m, v)
		}
		param[i] = v / (float32(eta*l2) + 1)
		sum[i] = s
	}
}

func proximal64Generic(c *online64, param, grad, sum []float64) {
	grad = grad[:len(param)]
	sum = sum[:len(param)]
	lr, l1, l2 := c.lr, c.l1, c.l2
	for i := range param {
		g := grad[i]
		s := math.FMA(g, g, sum[i])
		eta := lr / math.Sqrt(s)
		v := param[i] - float64(eta*g)
		if l1 > 0 {
			m := float64(math.Abs(v) - float64(eta*l1))
			if !(m > 0) && m == m {
				m = 0
			}
			v = math.Copysign(m, v)
		}
		param[i] = v / (float64(eta*l2) + 1)
		sum[i] = s
	}
}

func ftrl32Generic(c *online32, param, grad, sum, linear []float32) {
	grad = grad[:len(param)]
	sum = sum[:len(param)]
	linear = linear[:len(param)]
	lr, l1, l2x2, sh2, shrink := c.lr, c.l1, c.l2x2, c.sh2, c.shrink
	for i := range param {
		p, g, s := param[i], grad[i], sum[i]
		gs := g
		if shrink {
			gs = g + float32(sh2*p)
		}
		sNew := fma32(g, g, s)
		r := sqrt32(sNew)
		sigma := (r - sqrt32(s)) / lr
		lin := linear[i] + (gs - float32(sigma*p))
		quad := r/lr + l2x2
		p = 0
		if abs32(lin) > l1 {
			p = (copysign32(l1, lin) - lin) / quad
		}
		param[i], sum[i], linear[i] = p, sNew, lin
	}
}

func ftrl64Generic(c *online64, param, grad, sum, linear []float64) {
	grad = grad[:len(param)]
	sum = sum[:len(param)]
	linear = linear[:len(param)]
	lr, l1, l2x2, sh2, shrink := c.lr, c.l1, c.l2x2, c.sh2, c.shrink
	for i := range param {
		p, g, s := param[i], grad[i], sum[i]
		gs := g
		if shrink {
			gs = g + float64(sh2*p)
		}
		sNew := math.FMA(g, g, s)
		r := math.Sqrt(sNew)
		sigma := (r - math.Sqrt(s)) / lr
		lin := linear[i] + (gs - float64(sigma*p))
		quad := float64(r/lr) + l2x2
		p = 0
		if math.Abs(lin) > l1 {
			p = (math.Copysign(l1, lin) - lin) / quad
		}
		param[i], sum[i], linear[i] = p, sNew, lin
	}
}

func abs32(x float32) float32 {
	return math.Float32frombits(math.Float32bits(x) &^ (1 << 31))
}

func copysign32(x, y float32) float32 {
	return math.Float32frombits(math.Float32bits(x)&^(1<<31) | math.Float32bits(y)&(1<<31))
}

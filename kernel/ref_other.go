//go:build !amd64 || !gc || purego

package kernel

// step32Ref and step64Ref in Go, for the builds whose assembly (if any)
// takes the slices by value: step32Checked, or the assembly when the path
// is the assembly one and the lengths agree.

func step32Ref(c *coeffs32, param, grad, sum *[]float32) {
	p, g, s := *param, *grad, *sum
	if !c.asm || len(p) != len(g) || len(p) != len(s) {
		step32Checked(c, param, grad, sum)
		return
	}
	if len(p) > 0 {
		step32Asm(c, p, g, s)
	}
}

func step64Ref(c *coeffs64, param, grad, sum *[]float64) {
	p, g, s := *param, *grad, *sum
	if !c.asm || len(p) != len(g) || len(p) != len(s) {
		step64Checked(c, param, grad, sum)
		return
	}
	if len(p) > 0 {
		step64Asm(c, p, g, s)
	}
}

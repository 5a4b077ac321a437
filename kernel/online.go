package kernel

import "fmt"

// Online are the hyperparameters of one step of ProximalAdagrad or FTRL,
// TensorFlow's names in brackets. The kernel applies them as given and
// does not validate them (package adagrad does).
type Online struct {
	LR          float64 // this step's learning rate (lr)
	L1          float64 // L1 strength (l1)
	L2          float64 // L2 strength (l2), TensorFlow's convention: see FTRLStep32
	L2Shrinkage float64 // FTRL's magnitude penalty (l2_shrinkage)
	Beta        float64 // FTRL's beta, folded into L2 as Keras does
}

// Decay is the accumulator decay of one period: s = max(s*Rate, Floor).
type Decay struct {
	Rate, Floor float64
}

// online32 and online64 are Online rounded to the element type, in the
// forms the kernels use.
//
// The assembly receives a pointer to an online32 and reads lr, l1, l2,
// l2x2, sh2, l1Mask and shrinkMask at the offsets of go_asm.h.
type online32 struct {
	lr, l1, l2, l2x2, sh2 float32
	l1Mask, shrinkMask    uint32 // all ones when l1 > 0, when sh2 != 0
	shrink                bool
}

type online64 struct {
	lr, l1, l2, l2x2, sh2 float64
	l1Mask, shrinkMask    uint64 // all ones when l1 > 0, when sh2 != 0
	shrink                bool
}

// set32 rounds o to float32 once per step. l2x2 is FTRL's 2*l2 with beta
// folded in (Keras: l2 + beta/(2*lr), then TensorFlow's kernel doubles
// it), computed in float64 and rounded once: 2*L2 + Beta/LR. sh2 is
// 2*L2Shrinkage.
func (o *Online) set32(c *online32) {
	c.lr, c.l1, c.l2 = float32(o.LR), float32(o.L1), float32(o.L2)
	c.l2x2 = float32(2*o.L2 + o.Beta/o.LR)
	if o.Beta == 0 {
		c.l2x2 = float32(2 * o.L2)
	}
	c.sh2 = float32(2 * o.L2Shrinkage)
	c.shrink = c.sh2 != 0
	c.l1Mask, c.shrinkMask = 0, 0
	if c.l1 > 0 {
		c.l1Mask = ^uint32(0)
	}
	if c.shrink {
		c.shrinkMask = ^uint32(0)
	}
}

func (o *Online) set64(c *online64) {
	c.lr, c.l1, c.l2 = o.LR, o.L1, o.L2
	c.l2x2 = 2*o.L2 + o.Beta/o.LR
	if o.Beta == 0 {
		c.l2x2 = 2 * o.L2
	}
	c.sh2 = 2 * o.L2Shrinkage
	c.shrink = c.sh2 != 0
	c.l1Mask, c.shrinkMask = 0, 0
	if c.l1 > 0 {
		c.l1Mask = ^uint64(0)
	}
	if c.shrink {
		c.shrinkMask = ^uint64(0)
	}
}

// ProximalStep32 applies one ProximalAdagrad step (TensorFlow's
// ApplyProximalAdagrad and SparseApplyProximalAdagrad) to float32
// parameters, element by element: it reads grad and updates param and sum
// in place. For each element, all arithmetic in float32, each operation
// correctly rounded, fma rounded once, lr, l1 and l2 the options rounded
// to float32:
//
//	s   = fma(g, g, s)
//	eta = lr / sqrt(s)                 // sqrt rounded, then the quotient
//	v   = p - float32(eta*g)           // product rounded, then subtracted
//	if l1 > 0 {
//	    m = |v| - float32(eta*l1)
//	    if !(m > 0) && m == m { m = +0 } // max(m, 0); NaN stays NaN
//	    v = copysign(m, v)               // TensorFlow: sign(v)*m, the same bits
//	}
//	p   = v / (float32(eta*l2) + 1)
//
// With l1 > 0, every element whose |v| is at most eta*l1 becomes an exact
// zero (its sign that of v). L2 is TensorFlow's: the proximal step of
// (l2/2)*p^2, a division by 1 + eta*l2. TensorFlow computes eta as
// lr*rsqrt(s) and s as s + g*g, rounded twice; those are the only
// differences from its formulas (see testdata/README.md for what they
// cost). There is no eps: s must be positive (an initial accumulator
// value > 0), or eta is +Inf.
//
// The slices must have the same length; otherwise ProximalStep32 panics,
// naming the lengths, before anything is written. The aliasing rules are
// [Step32]'s.
func ProximalStep32(param, grad, sum []float32, o Online) {
	mustActive().ProximalStep32(param, grad, sum, o)
}

// ProximalStep64 is ProximalStep32 for float64: the same operations in
// float64.
func ProximalStep64(param, grad, sum []float64, o Online) {
	mustActive().ProximalStep64(param, grad, sum, o)
}

// FTRLStep32 applies one FTRL-Proximal step (TensorFlow's ApplyFtrlV2 and
// SparseApplyFtrlV2 with learning_rate_power = -0.5) to float32
// parameters, element by element: it reads grad and updates param, sum
// (TensorFlow's accum) and linear in place. For each element, all
// arithmetic in float32, each operation correctly rounded, fma rounded
// once, lr and l1 the options rounded to float32, sh2 = float32(2 *
// L2Shrinkage) and l2x2 = float32(2*L2 + Beta/LR) (computed in float64,
// rounded once):
//
//	gs    = g + float32(sh2*p)       // only when sh2 != 0; else gs = g
//	sNew  = fma(g, g, s)             // the accumulator takes g, not gs
//	r     = sqrt(sNew)
//	sigma = (r - sqrt(s)) / lr
//	lin   = lin + (gs - float32(sigma*p))
//	quad  = r/lr + l2x2
//	if |lin| > l1 { p = (copysign(l1, lin) - lin) / quad } else { p = +0 }
//	s     = sNew
//
// Every element with |lin| <= l1 is an exact +0.
//
// L2 convention: TensorFlow's, whose l2 enters as 2*l2 in quad, that is
// the penalty l2*p^2, where the paper (McMahan et al., 2013) writes
// (lambda2/2)*p^2: TensorFlow's l2 is the paper's lambda2/2. It is
// followed so that hyperparameters tuned with TensorFlow, and the
// checkpoints of models trained there, carry over. Beta is Keras' (the
// paper's beta): l2 + beta/(2*lr) in TensorFlow's formula, beta/lr in
// quad. TensorFlow's accum + grad*grad rounds twice where sNew rounds
// once; otherwise the order is its expression's.
//
// The slices must have the same length; otherwise FTRLStep32 panics,
// before anything is written. grad may be the very same slice as param;
// no other two may overlap.
func FTRLStep32(param, grad, sum, linear []float32, o Online) {
	mustActive().FTRLStep32(param, grad, sum, linear, o)
}

// FTRLStep64 is FTRLStep32 for float64: the same operations in float64.
func FTRLStep64(param, grad, sum, linear []float64, o Online) {
	mustActive().FTRLStep64(param, grad, sum, linear, o)
}

// Decay32 decays the accumulators in sum for n periods: n times, in
// order, each s becomes max(float32(s*rate), floor), rate and floor the
// options rounded to float32 (the product rounded, then compared: a value
// below floor becomes floor, NaN stays NaN). n <= 0 is a no-op.
//
// It stops early when a period changes no element (compared by value, NaN
// equal to NaN): every later period would leave them as they are too, so
// the result is that of n periods, bit for bit. The cost is therefore
// len(sum) multiplications times min(n, m), where m is the number of
// periods the largest element takes to reach its fixed point: the floor,
// zero, or a value rate leaves unchanged (rate = 1: m = 1), about
// log(s/floor)/log(1/rate) periods, at most a few hundred times
// 1/(1-rate) for any float32 s.
//
// It is [Path.Decay32] on the selected path.
func Decay32(sum []float32, n int64, d Decay) {
	mustActive().Decay32(sum, n, d)
}

// Decay64 is Decay32 for float64: the same operations in float64.
func Decay64(sum []float64, n int64, d Decay) {
	mustActive().Decay64(sum, n, d)
}

// decay32 and decay64 are Decay rounded to the element type; the
// assembly reads rate and floor at the offsets of go_asm.h.
type decay32 struct{ rate, floor float32 }

type decay64 struct{ rate, floor float64 }

// Decay32 is [Decay32] computed by this path: on the avx2 path by AVX2
// assembly, 8 lanes at a time, for 8 elements or more (for fewer, the
// assembly's setup costs more than it saves); otherwise (and on the neon
// path) by the generic code.
func (p Path) Decay32(sum []float32, n int64, d Decay) {
	if n <= 0 || len(sum) == 0 {
		return
	}
	c := decay32{float32(d.Rate), float32(d.Floor)}
	if p.id == asmID && online64Asm && len(sum) >= 8 {
		raceRead(sum)
		raceWrite(sum)
		decay32Asm(&c, sum, n)
		return
	}
	decay(sum, n, c.rate, c.floor)
}

// Decay64 is [Decay64] computed by this path, as Decay32, 4 lanes at a
// time for 4 elements or more.
func (p Path) Decay64(sum []float64, n int64, d Decay) {
	if n <= 0 || len(sum) == 0 {
		return
	}
	c := decay64{d.Rate, d.Floor}
	if p.id == asmID && online64Asm && len(sum) >= 4 {
		raceRead(sum)
		raceWrite(sum)
		decay64Asm(&c, sum, n)
		return
	}
	decay(sum, n, c.rate, c.floor)
}

// decay is Decay32 and Decay64, in the precision of F.
func decay[F float32 | float64](sum []F, n int64, rate, floor F) {
	for ; n > 0; n-- {
		changed := false
		for i, s := range sum {
			x := F(s * rate)
			if x < floor {
				x = floor
			}
			if x != s && (x == x || s == s) {
				changed = true
			}
			sum[i] = x
		}
		if !changed {
			return
		}
	}
}

// ProximalStep32 is [ProximalStep32] computed by this path: on the avx2
// and neon paths by the row kernel on one row; on the generic path by the
// generic code.
func (p Path) ProximalStep32(param, grad, sum []float32, o Online) {
	if len(param) != len(grad) || len(param) != len(sum) {
		panicLengths("ProximalStep32", len(param), len(grad), len(sum))
	}
	if len(param) == 0 {
		return
	}
	var c online32
	o.set32(&c)
	if p.id == asmID && onlineAsm {
		// One row of len(param): the row kernel loads each lane before
		// it stores it, so grad may be the very same slice as param.
		raceStep(param, grad, sum)
		proximalRows32Asm(&c, param, sum, len(param), zeroRow, grad, nil)
		return
	}
	proximal32Generic(&c, param, grad, sum)
}

// ProximalStep64 is [ProximalStep64] computed by this path: on the avx2
// path by AVX2 assembly, 4 lanes at a time; elsewhere (and on the neon
// path) by the generic code.
func (p Path) ProximalStep64(param, grad, sum []float64, o Online) {
	if len(param) != len(grad) || len(param) != len(sum) {
		panicLengths("ProximalStep64", len(param), len(grad), len(sum))
	}
	if len(param) == 0 {
		return
	}
	var c online64
	o.set64(&c)
	if p.id == asmID && online64Asm {
		// Each lane is loaded before it is stored, so grad may be the
		// very same slice as param.
		raceStep(param, grad, sum)
		proximal64Asm(&c, param, grad, sum)
		return
	}
	proximal64Generic(&c, param, grad, sum)
}

// FTRLStep32 is [FTRLStep32] computed by this path, as ProximalStep32.
func (p Path) FTRLStep32(param, grad, sum, linear []float32, o Online) {
	if len(param) != len(grad) || len(param) != len(sum) || len(param) != len(linear) {
		panic(fmt.Sprintf("kernel.FTRLStep32: slice lengths differ: len(param)=%d, len(grad)=%d, len(sum)=%d, len(linear)=%d",
			len(param), len(grad), len(sum), len(linear)))
	}
	if len(param) == 0 {
		return
	}
	var c online32
	o.set32(&c)
	if p.id == asmID && onlineAsm {
		raceStep(param, grad, sum)
		raceRead(linear)
		raceWrite(linear)
		ftrlRows32Asm(&c, param, sum, linear, len(param), zeroRow, grad, nil)
		return
	}
	ftrl32Generic(&c, param, grad, sum, linear)
}

// FTRLStep64 is [FTRLStep64] computed by this path, as ProximalStep64.
func (p Path) FTRLStep64(param, grad, sum, linear []float64, o Online) {
	if len(param) != len(grad) || len(param) != len(sum) || len(param) != len(linear) {
		panic(fmt.Sprintf("kernel.FTRLStep64: slice lengths differ: len(param)=%d, len(grad)=%d, len(sum)=%d, len(linear)=%d",
			len(param), len(grad), len(sum), len(linear)))
	}
	if len(param) == 0 {
		return
	}
	var c online64
	o.set64(&c)
	if p.id == asmID && online64Asm {
		raceStep(param, grad, sum)
		raceRead(linear)
		raceWrite(linear)
		ftrl64Asm(&c, param, grad, sum, linear)
		return
	}
	ftrl64Generic(&c, param, grad, sum, linear)
}

// ProximalStepRows32 is [Path.ProximalStepRows32] on the selected path.
func ProximalStepRows32(table, sum []float32, dim int, rows []int32, grads []float32, gradRows []int32, o Online) {
	mustActive().ProximalStepRows32(table, sum, dim, rows, grads, gradRows, o)
}

// FTRLStepRows32 is [Path.FTRLStepRows32] on the selected path.
func FTRLStepRows32(table, sum, linear []float32, dim int, rows []int32, grads []float32, gradRows []int32, o Online) {
	mustActive().FTRLStepRows32(table, sum, linear, dim, rows, grads, gradRows, o)
}

// ProximalStepRows32 applies [ProximalStep32] to rows of a row-major table
// of dim columns, as [Path.StepRows32] applies Step32: the same rows, the
// same gradient rows, the same checks and panics, each row giving exactly
// the bits of ProximalStep32 on that row.
func (p Path) ProximalStepRows32(table, sum []float32, dim int, rows []int32, grads []float32, gradRows []int32, o Online) {
	if len(sum) != len(table) {
		panic(fmt.Sprintf("kernel.ProximalStepRows32: len(table)=%d, len(sum)=%d differ", len(table), len(sum)))
	}
	checkRows("ProximalStepRows32", table, dim, rows, grads, gradRows)
	if dim == 0 || len(rows) == 0 {
		return
	}
	var c online32
	o.set32(&c)
	if p.id == asmID && onlineAsm {
		raceRows(table, sum, 0, dim, rows, grads, gradRows)
		proximalRows32Asm(&c, table, sum, dim, rows, grads, gradRows)
		return
	}
	for i, r := range rows {
		k := i
		if gradRows != nil {
			k = int(gradRows[i])
		}
		at := int(r) * dim
		proximal32Generic(&c, table[at:at+dim], grads[k*dim:k*dim+dim], sum[at:at+dim])
	}
}

// FTRLStepRows32 applies [FTRLStep32] to rows of a row-major table of dim
// columns with their accumulators in sum and linear terms in linear (both
// as long as table), as [Path.StepRows32] applies Step32.
func (p Path) FTRLStepRows32(table, sum, linear []float32, dim int, rows []int32, grads []float32, gradRows []int32, o Online) {
	if len(sum) != len(table) || len(linear) != len(table) {
		panic(fmt.Sprintf("kernel.FTRLStepRows32: len(table)=%d, len(sum)=%d, len(linear)=%d differ", len(table), len(sum), len(linear)))
	}
	checkRows("FTRLStepRows32", table, dim, rows, grads, gradRows)
	if dim == 0 || len(rows) == 0 {
		return
	}
	var c online32
	o.set32(&c)
	if p.id == asmID && onlineAsm {
		raceRows(table, sum, 0, dim, rows, grads, gradRows)
		raceRows(table, linear, 0, dim, rows, grads, gradRows)
		ftrlRows32Asm(&c, table, sum, linear, dim, rows, grads, gradRows)
		return
	}
	for i, r := range rows {
		k := i
		if gradRows != nil {
			k = int(gradRows[i])
		}
		at := int(r) * dim
		ftrl32Generic(&c, table[at:at+dim], grads[k*dim:k*dim+dim], sum[at:at+dim], linear[at:at+dim])
	}
}

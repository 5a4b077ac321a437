package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// rowwiseReference is the rowwise contract written out independently of
// rowwise32Generic: the 16 accumulators as a slice of lanes filled by
// exactFMA32 (math/big), the tree as pairwise sums of halves, float64
// square root rounded to float32.
func rowwiseReference(param, grad []float32, h float32, o Options) float32 {
	lr, eps, wd := float32(o.LR), float32(o.Eps), float32(o.WeightDecay)
	gs := make([]float32, len(param))
	for j := range param {
		g := grad[j]
		if o.Maximize {
			g = -g
		}
		if wd != 0 {
			g = exactFMA32(wd, param[j], g)
		}
		gs[j] = g
	}
	lanes := make([]float32, 16)
	for j, g := range gs {
		lanes[j%16] = exactFMA32(g, g, lanes[j%16])
	}
	for len(lanes) > 1 {
		half := len(lanes) / 2
		next := make([]float32, half)
		for k := range next {
			next[k] = lanes[k] + lanes[k+half]
		}
		lanes = next
	}
	h += lanes[0] / float32(len(param))
	var std float32
	if o.EpsInside {
		std = float32(math.Sqrt(float64(h + eps)))
	} else {
		std = float32(math.Sqrt(float64(h))) + eps
	}
	step := lr / std
	for j, g := range gs {
		d := float32(step * g) // rounded on its own: no fusion
		param[j] -= d
	}
	return h
}

// TestRowwiseGenericAgainstReference holds the generic row kernel to the
// contract as written out above.
func TestRowwiseGenericAgainstReference(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 1))
	cases := 0
	for _, n := range []int{1, 2, 7, 8, 15, 16, 17, 31, 33, 64, 100, 129} {
		for _, o := range allOptions() {
			for rep := 0; rep < 3; rep++ {
				special := []float64{0, 0.05, 0.3}[rep]
				param := make([]float32, n)
				grad := make([]float32, n)
				fill32(r, param, special)
				fill32(r, grad, special)
				h := float32(math.Abs(r.NormFloat64()))
				if rep == 2 {
					h = specials32()[r.IntN(len(specials32()))]
				}
				want := append([]float32(nil), param...)
				wantH := rowwiseReference(want, grad, h, o)
				var c coeffs32
				o.set32(&c)
				gotH := rowwise32Generic(&c, param, grad, h)
				if !sameBits32(gotH, wantH) {
					t.Fatalf("n=%d %+v: h %x, reference %x", n, o, math.Float32bits(gotH), math.Float32bits(wantH))
				}
				for j := range param {
					if !sameBits32(param[j], want[j]) {
						t.Fatalf("n=%d %+v: param[%d] %x, reference %x", n, o, j, math.Float32bits(param[j]), math.Float32bits(want[j]))
					}
				}
				cases++
			}
		}
	}
	t.Logf("%d cases", cases)
}

// TestRowwiseByHand checks small rows worked out by hand.
func TestRowwiseByHand(t *testing.T) {
	forEachPath(t, func(t *testing.T, p Path) {
		// g = 2: mean 4, h = 0+4, std = 2, step = 1/2, param 3 - 1 = 2.
		param := []float32{3}
		h := float32(0)
		p.RowwiseStep32(param, []float32{2}, &h, Options{LR: 1})
		if param[0] != 2 || h != 4 {
			t.Errorf("dim 1: param %v h %v, want 2 and 4", param[0], h)
		}
		// g = (3, 4): mean of squares 12.5, h = 3.5+12.5 = 16, std = 4+1,
		// step = 10/5 = 2, params 10-6 = 4 and -1-8 = -9.
		param = []float32{10, -1}
		h = 3.5
		p.RowwiseStep32(param, []float32{3, 4}, &h, Options{LR: 10, Eps: 1})
		if param[0] != 4 || param[1] != -9 || h != 16 {
			t.Errorf("dim 2: params %v h %v, want [4 -9] 16", param, h)
		}
		// Maximize flips g; eps inside: std = sqrt(16+9) = 5, step 2.
		param = []float32{10, -1}
		h = 3.5
		p.RowwiseStep32(param, []float32{-3, -4}, &h, Options{LR: 10, Eps: 9, Maximize: true, EpsInside: true})
		if param[0] != 4 || param[1] != -9 || h != 16 {
			t.Errorf("maximize, eps inside: params %v h %v, want [4 -9] 16", param, h)
		}
		// Weight decay: g = 0.5*4 + 0 = 2 on a row of 20 equal elements:
		// mean 4, std 2, step 1/2, params 4 - 1 = 3.
		param = make([]float32, 20)
		for j := range param {
			param[j] = 4
		}
		h = 0
		p.RowwiseStep32(param, make([]float32, 20), &h, Options{LR: 1, WeightDecay: 0.5})
		for j := range param {
			if param[j] != 3 {
				t.Fatalf("weight decay: param[%d] = %v, want 3 (h %v)", j, param[j], h)
			}
		}
	})
}

// TestRowwisePathsAgainstGeneric holds every assembly path's single-row
// step to the generic one, with guard values around every slice.
func TestRowwisePathsAgainstGeneric(t *testing.T) {
	forEachAsmPath(t, func(t *testing.T, p Path) {
		r := rand.New(rand.NewPCG(10, 77))
		opts := allOptions()
		sp := specials32()
		cases := 0
		for _, n := range testLengths() {
			for off := 0; off < 4; off++ {
				for oi, o := range opts {
					if n > 200 && oi%7 != 0 {
						continue
					}
					special := []float64{0, 0.02, 0.5}[r.IntN(3)]
					pAll, param := withGuards32(n, off)
					gAll, grad := withGuards32(n, (off+1)%4)
					fill32(r, param, special)
					fill32(r, grad, special)
					var h float32
					switch r.IntN(4) {
					case 0:
						h = sp[r.IntN(len(sp))]
					case 1:
						h = 0
					default:
						h = float32(math.Abs(r.NormFloat64()) * math.Pow(10, float64(r.IntN(8)-4)))
					}
					gradCopy := append([]float32(nil), grad...)
					want := append([]float32(nil), param...)
					wantH := h
					Generic().RowwiseStep32(want, append([]float32(nil), grad...), &wantH, o)
					hs := [3]float32{guard32, h, guard32}
					p.RowwiseStep32(param, grad, &hs[1], o)
					if !sameBits32(hs[1], wantH) || hs[0] != guard32 || hs[2] != guard32 {
						t.Fatalf("n=%d off=%d %+v: h %x, generic %x (guards %v %v)", n, off, o,
							math.Float32bits(hs[1]), math.Float32bits(wantH), hs[0], hs[2])
					}
					for j := 0; j < n; j++ {
						if !sameBits32(param[j], want[j]) {
							t.Fatalf("n=%d off=%d %+v: param[%d] %x, generic %x (grad %x)", n, off, o, j,
								math.Float32bits(param[j]), math.Float32bits(want[j]), math.Float32bits(grad[j]))
						}
						if math.Float32bits(grad[j]) != math.Float32bits(gradCopy[j]) {
							t.Fatalf("n=%d: grad[%d] was written", n, j)
						}
					}
					checkGuards32(t, "param", pAll, off, n)
					checkGuards32(t, "grad", gAll, (off+1)%4, n)
					cases++
				}
			}
		}
		t.Logf("%d cases", cases)
	})
}

// rowsCase is a table, its state and a batch of rows with duplicates.
type rowsCase struct {
	dim, nrows       int
	table, state     []float32 // with guards: tAll, sAll
	tAll, sAll, gAll []float32
	grads            []float32
	rows, gradRows   []int32
}

func newRowsCase(r *rand.Rand, dim, nrows, nbatch, stateDim int, indirect bool) *rowsCase {
	c := &rowsCase{dim: dim, nrows: nrows}
	c.tAll, c.table = withGuards32(nrows*dim, r.IntN(4))
	c.sAll, c.state = withGuards32(nrows*stateDim, r.IntN(4))
	special := []float64{0, 0, 0.02}[r.IntN(3)]
	fill32(r, c.table, special)
	fill32(r, c.state, special)
	for i := range c.state {
		c.state[i] = float32(math.Abs(float64(c.state[i])))
	}
	c.rows = make([]int32, nbatch)
	for i := range c.rows {
		c.rows[i] = int32(r.IntN(nrows))
	}
	ng := nbatch
	if indirect {
		ng = nbatch/2 + 1
		c.gradRows = make([]int32, nbatch)
		for i := range c.gradRows {
			c.gradRows[i] = int32(r.IntN(ng))
		}
	}
	c.gAll, c.grads = withGuards32(ng*dim, r.IntN(4))
	fill32(r, c.grads, special)
	return c
}

func (c *rowsCase) clone() *rowsCase {
	d := *c
	d.tAll = append([]float32(nil), c.tAll...)
	d.sAll = append([]float32(nil), c.sAll...)
	d.table = d.tAll[len(c.tAll)-8-len(c.table) : len(c.tAll)-8]
	d.state = d.sAll[len(c.sAll)-8-len(c.state) : len(c.sAll)-8]
	return &d
}

func (c *rowsCase) gradRow(i int) []float32 {
	k := i
	if c.gradRows != nil {
		k = int(c.gradRows[i])
	}
	return c.grads[k*c.dim : (k+1)*c.dim]
}

func compareRows(t *testing.T, what string, got, want *rowsCase) {
	t.Helper()
	for i := range got.tAll {
		if !sameBits32(got.tAll[i], want.tAll[i]) {
			t.Fatalf("%s: table element %d (row %d): %x, want %x", what, i, i/max(got.dim, 1),
				math.Float32bits(got.tAll[i]), math.Float32bits(want.tAll[i]))
		}
	}
	for i := range got.sAll {
		if !sameBits32(got.sAll[i], want.sAll[i]) {
			t.Fatalf("%s: state element %d: %x, want %x", what, i, math.Float32bits(got.sAll[i]), math.Float32bits(want.sAll[i]))
		}
	}
}

func rowsDims() []int {
	dims := []int{1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 23, 24, 25, 31, 32, 33, 63, 64, 65, 127, 128, 129, 130, 256, 300}
	return dims
}

// TestStepRowsAgainstStep32: every path's batched element-wise kernel
// gives, row by row in order, the bits of the generic Step32 on each row.
func TestStepRowsAgainstStep32(t *testing.T) {
	forEachPath(t, func(t *testing.T, p Path) {
		r := rand.New(rand.NewPCG(11, 3))
		cases := 0
		for _, dim := range rowsDims() {
			for _, nbatch := range []int{1, 2, 5, 9, 40} {
				for _, indirect := range []bool{false, true} {
					o := allOptions()[r.IntN(len(allOptions()))]
					c := newRowsCase(r, dim, 1+r.IntN(12), nbatch, dim, indirect)
					want := c.clone()
					for i, row := range c.rows {
						o0 := int(row) * dim
						Generic().Step32(want.table[o0:o0+dim], c.gradRow(i), want.state[o0:o0+dim], o)
					}
					gCopy := append([]float32(nil), c.gAll...)
					p.StepRows32(c.table, c.state, dim, c.rows, c.grads, c.gradRows, o)
					compareRows(t, fmt.Sprintf("dim=%d batch=%d indirect=%v %+v", dim, nbatch, indirect, o), c, want)
					for i := range gCopy {
						if math.Float32bits(gCopy[i]) != math.Float32bits(c.gAll[i]) {
							t.Fatalf("grads element %d written", i)
						}
					}
					cases++
				}
			}
		}
		t.Logf("%d cases", cases)
	})
}

// TestRowwiseRowsAgainstRowwise: every path's batched rowwise kernel
// gives, row by row in order, the bits of the generic single-row step;
// with gradient rows taken directly, through random gradRows, and through
// gradRows in runs, as the rows of bags come (a run shares one mean of
// squares without weight decay).
func TestRowwiseRowsAgainstRowwise(t *testing.T) {
	forEachPath(t, func(t *testing.T, p Path) {
		r := rand.New(rand.NewPCG(12, 4))
		cases := 0
		for _, dim := range rowsDims() {
			for _, nbatch := range []int{1, 2, 5, 9, 40} {
				for _, mode := range []string{"direct", "indirect", "runs"} {
					indirect := mode != "direct"
					o := allOptions()[r.IntN(len(allOptions()))]
					nrows := 1 + r.IntN(12)
					c := newRowsCase(r, dim, nrows, nbatch, 1, indirect)
					if mode == "runs" {
						c.gradRows = bagRuns(r, nbatch, len(c.grads)/max(dim, 1))
					}
					want := c.clone()
					for i, row := range c.rows {
						o0 := int(row) * dim
						Generic().RowwiseStep32(want.table[o0:o0+dim], c.gradRow(i), &want.state[row], o)
					}
					gCopy := append([]float32(nil), c.gAll...)
					p.RowwiseStepRows32(c.table, c.state, dim, c.rows, c.grads, c.gradRows, o)
					compareRows(t, fmt.Sprintf("dim=%d batch=%d %s %+v", dim, nbatch, mode, o), c, want)
					for i := range gCopy {
						if math.Float32bits(gCopy[i]) != math.Float32bits(c.gAll[i]) {
							t.Fatalf("grads element %d written", i)
						}
					}
					cases++
				}
			}
		}
		t.Logf("%d cases", cases)
	})
}

// bagRuns returns gradRows for n rows in runs of 1 to 6 equal gradient
// rows, numbered up from 0 and kept below ng, as StepBags passes the rows
// of its bags.
func bagRuns(r *rand.Rand, n, ng int) []int32 {
	g := make([]int32, n)
	k, left := 0, 1+r.IntN(6)
	for i := range g {
		if left == 0 {
			k, left = min(k+1, ng-1), 1+r.IntN(6)
		}
		g[i] = int32(k)
		left--
	}
	return g
}

func expectPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		msg := fmt.Sprint(recover())
		if !strings.Contains(msg, want) {
			t.Errorf("panic %q does not contain %q", msg, want)
		}
	}()
	f()
}

func TestRowsBadInputPanics(t *testing.T) {
	forEachPath(t, func(t *testing.T, p Path) {
		table := []float32{1, 2, 3, 4, 5, 6} // 3 rows of 2
		sum := []float32{0, 0, 0, 0, 0, 0}
		h := []float32{0, 0, 0}
		grads := []float32{1, 1, 1, 1}
		o := Options{LR: 1}
		expectPanic(t, "rows[1]=-1 is outside the table's 3 rows", func() {
			p.StepRows32(table, sum, 2, []int32{0, -1}, grads, nil, o)
		})
		expectPanic(t, "rows[1]=3 is outside the table's 3 rows", func() {
			p.RowwiseStepRows32(table, h, 2, []int32{2, 3}, grads, nil, o)
		})
		expectPanic(t, "len(grads)=4 is not len(rows)*dim = 3*2", func() {
			p.StepRows32(table, sum, 2, []int32{0, 1, 2}, grads, nil, o)
		})
		expectPanic(t, "gradRows[1]=2 is outside the 2 gradient rows", func() {
			p.RowwiseStepRows32(table, h, 2, []int32{0, 1}, grads, []int32{1, 2}, o)
		})
		expectPanic(t, "len(gradRows)=1, len(rows)=2 differ", func() {
			p.StepRows32(table, sum, 2, []int32{0, 1}, grads, []int32{1}, o)
		})
		expectPanic(t, "len(table)=6, len(sum)=5 differ", func() {
			p.StepRows32(table, sum[:5], 2, []int32{0}, grads[:2], nil, o)
		})
		expectPanic(t, "len(table)=6 is not len(h)*dim = 2*2", func() {
			p.RowwiseStepRows32(table, h[:2], 2, []int32{0}, grads[:2], nil, o)
		})
		expectPanic(t, "len(table)=6 is not a multiple of dim=4", func() {
			p.StepRows32(table, sum, 4, []int32{0}, grads, nil, o)
		})
		expectPanic(t, "dim=-2 is negative", func() {
			p.StepRows32(table, sum, -2, []int32{0}, grads, nil, o)
		})
		expectPanic(t, "len(param)=2, len(grad)=3 differ", func() {
			var hh float32
			p.RowwiseStep32(table[:2], grads[:3], &hh, o)
		})
		for i, v := range table {
			if v != float32(i+1) || sum[i] != 0 {
				t.Fatalf("a refused call wrote: table %v sum %v", table, sum)
			}
		}
		for _, v := range h {
			if v != 0 {
				t.Fatalf("a refused call wrote h: %v", h)
			}
		}
	})
}

func TestRowsEmptyIsNoOp(t *testing.T) {
	forEachPath(t, func(t *testing.T, p Path) {
		table := []float32{1, 2}
		h := []float32{5}
		p.StepRows32(table, []float32{0, 0}, 2, nil, nil, nil, Options{LR: 1})
		p.RowwiseStepRows32(table, h, 2, []int32{}, nil, nil, Options{LR: 1})
		p.RowwiseStepRows32(nil, nil, 0, nil, nil, nil, Options{LR: 1})
		hh := float32(7)
		p.RowwiseStep32(nil, nil, &hh, Options{LR: 1})
		if table[0] != 1 || table[1] != 2 || h[0] != 5 || hh != 7 {
			t.Fatalf("empty calls wrote: %v %v %v", table, h, hh)
		}
	})
}

// TestRowwiseSpecialRows runs rows made only of special values (and the
// accumulator in every special value) through every path.
func TestRowwiseSpecialRows(t *testing.T) {
	forEachAsmPath(t, func(t *testing.T, p Path) {
		sp := specials32()
		cases := 0
		for _, n := range []int{1, 7, 8, 9, 16, 17, 24, 33} {
			for _, o := range allOptions() {
				for _, hv := range sp {
					for k, v := range sp {
						param := make([]float32, n)
						grad := make([]float32, n)
						for j := range param {
							param[j] = sp[(k+j)%len(sp)]
							grad[j] = v
						}
						want := append([]float32(nil), param...)
						wantH, gotH := hv, hv
						Generic().RowwiseStep32(want, grad, &wantH, o)
						p.RowwiseStep32(param, grad, &gotH, o)
						if !sameBits32(gotH, wantH) {
							t.Fatalf("n=%d h=%g g=%g %+v: h %x, generic %x", n, hv, v, o, math.Float32bits(gotH), math.Float32bits(wantH))
						}
						for j := range param {
							if !sameBits32(param[j], want[j]) {
								t.Fatalf("n=%d h=%g g=%g %+v: param[%d] %x, generic %x", n, hv, v, o, j, math.Float32bits(param[j]), math.Float32bits(want[j]))
							}
						}
						cases++
					}
				}
			}
		}
		t.Logf("%d cases", cases)
	})
}

// TestSumRows: every path against a plain loop written here, over row
// lengths, group sizes, special values and guards around dst.
func TestSumRows(t *testing.T) {
	forEachPath(t, func(t *testing.T, p Path) {
		r := rand.New(rand.NewPCG(13, 5))
		cases := 0
		for _, dim := range rowsDims() {
			for _, ngroups := range []int{1, 2, 3, 9, 20} {
				ng := 1 + r.IntN(30)
				gAll, grads := withGuards32(ng*dim, r.IntN(4))
				fill32(r, grads, []float64{0, 0.05}[r.IntN(2)])
				var list, ends []int32
				for g := 0; g < ngroups; g++ {
					n := 1 + r.IntN(4)
					if r.IntN(3) == 0 {
						n = 1
					}
					for k := 0; k < n; k++ {
						list = append(list, int32(r.IntN(ng)))
					}
					ends = append(ends, int32(len(list)))
				}
				off := r.IntN(4)
				dAll, dst := withGuards32(ngroups*dim, off)
				p.SumRows32(dst, dim, grads, list, ends)
				lo := 0
				for g, e := range ends {
					for j := 0; j < dim; j++ {
						s := grads[int(list[lo])*dim+j]
						for _, k := range list[lo+1 : e] {
							s += grads[int(k)*dim+j]
						}
						if !sameBits32(dst[g*dim+j], s) {
							t.Fatalf("dim=%d group %d element %d: %x, want %x", dim, g, j, math.Float32bits(dst[g*dim+j]), math.Float32bits(s))
						}
					}
					lo = int(e)
				}
				checkGuards32(t, "dst", dAll, off, ngroups*dim)
				checkGuards32(t, "grads", gAll, len(gAll)-8-len(grads), len(grads))
				cases++
			}
		}
		t.Logf("%d cases", cases)
	})
}

func TestSumRowsBadInputPanics(t *testing.T) {
	forEachPath(t, func(t *testing.T, p Path) {
		grads := []float32{1, 2, 3, 4, 5, 6} // 3 rows of 2
		dst := []float32{0, 0, 0, 0}
		expectPanic(t, "ends[1]=1: groups must be non-empty", func() {
			p.SumRows32(dst, 2, grads, []int32{0, 1}, []int32{1, 1})
		})
		expectPanic(t, "ends[0]=0: groups must be non-empty", func() {
			p.SumRows32(dst[:2], 2, grads, nil, []int32{0})
		})
		expectPanic(t, "the last group ends at 2, not at len(list)=3", func() {
			p.SumRows32(dst, 2, grads, []int32{0, 1, 2}, []int32{1, 2})
		})
		expectPanic(t, "list[1]=3 is outside the 3 gradient rows", func() {
			p.SumRows32(dst, 2, grads, []int32{0, 3}, []int32{1, 2})
		})
		expectPanic(t, "len(dst)=4 is not len(ends)*dim = 1*2", func() {
			p.SumRows32(dst, 2, grads, []int32{0}, []int32{1})
		})
		for _, v := range dst {
			if v != 0 {
				t.Fatalf("a refused call wrote dst: %v", dst)
			}
		}
	})
}

func ExampleRowwiseStep32() {
	param := []float32{10, -1}
	h := float32(3.5)
	// mean(g*g) = (9+16)/2 = 12.5, h = 16, step = 10/(sqrt(16)+1) = 2
	RowwiseStep32(param, []float32{3, 4}, &h, Options{LR: 10, Eps: 1})
	fmt.Println(param, h)
	// Output: [4 -9] 16
}

func ExampleStepRows32() {
	// A table of 3 rows of 2; rows 2 and 0 get a step, row 1 is untouched.
	table := []float32{1, 1, 5, 5, 2, 2}
	sum := make([]float32, 6)
	grads := []float32{
		1, 1, // for row 2
		4, 4, // for row 0
	}
	StepRows32(table, sum, 2, []int32{2, 0}, grads, nil, Options{LR: 0.5})
	fmt.Println(table, sum)
	// Output: [0.5 0.5 5 5 1.5 1.5] [16 16 0 0 1 1]
}

func ExampleSumRows32() {
	grads := []float32{
		1, 2, // gradient row 0
		10, 20, // 1
		100, 200, // 2
	}
	dst := make([]float32, 4)
	// Group 0: rows 2 and 0; group 1: row 1.
	SumRows32(dst, 2, grads, []int32{2, 0, 1}, []int32{2, 3})
	fmt.Println(dst)
	// Output: [101 202 10 20]
}

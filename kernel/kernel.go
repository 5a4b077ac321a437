package kernel

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// Options are the hyperparameters of one step.
//
// The kernel applies them as given and does not validate them; see package
// optim for PyTorch's checks and its learning-rate decay.
type Options struct {
	LR          float64 // this step's learning rate, decay already applied
	Eps         float64 // added to sqrt(sum), or inside the sqrt when EpsInside
	WeightDecay float64 // L2 penalty folded into the gradient; 0 = off
	Maximize    bool    // ascend instead of descend: the gradient's sign is flipped
	EpsInside   bool    // std = sqrt(sum+eps) (Keras 3, Optax, the textbook formula) instead of sqrt(sum)+eps (PyTorch, TF)
}

// coeffs32 and coeffs64 are Options rounded to the element type, in the
// forms the implementations use. epsIn and epsOut are the two places eps can
// go, the other one being zero: sqrt(s+epsIn)+epsOut gives the same bits as
// the contract in both modes, because s is never -0.
type coeffs32 struct {
	lr, eps, wd   float32
	epsIn, epsOut float32
	neg, wdMask   uint32 // sign bit to flip; all ones when weight decay is on
	maximize      bool
	decay         bool
	epsInside     bool
}

type coeffs64 struct {
	lr, eps, wd   float64
	epsIn, epsOut float64
	neg, wdMask   uint64
	maximize      bool
	decay         bool
	epsInside     bool
}

func (o *Options) coeffs32() coeffs32 {
	c := coeffs32{
		lr:        float32(o.LR),
		eps:       float32(o.Eps),
		wd:        float32(o.WeightDecay),
		maximize:  o.Maximize,
		epsInside: o.EpsInside,
	}
	c.decay = c.wd != 0
	if c.maximize {
		c.neg = 1 << 31
	}
	if c.decay {
		c.wdMask = ^uint32(0)
	}
	if c.epsInside {
		c.epsIn = c.eps
	} else {
		c.epsOut = c.eps
	}
	return c
}

func (o *Options) coeffs64() coeffs64 {
	c := coeffs64{
		lr:        o.LR,
		eps:       o.Eps,
		wd:        o.WeightDecay,
		maximize:  o.Maximize,
		epsInside: o.EpsInside,
	}
	c.decay = c.wd != 0
	if c.maximize {
		c.neg = 1 << 63
	}
	if c.decay {
		c.wdMask = ^uint64(0)
	}
	if c.epsInside {
		c.epsIn = c.eps
	} else {
		c.epsOut = c.eps
	}
	return c
}

// impl is one implementation of the kernels. Its functions are called with
// slices of equal, non-zero length.
type impl struct {
	name   string
	step32 func(param, grad, sum []float32, c coeffs32)
	step64 func(param, grad, sum []float64, c coeffs64)

	// The row kernels (rows.go) are called with checked rows and
	// dim > 0. When nil, the path steps rows with its step32, one call
	// per row, and row-wise steps with the generic row kernel.
	stepRows32    func(table, sum []float32, dim int, rows []int32, grads []float32, gradRows []int32, c coeffs32)
	rowwiseRows32 func(table, h []float32, dim int, rows []int32, grads []float32, gradRows []int32, c coeffs32)
	sumRows32     func(dst []float32, dim int, grads []float32, list, ends []int32) // nil: generic
}

// Path is one implementation of the kernels, usable directly whatever the
// process selected. Tests and benchmarks use it to hold every path to the
// generic one.
type Path struct{ p *impl }

// Name returns the path's name: "generic", "avx2" or "neon".
func (p Path) Name() string { return p.p.name }

// Step32 is [Step32] computed by this path.
func (p Path) Step32(param, grad, sum []float32, o Options) {
	if len(param) != len(grad) || len(param) != len(sum) {
		panicLengths("Step32", len(param), len(grad), len(sum))
	}
	if len(param) == 0 {
		return
	}
	c := o.coeffs32()
	p.p.step32(param, grad, sum, c)
}

// Step64 is [Step64] computed by this path.
func (p Path) Step64(param, grad, sum []float64, o Options) {
	if len(param) != len(grad) || len(param) != len(sum) {
		panicLengths("Step64", len(param), len(grad), len(sum))
	}
	if len(param) == 0 {
		return
	}
	c := o.coeffs64()
	p.p.step64(param, grad, sum, c)
}

func panicLengths(fn string, np, ng, ns int) {
	panic(fmt.Sprintf("kernel.%s: slice lengths differ: len(param)=%d, len(grad)=%d, len(sum)=%d", fn, np, ng, ns))
}

var genericImpl = &impl{name: "generic", step32: step32Generic, step64: step64Generic}

// available lists every path this build and CPU can run, fastest first.
var available = append(archImpls(), genericImpl)

// Paths returns every path available on this machine, fastest first; the
// last is always "generic".
func Paths() []Path {
	ps := make([]Path, len(available))
	for i, p := range available {
		ps[i] = Path{p}
	}
	return ps
}

// Generic returns the reference path.
func Generic() Path { return Path{genericImpl} }

// active is the path Step32 and Step64 use; selectErr is why none could be
// selected.
var active, selectErr = selectImpl(os.Getenv("ADAGRAD_KERNEL"))

func selectImpl(name string) (*impl, error) {
	name = strings.TrimSpace(name)
	if name == "" || name == "auto" {
		return available[0], nil
	}
	for _, p := range available {
		if p.name == name {
			return p, nil
		}
	}
	names := make([]string, len(available))
	for i, p := range available {
		names[i] = p.name
	}
	why := "unknown path"
	if knownImpl(name) {
		why = "path not available in this build or on this CPU"
	}
	return nil, fmt.Errorf("kernel: ADAGRAD_KERNEL=%q: %s; available: %s (or auto)", name, why, strings.Join(names, ", "))
}

// knownImpl reports whether name is a path of some build on some machine.
func knownImpl(name string) bool {
	switch name {
	case "generic", "avx2", "neon":
		return true
	}
	return false
}

// Check reports whether the ADAGRAD_KERNEL setting names an available
// path. When it does not, Step32, Step64 and Implementation panic with the
// error Check returns.
func Check() error { return selectErr }

var errNoPath = errors.New("kernel: no path selected")

func mustActive() *impl {
	if active == nil {
		if selectErr == nil {
			panic(errNoPath)
		}
		panic(selectErr)
	}
	return active
}

// Implementation returns the name of the path in use: "avx2", "neon" or
// "generic".
func Implementation() string { return mustActive().name }

// Step32 applies one Adagrad step to float32 parameters, element by element:
// it reads grad and updates param and sum in place.
//
// The three slices must have the same length; otherwise Step32 panics,
// naming the lengths, before anything is written. Zero-length slices are a
// no-op. grad is never written. The slices must not overlap, except that
// grad may be the very same slice as param or sum.
func Step32(param, grad, sum []float32, o Options) {
	Path{mustActive()}.Step32(param, grad, sum, o)
}

// Step64 is Step32 for float64 slices.
func Step64(param, grad, sum []float64, o Options) {
	Path{mustActive()}.Step64(param, grad, sum, o)
}

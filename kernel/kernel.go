package kernel

import (
	"fmt"
	"os"
	"slices"
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
// forms the paths use; the assembly receives a pointer to one and reads
// lr, epsIn, epsOut, wd, neg and wdMask at the offsets of go_asm.h, the
// header the go command writes for the package (coeffs32_lr, ...). epsIn
// and epsOut are the two places eps can go, the other one being zero:
// sqrt(s+epsIn)+epsOut gives the same bits as the contract in both modes,
// because s is never -0.
type coeffs32 struct {
	lr, epsIn, epsOut, wd float32
	neg, wdMask           uint32 // sign bit to flip; all ones when weight decay is on
	eps                   float32
	maximize              bool
	decay                 bool
	epsInside             bool
	asm                   bool // the path is the assembly one; when not, step32Ref runs Go
}

// coeffs64 has no eps, maximize or epsInside: no float64 kernel reads them
// (the rowwise kernels, which do, are float32 only).
type coeffs64 struct {
	lr, epsIn, epsOut, wd float64
	neg, wdMask           uint64
	decay                 bool
	asm                   bool
}

// set32 sets *c to the coefficients of o. It writes c field by field, in
// place, and is small enough to be inlined: a struct built in a temporary
// and copied would be read back with wide loads from narrow stores, which
// the CPU cannot forward from its store buffer, stalling every call.
func (o *Options) set32(c *coeffs32) {
	eps, wd := float32(o.Eps), float32(o.WeightDecay)
	c.lr, c.wd, c.eps = float32(o.LR), wd, eps
	c.maximize, c.decay, c.epsInside = o.Maximize, wd != 0, o.EpsInside
	c.neg, c.wdMask = 0, 0
	if c.maximize {
		c.neg = 1 << 31
	}
	if c.decay {
		c.wdMask = ^uint32(0)
	}
	c.epsIn, c.epsOut = 0, eps
	if c.epsInside {
		c.epsIn, c.epsOut = eps, 0
	}
}

// set64 is set32 for float64.
func (o *Options) set64(c *coeffs64) {
	eps, wd := o.Eps, o.WeightDecay
	c.lr, c.wd, c.decay = o.LR, wd, wd != 0
	c.neg, c.wdMask = 0, 0
	if o.Maximize {
		c.neg = 1 << 63
	}
	if c.decay {
		c.wdMask = ^uint64(0)
	}
	c.epsIn, c.epsOut = 0, eps
	if o.EpsInside {
		c.epsIn, c.epsOut = eps, 0
	}
}

// Path is one path of the kernels, usable directly whatever path the
// process selected. Tests and benchmarks use it to hold every path to the
// generic one. The zero Path is the generic one.
type Path struct{ id pathID }

// pathID numbers the paths of a build: the generic one, and the assembly
// path of this build (asmName, when asmOK says the CPU can run it). Each
// method of Path calls its path's kernel by name, the assembly or the
// generic Go, never through a function value: the coefficients it passes
// by pointer stay on its stack, and the call costs no allocation. Before
// calling assembly, it tells the race detector what the assembly reads
// and writes.
type pathID uint8

const (
	genericID pathID = iota
	asmID
)

// Name returns the path's name: "generic", "avx2" or "neon".
func (p Path) Name() string {
	if p.id == asmID {
		return asmName
	}
	return "generic"
}

// Step32 is [Step32] computed by this path. The generic path calls the
// Go code directly, not through step32Ref's assembly entry, which would
// reach it only through an ABI wrapper.
func (p Path) Step32(param, grad, sum []float32, o Options) {
	var c coeffs32
	p.set32(&c, &o)
	raceStep(param, grad, sum)
	if !c.asm {
		step32Checked(&c, &param, &grad, &sum)
		return
	}
	step32Ref(&c, &param, &grad, &sum)
}

// Step64 is [Step64] computed by this path.
func (p Path) Step64(param, grad, sum []float64, o Options) {
	var c coeffs64
	p.set64(&c, &o)
	raceStep(param, grad, sum)
	if !c.asm {
		step64Checked(&c, &param, &grad, &sum)
		return
	}
	step64Ref(&c, &param, &grad, &sum)
}

// set32 and set64 set the coefficients of o for this path.
func (p Path) set32(c *coeffs32, o *Options) {
	o.set32(c)
	c.asm = p.id == asmID
}

func (p Path) set64(c *coeffs64, o *Options) {
	o.set64(c)
	c.asm = p.id == asmID
}

// Prepared is a step's Options converted once, for one path, into the
// coefficients its kernels read. With one element or a few, converting the
// Options is most of the cost of a call of [Step32]; a Prepared does it
// once for every slice stepped with the same Options, and its Step32 and
// Step64 are inlined into the caller. They give exactly the bits of
// [Path.Step32] and [Path.Step64] with the same Options on the same path.
// The zero Prepared is not for use: make one with [Prepare] or
// [Path.Prepare]. (The zero Prepared steps on the generic path with zero
// coefficients.)
type Prepared struct {
	c32 coeffs32
	c64 coeffs64
}

// Prepare converts o for the path the process selected. It panics like
// [Step32] when ADAGRAD_KERNEL names no available path.
func Prepare(o Options) Prepared { return mustActive().Prepare(o) }

// Prepare converts o for this path.
func (p Path) Prepare(o Options) Prepared {
	var s Prepared
	p.set32(&s.c32, &o)
	p.set64(&s.c64, &o)
	return s
}

// Step32 is [Step32] with the prepared Options: it reads grad and updates
// param and sum in place, and panics as Step32 does, before anything is
// written, when the lengths differ.
func (s *Prepared) Step32(param, grad, sum []float32) {
	raceStep(param, grad, sum)
	step32Ref(&s.c32, &param, &grad, &sum)
}

// Step64 is [Step64] with the prepared Options.
func (s *Prepared) Step64(param, grad, sum []float64) {
	raceStep(param, grad, sum)
	step64Ref(&s.c64, &param, &grad, &sum)
}

// step32Ref and step64Ref are the entries of [Prepared]'s steps: they take
// the slices by reference, so that the inlined callers pass four words.
// On amd64 they are assembly (kernel_amd64.s), which jumps to step32Checked
// or step64Checked when the lengths differ or the path is generic; on
// other builds they are Go (ref_other.go).

// step32Checked panics when the lengths differ and otherwise runs the
// generic step.
func step32Checked(c *coeffs32, param, grad, sum *[]float32) {
	p, g, s := *param, *grad, *sum
	if len(p) != len(g) || len(p) != len(s) {
		panicLengths("Step32", len(p), len(g), len(s))
	}
	step32Generic(c, p, g, s)
}

// step64Checked is step32Checked for float64.
func step64Checked(c *coeffs64, param, grad, sum *[]float64) {
	p, g, s := *param, *grad, *sum
	if len(p) != len(g) || len(p) != len(s) {
		panicLengths("Step64", len(p), len(g), len(s))
	}
	step64Generic(c, p, g, s)
}

// panicLengths is kept out of line, so that the callers stay small.
//
//go:noinline
func panicLengths(fn string, np, ng, ns int) {
	panic(fmt.Sprintf("kernel.%s: slice lengths differ: len(param)=%d, len(grad)=%d, len(sum)=%d", fn, np, ng, ns))
}

// available lists every path this build and CPU can run, fastest first.
var available = availablePaths()

func availablePaths() []Path {
	if asmOK {
		return []Path{{asmID}, {genericID}}
	}
	return []Path{{genericID}}
}

// Paths returns every path available on this machine, fastest first; the
// last is always "generic".
func Paths() []Path { return slices.Clone(available) }

// Generic returns the reference path.
func Generic() Path { return Path{genericID} }

// active is the path the package-level kernels use; selectErr is why none
// could be selected.
var active, selectErr = selectPath(os.Getenv("ADAGRAD_KERNEL"))

func selectPath(name string) (Path, error) {
	name = strings.TrimSpace(name)
	if name == "" || name == "auto" {
		return available[0], nil
	}
	for _, p := range available {
		if p.Name() == name {
			return p, nil
		}
	}
	names := make([]string, len(available))
	for i, p := range available {
		names[i] = p.Name()
	}
	why := "unknown path"
	if knownPath(name) {
		why = "path not available in this build or on this CPU"
	}
	return Path{}, fmt.Errorf("kernel: ADAGRAD_KERNEL=%q: %s; available: %s (or auto)", name, why, strings.Join(names, ", "))
}

// knownPath reports whether name is a path of some build on some machine.
func knownPath(name string) bool {
	switch name {
	case "generic", "avx2", "neon":
		return true
	}
	return false
}

// Check reports whether the ADAGRAD_KERNEL setting names an available
// path. When it does not, the package-level kernels and Implementation
// panic with the error Check returns.
func Check() error { return selectErr }

func mustActive() Path {
	if selectErr != nil {
		panic(selectErr)
	}
	return active
}

// Implementation names the path in use: "avx2", "neon" or "generic".
func Implementation() string { return mustActive().Name() }

// Step32 applies one Adagrad step to float32 parameters, element by element:
// it reads grad and updates param and sum in place.
//
// The three slices must have the same length; otherwise Step32 panics,
// naming the lengths, before anything is written. Zero-length slices are a
// no-op. grad is never written. The slices must not overlap, except that
// grad may be the very same slice as param or sum.
func Step32(param, grad, sum []float32, o Options) {
	mustActive().Step32(param, grad, sum, o)
}

// Step64 is Step32 for float64 slices.
func Step64(param, grad, sum []float64, o Options) {
	mustActive().Step64(param, grad, sum, o)
}

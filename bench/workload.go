package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/adagrad-go/adagrad/kernel"
)

// Names of the two reference loops measured next to the kernel paths, and
// of the fastest path stepped through a kernel.Prepared made once (what a
// caller with many small slices and the same options does).
const (
	plainGoName  = "plain-go"
	memRefName   = "mem-ref"
	genericName  = "generic"
	preparedName = "prepared"
)

// defaultSizes are the slice lengths measured unless told otherwise: one
// element (the fixed cost of a call), then sizes that sit in L1, L2 and L3
// and two that do not fit in any cache.
var defaultSizes = []int{1, 1 << 10, 16 << 10, 256 << 10, 4 << 20, 64 << 20}

// opts are the hyperparameters of every measured step: PyTorch's defaults
// (eps 1e-10, no weight decay) and a typical learning rate.
var opts = kernel.Options{LR: 1e-2, Eps: 1e-10}

// elemType describes float32 or float64 for the measurements.
type elemType struct {
	name  string
	bytes int // bytes a step moves per element: 3 reads and 2 writes
}

var (
	float32Type = elemType{"float32", 20}
	float64Type = elemType{"float64", 40}
)

// parseType returns the elemType named s.
func parseType(s string) (elemType, error) {
	switch strings.TrimSpace(s) {
	case "float32", "f32", "32":
		return float32Type, nil
	case "float64", "f64", "64":
		return float64Type, nil
	}
	return elemType{}, fmt.Errorf("unknown type %q (want float32 or float64)", s)
}

// formatSize writes n with a binary suffix when it is a whole number of
// K (1024) or M (1048576): 16384 is "16K", 67108864 is "64M".
func formatSize(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.Itoa(n>>20) + "M"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.Itoa(n>>10) + "K"
	}
	return strconv.Itoa(n)
}

// maxSize bounds the sizes parseSize accepts: 256M float64 elements take
// 6 GiB of slices.
const maxSize = 256 << 20

// parseSize reads a size written as formatSize writes it (a suffix k or m
// in either case is accepted).
func parseSize(s string) (int, error) {
	s = strings.TrimSpace(s)
	mult := 1
	switch {
	case strings.HasSuffix(s, "K"), strings.HasSuffix(s, "k"):
		mult, s = 1<<10, s[:len(s)-1]
	case strings.HasSuffix(s, "M"), strings.HasSuffix(s, "m"):
		mult, s = 1<<20, s[:len(s)-1]
	}
	v, err := strconv.Atoi(s)
	if err != nil || v <= 0 || v > maxSize/mult {
		return 0, fmt.Errorf("bad size %q: want a positive number of elements up to %s, such as 1, 1000, 16K or 64M", s, formatSize(maxSize))
	}
	return v * mult, nil
}

// parseList splits a comma-separated flag value and parses every item.
func parseList[T any](s string, parse func(string) (T, error)) ([]T, error) {
	var out []T
	for _, f := range strings.Split(s, ",") {
		if strings.TrimSpace(f) == "" {
			continue
		}
		v, err := parse(f)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("empty list %q", s)
	}
	return out, nil
}

// workload holds the three slices of one size.
type workload[F float32 | float64] struct {
	param, grad, sum []F
}

// patternLen is the length of the block of random values that fills the
// slices, repeated: long enough that the values look random to the CPU,
// short enough to fill 64M elements in a blink.
const patternLen = 1 << 16

// newWorkload returns slices of n elements with values like those of a real
// training run: gradients drawn from N(0, 0.01²), accumulated sums of
// squared gradients between 1e-4 and 1e-2 (positive, normal numbers),
// parameters from N(0, 0.05²). Every page is written, so that measurements
// do not count page faults.
func newWorkload[F float32 | float64](n int, seed uint64) *workload[F] {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	w := &workload[F]{param: make([]F, n), grad: make([]F, n), sum: make([]F, n)}
	m := min(n, patternLen)
	for i := range m {
		w.param[i] = F(0.05 * r.NormFloat64())
		w.grad[i] = F(0.01 * r.NormFloat64())
		w.sum[i] = F(1e-4 + (1e-2-1e-4)*r.Float64())
	}
	for _, s := range [][]F{w.param, w.grad, w.sum} {
		for done := m; done < n; {
			done += copy(s[done:], s[:done])
		}
	}
	return w
}

// freeMemory hands the memory of dropped workloads back to the system, so
// that the largest sizes of both types never coexist.
func freeMemory() {
	runtime.GC()
	debug.FreeOSMemory()
}

// plainLoop32 is the Adagrad step as a Go programmer writes it by hand.
func plainLoop32(param, grad, sum []float32, lr, eps float32) {
	for i := range grad {
		g := grad[i]
		s := sum[i] + g*g
		sum[i] = s
		param[i] -= lr * g / (float32(math.Sqrt(float64(s))) + eps)
	}
}

// plainLoop64 is plainLoop32 for float64.
func plainLoop64(param, grad, sum []float64, lr, eps float64) {
	for i := range grad {
		g := grad[i]
		s := sum[i] + g*g
		sum[i] = s
		param[i] -= lr * g / (math.Sqrt(s) + eps)
	}
}

// memRefCoeff is the constant of the memory reference loop's arithmetic
// (param += memRefCoeff*grad, sum += grad*grad): small enough that repeated
// runs keep every value normal.
const memRefCoeff = -1e-3

// memRef32 moves the bytes of a float32 step, reading param, grad and sum
// and writing param and sum, with trivial arithmetic:
//
//	param[i] += c*grad[i]   (the product rounded on its own)
//	sum[i]   += grad[i]*grad[i]
//
// In assembly where this build and CPU have it, in Go otherwise, with the
// same results.
func memRef32(param, grad, sum []float32, c float32) {
	grad = grad[:len(param)]
	sum = sum[:len(param)]
	done := 0
	if memRefVector {
		done = len(param) &^ (memRefBlock32 - 1)
		if done > 0 {
			memRef32AVX(param[:done], grad[:done], sum[:done], c)
		}
	}
	memRef32Go(param[done:], grad[done:], sum[done:], c)
}

// memRef64 is memRef32 for float64.
func memRef64(param, grad, sum []float64, c float64) {
	grad = grad[:len(param)]
	sum = sum[:len(param)]
	done := 0
	if memRefVector {
		done = len(param) &^ (memRefBlock64 - 1)
		if done > 0 {
			memRef64AVX(param[:done], grad[:done], sum[:done], c)
		}
	}
	memRef64Go(param[done:], grad[done:], sum[done:], c)
}

// Elements per iteration of the assembly loops; they handle multiples of
// these, the Go loops the rest.
const (
	memRefBlock32 = 32
	memRefBlock64 = 16
)

func memRef32Go(param, grad, sum []float32, c float32) {
	grad = grad[:len(param)]
	sum = sum[:len(param)]
	for i := range param {
		g := grad[i]
		param[i] += float32(c * g)
		sum[i] += float32(g * g)
	}
}

func memRef64Go(param, grad, sum []float64, c float64) {
	grad = grad[:len(param)]
	sum = sum[:len(param)]
	for i := range param {
		g := grad[i]
		param[i] += float64(c * g)
		sum[i] += float64(g * g)
	}
}

// memRefImpl names how mem-ref runs in this process.
func memRefImpl() string {
	if memRefVector {
		return "avx"
	}
	return "go"
}

// stepper is one measured loop bound to one workload.
type stepper struct {
	name string
	run  func()
}

// keep reports whether a path passes the -paths filter (nil keeps all).
func keep(filter map[string]bool, name string) bool {
	return filter == nil || filter[name]
}

// steppers32 returns every measured loop over w: each kernel path, fastest
// first, then plain-go and mem-ref.
func steppers32(w *workload[float32], filter map[string]bool) []stepper {
	var ss []stepper
	for _, p := range kernel.Paths() {
		if keep(filter, p.Name()) {
			ss = append(ss, stepper{p.Name(), func() { p.Step32(w.param, w.grad, w.sum, opts) }})
		}
	}
	if keep(filter, preparedName) {
		pr := kernel.Paths()[0].Prepare(opts)
		ss = append(ss, stepper{preparedName, func() { pr.Step32(w.param, w.grad, w.sum) }})
	}
	lr, eps := float32(opts.LR), float32(opts.Eps)
	if keep(filter, plainGoName) {
		ss = append(ss, stepper{plainGoName, func() { plainLoop32(w.param, w.grad, w.sum, lr, eps) }})
	}
	if keep(filter, memRefName) {
		ss = append(ss, stepper{memRefName, func() { memRef32(w.param, w.grad, w.sum, memRefCoeff) }})
	}
	return ss
}

// steppers64 is steppers32 for float64.
func steppers64(w *workload[float64], filter map[string]bool) []stepper {
	var ss []stepper
	for _, p := range kernel.Paths() {
		if keep(filter, p.Name()) {
			ss = append(ss, stepper{p.Name(), func() { p.Step64(w.param, w.grad, w.sum, opts) }})
		}
	}
	if keep(filter, preparedName) {
		pr := kernel.Paths()[0].Prepare(opts)
		ss = append(ss, stepper{preparedName, func() { pr.Step64(w.param, w.grad, w.sum) }})
	}
	if keep(filter, plainGoName) {
		ss = append(ss, stepper{plainGoName, func() { plainLoop64(w.param, w.grad, w.sum, opts.LR, opts.Eps) }})
	}
	if keep(filter, memRefName) {
		ss = append(ss, stepper{memRefName, func() { memRef64(w.param, w.grad, w.sum, memRefCoeff) }})
	}
	return ss
}

// steppersFor allocates a workload of n elements of type t and returns the
// loops over it.
func steppersFor(t elemType, n int, filter map[string]bool) []stepper {
	if t == float64Type {
		return steppers64(newWorkload[float64](n, 1), filter)
	}
	return steppers32(newWorkload[float32](n, 1), filter)
}

// pathNames lists every name -paths accepts on this machine.
func pathNames() []string {
	var names []string
	for _, p := range kernel.Paths() {
		names = append(names, p.Name())
	}
	return append(names, preparedName, plainGoName, memRefName)
}

// The parts of a run (-parts), in the order they run.
const (
	partKernels = "kernels"
	partModel   = "model"
	partBags    = "bags"
)

var partNames = []string{partKernels, partModel, partBags}

package optim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/kernel"
)

// Benchmarks, measured with
//
//	go test ./optim -run '^$' -bench . -count 6 | tee new.txt; benchstat new.txt
//
// Overhead: the optimizer against the kernel on the same 16K float32
// elements. Tiny: 100 parameters of 4 elements, per parameter. Workers: 1
// against 2 workers at 4M and 64M float32 elements (20 bytes of memory
// traffic per element), and the kernel itself on two halves of the
// tensor in two goroutines, the most two workers can give on this machine.

func randSlice32(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64()) * 0.01
	}
	return s
}

func BenchmarkOverhead16K(b *testing.B) {
	const n = 16 << 10
	r := rand.New(rand.NewPCG(1, 1))
	b.Run("kernel", func(b *testing.B) {
		param, grad, sum := randSlice32(r, n), randSlice32(r, n), make([]float32, n)
		o := kernel.Options{LR: 0.01, Eps: 1e-10}
		b.SetBytes(20 * n)
		for b.Loop() {
			kernel.Step32(param, grad, sum, o)
		}
	})
	b.Run("optim", func(b *testing.B) {
		p := &Param32{Name: "p", Value: randSlice32(r, n), Grad: randSlice32(r, n)}
		opt, err := New(adagrad.Defaults(), p)
		if err != nil {
			b.Fatal(err)
		}
		defer opt.Close()
		b.SetBytes(20 * n)
		for b.Loop() {
			opt.Step()
		}
	})
}

func BenchmarkTiny(b *testing.B) {
	const params, n = 100, 4
	r := rand.New(rand.NewPCG(1, 1))
	b.Run("kernel", func(b *testing.B) {
		var ps, gs, ss [params][]float32
		for i := range ps {
			ps[i], gs[i], ss[i] = randSlice32(r, n), randSlice32(r, n), make([]float32, n)
		}
		o := kernel.Options{LR: 0.01, Eps: 1e-10}
		for b.Loop() {
			for i := range ps {
				kernel.Step32(ps[i], gs[i], ss[i], o)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*params), "ns/param")
	})
	b.Run("optim", func(b *testing.B) {
		var list []Param
		for i := range params {
			list = append(list, &Param32{Name: fmt.Sprint("p", i), Value: randSlice32(r, n), Grad: randSlice32(r, n)})
		}
		opt, err := New(adagrad.Defaults(), list...)
		if err != nil {
			b.Fatal(err)
		}
		defer opt.Close()
		for b.Loop() {
			opt.Step()
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*params), "ns/param")
	})
}

func BenchmarkWorkers(b *testing.B) {
	for _, n := range []int{4 << 20, 64 << 20} {
		r := rand.New(rand.NewPCG(1, 1))
		p := &Param32{Name: "p", Value: randSlice32(r, n), Grad: randSlice32(r, n)}
		opt, err := New(adagrad.Defaults(), p)
		if err != nil {
			b.Fatal(err)
		}
		for _, w := range []int{1, 2} {
			b.Run(fmt.Sprintf("n=%dM/workers=%d", n>>20, w), func(b *testing.B) {
				opt.SetWorkers(w)
				opt.Step() // start the workers outside the timing
				b.SetBytes(20 * int64(n))
				for b.Loop() {
					opt.Step()
				}
			})
		}
		opt.Close()
		// The machine's own figure: the kernel on two halves, two goroutines.
		b.Run(fmt.Sprintf("n=%dM/kernel-halves", n>>20), func(b *testing.B) {
			o := kernel.Options{LR: 0.01, Eps: 1e-10}
			sum := make([]float32, n)
			fill(sum, 0) // touch the pages before the timing
			h := n / 2
			b.SetBytes(20 * int64(n))
			var wg sync.WaitGroup
			for b.Loop() {
				wg.Add(1)
				go func() {
					kernel.Step32(p.Value[h:], p.Grad[h:], sum[h:], o)
					wg.Done()
				}()
				kernel.Step32(p.Value[:h], p.Grad[:h], sum[:h], o)
				wg.Wait()
			}
		})
	}
}

// modelSizes returns the sizes of a model-shaped set of 64 float32
// parameters: 32 weight matrices from 1K to 1M elements (geometric) and 32
// small ones (biases, layer norms) from 16 to 4K: 5,254,063 elements in
// all, 39 parameters of at most 4K elements.
func modelSizes() []int {
	var sizes []int
	for i := range 32 {
		sizes = append(sizes, int(1024*math.Pow(1024, float64(i)/31)+0.5)&^15)
		sizes = append(sizes, int(16*math.Pow(256, float64(i)/31)+0.5))
	}
	return sizes
}

// plainLoop is the loop a Go programmer would write for one parameter
// (its product is rounded before the sum: not PyTorch's bits).
func plainLoop(param, grad, sum []float32, lr, eps float32) {
	for i := range param {
		g := grad[i]
		s := sum[i] + g*g
		sum[i] = s
		param[i] -= lr * g / (float32(math.Sqrt(float64(s))) + eps)
	}
}

// BenchmarkModel: one step over a model-shaped set of parameters
// (modelSizes) by the optimizer with 1 and 2 workers, by the plain Go loop
// per parameter, and by one kernel call over the same elements in one
// concatenated slice; and the small parameters alone (up to 4K elements),
// by the optimizer and by the plain loop. Compare within one run:
//
//	go test ./optim -run '^$' -bench Model -count 6 | benchstat -col /how -
func BenchmarkModel(b *testing.B) {
	r := rand.New(rand.NewPCG(2, 2))
	sizes := modelSizes()
	params := make([]*Param32, len(sizes))
	for i, n := range sizes {
		params[i] = &Param32{Name: fmt.Sprint("p", i), Value: randSlice32(r, n), Grad: randSlice32(r, n)}
	}
	sums := map[*Param32][]float32{} // the plain loop's state
	for _, p := range params {
		sums[p] = make([]float32, len(p.Value))
	}
	newOpt := func(b *testing.B, ps []*Param32, w int) *Adagrad {
		list := make([]Param, len(ps))
		for i, p := range ps {
			list[i] = p
		}
		opt, err := New(adagrad.Defaults(), list...)
		if err != nil {
			b.Fatal(err)
		}
		opt.SetWorkers(w)
		opt.Step() // workers started outside the timing
		return opt
	}
	var small []*Param32
	for _, p := range params {
		if len(p.Value) <= 4096 {
			small = append(small, p)
		}
	}
	for _, set := range []struct {
		name string
		ps   []*Param32
	}{{"all", params}, {"small", small}} {
		b.Run("set="+set.name+"/how=optim-1w", func(b *testing.B) {
			opt := newOpt(b, set.ps, 1)
			defer opt.Close()
			for b.Loop() {
				opt.Step()
			}
		})
		if set.name == "all" {
			b.Run("set=all/how=optim-2w", func(b *testing.B) {
				opt := newOpt(b, set.ps, 2)
				defer opt.Close()
				for b.Loop() {
					opt.Step()
				}
			})
		}
		b.Run("set="+set.name+"/how=plain-go", func(b *testing.B) {
			for b.Loop() {
				for _, p := range set.ps {
					plainLoop(p.Value, p.Grad, sums[p], 0.01, 1e-10)
				}
			}
		})
		b.Run("set="+set.name+"/how=kernel-concat", func(b *testing.B) {
			n := 0
			for _, p := range set.ps {
				n += len(p.Value)
			}
			param, grad, sum := randSlice32(r, n), randSlice32(r, n), make([]float32, n)
			o := kernel.Options{LR: 0.01, Eps: 1e-10}
			for b.Loop() {
				kernel.Step32(param, grad, sum, o)
			}
		})
	}
}

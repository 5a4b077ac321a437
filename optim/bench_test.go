package optim

import (
	"fmt"
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

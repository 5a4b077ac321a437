package optim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/kernel"
)

func onlineOpts() []adagrad.Options {
	d := adagrad.Defaults()
	prox := d
	prox.Kind, prox.InitialAccumulatorValue, prox.L1, prox.L2 = adagrad.ProximalAdagrad, 0.1, 0.001, 0.01
	prox.DecaySteps, prox.DecayRate, prox.DecayFloor = 2, 0.5, 0.01
	ftrl := d
	ftrl.Kind, ftrl.LR, ftrl.LRDecay, ftrl.InitialAccumulatorValue, ftrl.L1, ftrl.L2, ftrl.L2Shrinkage, ftrl.Beta = adagrad.FTRL, 0.1, 0.01, 0.1, 0.05, 0.1, 0.01, 1
	ftrlDecay := ftrl
	ftrlDecay.DecaySteps, ftrlDecay.DecayRate = 3, 0.9
	decay := d
	decay.DecaySteps, decay.DecayRate = 1, 0.99
	return []adagrad.Options{prox, ftrl, ftrlDecay, decay}
}

// TestOnlineDense: float32 and float64 parameters, small and split across
// two workers, against the generic kernels applied by hand with eager
// decay.
func TestOnlineDense(t *testing.T) {
	for _, o := range onlineOpts() {
		for _, n := range []int{7, 100000} {
			for _, workers := range []int{1, 2} {
				r := rand.New(rand.NewPCG(uint64(n), 1))
				p32 := &Param32{Name: "a", Value: make([]float32, n), Grad: make([]float32, n)}
				p64 := &Param64{Name: "b", Value: make([]float64, n), Grad: make([]float64, n)}
				for i := range n {
					p32.Value[i], p64.Value[i] = float32(r.NormFloat64()), r.NormFloat64()
				}
				w32, w64 := append([]float32(nil), p32.Value...), append([]float64(nil), p64.Value...)
				s32, s64 := make([]float32, n), make([]float64, n)
				l32, l64 := make([]float32, n), make([]float64, n)
				for i := range n {
					s32[i], s64[i] = float32(o.InitialAccumulatorValue), o.InitialAccumulatorValue
				}
				opt, err := New(o, p32, p64)
				if err != nil {
					t.Fatal(err)
				}
				opt.SetWorkers(workers)
				gen := kernel.Generic()
				for step := int64(1); step <= 7; step++ {
					for i := range n {
						p32.Grad[i], p64.Grad[i] = float32(r.NormFloat64()), r.NormFloat64()
					}
					if err := opt.Step(); err != nil {
						t.Fatal(err)
					}
					if o.Periods(step) > o.Periods(step-1) {
						kernel.Decay32(s32, 1, o.DecayOptions())
						kernel.Decay64(s64, 1, o.DecayOptions())
					}
					switch o.Kind {
					case adagrad.ProximalAdagrad:
						gen.ProximalStep32(w32, p32.Grad, s32, o.OnlineOptions(step))
						gen.ProximalStep64(w64, p64.Grad, s64, o.OnlineOptions(step))
					case adagrad.FTRL:
						gen.FTRLStep32(w32, p32.Grad, s32, l32, o.OnlineOptions(step))
						gen.FTRLStep64(w64, p64.Grad, s64, l64, o.OnlineOptions(step))
					default:
						gen.Step32(w32, p32.Grad, s32, o.KernelOptions(step))
						gen.Step64(w64, p64.Grad, s64, o.KernelOptions(step))
					}
					st32, _ := opt.State("a")
					st64, _ := opt.State("b")
					for i := range n {
						if math.Float32bits(w32[i]) != math.Float32bits(p32.Value[i]) || math.Float32bits(s32[i]) != math.Float32bits(st32.Sum32[i]) ||
							w64[i] != p64.Value[i] || s64[i] != st64.Sum64[i] {
							t.Fatalf("%v n=%d workers=%d step %d: element %d differs", o.Kind, n, workers, step, i)
						}
						if o.Kind == adagrad.FTRL && (l32[i] != st32.Linear32[i] || l64[i] != st64.Linear64[i]) {
							t.Fatalf("%v step %d: linear %d differs", o.Kind, step, i)
						}
					}
				}
				// The checkpoint keeps the linear terms and the kind.
				data, err := opt.MarshalBinary()
				if err != nil {
					t.Fatal(err)
				}
				q32 := &Param32{Name: "a", Value: make([]float32, n)}
				q64 := &Param64{Name: "b", Value: make([]float64, n)}
				b, _ := New(o, q32, q64)
				if err := b.UnmarshalBinary(data); err != nil {
					t.Fatal(err)
				}
				bs, _ := b.State("a")
				if o.Kind == adagrad.FTRL && bs.Linear32[n-1] != l32[n-1] {
					t.Errorf("linear not restored")
				}
				other := adagrad.Defaults()
				if o.Kind == adagrad.Adagrad {
					other.Kind = adagrad.FTRL
				}
				c, _ := New(other, &Param32{Name: "a", Value: make([]float32, n)}, &Param64{Name: "b", Value: make([]float64, n)})
				if err := c.UnmarshalBinary(data); err == nil || !strings.Contains(err.Error(), "the checkpoint's is of kind "+o.Kind.String()) {
					t.Errorf("%v into %v: %v", o.Kind, other.Kind, err)
				}
				opt.Close()
			}
		}
	}
}

func TestOnlineKindFixed(t *testing.T) {
	o := onlineOpts()[1]
	opt, err := New(o, &Param32{Name: "w", Value: make([]float32, 3)})
	if err != nil {
		t.Fatal(err)
	}
	if err := opt.SetGroupOptions(0, adagrad.Defaults()); err == nil || !strings.Contains(err.Error(), "cannot become adagrad") {
		t.Errorf("kind change: %v", err)
	}
}

func ExampleNew_proximal() {
	o := adagrad.Defaults()
	o.Kind, o.LR, o.InitialAccumulatorValue, o.L1 = adagrad.ProximalAdagrad, 0.5, 0.1, 0.2
	w := &Param32{Name: "w", Value: []float32{0.05, 1}, Grad: []float32{0.1, 0.1}}
	opt, err := New(o, w)
	if err != nil {
		panic(err)
	}
	opt.Step()
	fmt.Println(w.Value) // the first weight is an exact zero, with the sign of its Adagrad step's result
	fmt.Println(w.Value[0] == 0)
	// Output:
	// [-0 0.547733]
	// true
}

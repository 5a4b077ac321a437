package sparse

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/adagrad-go/adagrad"
)

// randomBags returns n indices of rows skewed towards the first ones (many
// duplicates) cut into bags of 0 to maxBag indices, and their offsets.
func randomBags(r *rand.Rand, rows, n, maxBag int) (indices, offsets []int64) {
	indices = make([]int64, n)
	for i := range indices {
		u := r.Float64()
		indices[i] = int64(float64(rows) * u * u * u)
	}
	for at := 0; at < n; {
		offsets = append(offsets, int64(at))
		at += r.IntN(maxBag + 1)
	}
	return indices, offsets
}

// TestStepBagsSameBits: StepBags gives BagBackward + Step's bits, weights,
// state and counter, for both layouts, every pooling, with and without
// per-sample weights, small and large batches, 1 to 3 workers.
func TestStepBagsSameBits(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, layout := range []Layout{Elementwise, Rowwise} {
		for _, c := range []struct {
			p        Pooling
			weighted bool
		}{{Sum, false}, {Mean, false}, {Sum, true}} {
			for _, shape := range []struct{ rows, dim, n, maxBag int }{{50, 7, 60, 5}, {300, 16, 3000, 40}, {2000, 33, 5000, 120}} {
				o := adagrad.Defaults()
				o.LR, o.WeightDecay = 0.1, 0.01
				a := randomTableOf(t, rand.New(rand.NewPCG(1, 2)), shape.rows, shape.dim, layout, o)
				b := randomTableOf(t, rand.New(rand.NewPCG(1, 2)), shape.rows, shape.dim, layout, o)
				nw := 1 + r.IntN(3)
				a.SetWorkers(nw)
				b.SetWorkers(4 - nw)
				name := fmt.Sprintf("%v %v weighted=%v %+v", layout, c.p, c.weighted, shape)
				for st := 0; st < 3; st++ {
					idx, offsets := randomBags(r, shape.rows, shape.n, shape.maxBag)
					pooled := make([]float32, len(offsets)*shape.dim)
					fill(r, pooled, 0.02)
					var w []float32
					if c.weighted {
						w = make([]float32, len(idx))
						fill(r, w, 0.02)
					}
					grads := make([]float32, len(idx)*shape.dim)
					if err := a.BagBackward(grads, pooled, offsets, c.p, w); err != nil {
						t.Fatal(err)
					}
					if err := a.Step(idx, grads); err != nil {
						t.Fatal(err)
					}
					if err := b.StepBags(idx, offsets, pooled, c.p, w); err != nil {
						t.Fatalf("%s: %v", name, err)
					}
				}
				for i := range a.weights {
					if !sameBits(a.weights[i], b.weights[i]) {
						t.Fatalf("%s: weight %d: %x, unfused %x", name, i, b.weights[i], a.weights[i])
					}
				}
				for i := range a.state {
					if !sameBits(a.state[i], b.state[i]) {
						t.Fatalf("%s: state %d differs", name, i)
					}
				}
				if a.Steps() != b.Steps() {
					t.Fatalf("%s: steps %d, unfused %d", name, b.Steps(), a.Steps())
				}
				a.Close()
				b.Close()
			}
		}
	}
}

// TestBagWeights: Bag with per-sample weights is the sum, in order, of
// each row times its weight, each product rounded.
func TestBagWeights(t *testing.T) {
	tab := randomTable(t, rand.New(rand.NewPCG(3, 3)), 10, 3, adagrad.Defaults())
	idx, offsets, w := []int64{1, 4, 1, 7}, []int64{0, 3}, []float32{0.5, -2, 3, 0.1}
	dst := make([]float32, 6)
	if err := tab.Bag(dst, idx, offsets, Sum, w); err != nil {
		t.Fatal(err)
	}
	for j := range 3 {
		want := float32(0)
		for i := 0; i < 3; i++ {
			want += float32(w[i] * tab.Row(int(idx[i]))[j])
		}
		if !sameBits(dst[j], want) || !sameBits(dst[3+j], float32(0)+float32(w[3]*tab.Row(7)[j])) {
			t.Errorf("column %d: %v %v", j, dst[j], dst[3+j])
		}
	}
}

// TestStepBagsErrors: bad bags, weights or lengths are errors that change
// nothing.
func TestStepBagsErrors(t *testing.T) {
	tab := randomTable(t, rand.New(rand.NewPCG(4, 4)), 10, 2, adagrad.Defaults())
	before := append([]float32(nil), tab.weights...)
	for _, c := range []struct {
		name         string
		idx, offsets []int64
		pooled, w    []float32
		p            Pooling
		want         string
	}{
		{"weights with mean", []int64{1}, []int64{0}, make([]float32, 2), []float32{1}, Mean, "need sum pooling"},
		{"weights count", []int64{1, 2}, []int64{0}, make([]float32, 2), []float32{1}, Sum, "1 per-sample weights for 2 indices"},
		{"pooled length", []int64{1}, []int64{0}, make([]float32, 3), nil, Sum, "pooled holds 3 values"},
		{"bad index", []int64{1, 10}, []int64{0}, make([]float32, 2), nil, Sum, "index 10 at position 1"},
		{"bad offsets", []int64{1}, []int64{1}, make([]float32, 2), nil, Sum, "offsets[0]"},
		{"pooled in the table", []int64{1}, []int64{0}, tab.weights[:2], nil, Sum, "overlaps the table"},
	} {
		if err := tab.StepBags(c.idx, c.offsets, c.pooled, c.p, c.w); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	if tab.Steps() != 0 {
		t.Errorf("%d steps", tab.Steps())
	}
	for i := range before {
		if !sameBits(before[i], tab.weights[i]) {
			t.Fatalf("weight %d changed", i)
		}
	}
}

// TestStepBagsAllocations: after the first call, StepBags does not
// allocate.
func TestStepBagsAllocations(t *testing.T) {
	for _, layout := range []Layout{Elementwise, Rowwise} {
		tab := randomTableOf(t, rand.New(rand.NewPCG(1, 3)), 1000, 32, layout, adagrad.Defaults())
		idx, offsets := randomBags(rand.New(rand.NewPCG(2, 3)), 1000, 1600, 30)
		pooled := make([]float32, len(offsets)*32)
		for _, p := range []Pooling{Sum, Mean} {
			for _, nw := range []int{1, 2} {
				tab.SetWorkers(nw)
				tab.StepBags(idx, offsets, pooled, p, nil)
				if n := testing.AllocsPerRun(20, func() { tab.StepBags(idx, offsets, pooled, p, nil) }); n != 0 {
					t.Errorf("%v %v, %d workers: %v allocations per call", layout, p, nw, n)
				}
			}
		}
		tab.Close()
	}
}

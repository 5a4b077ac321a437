package fuzz

import (
	"math"
	"testing"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/sparse"
)

// FuzzStepBags holds Table.StepBags to BagBackward followed by Step: the
// same error or none, and the same bits of weights, state and step
// counter, for bags, values and options the fuzzer chooses. flags: 1
// maximize, 2 eps inside, 4 weight decay, 8 tame values, 16 rowwise, 32
// mean pooling, 64 per-sample weights (sum pooling only; with mean it must
// be an error); workers 1..4.
func FuzzStepBags(f *testing.F) {
	f.Add([]byte{}, uint8(3), uint8(2), uint8(10), uint8(0), uint8(1), 0.1, 1e-10, 0.0)
	f.Add([]byte("bags of rows, pooled"), uint8(9), uint8(17), uint8(90), uint8(8|16|32), uint8(2), 0.5, 1e-8, 0.01)
	f.Add([]byte{0, 0, 0x80, 0x7f, 0, 0, 0xc0, 0x7f, 1, 2, 3}, uint8(5), uint8(33), uint8(60), uint8(0x1d|64), uint8(3), 1.0, 0.0, 2.0)
	f.Fuzz(func(t *testing.T, data []byte, rows8, dim8, n8, flags, workers uint8, lr, eps, wd float64) {
		b := rowBytes(data)
		rows, dim, n := 1+int(rows8%40), 1+int(dim8%40), int(n8%120)
		o := adagrad.Defaults()
		o.LR, o.Eps = math.Abs(lr), math.Abs(eps)
		o.Maximize, o.EpsInside = flags&1 != 0, flags&2 != 0
		if flags&4 != 0 {
			o.WeightDecay = math.Abs(wd)
		}
		if o.Validate() != nil {
			return
		}
		layout, pool := sparse.Elementwise, sparse.Sum
		if flags&16 != 0 {
			layout = sparse.Rowwise
		}
		if flags&32 != 0 {
			pool = sparse.Mean
		}
		tame := flags&8 != 0
		salt := 0
		next := func() uint32 { salt++; return b.word(salt) }
		// The batch: indices (now and then one outside the table) cut into
		// bags, some empty.
		idx := make([]int64, n)
		for i := range idx {
			w := next()
			idx[i] = int64(w % uint32(rows))
			if w>>24 == 0xff {
				idx[i] = int64(rows) + int64(w&7)
			}
		}
		var offsets []int64
		for at := 0; at < n || len(offsets) == 0; {
			offsets = append(offsets, int64(at))
			at += int(next() % 12)
		}
		pooled := make([]float32, len(offsets)*dim)
		for i := range pooled {
			pooled[i] = b.value(salt, tame)
			salt++
		}
		var weights []float32
		if flags&64 != 0 {
			weights = make([]float32, n)
			for i := range weights {
				weights[i] = b.value(salt, tame)
				salt++
			}
		}
		tables := [2]*sparse.Table{}
		for k := range tables {
			tab, err := sparse.New(rows, dim, layout, o)
			if err != nil {
				t.Fatal(err)
			}
			defer tab.Close()
			for i := range tab.Weights() {
				tab.Weights()[i] = b.value(1000+i, tame)
			}
			for i := range tab.State() {
				tab.State()[i] = float32(math.Abs(float64(b.value(5000+i, tame))))
			}
			tab.SetWorkers(1 + int(workers%4))
			tables[k] = tab
		}
		errFused := tables[0].StepBags(idx, offsets, pooled, pool, weights)
		grads := make([]float32, n*dim)
		errUnfused := tables[1].BagBackward(grads, pooled, offsets, pool, weights)
		if errUnfused == nil {
			errUnfused = tables[1].Step(idx, grads)
		}
		if (errFused == nil) != (errUnfused == nil) {
			t.Fatalf("StepBags: %v; BagBackward and Step: %v", errFused, errUnfused)
		}
		if flags&64 != 0 && pool == sparse.Mean && errFused == nil {
			t.Fatal("per-sample weights with mean pooling were accepted")
		}
		same := func(a, b []float32) bool {
			for i := range a {
				if math.Float32bits(a[i]) != math.Float32bits(b[i]) && !(a[i] != a[i] && b[i] != b[i]) {
					return false
				}
			}
			return true
		}
		if !same(tables[0].Weights(), tables[1].Weights()) || !same(tables[0].State(), tables[1].State()) ||
			tables[0].Steps() != tables[1].Steps() {
			t.Fatalf("StepBags and BagBackward + Step differ (error %v)", errFused)
		}
	})
}

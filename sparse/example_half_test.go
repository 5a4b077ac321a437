package sparse_test

import (
	"fmt"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/sparse"
)

// A table of bfloat16 weights with float32 state: a Storage given to New.
// With a learning rate this small, each update is about a tenth of the gap
// between bfloat16 values near 1: rounding to nearest loses every one of
// them, stochastic rounding keeps them on average.
func ExampleStorage() {
	o := adagrad.Defaults()
	o.LR = 0.001
	for _, r := range []sparse.Rounding{sparse.NearestEven, sparse.Stochastic} {
		tab, err := sparse.New(1, 100, sparse.Rowwise, o, sparse.Storage{Weights: sparse.BFloat16, Rounding: r, Seed: 1})
		if err != nil {
			panic(err)
		}
		ones := make([]float32, 100)
		for i := range ones {
			ones[i] = 1
		}
		tab.SetWeights(ones)
		for step := 0; step < 100; step++ {
			tab.Step([]int64{0}, ones) // the same gradient every step: the weights go down
		}
		row := make([]float32, 100)
		tab.Lookup(row, []int64{0})
		mean := float32(0)
		for _, v := range row {
			mean += v / 100
		}
		fmt.Printf("%v: %d bytes of weights, mean weight %.2f\n", tab.Storage().Rounding, 2*len(tab.Weights16()), mean)
	}
	// Output:
	// nearest-even: 200 bytes of weights, mean weight 1.00
	// stochastic: 200 bytes of weights, mean weight 0.98
}

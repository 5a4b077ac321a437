package sparse_test

import (
	"fmt"
	"slices"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/sparse"
)

// A table of 4 rows of 2, one step on rows 1 and 3; row 1 appears twice,
// so its two gradient rows are summed first.
func Example() {
	o := adagrad.Defaults()
	o.LR = 0.1
	tab, err := sparse.New(4, 2, sparse.Elementwise, o)
	if err != nil {
		panic(err)
	}
	copy(tab.Weights(), []float32{1, 1, 2, 2, 3, 3, 4, 4})
	err = tab.Step([]int64{1, 3, 1}, []float32{
		0.5, -1, // row 1
		2, 2, // row 3
		0.5, 1, // row 1 again: the sum is (1, 0)
	})
	if err != nil {
		panic(err)
	}
	for r := 0; r < tab.Rows(); r++ {
		fmt.Println(r, tab.Row(r))
	}
	// Output:
	// 0 [1 1]
	// 1 [1.9 2]
	// 2 [3 3]
	// 3 [3.9 3.9]
}

// Rowwise Adagrad keeps one accumulator per row.
func Example_rowWise() {
	o := adagrad.Defaults()
	o.LR = 1
	o.Eps = 0
	tab, _ := sparse.New(3, 2, sparse.Rowwise, o)
	tab.Step([]int64{2}, []float32{3, 4}) // mean of squares 12.5
	fmt.Println(tab.Row(2), tab.State())
	// Output:
	// [-0.84852815 -1.1313709] [0 0 12.5]
}

// A bad index is reported with its position, and nothing changes.
func ExampleTable_Step_badIndex() {
	tab, _ := sparse.New(10, 1, sparse.Elementwise, adagrad.Defaults())
	err := tab.Step([]int64{4, 10}, []float32{1, 1})
	fmt.Println(err)
	fmt.Println(tab.Steps())
	// Output:
	// sparse: index 10 at position 1 is outside the table's rows [0, 10)
	// 0
}

// Bags pool rows like torch.nn.EmbeddingBag; BagBackward gives the
// gradient rows a step takes.
func ExampleTable_Bag() {
	tab, _ := sparse.New(5, 2, sparse.Elementwise, adagrad.Defaults())
	copy(tab.Weights(), []float32{0, 0, 1, 2, 3, 4, 5, 6, 7, 8})
	indices := []int64{1, 2, 4, 3} // bags [1 2] and [4 3]
	offsets := []int64{0, 2}
	pooled := make([]float32, 2*2)
	tab.Bag(pooled, indices, offsets, sparse.Mean, nil)
	fmt.Println(pooled)
	grads := make([]float32, len(indices)*2)
	tab.BagBackward(grads, []float32{1, 1, 2, 4}, offsets, sparse.Mean, nil)
	fmt.Println(grads)
	fmt.Println(tab.Step(indices, grads))
	// Output:
	// [2 3 6 7]
	// [0.5 0.5 0.5 0.5 1 2 1 2]
	// <nil>
}

// StepBags steps the rows of bags straight from the pooled gradient, with
// the bits of BagBackward followed by Step.
func ExampleTable_StepBags() {
	o := adagrad.Defaults()
	o.LR = 0.5
	fused, _ := sparse.New(5, 1, sparse.Rowwise, o)
	unfused, _ := sparse.New(5, 1, sparse.Rowwise, o)
	indices := []int64{1, 2, 1, 4} // bags [1 2 1] and [4]: row 1 twice
	offsets := []int64{0, 3}
	pooled := []float32{0.3, -1}
	fmt.Println(fused.StepBags(indices, offsets, pooled, sparse.Mean, nil))
	grads := make([]float32, len(indices))
	unfused.BagBackward(grads, pooled, offsets, sparse.Mean, nil)
	unfused.Step(indices, grads)
	fmt.Println(fused.Weights())
	fmt.Println(slices.Equal(fused.Weights(), unfused.Weights()), slices.Equal(fused.State(), unfused.State()))
	// Output:
	// <nil>
	// [0 -0.5 -0.5 0 0.5]
	// true true
}

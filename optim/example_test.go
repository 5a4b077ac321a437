package optim_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/optim"
)

// Example fits y = 2x + 3 + noise, 100 points with x in [-10, 10], by
// full-batch gradient descent on the mean squared error with Adagrad and a
// learning rate of 0.1: the linear regression of the Adagrad article.
func Example() {
	r := rand.New(rand.NewPCG(42, 0))
	const n = 100
	xs, ys := make([]float64, n), make([]float64, n)
	for i := range xs {
		xs[i] = -10 + 20*r.Float64()
		ys[i] = float64(2*xs[i]) + 3 + r.NormFloat64()
	}

	w := &optim.Param64{Name: "w", Value: []float64{0}, Grad: []float64{0}}
	b := &optim.Param64{Name: "b", Value: []float64{0}, Grad: []float64{0}}
	o := adagrad.Defaults()
	o.LR = 0.1
	opt, err := optim.New(o, w, b)
	if err != nil {
		fmt.Println(err)
		return
	}

	for epoch := 0; epoch <= 1000; epoch++ {
		opt.ZeroGrad()
		loss := 0.0
		for i, x := range xs {
			// float64(...) keeps each product rounded on its own, so
			// that the figures are the same on every architecture.
			e := float64(w.Value[0]*x) + b.Value[0] - ys[i]
			loss += float64(e * e)
			w.Grad[0] += float64(2 * e * x / n)
			b.Grad[0] += float64(2 * e / n)
		}
		loss /= n
		if epoch%200 == 0 {
			fmt.Printf("epoch %4d  loss %7.3f  w %.2f  b %.2f\n", epoch, loss, w.Value[0], b.Value[0])
		}
		if err := opt.Step(); err != nil {
			fmt.Println(err)
			return
		}
	}
	// Output:
	// epoch    0  loss 161.307  w 0.00  b 0.00
	// epoch  200  loss   3.540  w 1.78  b 2.14
	// epoch  400  loss   1.111  w 1.96  b 2.66
	// epoch  600  loss   0.942  w 1.99  b 2.87
	// epoch  800  loss   0.918  w 2.00  b 2.96
	// epoch 1000  loss   0.914  w 2.00  b 3.01
}

// Example_checkpoint saves the optimizer's state and resumes from it.
func Example_checkpoint() {
	dir, err := os.MkdirTemp("", "optim-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "adagrad.safetensors")

	w := &optim.Param32{Name: "w", Shape: []int{2, 2}, Value: []float32{1, 2, 3, 4}, Grad: []float32{0.5, -1, 2, 0}}
	opt, _ := optim.New(adagrad.Defaults(), w)
	for range 3 {
		opt.Step()
	}
	if err := opt.Save(path); err != nil {
		fmt.Println(err)
		return
	}

	// Later, in another process: the same parameters, a fresh optimizer.
	resumed, _ := optim.New(adagrad.Defaults(), w)
	if err := resumed.Load(path); err != nil {
		fmt.Println(err)
		return
	}
	st, _ := resumed.State("w")
	fmt.Println("step", st.Step, "sum", st.Sum32)

	// A parameter of another shape is refused, and nothing changes.
	v := &optim.Param32{Name: "w", Value: make([]float32, 4)}
	other, _ := optim.New(adagrad.Defaults(), v)
	fmt.Println(other.Load(path))
	// Output:
	// step 3 sum [0.75 3 12 0]
	// optim: checkpoint: tensor "w.sum" has shape [2 2], the parameter has shape [4]
}

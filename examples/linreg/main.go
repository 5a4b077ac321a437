package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/optim"
)

const (
	trueW = 2
	trueB = 3
	// tol is how close to the truth w and b must both be for the fit to
	// count as converged. The noise moves the least-squares fit itself by
	// about 0.01 from (2, 3).
	tol = 0.05
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "linreg:", err)
		os.Exit(2)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("linreg", flag.ContinueOnError)
	fs.SetOutput(stdout)
	lr := fs.Float64("lr", 0.1, "Adagrad learning rate")
	epochs := fs.Int("epochs", 100, "number of epochs (full-batch steps)")
	every := fs.Int("every", 20, "print the loss every this many epochs")
	n := fs.Int("n", 100, "number of data points")
	seed := fs.Uint64("seed", 1, "random seed for the data and the initial w and b")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: linreg [flags]

Fits y = 2x + 3 + 0.1*noise with Adagrad on the mean squared error.
With the article's settings (lr 0.1, 100 epochs) the fit stops short of
w = 2, b = 3: Adagrad's steps shrink as the squared gradients add up.
It gets within 0.05 of the truth with -lr 1 in 8 to 21 epochs, or
with lr 0.1 in 400 to 1400 epochs (-epochs 2000), depending on -seed.

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *epochs < 1 || *n < 2 || *every < 1 {
		return fmt.Errorf("-epochs and -every must be at least 1, -n at least 2")
	}

	r := rand.New(rand.NewPCG(*seed, 0x6c696e726567))
	xs, ys := data(r, *n)

	// nn.Linear(1, 1): weight and bias uniform on [-1/sqrt(1), 1/sqrt(1)].
	w := &optim.Param32{Name: "weight", Shape: []int{1, 1},
		Value: []float32{uniform(r)}, Grad: []float32{0}}
	b := &optim.Param32{Name: "bias", Value: []float32{uniform(r)}, Grad: []float32{0}}
	o := adagrad.Defaults()
	o.LR = *lr
	opt, err := optim.New(o, w, b)
	if err != nil {
		return err
	}
	defer opt.Close()

	fmt.Fprintf(stdout, "y = 2x + 3 + 0.1*noise, %d points; start w = %.4f, b = %.4f; Adagrad lr %g, %d epochs\n",
		*n, w.Value[0], b.Value[0], *lr, *epochs)
	converged := 0
	for epoch := 1; epoch <= *epochs; epoch++ {
		opt.ZeroGrad()
		loss := mse(xs, ys, w.Value[0], b.Value[0], w.Grad, b.Grad)
		if err := opt.Step(); err != nil {
			return err
		}
		if epoch%*every == 0 || epoch == *epochs && *epochs%*every != 0 {
			fmt.Fprintf(stdout, "Epoch [%d/%d], Loss: %.4f\n", epoch, *epochs, loss)
		}
		near := math.Abs(float64(w.Value[0])-trueW) < tol && math.Abs(float64(b.Value[0])-trueB) < tol
		if !near {
			converged = 0
		} else if converged == 0 {
			converged = epoch
		}
	}
	fmt.Fprintf(stdout, "learned w = %.4f, b = %.4f (truth: w = %d, b = %d)\n", w.Value[0], b.Value[0], trueW, trueB)
	if converged > 0 {
		fmt.Fprintf(stdout, "within %g of the truth from epoch %d on\n", tol, converged)
	} else {
		fmt.Fprintf(stdout, "not within %g of the truth yet: Adagrad's steps shrink as the squared gradients add up; try -lr 1, or more -epochs\n", tol)
	}
	return nil
}

// data returns n points with x evenly spaced on [-10, 10] (torch.linspace)
// and y = 2x + 3 + 0.1*noise.
func data(r *rand.Rand, n int) (xs, ys []float32) {
	xs, ys = make([]float32, n), make([]float32, n)
	for i := range xs {
		xs[i] = float32(-10 + 20*float64(i)/float64(n-1))
		ys[i] = float32(float32(trueW*xs[i])+trueB) + float32(0.1*float32(r.NormFloat64()))
	}
	return xs, ys
}

func uniform(r *rand.Rand) float32 { return float32(2*r.Float64() - 1) }

// mse returns the mean squared error of y = w*x + b over the data and
// writes its gradients with respect to w and b into gw[0] and gb[0]. Every
// product is rounded on its own (no fused multiply-add), so the figures are
// the same on every architecture.
func mse(xs, ys []float32, w, b float32, gw, gb []float32) float32 {
	n := float32(len(xs))
	var loss, dw, db float32
	for i, x := range xs {
		e := float32(w*x) + b - ys[i]
		loss += float32(e * e)
		d := float32(2*e) / n // d(loss)/d(prediction i)
		dw += float32(d * x)
		db += d
	}
	gw[0], gb[0] = dw, db
	return loss / n
}

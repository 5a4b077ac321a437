package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/optim"
)

// defaultData is where Debian's dataset-fashion-mnist package puts the files.
const defaultData = "/usr/share/datasets/fashion-mnist"

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "mnist:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("mnist", flag.ContinueOnError)
	fs.SetOutput(stdout)
	dir := fs.String("data", defaultData, "directory of the IDX files (train-images-idx3-ubyte.gz, ...)")
	epochs := fs.Int("epochs", 3, "number of epochs")
	batch := fs.Int("batch", 64, "batch size")
	lr := fs.Float64("lr", 0.01, "Adagrad learning rate")
	hidden := fs.Int("hidden", 128, "units in the hidden layer")
	limit := fs.Int("limit", 0, "use only the first `n` training images (0: all)")
	seed := fs.Uint64("seed", 1, "random seed for the initial weights and the shuffling")
	bar := fs.Bool("progress", isTerminal(stdout), "redraw a progress bar during each epoch (default: if the output is a terminal)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: mnist [flags]

Trains a 784-128-10 ReLU network with Adagrad on Fashion-MNIST and prints
the loss per epoch and the test accuracy. The data come from Debian's
dataset-fashion-mnist package (apt-get install dataset-fashion-mnist) or
any directory holding the four IDX files of MNIST's layout.

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *epochs < 1 || *batch < 1 || *hidden < 1 || *limit < 0 {
		return errors.New("-epochs, -batch and -hidden must be at least 1, -limit at least 0")
	}

	train, err := loadSet(*dir, "train")
	if err == nil && train.len() == 0 {
		err = errors.New("the training set is empty")
	}
	if err != nil {
		return dataErr(*dir, err)
	}
	test, err := loadSet(*dir, "t10k")
	if err != nil {
		return dataErr(*dir, err)
	}
	if *limit > 0 && *limit < train.len() {
		train = train.slice(*limit)
	}
	fmt.Fprintf(stdout, "%d training and %d test images from %s\n", train.len(), test.len(), *dir)
	return fit(config{epochs: *epochs, batch: *batch, lr: *lr, hidden: *hidden, seed: *seed, progress: *bar}, train, test, stdout)
}

// config holds the settings of a training run.
type config struct {
	epochs, batch, hidden int
	lr                    float64
	seed                  uint64
	progress              bool
}

// fit trains a network on train as c says, printing the loss of each epoch,
// then its accuracy on test.
func fit(c config, train, test *dataset, stdout io.Writer) error {
	r := rand.New(rand.NewPCG(c.seed, 0x6d6e697374))
	net := newNet(side*side, c.hidden, classes, c.batch, r)
	opt, err := newOptimizer(net, c.lr)
	if err != nil {
		return err
	}
	defer opt.Close()
	fmt.Fprintf(stdout, "784-%d-10 ReLU network, cross-entropy, batch %d, Adagrad lr %g, %d epochs\n",
		c.hidden, c.batch, c.lr, c.epochs)

	order := make([]int, train.len())
	for i := range order {
		order[i] = i
	}
	batches := (train.len() + c.batch - 1) / c.batch
	for epoch := 1; epoch <= c.epochs; epoch++ {
		r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		bar := progress{w: stdout, on: c.progress, label: fmt.Sprintf("epoch %d/%d", epoch, c.epochs), total: batches}
		start := time.Now()
		var sum float64
		for b := 0; b < batches; b++ {
			idx := order[b*c.batch : min((b+1)*c.batch, len(order))]
			net.load(train, idx)
			opt.ZeroGrad()
			sum += float64(net.forward(true))
			net.backward()
			if err := opt.Step(); err != nil {
				return err
			}
			bar.update(b + 1)
		}
		loss := sum / float64(batches)
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return fmt.Errorf("epoch %d: the loss is %v", epoch, loss)
		}
		bar.done(fmt.Sprintf("loss %.4f  %.1fs", loss, time.Since(start).Seconds()))
	}

	correct := 0
	for b := 0; b < test.len(); b += c.batch {
		idx := make([]int, 0, c.batch)
		for i := b; i < min(b+c.batch, test.len()); i++ {
			idx = append(idx, i)
		}
		net.load(test, idx)
		net.forward(false)
		correct += net.correct()
	}
	if test.len() > 0 {
		fmt.Fprintf(stdout, "test accuracy: %.2f%% (%d/%d)\n", 100*float64(correct)/float64(test.len()), correct, test.len())
	}
	return nil
}

func dataErr(dir string, err error) error {
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w\n(install Debian's dataset-fashion-mnist package, or point -data at a directory holding the IDX files; the default is %s)", err, defaultData)
	}
	return err
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progress draws a progress bar on one line, redrawn with a carriage return
// if on; if not, only the final state is written.
type progress struct {
	w     io.Writer
	on    bool
	label string
	total int
	shown int // filled cells drawn so far
}

const barWidth = 30

func (p *progress) draw(n int, tail string) {
	filled := barWidth * n / p.total
	cr := ""
	if p.on {
		cr = "\r"
	}
	fmt.Fprintf(p.w, "%s%s [%s%s] %d/%d%s", cr, p.label, strings.Repeat("=", filled), strings.Repeat(" ", barWidth-filled), n, p.total, tail)
	p.shown = filled
}

// update redraws the bar when it gains a cell.
func (p *progress) update(n int) {
	if p.on && (n == 1 || barWidth*n/p.total > p.shown) {
		p.draw(n, "")
	}
}

func (p *progress) done(tail string) {
	p.draw(p.total, "  "+tail)
	fmt.Fprintln(p.w)
}

// net is the network, its gradients and its activations for one batch.
// Matrices are row-major and, as in PyTorch, a layer's weight is
// outputs x inputs.
type net struct {
	in, hid, out int

	w1, b1, w2, b2  *optim.Param32
	x, h, z, dz, dh []float32 // batch x in, batch x hid, batch x out (z: logits, then probabilities), ...
	y               []byte    // labels of the batch
	n               int       // examples in the batch
	maxBatch        int
}

func newNet(in, hid, out, batch int, r *rand.Rand) *net {
	layer := func(name string, outs, ins int) (w, b *optim.Param32) {
		bound := 1 / math.Sqrt(float64(ins))
		w = &optim.Param32{Name: name + ".weight", Shape: []int{outs, ins},
			Value: make([]float32, outs*ins), Grad: make([]float32, outs*ins)}
		b = &optim.Param32{Name: name + ".bias", Shape: []int{outs},
			Value: make([]float32, outs), Grad: make([]float32, outs)}
		for i := range w.Value {
			w.Value[i] = float32(bound * (2*r.Float64() - 1))
		}
		for i := range b.Value {
			b.Value[i] = float32(bound * (2*r.Float64() - 1))
		}
		return w, b
	}
	n := &net{in: in, hid: hid, out: out, maxBatch: batch}
	n.w1, n.b1 = layer("fc1", hid, in)
	n.w2, n.b2 = layer("fc2", out, hid)
	n.x = make([]float32, batch*in)
	n.h = make([]float32, batch*hid)
	n.dh = make([]float32, batch*hid)
	n.z = make([]float32, batch*out)
	n.dz = make([]float32, batch*out)
	n.y = make([]byte, batch)
	return n
}

// newOptimizer returns torch.optim.Adagrad(net.parameters(), lr=lr).
func newOptimizer(n *net, lr float64) (*optim.Adagrad, error) {
	o := adagrad.Defaults()
	o.LR = lr
	return optim.New(o, n.w1, n.b1, n.w2, n.b2)
}

// load copies the examples idx of d into the batch, pixels scaled to [0, 1].
func (n *net) load(d *dataset, idx []int) {
	n.n = len(idx)
	for k, i := range idx {
		px := d.images[i*n.in : (i+1)*n.in]
		row := n.x[k*n.in : (k+1)*n.in]
		for j, v := range px {
			row[j] = float32(v) / 255
		}
		n.y[k] = d.labels[i]
	}
}

func mat(rows, cols int, data []float32) blas32.General {
	return blas32.General{Rows: rows, Cols: cols, Stride: cols, Data: data[:rows*cols]}
}

// forward computes the logits and, if loss is true, the softmax
// cross-entropy averaged over the batch and, in dz, its gradient with
// respect to the logits.
func (n *net) forward(loss bool) float32 {
	b := n.n
	h, z := n.h[:b*n.hid], n.z[:b*n.out]
	// h = relu(x w1^T + b1)
	blas32.Gemm(blas.NoTrans, blas.Trans, 1, mat(b, n.in, n.x), mat(n.hid, n.in, n.w1.Value), 0, mat(b, n.hid, h))
	for k := 0; k < b; k++ {
		row := h[k*n.hid : (k+1)*n.hid]
		for j, bias := range n.b1.Value {
			row[j] = max(row[j]+bias, 0)
		}
	}
	// z = h w2^T + b2
	blas32.Gemm(blas.NoTrans, blas.Trans, 1, mat(b, n.hid, h), mat(n.out, n.hid, n.w2.Value), 0, mat(b, n.out, z))
	for k := 0; k < b; k++ {
		row := z[k*n.out : (k+1)*n.out]
		for j, bias := range n.b2.Value {
			row[j] += bias
		}
	}
	if !loss {
		return 0
	}
	// Softmax cross-entropy, computed stably in float64 per example:
	// loss = logsumexp(z) - z[y]; dloss/dz = (softmax(z) - onehot(y)) / b.
	var total float64
	dz := n.dz[:b*n.out]
	for k := 0; k < b; k++ {
		row := z[k*n.out : (k+1)*n.out]
		m := float64(row[0])
		for _, v := range row {
			m = math.Max(m, float64(v))
		}
		var s float64
		for _, v := range row {
			s += math.Exp(float64(v) - m)
		}
		lse := m + math.Log(s)
		y := int(n.y[k])
		total += lse - float64(row[y])
		for j, v := range row {
			p := math.Exp(float64(v) - lse)
			if j == y {
				p--
			}
			dz[k*n.out+j] = float32(p / float64(b))
		}
	}
	return float32(total / float64(b))
}

// backward writes the gradients of the loss forward computed into the
// parameters' Grad.
func (n *net) backward() {
	b := n.n
	h, dh, dz := n.h[:b*n.hid], n.dh[:b*n.hid], n.dz[:b*n.out]
	// dw2 = dz^T h, db2 = the column sums of dz
	blas32.Gemm(blas.Trans, blas.NoTrans, 1, mat(b, n.out, dz), mat(b, n.hid, h), 0, mat(n.out, n.hid, n.w2.Grad))
	colSums(n.b2.Grad, dz, b, n.out)
	// dh = (dz w2) where h > 0
	blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, mat(b, n.out, dz), mat(n.out, n.hid, n.w2.Value), 0, mat(b, n.hid, dh))
	for i, v := range h {
		if v <= 0 {
			dh[i] = 0
		}
	}
	// dw1 = dh^T x, db1 = the column sums of dh
	blas32.Gemm(blas.Trans, blas.NoTrans, 1, mat(b, n.hid, dh), mat(b, n.in, n.x), 0, mat(n.hid, n.in, n.w1.Grad))
	colSums(n.b1.Grad, dh, b, n.hid)
}

func colSums(dst, m []float32, rows, cols int) {
	clear(dst)
	for k := 0; k < rows; k++ {
		for j, v := range m[k*cols : (k+1)*cols] {
			dst[j] += v
		}
	}
}

// correct returns how many examples of the batch have their label as the
// largest logit.
func (n *net) correct() int {
	c := 0
	for k := 0; k < n.n; k++ {
		row := n.z[k*n.out : (k+1)*n.out]
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		if best == int(n.y[k]) {
			c++
		}
	}
	return c
}

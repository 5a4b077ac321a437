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

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/optim"
	"github.com/adagrad-go/adagrad/sparse"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "textclass:", err)
		os.Exit(1)
	}
}

type config struct {
	dim       int
	lr        float64
	seed      uint64
	epochs    int // four sentences
	every     int
	synthetic bool
	sentences int
	vocab     int
	batch     int
	passes    int
	zipf      float64
	weights   string // f32, bf16 or fp16
	rounding  string // stochastic or nearest
}

// storage returns the embedding's storage that the -weights and -rounding
// flags name; its seed is the run's.
func (c config) storage() (sparse.Storage, error) {
	var s sparse.Storage
	switch c.weights {
	case "f32":
		if c.rounding != "stochastic" {
			return s, errors.New("-rounding applies to -weights bf16 and fp16 only")
		}
		return s, nil
	case "bf16":
		s.Weights = sparse.BFloat16
	case "fp16":
		s.Weights = sparse.Float16
	default:
		return s, fmt.Errorf("-weights %q: want f32, bf16 or fp16", c.weights)
	}
	switch c.rounding {
	case "stochastic":
		s.Rounding = sparse.Stochastic
	case "nearest":
		s.Rounding = sparse.NearestEven
	default:
		return s, fmt.Errorf("-rounding %q: want stochastic or nearest", c.rounding)
	}
	s.Seed = c.seed
	return s, nil
}

func run(args []string, stdout io.Writer) error {
	var c config
	fs := flag.NewFlagSet("textclass", flag.ContinueOnError)
	fs.SetOutput(stdout)
	fs.IntVar(&c.dim, "dim", 50, "embedding dimension")
	fs.Float64Var(&c.lr, "lr", 0.1, "Adagrad learning rate (embedding and linear layer)")
	fs.Uint64Var(&c.seed, "seed", 1, "random seed")
	fs.IntVar(&c.epochs, "epochs", 30, "epochs on the four sentences")
	fs.IntVar(&c.every, "every", 5, "print the four sentences' loss every this many epochs")
	fs.BoolVar(&c.synthetic, "synthetic", true, "also run the synthetic task")
	fs.IntVar(&c.sentences, "sentences", 5000, "synthetic task: number of sentences (a tenth held out)")
	fs.IntVar(&c.vocab, "vocab", 100000, "synthetic task: vocabulary size")
	fs.IntVar(&c.batch, "batch", 32, "synthetic task: sentences per batch")
	fs.IntVar(&c.passes, "passes", 3, "synthetic task: passes over the training sentences")
	fs.Float64Var(&c.zipf, "zipf", 1.1, "synthetic task: exponent s of the Zipf law of word frequencies (> 1)")
	fs.StringVar(&c.weights, "weights", "f32", "the embedding's weights: f32, bf16 or fp16 (16-bit weights, float32 Adagrad state)")
	fs.StringVar(&c.rounding, "rounding", "stochastic", "how steps round 16-bit weights: stochastic or nearest (to nearest even)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: textclass [flags]

Trains a mean-of-embeddings text classifier with Adagrad, the embedding
through package sparse: on four sentences, then on a synthetic task that
times the sparse update against a dense update of the whole embedding.

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	switch {
	case c.dim < 1 || c.epochs < 1 || c.every < 1:
		return errors.New("-dim, -epochs and -every must be at least 1")
	case c.synthetic && (c.sentences < 20 || c.vocab < 200 || c.batch < 1 || c.passes < 1):
		return errors.New("-sentences must be at least 20, -vocab at least 200, -batch and -passes at least 1")
	case c.synthetic && !(c.zipf > 1):
		return errors.New("-zipf must be greater than 1")
	}
	st, err := c.storage()
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(c.seed, 0x74657874))
	if err := fourSentences(c, st, r, stdout); err != nil {
		return err
	}
	if c.synthetic {
		return syntheticTask(c, st, r, stdout)
	}
	return nil
}

// The four sentences of the first task, with their labels (1: positive).
var examples = []struct {
	text  string
	label float32
}{
	{"I love this movie", 1},
	{"what a great film", 1},
	{"I hate this movie", 0},
	{"what a terrible film", 0},
}

func fourSentences(c config, st sparse.Storage, r *rand.Rand, stdout io.Writer) error {
	// The vocabulary: the words of the sentences, lower-cased, numbered in
	// order of first appearance.
	vocab := map[string]int64{}
	var indices, offsets []int64
	var labels []float32
	for _, e := range examples {
		offsets = append(offsets, int64(len(indices)))
		for _, w := range strings.Fields(strings.ToLower(e.text)) {
			id, ok := vocab[w]
			if !ok {
				id = int64(len(vocab))
				vocab[w] = id
			}
			indices = append(indices, id)
		}
		labels = append(labels, e.label)
	}
	m, err := newModel(len(vocab), c.dim, c.lr, r, st)
	if err != nil {
		return err
	}
	defer m.opt.Close()
	fmt.Fprintf(stdout, "four sentences, vocabulary of %d words, embedding dim %d%s, Adagrad lr %g\n", len(vocab), c.dim, describe(st), c.lr)

	right := -1 // the epoch after which all four are right, -1 if they are not
	for epoch := 1; epoch <= c.epochs; epoch++ {
		loss, err := m.lossGrad(indices, offsets, labels)
		if err != nil {
			return err
		}
		if allRight(m.logits, labels) {
			if right < 0 {
				right = epoch - 1 // the logits are those before this epoch's step
			}
		} else {
			right = -1
		}
		if err := m.step(indices); err != nil {
			return err
		}
		if epoch%c.every == 0 || epoch == c.epochs {
			fmt.Fprintf(stdout, "Epoch %d/%d, Loss: %.4f\n", epoch, c.epochs, loss)
		}
	}
	if _, err := m.forward(indices, offsets); err != nil {
		return err
	}
	if !allRight(m.logits, labels) {
		right = -1
	} else if right < 0 {
		right = c.epochs
	}
	for i, e := range examples {
		p := sigmoid(float64(m.logits[i]))
		verdict := "right"
		if (p > 0.5) != (e.label == 1) {
			verdict = "WRONG"
		}
		fmt.Fprintf(stdout, "  %-22q p(positive) = %.3f  %s\n", e.text, p, verdict)
	}
	if right >= 0 {
		fmt.Fprintf(stdout, "all four classified right after epoch %d\n", right)
	} else {
		fmt.Fprintf(stdout, "not all four classified right after %d epochs\n", c.epochs)
	}
	return nil
}

func allRight(logits, labels []float32) bool {
	for i, y := range labels {
		if (logits[i] > 0) != (y == 1) {
			return false
		}
	}
	return true
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

// model is the classifier: an embedding table and a linear layer from dim
// values to one logit, with scratch space for a batch.
type model struct {
	emb  *sparse.Table
	w, b *optim.Param32 // the linear layer, 1 x dim and 1
	opt  *optim.Adagrad // for w and b

	pooled, dpooled []float32 // bags x dim: mean embeddings, their gradients
	logits, dlogits []float32 // bags
	grads           []float32 // len(indices) x dim: the embedding's gradient rows
}

// describe returns ", bf16 weights (stochastic rounding)" and the like
// for a 16-bit storage, "" for float32.
func describe(st sparse.Storage) string {
	if st.Weights == sparse.Float32 {
		return ""
	}
	return fmt.Sprintf(", %v weights (%v rounding)", st.Weights, st.Rounding)
}

// newModel returns a model as PyTorch initialises one: the embedding from
// N(0, 1) (nn.Embedding; 16-bit weights get those values rounded to
// nearest), the linear layer uniform within 1/sqrt(dim) (nn.Linear).
func newModel(rows, dim int, lr float64, r *rand.Rand, st sparse.Storage) (*model, error) {
	o := adagrad.Defaults()
	o.LR = lr
	emb, err := sparse.New(rows, dim, sparse.Elementwise, o, st)
	if err != nil {
		return nil, err
	}
	w := emb.Weights() // float32: the table's own memory
	if w == nil {
		w = make([]float32, rows*dim)
	}
	for i := range w {
		w[i] = float32(r.NormFloat64())
	}
	if err := emb.SetWeights(w); err != nil {
		return nil, err
	}
	bound := 1 / math.Sqrt(float64(dim))
	m := &model{
		emb: emb,
		w:   &optim.Param32{Name: "fc.weight", Shape: []int{1, dim}, Value: make([]float32, dim), Grad: make([]float32, dim)},
		b:   &optim.Param32{Name: "fc.bias", Value: []float32{0}, Grad: []float32{0}},
	}
	for i := range m.w.Value {
		m.w.Value[i] = float32(bound * (2*r.Float64() - 1))
	}
	m.b.Value[0] = float32(bound * (2*r.Float64() - 1))
	od := adagrad.Defaults()
	od.LR = lr
	if m.opt, err = optim.New(od, m.w, m.b); err != nil {
		return nil, err
	}
	return m, nil
}

func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// forward computes the logits of the bags (sentences) into m.logits.
func (m *model) forward(indices, offsets []int64) ([]float32, error) {
	dim := m.emb.Dim()
	m.pooled = grow(m.pooled, len(offsets)*dim)
	m.logits = grow(m.logits, len(offsets))
	if err := m.emb.Bag(m.pooled, indices, offsets, sparse.Mean, nil); err != nil {
		return nil, err
	}
	for k := range m.logits {
		z := m.b.Value[0]
		for j, v := range m.pooled[k*dim : (k+1)*dim] {
			z += float32(m.w.Value[j] * v)
		}
		m.logits[k] = z
	}
	return m.logits, nil
}

// lossGrad runs the forward pass and returns the mean binary cross-entropy
// of the logits against labels (PyTorch's BCEWithLogitsLoss); it writes the
// linear layer's gradients into its Grad fields and the embedding's
// gradient rows, one per index, into m.grads.
func (m *model) lossGrad(indices, offsets []int64, labels []float32) (float64, error) {
	if _, err := m.forward(indices, offsets); err != nil {
		return 0, err
	}
	dim, n := m.emb.Dim(), len(offsets)
	m.dlogits = grow(m.dlogits, n)
	var loss float64
	for k, z32 := range m.logits {
		z, y := float64(z32), float64(labels[k])
		// max(z, 0) - z*y + log(1 + exp(-|z|)): no overflow for any z.
		loss += math.Max(z, 0) - z*y + math.Log1p(math.Exp(-math.Abs(z)))
		m.dlogits[k] = float32((sigmoid(z) - y) / float64(n))
	}
	// The linear layer: dw = sum over bags of dlogit * pooled, db = sum of
	// dlogit; the pooled gradient is dlogit * w.
	clear(m.w.Grad)
	m.b.Grad[0] = 0
	m.dpooled = grow(m.dpooled, n*dim)
	for k, d := range m.dlogits {
		row, drow := m.pooled[k*dim:(k+1)*dim], m.dpooled[k*dim:(k+1)*dim]
		for j := range row {
			m.w.Grad[j] += float32(d * row[j])
			drow[j] = float32(d * m.w.Value[j])
		}
		m.b.Grad[0] += d
	}
	m.grads = grow(m.grads, len(indices)*dim)
	if err := m.emb.BagBackward(m.grads, m.dpooled, offsets, sparse.Mean, nil); err != nil {
		return 0, err
	}
	return loss / float64(n), nil
}

// step applies Adagrad to the rows of the embedding that indices name and
// to the linear layer.
func (m *model) step(indices []int64) error {
	if err := m.emb.Step(indices, m.grads); err != nil {
		return err
	}
	return m.opt.Step()
}

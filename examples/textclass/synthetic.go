package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/adagrad-go/adagrad/kernel"
	"github.com/adagrad-go/adagrad/sparse"
)

// corpus is a synthetic sentiment data set: sentences of word numbers, the
// most frequent word first, and their labels.
type corpus struct {
	sentences [][]int64
	labels    []float32
}

// makeCorpus draws n sentences of 8 to 20 words from a vocabulary of vocab
// words with Zipf-distributed frequencies (exponent s). The 100 most
// frequent words are neutral, like "the" and "a"; of the others one in ten
// is positive and one in ten negative. A sentence is positive if it holds
// more positive words than negative ones; sentences with as many of each
// are drawn again.
func makeCorpus(r *rand.Rand, n, vocab int, s float64) corpus {
	polarity := make([]int8, vocab)
	for w := 100; w < vocab; w++ {
		switch r.IntN(10) {
		case 0:
			polarity[w] = 1
		case 1:
			polarity[w] = -1
		}
	}
	zipf := rand.NewZipf(r, s, 1, uint64(vocab-1))
	c := corpus{sentences: make([][]int64, 0, n), labels: make([]float32, 0, n)}
	for len(c.sentences) < n {
		words := make([]int64, 8+r.IntN(13))
		score := 0
		for i := range words {
			w := zipf.Uint64()
			words[i] = int64(w)
			score += int(polarity[w])
		}
		if score == 0 {
			continue
		}
		c.sentences = append(c.sentences, words)
		c.labels = append(c.labels, float32(min(max(score, 0), 1)))
	}
	return c
}

// batch gathers sentences [from, to) of c as EmbeddingBag input.
func (c *corpus) batch(from, to int, indices, offsets []int64, labels []float32) ([]int64, []int64, []float32) {
	indices, offsets, labels = indices[:0], offsets[:0], labels[:0]
	for i := from; i < to; i++ {
		offsets = append(offsets, int64(len(indices)))
		indices = append(indices, c.sentences[i]...)
		labels = append(labels, c.labels[i])
	}
	return indices, offsets, labels
}

// dense is what a dense optimizer does with an embedding: a gradient and
// a sum of squares as large as the table, the batch's gradient rows added
// into the zeroed gradient, then one Adagrad step over every element.
type dense struct {
	grad, sum []float32
	o         kernel.Options
}

func (d *dense) step(weights []float32, dim int, indices []int64, grads []float32) {
	clear(d.grad)
	for i, idx := range indices {
		row := d.grad[int(idx)*dim : (int(idx)+1)*dim]
		for j, g := range grads[i*dim : (i+1)*dim] {
			row[j] += g
		}
	}
	kernel.Step32(weights, d.grad, d.sum, d.o)
}

// syntheticTask trains the model on the synthetic corpus. With 16-bit
// weights (st) there is no dense twin to time and compare: the model is
// trained alone, and the run reports its losses and accuracy.
func syntheticTask(c config, st sparse.Storage, r *rand.Rand, stdout io.Writer) error {
	data := makeCorpus(r, c.sentences, c.vocab, c.zipf)
	held := c.sentences / 10
	train := corpus{data.sentences[held:], data.labels[held:]}
	test := corpus{data.sentences[:held], data.labels[:held]}

	// Two identical models: the same initial weights.
	seed := r.Uint64()
	sp, err := newModel(c.vocab, c.dim, c.lr, rand.New(rand.NewPCG(seed, 0)), st)
	if err != nil {
		return err
	}
	defer sp.opt.Close()
	if st.Weights != sparse.Float32 {
		return trainHalf(c, st, sp, &train, &test, stdout)
	}
	dn, err := newModel(c.vocab, c.dim, c.lr, rand.New(rand.NewPCG(seed, 0)), st)
	if err != nil {
		return err
	}
	defer dn.opt.Close()
	// Both embedding updates on one goroutine, as kernel.Step32 runs.
	sp.emb.SetWorkers(1)
	dn.opt.SetWorkers(1)
	sp.opt.SetWorkers(1)
	dd := &dense{
		grad: make([]float32, c.vocab*c.dim),
		sum:  make([]float32, c.vocab*c.dim),
		o:    kernel.Options{LR: c.lr, Eps: sp.emb.Options().Eps},
	}

	fmt.Fprintf(stdout, "\nsynthetic: %d sentences of 8 to 20 words (%d held out), vocabulary %d words (Zipf, s = %g), dim %d, batch %d, %d passes\n",
		c.sentences, held, c.vocab, c.zipf, c.dim, c.batch, c.passes)
	var (
		indices, offsets []int64
		labels           []float32
		tSparse, tDense  []time.Duration // per step
		steps, rows      int
		seen             = map[int64]struct{}{}
	)
	for pass := 1; pass <= c.passes; pass++ {
		var loss [2]float64
		batches := 0
		for from := 0; from < len(train.sentences); from += c.batch {
			indices, offsets, labels = train.batch(from, min(from+c.batch, len(train.sentences)), indices, offsets, labels)
			for i, m := range []*model{sp, dn} {
				l, err := m.lossGrad(indices, offsets, labels)
				if err != nil {
					return err
				}
				loss[i] += l
				t0 := time.Now()
				if m == sp {
					err = sp.emb.Step(indices, sp.grads)
					tSparse = append(tSparse, time.Since(t0))
				} else {
					dd.step(dn.emb.Weights(), c.dim, indices, dn.grads)
					tDense = append(tDense, time.Since(t0))
				}
				if err != nil {
					return err
				}
				if err := m.opt.Step(); err != nil {
					return err
				}
			}
			clear(seen)
			for _, idx := range indices {
				seen[idx] = struct{}{}
			}
			rows += len(seen)
			steps++
			batches++
		}
		fmt.Fprintf(stdout, "pass %d: mean loss %.4f (dense: %.4f)\n", pass, loss[0]/float64(batches), loss[1]/float64(batches))
	}
	acc, loss, err := accuracy(sp, &test)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "held-out accuracy: %.1f%%\n", 100*acc)
	fmt.Fprintf(stdout, "held-out loss: %.4f\n", loss)
	fmt.Fprintf(stdout, "rows touched per step: %.0f of %d (%.2f%%)\n",
		float64(rows)/float64(steps), c.vocab, 100*float64(rows)/float64(steps)/float64(c.vocab))
	// Medians: other work on the machine delays some steps.
	ms, md := median(tSparse), median(tDense)
	us := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }
	fmt.Fprintf(stdout, "embedding update, median of %d steps: sparse %.1f µs, dense %.1f µs: dense/sparse = %.1fx (totals %v and %v)\n",
		steps, us(ms), us(md), float64(md)/float64(max(ms, 1)),
		total(tSparse).Round(time.Microsecond), total(tDense).Round(time.Microsecond))
	same := equalBits(sp.emb.Weights(), dn.emb.Weights()) && equalBits(sp.emb.State(), dd.sum) &&
		equalBits(sp.w.Value, dn.w.Value) && equalBits(sp.b.Value, dn.b.Value)
	if !same {
		return errors.New("the sparse and the dense embedding differ")
	}
	fmt.Fprintln(stdout, "sparse and dense embeddings, their sums and the linear layers: equal, bit for bit")
	return nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func total(ds []time.Duration) time.Duration {
	var t time.Duration
	for _, d := range ds {
		t += d
	}
	return t
}

// accuracy returns the fraction of c's sentences that m classifies right,
// and their mean loss.
func accuracy(m *model, c *corpus) (acc, loss float64, err error) {
	var indices, offsets []int64
	var labels []float32
	right := 0
	for from := 0; from < len(c.sentences); from += 256 {
		indices, offsets, labels = c.batch(from, min(from+256, len(c.sentences)), indices, offsets, labels)
		logits, err := m.forward(indices, offsets)
		if err != nil {
			return 0, 0, err
		}
		for k, z := range logits {
			if (z > 0) == (labels[k] == 1) {
				right++
			}
			zf, y := float64(z), float64(labels[k])
			loss += math.Max(zf, 0) - zf*y + math.Log1p(math.Exp(-math.Abs(zf)))
		}
	}
	n := float64(len(c.sentences))
	return float64(right) / n, loss / n, nil
}

// trainHalf is the synthetic task for a model m of 16-bit weights: the
// passes over train, each pass's mean loss, then test's accuracy and loss.
func trainHalf(c config, st sparse.Storage, m *model, train, test *corpus, stdout io.Writer) error {
	fmt.Fprintf(stdout, "\nsynthetic: %d sentences of 8 to 20 words (%d held out), vocabulary %d words (Zipf, s = %g), dim %d%s, lr %g, batch %d, %d passes\n",
		len(train.sentences)+len(test.sentences), len(test.sentences), c.vocab, c.zipf, c.dim, describe(st), c.lr, c.batch, c.passes)
	var (
		indices, offsets []int64
		labels           []float32
	)
	for pass := 1; pass <= c.passes; pass++ {
		var loss float64
		batches := 0
		for from := 0; from < len(train.sentences); from += c.batch {
			indices, offsets, labels = train.batch(from, min(from+c.batch, len(train.sentences)), indices, offsets, labels)
			l, err := m.lossGrad(indices, offsets, labels)
			if err != nil {
				return err
			}
			loss += l
			if err := m.step(indices); err != nil {
				return err
			}
			batches++
		}
		fmt.Fprintf(stdout, "pass %d: mean loss %.4f\n", pass, loss/float64(batches))
	}
	acc, loss, err := accuracy(m, test)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "held-out accuracy: %.1f%%\n", 100*acc)
	fmt.Fprintf(stdout, "held-out loss: %.4f\n", loss)
	return nil
}

func equalBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

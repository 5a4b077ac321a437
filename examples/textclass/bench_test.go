package main

import (
	"math/rand/v2"
	"testing"

	"github.com/adagrad-go/adagrad/sparse"
)

// The two embedding updates of the synthetic task, one batch of 32
// sentences over a vocabulary of 100,000 words, dim 50.
func benchBatch(b *testing.B) (*model, []int64) {
	r := rand.New(rand.NewPCG(1, 1))
	c := makeCorpus(r, 32, 100000, 1.1)
	indices, offsets, labels := c.batch(0, 32, nil, nil, nil)
	m, err := newModel(100000, 50, 0.1, r, sparse.Storage{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { m.opt.Close() })
	m.emb.SetWorkers(1)
	if _, err := m.lossGrad(indices, offsets, labels); err != nil {
		b.Fatal(err)
	}
	return m, indices
}

func BenchmarkSparseStep(b *testing.B) {
	m, indices := benchBatch(b)
	for b.Loop() {
		if err := m.emb.Step(indices, m.grads); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDenseStep(b *testing.B) {
	m, indices := benchBatch(b)
	d := &dense{grad: make([]float32, 100000*50), sum: make([]float32, 100000*50)}
	d.o.LR, d.o.Eps = 0.1, 1e-10
	for b.Loop() {
		d.step(m.emb.Weights(), 50, indices, m.grads)
	}
}

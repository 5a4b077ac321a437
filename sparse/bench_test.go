package sparse

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/internal/workers"
	"github.com/adagrad-go/adagrad/kernel"
)

// The benchmarks step tables of 1M x 64, 1M x 128 and FBGEMM's benchmark
// shape 1.5M x 128 with batches of 16K indices drawn as rows*u^3 (u
// uniform: many duplicates, as in recommendation data), elementwise and
// rowwise, with 1 and 2 workers. They report million index-rows per
// second (Mrows/s: batch indices, duplicates included, per second) and
// the effective bandwidth as FBGEMM's benchmarks count it, per index row:
// elementwise 5*4*dim bytes (gradient read, weights and state read and
// written), rowwise 3*4*dim + 2*64 bytes (gradient read, weights read and
// written, one cache line of state read and written).
//
//	go test ./sparse -run '^$' -bench 'Step$' -benchtime 200x -count 5

const benchBatch = 16 << 10

type benchShape struct{ rows, dim int }

var benchShapes = []benchShape{{1_000_000, 64}, {1_000_000, 128}, {1_500_000, 128}}

// benchBatches returns n batches of benchBatch skewed indices and their
// gradients.
func benchBatches(rows, dim, n int) ([][]int64, [][]float32) {
	r := rand.New(rand.NewPCG(uint64(rows), uint64(dim)))
	idx := make([][]int64, n)
	grads := make([][]float32, n)
	for k := range idx {
		idx[k] = make([]int64, benchBatch)
		for i := range idx[k] {
			u := r.Float64()
			idx[k][i] = int64(float64(rows) * u * u * u)
		}
		grads[k] = make([]float32, benchBatch*dim)
		for i := range grads[k] {
			grads[k][i] = float32(r.NormFloat64() * 0.01)
		}
	}
	return idx, grads
}

func benchTable(b testing.TB, s benchShape, rowwise bool) *Table {
	o := adagrad.Defaults()
	o.InitialAccumulatorValue = 0.1
	tab, err := New(s.rows, s.dim, layoutOf(rowwise), o)
	if err != nil {
		b.Fatal(err)
	}
	setBenchWeights(tab)
	return tab
}

func BenchmarkStep(b *testing.B) {
	for _, s := range benchShapes {
		idx, grads := benchBatches(s.rows, s.dim, 8)
		distinct := map[int64]bool{}
		for _, x := range idx[0] {
			distinct[x] = true
		}
		b.Logf("%d x %d: %d distinct rows in a batch of %d", s.rows, s.dim, len(distinct), benchBatch)
		for _, rowwise := range []bool{false, true} {
			mode, bytes := "elementwise", float64(5*4*s.dim)
			if rowwise {
				mode, bytes = "rowwise", float64(3*4*s.dim+2*64)
			}
			var tab *Table
			for _, workers := range []int{1, 2} {
				b.Run(fmt.Sprintf("rows=%d/dim=%d/%s/workers=%d", s.rows, s.dim, mode, workers), func(b *testing.B) {
					if tab == nil {
						tab = benchTable(b, s, rowwise)
					}
					tab.SetWorkers(workers)
					for k := range idx { // warm up: scratch memory, page tables
						if err := tab.Step(idx[k], grads[k]); err != nil {
							b.Fatal(err)
						}
					}
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						k := i % len(idx)
						tab.Step(idx[k], grads[k])
					}
					sec := b.Elapsed().Seconds()
					rows := float64(b.N) * benchBatch
					b.ReportMetric(rows/sec/1e6, "Mrows/s")
					b.ReportMetric(rows*bytes/sec/1e9, "GB/s")
					b.ReportMetric(0, "ns/op")
				})
			}
			tab = nil
		}
	}
}

// BenchmarkWorkers measures one and two workers in the same run: blocks
// of 32 steps with one worker and 32 with two, in turn, on one table, so
// that both see the same machine (on a shared machine the memory bandwidth
// a thread gets changes from minute to minute). It reports both rates and
// their ratio. The blocks are long because the first steps after a switch
// pay for it (the worker parked during the one-worker block, its thread
// asleep): with blocks of 8, two workers at 1M x 64 elementwise measured
// no faster than one. For reference it also times, in the same turns, the row
// updates alone: the batch's distinct rows, each with the gradient row of
// its first occurrence, cut into the same two parts, updated by
// kernel.StepRows32 (or RowwiseStepRows32) from one goroutine and from
// two: upd-ratio is what two threads give the row kernel on this machine
// at that moment, without the coalescing (its rates count the batch's
// indices, duplicates included, like the step's).
//
//	go test ./sparse -run '^$' -bench Workers -benchtime 1600x -count 3
func BenchmarkWorkers(b *testing.B) {
	for _, s := range benchShapes {
		idx, grads := benchBatches(s.rows, s.dim, 8)
		// The distinct rows of each batch by part, with the position of
		// their first occurrence.
		var rows, pos [8][2][]int32
		for k := range idx {
			seen := map[int64]bool{}
			for i, x := range idx[k] {
				if !seen[x] {
					seen[x] = true
					p := part(uint32(x), 2)
					rows[k][p] = append(rows[k][p], int32(x))
					pos[k][p] = append(pos[k][p], int32(i))
				}
			}
		}
		for _, rowwise := range []bool{false, true} {
			mode := "elementwise"
			f := kernel.StepRows32
			if rowwise {
				mode, f = "rowwise", kernel.RowwiseStepRows32
			}
			var tab *Table
			b.Run(fmt.Sprintf("rows=%d/dim=%d/%s", s.rows, s.dim, mode), func(b *testing.B) {
				if tab == nil {
					tab = benchTable(b, s, rowwise)
				}
				pool := workers.New(2)
				defer pool.Close()
				o := tab.opts.KernelOptions(1)
				update := func(k, nw int) {
					if nw == 1 {
						for p := range 2 {
							f(tab.weights, tab.state, s.dim, rows[k][p], grads[k], pos[k][p], o)
						}
						return
					}
					pool.Run(func(p int) {
						f(tab.weights, tab.state, s.dim, rows[k][p], grads[k], pos[k][p], o)
					})
				}
				for _, w := range []int{1, 2} { // warm up
					tab.SetWorkers(w)
					for k := range idx {
						tab.Step(idx[k], grads[k])
						update(k, w)
					}
				}
				step := func(w int) func(k int) {
					return func(k int) {
						tab.SetWorkers(w)
						tab.Step(idx[k], grads[k])
					}
				}
				rate := inTurns(b, 32, len(idx), step(1), step(2),
					func(k int) { update(k, 1) }, func(k int) { update(k, 2) })
				b.ReportMetric(rate[0], "Mrows/s-1w")
				b.ReportMetric(rate[1], "Mrows/s-2w")
				b.ReportMetric(rate[1]/rate[0], "ratio")
				b.ReportMetric(rate[2], "upd-Mrows/s-1w")
				b.ReportMetric(rate[3], "upd-Mrows/s-2w")
				b.ReportMetric(rate[3]/rate[2], "upd-ratio")
				b.ReportMetric(0, "ns/op")
			})
			if tab != nil {
				tab.Close()
				tab = nil
			}
		}
	}
}

// BenchmarkRowCalls compares, on a table that fits in cache (10K x 64),
// one kernel.Step32 call per row against one kernel.StepRows32 call for
// the whole batch of distinct rows: the cost of a call per row.
func BenchmarkRowCalls(b *testing.B) {
	const rows, dim, n = 10_000, 64, 4096
	table := make([]float32, rows*dim)
	sum := make([]float32, rows*dim)
	for i := range sum {
		sum[i] = 0.1
	}
	perm := rand.New(rand.NewPCG(1, 1)).Perm(rows)[:n]
	list := make([]int32, n)
	for i, r := range perm {
		list[i] = int32(r)
	}
	grads := make([]float32, n*dim)
	o := kernel.Options{LR: 1e-3, Eps: 1e-10}
	report := func(b *testing.B) {
		b.ReportMetric(b.Elapsed().Seconds()*1e9/float64(b.N)/n, "ns/row")
		b.ReportMetric(0, "ns/op")
	}
	b.Run("Step32-per-row", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			for k, r := range list {
				kernel.Step32(table[int(r)*dim:int(r+1)*dim], grads[k*dim:(k+1)*dim], sum[int(r)*dim:int(r+1)*dim], o)
			}
		}
		report(b)
	})
	b.Run("StepRows32", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			kernel.StepRows32(table, sum, dim, list, grads, nil, o)
		}
		report(b)
	})
	h := make([]float32, rows)
	b.Run("RowwiseStepRows32", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			kernel.RowwiseStepRows32(table, h, dim, list, grads, nil, o)
		}
		report(b)
	})
}

// BenchmarkCoalesce times the summing of duplicates alone, per index.
func BenchmarkCoalesce(b *testing.B) {
	for _, s := range benchShapes[:2] {
		idx, grads := benchBatches(s.rows, s.dim, 1)
		b.Run(fmt.Sprintf("rows=%d/dim=%d", s.rows, s.dim), func(b *testing.B) {
			sc := &scratch{}
			run := func() {
				sc.batch = appendKeys(sc.batch[:0], idx[0], 0)
				sc.coalesce(&source{rows: grads[0]}, s.dim)
			}
			run()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				run()
			}
			b.ReportMetric(b.Elapsed().Seconds()*1e9/float64(b.N)/benchBatch, "ns/index")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// BenchmarkBags compares StepBags with the unfused BagBackward + Step on
// the same batches of 16K indices cut into bags of 1, 20 and 100, one
// worker: blocks of 16 steps of each in turn on one table, so that both
// see the same machine. It reports both rates in index rows per second and
// their ratio (fused over unfused).
//
//	go test ./sparse -run '^$' -bench Bags -benchtime 320x -count 3
func BenchmarkBags(b *testing.B) {
	for _, s := range benchShapes[:2] {
		idx, _ := benchBatches(s.rows, s.dim, 4)
		for _, rowwise := range []bool{false, true} {
			var tab *Table
			for _, bagSize := range []int{1, 20, 100} {
				for _, p := range []Pooling{Sum, Mean} {
					mode := "elementwise"
					if rowwise {
						mode = "rowwise"
					}
					b.Run(fmt.Sprintf("rows=%d/dim=%d/%s/bag=%d/%v", s.rows, s.dim, mode, bagSize, p), func(b *testing.B) {
						if tab == nil {
							tab = benchTable(b, s, rowwise)
						}
						tab.SetWorkers(1)
						var offsets []int64
						for at := 0; at < benchBatch; at += bagSize {
							offsets = append(offsets, int64(at))
						}
						r := rand.New(rand.NewPCG(5, uint64(bagSize)))
						pooled := make([]float32, len(offsets)*s.dim)
						for i := range pooled {
							pooled[i] = float32(r.NormFloat64() * 0.01)
						}
						grads := make([]float32, benchBatch*s.dim)
						unfused := func(k int) {
							tab.BagBackward(grads, pooled, offsets, p, nil)
							tab.Step(idx[k], grads)
						}
						fused := func(k int) { tab.StepBags(idx[k], offsets, pooled, p, nil) }
						for k := range idx { // warm up
							unfused(k)
							fused(k)
						}
						rate := inTurns(b, 16, len(idx), unfused, fused)
						b.ReportMetric(rate[0], "Mrows/s-unfused")
						b.ReportMetric(rate[1], "Mrows/s-fused")
						b.ReportMetric(rate[1]/rate[0], "ratio")
						b.ReportMetric(0, "ns/op")
					})
				}
			}
			if tab != nil {
				tab.Close()
			}
		}
	}
}

// inTurns runs b.N batches of benchBatch indices, blocks of block batches
// by each of runs in turn (run(k) does batch k of batches), so that all
// see the same machine, and returns each one's rate in million index rows
// per second. The timer is reset first.
func inTurns(b *testing.B, block, batches int, runs ...func(k int)) []float64 {
	took := make([]time.Duration, len(runs))
	n := make([]float64, len(runs))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		turn, k := i/block%len(runs), i%batches
		start := time.Now()
		runs[turn](k)
		took[turn] += time.Since(start)
		n[turn] += benchBatch
	}
	rate := make([]float64, len(runs))
	for t := range runs {
		rate[t] = n[t] / took[t].Seconds() / 1e6
	}
	return rate
}

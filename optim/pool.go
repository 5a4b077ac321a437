package optim

import (
	"sync/atomic"

	"github.com/adagrad-go/adagrad/internal/workers"
)

// chunkBytes is the size of the pieces a large parameter is cut into for
// the workers: a multiple of the 64-byte cache line, so that two workers
// never write the same line (for a slice that starts on a line boundary, as
// Go's large allocations do), and large enough that handing a chunk out (one
// atomic add) costs nothing next to updating it.
const chunkBytes = 64 << 10

// chunksPerWorker: a large parameter is cut into about this many chunks per
// worker (none smaller than chunkBytes). Fewer, longer runs of memory
// stream faster than many 64 KiB pieces (64M float32 elements, 2 workers:
// 12.2 ms against 15.9 ms), while several per worker let the others take
// over the share of a worker that is slowed down.
const chunksPerWorker = 8

// A parameter is large, and split across the workers, from two chunks on
// (32K float32 or 16K float64 elements); smaller ones are updated on the
// goroutine that calls Step.
func isLarge(p *pstate) bool {
	return p.len()*elemSize(p) >= 2*chunkBytes
}

func elemSize(p *pstate) int {
	if p.p32 != nil {
		return 4
	}
	return 8
}

// chunk is elements [lo, hi) of one parameter.
type chunk struct {
	p      *pstate
	lo, hi int
}

// appendChunks cuts a large parameter into chunks: chunksPerWorker per
// worker, but none smaller than chunkBytes; every chunk but the last is a
// whole number of cache lines.
func appendChunks(chunks []chunk, p *pstate, workers int) []chunk {
	if !isLarge(p) {
		return chunks
	}
	size := elemSize(p)
	n, line := p.len(), 64/size
	per := max(chunkBytes/size, (n/(chunksPerWorker*workers)+line-1)/line*line)
	for lo := 0; lo < n; lo += per {
		chunks = append(chunks, chunk{p, lo, min(lo+per, n)})
	}
	return chunks
}

// job is a step's work for the workers: the goroutine calling Step first
// updates the parameters that are not cut into chunks, then takes chunks
// with the workers until none is left. Between steps the workers wait as
// package workers describes: spinning for a short while, then parked.
type job struct {
	a      *Adagrad
	chunks []chunk      // this step's chunks, kept between steps for their memory
	next   atomic.Int64 // the next chunk to take
	do     func(w int)  // the work of goroutine w, bound once so that a step does not allocate
}

func (j *job) init(a *Adagrad) {
	j.a = a
	j.do = j.work
}

// run updates every parameter with a gradient, on the team's goroutines.
func (j *job) run(t *workers.Team) {
	nw := t.Workers()
	chunks := j.chunks[:0]
	if nw > 1 {
		for _, p := range j.a.params {
			if p.stepped() {
				chunks = appendChunks(chunks, p, nw)
			}
		}
	}
	j.chunks = chunks
	if len(chunks) == 0 {
		j.small(false)
		return
	}
	j.next.Store(0)
	t.Run(j.do)
}

// small updates the parameters with a gradient that are not cut into
// chunks (all of them when chunked is false).
func (j *job) small(chunked bool) {
	for _, p := range j.a.params {
		if p.stepped() && !(chunked && isLarge(p)) {
			p.update(0, p.len())
		}
	}
}

func (j *job) work(w int) {
	if w == 0 {
		j.small(true)
	}
	chunks := j.chunks
	for {
		i := j.next.Add(1) - 1
		if i >= int64(len(chunks)) {
			return
		}
		c := &chunks[i]
		c.p.update(c.lo, c.hi)
	}
}

// SetWorkers sets how many goroutines, the caller's included, share the
// large parameters in Step: n >= 1 fixes the number (at most
// 1024); n <= 0 restores the default, runtime.GOMAXPROCS(0) read at each
// Step. With 1, Step runs entirely on the calling goroutine.
func (a *Adagrad) SetWorkers(n int) { a.team.SetWorkers(n) }

// Workers returns how many goroutines the next Step uses.
func (a *Adagrad) Workers() int { return a.team.Workers() }

// Close stops the worker goroutines and waits for them to return. The
// optimizer stays usable: a later Step starts them again. Calling Close is
// optional, since the workers are also stopped once the optimizer is
// garbage collected; it makes the moment explicit. It always returns nil.
func (a *Adagrad) Close() error {
	a.team.Close()
	return nil
}

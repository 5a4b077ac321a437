package optim

import (
	"runtime"
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

// pool runs a step's chunks on a workers.Pool: the goroutine calling Step
// first updates the small parameters, then takes chunks with the workers
// until none is left. It holds no reference to the Adagrad between steps,
// so that a cleanup can stop it once the Adagrad is unreachable.
type pool struct {
	size   int // worker goroutines, besides the caller
	w      *workers.Pool
	run    func(w int) // p.do, bound once so that a step does not allocate
	chunks []chunk     // this step's work
	small  func()      // the caller's work before the chunks
	next   atomic.Int64
}

func newPool(size int) *pool {
	p := &pool{size: size, w: workers.New(size + 1)}
	p.run = p.do
	return p
}

func (p *pool) do(w int) {
	if w == 0 && p.small != nil {
		p.small()
	}
	chunks := p.chunks
	for {
		i := p.next.Add(1) - 1
		if i >= int64(len(chunks)) {
			return
		}
		c := &chunks[i]
		c.p.update(c.lo, c.hi)
	}
}

// step runs small on the calling goroutine, then the chunks on it and the
// workers, and returns when all is done.
func (p *pool) step(chunks []chunk, small func()) {
	p.chunks, p.small = chunks, small
	p.next.Store(0)
	p.w.Run(p.run)
	p.chunks, p.small = nil, nil
}

// stop ends the workers and waits for them to return.
func (p *pool) stop() { p.w.Close() }

func (a *Adagrad) startPool() {
	a.stopPool()
	if a.stepSmall == nil {
		a.stepSmall = a.updateSmall
	}
	a.pool = newPool(a.workers - 1)
	a.cleanup = runtime.AddCleanup(a, (*pool).stop, a.pool)
}

func (a *Adagrad) stopPool() {
	if a.pool != nil {
		a.cleanup.Stop()
		a.pool.stop()
		a.pool = nil
	}
}

// SetWorkers sets how many goroutines, the caller's included, share the
// large parameters in Step; n <= 0 means runtime.GOMAXPROCS(0), the
// default. With 1, Step runs entirely on the calling goroutine.
func (a *Adagrad) SetWorkers(n int) {
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	a.workers = n
}

// Workers returns the number set by SetWorkers (or the default).
func (a *Adagrad) Workers() int { return a.workers }

// Close stops the worker goroutines and waits for them to return. The
// optimizer stays usable: a later Step starts them again. Calling Close is
// optional, since the workers are also stopped once the optimizer is
// garbage collected; it makes the moment explicit. It always returns nil.
func (a *Adagrad) Close() error {
	a.stopPool()
	return nil
}

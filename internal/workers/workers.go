// Package workers is a pool of goroutines that run one function together
// with the caller, for steps that come one after another: the workers wait
// for the next step spinning for a short while before they park, because
// waking a parked goroutine's thread costs tens of microseconds (more on a
// virtual machine), as much as a whole step of a few hundred.
package workers

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// Spin is how long an idle worker keeps looking for the next job before it
// parks. Spinning yields to the scheduler at every turn, so other goroutines
// still run; what it costs is CPU time on an otherwise idle core.
const Spin = 200 * time.Microsecond

// running counts the workers of all pools that have not returned.
var running atomic.Int64

// Running returns how many workers of all pools are running: started and
// not yet returned (parked ones included).
func Running() int { return int(running.Load()) }

// AwaitRunning waits up to timeout for Running to return n and returns
// what it returns last. Between looks it runs the garbage collector, since
// the workers of a pool whose owner became unreachable stop when the
// owner's cleanup runs; a worker that has signalled its end may also take
// a moment more to return. It is for tests.
func AwaitRunning(n int, timeout time.Duration) int {
	deadline := time.Now().Add(timeout)
	for Running() != n && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	return Running()
}

// Pool runs a function on the calling goroutine and size-1 workers. It must
// not be used by two goroutines at once.
type Pool struct {
	size    int
	gen     atomic.Uint64 // generation of the newest job
	pending atomic.Int64  // workers still running the newest job
	fn      func(w int)   // the newest job; written before gen moves on
	panics  atomic.Pointer[workerPanic]
	broken  atomic.Bool
	quit    atomic.Bool
	wake    []chan struct{} // one per worker, holding at most one token
	parked  []atomic.Bool   // whether worker w may be blocked on wake[w]
	exited  sync.WaitGroup
	once    sync.Once
}

// New starts a pool of size goroutines in all, the caller of Run
// included: size-1 workers. A size below 1 is taken as 1.
func New(size int) *Pool {
	size = max(size, 1)
	p := &Pool{size: size, wake: make([]chan struct{}, size), parked: make([]atomic.Bool, size)}
	p.exited.Add(size - 1)
	running.Add(int64(size - 1))
	for w := 1; w < size; w++ {
		p.wake[w] = make(chan struct{}, 1)
		go p.worker(w)
	}
	return p
}

// Size returns the number of goroutines Run uses, the caller's included.
func (p *Pool) Size() int { return p.size }

// workerPanic is a panic of fn on a worker, carried to Run's caller.
type workerPanic struct {
	value any
	stack []byte
}

// Run calls fn(0) on the calling goroutine and fn(1), ..., fn(Size()-1)
// on the workers, all at once, and returns when every call has returned.
// Everything Run's caller did before is visible to fn, and everything fn
// did is visible to Run's caller after it. A panic in fn on a worker does
// not end the process: once every call has returned, Run panics with it on
// the calling goroutine, where the caller can recover it.
func (p *Pool) Run(fn func(w int)) {
	if p.size == 1 {
		fn(0)
		return
	}
	if p.quit.Load() {
		panic("workers: Run on a closed pool")
	}
	if p.broken.Load() {
		panic("workers: Run on a pool that lost a worker")
	}
	p.fn = fn
	p.pending.Store(int64(p.size - 1))
	p.gen.Add(1)
	for w := 1; w < p.size; w++ {
		if p.parked[w].Load() {
			select {
			case p.wake[w] <- struct{}{}:
			default: // a token is there already
			}
		}
	}
	defer p.finish()
	fn(0)
}

// finish waits for the workers' calls of the newest job, even when the
// caller's own call panicked, and passes on a worker's panic.
func (p *Pool) finish() {
	for p.pending.Load() > 0 {
		runtime.Gosched()
	}
	p.fn = nil
	if wp := p.panics.Swap(nil); wp != nil {
		panic(fmt.Sprintf("%v [recovered from a worker goroutine]\n%s", wp.value, wp.stack))
	}
}

// call runs fn(w) for a worker, keeping a panic for Run's caller. If fn
// ends the goroutine (runtime.Goexit), the pool has lost a worker: that is
// reported like a panic, and the pool is broken.
func (p *Pool) call(w int) {
	returned := false
	defer func() {
		if !returned {
			v := recover()
			if v == nil {
				v = "runtime.Goexit on a worker goroutine"
				p.broken.Store(true)
			}
			p.panics.CompareAndSwap(nil, &workerPanic{v, debug.Stack()})
		}
		p.pending.Add(-1)
	}()
	p.fn(w)
	returned = true
}

// Broken reports whether a worker has ended inside fn (runtime.Goexit):
// such a pool must be closed and replaced, and Run panics if called again.
func (p *Pool) Broken() bool { return p.broken.Load() }

func (p *Pool) worker(w int) {
	defer p.exited.Done()
	defer running.Add(-1)
	var seen uint64 // the generation New left: a Run may come before this goroutine starts
	for {
		g := p.await(w, seen)
		if g == 0 {
			return
		}
		seen = g
		p.call(w)
	}
}

// await waits for a generation after seen, spinning for up to Spin, then
// parked; it returns 0 when the pool is closed.
func (p *Pool) await(w int, seen uint64) uint64 {
	start := time.Now()
	for i := 0; ; i++ {
		if g := p.gen.Load(); g != seen {
			return g
		}
		if p.quit.Load() {
			return 0
		}
		if i%64 != 63 || time.Since(start) < Spin {
			runtime.Gosched()
			continue
		}
		// Park. Announce it first, then look once more: Run moves gen on
		// before it looks at parked, so one of the two sees the other.
		p.parked[w].Store(true)
		if g := p.gen.Load(); g != seen || p.quit.Load() {
			p.parked[w].Store(false)
			continue
		}
		<-p.wake[w]
		p.parked[w].Store(false)
		start = time.Now()
	}
}

// Close stops the workers and waits for them to return. It may be called
// more than once; Run must not be called after it.
func (p *Pool) Close() {
	p.once.Do(func() {
		p.quit.Store(true)
		for w := 1; w < p.size; w++ {
			select {
			case p.wake[w] <- struct{}{}:
			default:
			}
		}
	})
	p.exited.Wait()
}

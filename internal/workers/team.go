package workers

import (
	"runtime"
	"sync"
)

// MaxWorkers is the most goroutines a Team uses; SetWorkers clamps to it.
const MaxWorkers = 1024

// Team is the workers of one owner (an optimizer, a table): how many
// goroutines its steps use and the pool that runs them. Its lifecycle is
// the same for every owner: the pool starts at the first Run that needs
// more than the calling goroutine, changes size when the number changes,
// and stops at Close or, failing that, once the owner is garbage
// collected. A Team must be made by [NewTeam] and, like its owner, used by
// one goroutine at a time.
type Team struct {
	n int   // as set: 0 means runtime.GOMAXPROCS(0) at each Run
	c *crew // what the owner's cleanup stops; it must not point to the owner
}

// crew is the part of a Team that outlives its owner until the cleanup.
type crew struct {
	mu     sync.Mutex // Close may come from the cleanup's goroutine
	pool   *Pool      // per-owner pools
	joined bool       // shared pool
}

// Shared selects one pool for the process, shared by every Team, instead
// of a pool per Team. It is set before any Team runs.
var Shared = false

var shared struct {
	sync.Mutex       // held by the Run using the pool
	pool       *Pool // nil when no Team has joined
	teams      int   // Teams that have joined
	count      sync.Mutex
}

// NewTeam returns the Team of owner, which stops its workers once owner is
// garbage collected.
func NewTeam[T any](owner *T) Team {
	c := &crew{}
	runtime.AddCleanup(owner, (*crew).close, c)
	return Team{c: c}
}

// SetWorkers sets how many goroutines, the caller's included, a Run uses:
// n >= 1 fixes the number (at most MaxWorkers); n <= 0 restores the
// default, runtime.GOMAXPROCS(0) read at each Run.
func (t *Team) SetWorkers(n int) { t.n = min(max(n, 0), MaxWorkers) }

// Workers returns how many goroutines the next Run uses.
func (t *Team) Workers() int {
	if t.n > 0 {
		return t.n
	}
	return min(runtime.GOMAXPROCS(0), MaxWorkers)
}

// Run calls fn(0) on the calling goroutine and fn(1), ..., fn(n-1) on
// workers, for n = Workers(), as [Pool.RunN] does; with n == 1 it just
// calls fn(0). fn must do the whole job whatever n is (the goroutines take
// work in turns), since a Run may get fewer goroutines than it asked for.
func (t *Team) Run(fn func(w int)) {
	n := t.Workers()
	if n == 1 {
		fn(0)
		return
	}
	c := t.c
	if !Shared {
		if c.pool == nil || c.pool.Size() != n {
			c.close()
			c.mu.Lock()
			c.pool = New(n)
			c.mu.Unlock()
		}
		c.pool.Run(fn)
		return
	}
	if !c.joined {
		shared.count.Lock()
		shared.teams++
		shared.count.Unlock()
		c.joined = true
	}
	if !shared.TryLock() { // another Team is running: do it alone
		fn(0)
		return
	}
	defer shared.Unlock()
	if shared.pool == nil || shared.pool.Size() < n {
		if shared.pool != nil {
			shared.pool.Close()
		}
		shared.pool = New(n)
	}
	shared.pool.RunN(n, fn)
}

// Close stops the workers and waits for them to return. The Team stays
// usable: a later Run starts them again.
func (t *Team) Close() { t.c.close() }

func (c *crew) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pool != nil {
		c.pool.Close()
		c.pool = nil
	}
	if c.joined {
		c.joined = false
		shared.count.Lock()
		shared.teams--
		last := shared.teams == 0
		shared.count.Unlock()
		if last {
			shared.Lock()
			if shared.pool != nil {
				shared.pool.Close()
				shared.pool = nil
			}
			shared.Unlock()
		}
	}
}

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
// more than the calling goroutine, starts again at the new size when the
// number changes, and stops at Close or, failing that, once the owner is
// garbage collected. Each owner has a pool of its own: one pool shared by
// the process was measured slower for a program that steps a table and an
// optimizer in turn. A Team must be made by [NewTeam] and, like its owner,
// used by one goroutine at a time.
type Team struct {
	n int   // as set: 0 means runtime.GOMAXPROCS(0) at each Run
	c *crew // what the owner's cleanup stops; it must not point to the owner
}

// crew is the part of a Team that its owner's cleanup reaches.
type crew struct {
	mu   sync.Mutex // the cleanup runs on a goroutine of its own
	pool *Pool
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

// Run calls fn(0) on the calling goroutine and fn(1), ..., fn(n-1) on the
// workers, for n = Workers(), as [Pool.Run] does; with n == 1 it just
// calls fn(0).
func (t *Team) Run(fn func(w int)) {
	n := t.Workers()
	if n == 1 {
		fn(0)
		return
	}
	c := t.c
	if c.pool == nil || c.pool.Size() != n || c.pool.Broken() {
		c.close()
		c.mu.Lock()
		c.pool = New(n)
		c.mu.Unlock()
	}
	c.pool.Run(fn)
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
}

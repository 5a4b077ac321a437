package workers

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

type owner struct {
	team Team
	_    [16]byte // a real allocation, so that the cleanup runs
}

// TestTeamLifecycle: no workers before the first Run that needs them,
// Workers-1 after it, a new pool when the number changes, none after
// Close, usable after Close, and none once the owner is collected.
func TestTeamLifecycle(t *testing.T) {
	at := func(n int, what string) {
		t.Helper()
		if got := AwaitRunning(n, 5*time.Second); got != n {
			t.Errorf("%d workers %s, want %d", got, what, n)
		}
	}
	at(0, "before the test")
	o := &owner{}
	o.team = NewTeam(o)
	o.team.SetWorkers(3)
	var calls atomic.Int64
	count := func(int) { calls.Add(1) }
	o.team.SetWorkers(1)
	o.team.Run(count)
	at(0, "after a Run on one goroutine")
	o.team.SetWorkers(3)
	o.team.Run(count)
	at(2, "with 3 workers")
	o.team.SetWorkers(2)
	o.team.Run(count)
	at(1, "with 2 workers")
	if calls.Load() != 1+3+2 {
		t.Errorf("%d calls, want 6", calls.Load())
	}
	o.team.Close()
	o.team.Close()
	at(0, "after Close")
	o.team.Run(count)
	at(1, "after a Run after Close")
	runtime.KeepAlive(o)
	o = nil
	at(0, "once the owner is collected")
}

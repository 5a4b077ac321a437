package workers

import (
	"runtime"
	"strings"
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

// TestTeamAfterGoexit: a worker that ends inside fn is reported to Run's
// caller, and the next Run gets a new pool instead of waiting for it.
func TestTeamAfterGoexit(t *testing.T) {
	o := &owner{}
	o.team = NewTeam(o)
	o.team.SetWorkers(2)
	defer o.team.Close()
	func() {
		defer func() {
			if v, _ := recover().(string); !strings.Contains(v, "Goexit") {
				t.Errorf("recovered %q", v)
			}
		}()
		o.team.Run(func(w int) {
			if w == 1 {
				runtime.Goexit()
			}
		})
	}()
	done := make(chan struct{})
	go func() {
		var calls atomic.Int64
		o.team.Run(func(int) { calls.Add(1) })
		if calls.Load() != 2 {
			t.Errorf("%d calls, want 2", calls.Load())
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run after a worker's Goexit did not return")
	}
}

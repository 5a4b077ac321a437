package workers

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// TestRunCallsEveryWorkerOnce runs many jobs back to back and checks that
// each calls fn once per goroutine index and that their writes are seen
// after Run.
func TestRunCallsEveryWorkerOnce(t *testing.T) {
	for _, size := range []int{0, 1, 2, 3, 8} {
		p := New(size)
		n := p.Size()
		if n != max(size, 1) {
			t.Fatalf("New(%d).Size() = %d", size, n)
		}
		counts := make([]int, n) // plain writes: Run must order them
		for run := 1; run <= 2000; run++ {
			p.Run(func(w int) { counts[w]++ })
			for w, c := range counts {
				if c != run {
					t.Fatalf("size %d run %d: fn(%d) called %d times", size, run, w, c)
				}
			}
		}
		p.Close()
	}
}

// TestParkAndWake leaves the workers idle longer than Spin, so that they
// park, and checks that the next Run still reaches all of them.
func TestParkAndWake(t *testing.T) {
	p := New(3)
	defer p.Close()
	var calls atomic.Int64
	for range 5 {
		time.Sleep(3 * Spin)
		p.Run(func(int) { calls.Add(1) })
	}
	if got := calls.Load(); got != 15 {
		t.Fatalf("%d calls, want 15", got)
	}
}

// TestCloseStopsWorkers checks that Close returns only when the workers
// have returned, whether they spin or are parked, and that it can be
// called twice.
func TestCloseStopsWorkers(t *testing.T) {
	before := runtime.NumGoroutine()
	spinning := New(4)
	spinning.Run(func(int) {})
	spinning.Close() // workers still spinning
	parked := New(4)
	parked.Run(func(int) {})
	time.Sleep(3 * Spin)
	parked.Close() // workers parked
	parked.Close()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if after := runtime.NumGoroutine(); after > before {
		t.Fatalf("%d goroutines before, %d after Close", before, after)
	}
}

func TestRunAfterClosePanics(t *testing.T) {
	p := New(2)
	p.Close()
	defer func() {
		if recover() == nil {
			t.Fatal("Run on a closed pool did not panic")
		}
	}()
	p.Run(func(int) {})
}

// TestRunsConcurrently checks that the workers really run at the same
// time as the caller: fn(0) waits for every other index to have started.
func TestRunsConcurrently(t *testing.T) {
	p := New(3)
	defer p.Close()
	var started atomic.Int64
	p.Run(func(w int) {
		if w != 0 {
			started.Add(1)
			return
		}
		deadline := time.Now().Add(10 * time.Second)
		for started.Load() < 2 {
			if time.Now().After(deadline) {
				t.Error("the workers did not start while the caller ran")
				return
			}
			runtime.Gosched()
		}
	})
}

package workers

import (
	"fmt"
	"runtime"
	"strings"
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

// TestWorkerPanic: a panic on a worker reaches Run's caller, after every
// call has returned, and the pool stays usable.
func TestWorkerPanic(t *testing.T) {
	p := New(3)
	defer p.Close()
	var done atomic.Int64
	func() {
		defer func() {
			v := recover()
			if s, _ := v.(string); !strings.Contains(s, "boom 2") || !strings.Contains(s, "worker goroutine") {
				t.Errorf("recovered %v", v)
			}
			if done.Load() != 2 {
				t.Errorf("%d calls had returned when the panic arrived, want 2", done.Load())
			}
		}()
		p.Run(func(w int) {
			if w == 2 {
				panic(fmt.Sprintf("boom %d", w))
			}
			time.Sleep(time.Millisecond)
			done.Add(1)
		})
		t.Error("Run returned")
	}()
	var calls atomic.Int64
	p.Run(func(int) { calls.Add(1) })
	if calls.Load() != 3 {
		t.Errorf("after a panic: %d calls, want 3", calls.Load())
	}
}

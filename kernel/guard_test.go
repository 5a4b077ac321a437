//go:build linux || darwin || freebsd || netbsd || openbsd

package kernel

import (
	"math/rand/v2"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// guarded is memory with an inaccessible page on each side of a data area,
// so that any access just outside a slice placed against either edge
// crashes the test.
type guarded struct {
	mem  []byte
	data []byte // the accessible pages between the two guards
}

func newGuarded(t *testing.T, size int) *guarded {
	t.Helper()
	ps := unix.Getpagesize()
	n := (size + ps - 1) / ps * ps
	mem, err := unix.Mmap(-1, 0, n+2*ps, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		t.Fatalf("mmap: %v", err)
	}
	if err := unix.Mprotect(mem[:ps], unix.PROT_NONE); err != nil {
		t.Fatalf("mprotect: %v", err)
	}
	if err := unix.Mprotect(mem[ps+n:], unix.PROT_NONE); err != nil {
		t.Fatalf("mprotect: %v", err)
	}
	t.Cleanup(func() { unix.Munmap(mem) })
	return &guarded{mem: mem, data: mem[ps : ps+n]}
}

// atStart returns n elements that start right after the leading guard page.
func atStart[T float32 | float64 | uint16 | int32](g *guarded, n int) []T {
	return unsafe.Slice((*T)(unsafe.Pointer(&g.data[0])), len(g.data)/int(unsafe.Sizeof(T(0))))[:n:n]
}

// atEnd returns n elements that end right before the trailing guard page.
func atEnd[T float32 | float64 | uint16 | int32](g *guarded, n int) []T {
	all := unsafe.Slice((*T)(unsafe.Pointer(&g.data[0])), len(g.data)/int(unsafe.Sizeof(T(0))))
	return all[len(all)-n:]
}

// guardSink keeps the faulting loads from being optimised away.
var guardSink float32

func guardLengths() []int {
	var out []int
	for n := 1; n <= 70; n++ {
		out = append(out, n)
	}
	return append(out, 127, 128, 129, 255, 256, 257, 1000, 1023, 1024, 1025)
}

// TestGuardPages places each of the three slices, in turn, against an
// inaccessible page at its end and then at its start, on every path, for
// many lengths, and checks the result against generic.
func TestGuardPages(t *testing.T) {
	forEachPath(t, func(t *testing.T, p Path) {
		r := rand.New(rand.NewPCG(5, 6))
		maxN := 1025
		g32 := newGuarded(t, maxN*4)
		g64 := newGuarded(t, maxN*8)
		o := Options{LR: 0.1, Eps: 1e-8, WeightDecay: 0.01}
		calls := 0
		for _, n := range guardLengths() {
			for which := 0; which < 3; which++ {
				for _, end := range []bool{true, false} {
					// float32
					s32 := [3][]float32{make([]float32, n), make([]float32, n), make([]float32, n)}
					if end {
						s32[which] = atEnd[float32](g32, n)
					} else {
						s32[which] = atStart[float32](g32, n)
					}
					for _, s := range s32 {
						fill32(r, s, 0)
					}
					wantP := append([]float32(nil), s32[0]...)
					wantS := append([]float32(nil), s32[2]...)
					Generic().Step32(wantP, append([]float32(nil), s32[1]...), wantS, o)
					p.Step32(s32[0], s32[1], s32[2], o)
					for i := range wantP {
						if !sameBits32(s32[0][i], wantP[i]) || !sameBits32(s32[2][i], wantS[i]) {
							t.Fatalf("float32 n=%d slice %d end=%v: element %d differs from generic", n, which, end, i)
						}
					}
					// float64
					s64 := [3][]float64{make([]float64, n), make([]float64, n), make([]float64, n)}
					if end {
						s64[which] = atEnd[float64](g64, n)
					} else {
						s64[which] = atStart[float64](g64, n)
					}
					for _, s := range s64 {
						fill64(r, s, 0)
					}
					want64P := append([]float64(nil), s64[0]...)
					want64S := append([]float64(nil), s64[2]...)
					Generic().Step64(want64P, append([]float64(nil), s64[1]...), want64S, o)
					p.Step64(s64[0], s64[1], s64[2], o)
					for i := range want64P {
						if !sameBits64(s64[0][i], want64P[i]) || !sameBits64(s64[2][i], want64S[i]) {
							t.Fatalf("float64 n=%d slice %d end=%v: element %d differs from generic", n, which, end, i)
						}
					}
					calls += 2
				}
			}
		}
		t.Logf("%d guarded calls", calls)
	})
}

// TestGuardPagesWork checks that the guard really is inaccessible: a read
// just past the end must fault. debug.SetPanicOnFault turns the fault into
// a recoverable panic.
func TestGuardPagesWork(t *testing.T) {
	g := newGuarded(t, 64)
	s := atEnd[float32](g, 4)
	faulted := func(f func()) (ok bool) {
		defer func() { ok = recover() != nil }()
		f()
		return false
	}
	old := setPanicOnFault(true)
	defer setPanicOnFault(old)
	past := unsafe.Slice(&s[0], 5) // one element past the slice
	if !faulted(func() { guardSink = past[4] }) {
		t.Fatal("reading past the slice did not fault: the guard page is not a guard")
	}
	before := unsafe.Slice((*float32)(unsafe.Add(unsafe.Pointer(&atStart[float32](g, 1)[0]), -4)), 1)
	if !faulted(func() { guardSink = before[0] }) {
		t.Fatal("reading before the slice did not fault")
	}
}

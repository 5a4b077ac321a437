package sparse

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/adagrad-go/adagrad"
)

// TestHugePages: a large table's memory may be backed by transparent huge
// pages (the mapping that holds its middle is eligible for them), when the
// system has them on at least on request.
func TestHugePages(t *testing.T) {
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || bytes.Contains(mode, []byte("[never]")) {
		t.Skip("transparent huge pages are off on this system")
	}
	// Whether this system reports what madvise asked for (an emulator may
	// not pass madvise on).
	probe, err := unix.Mmap(-1, 0, 8<<20, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(probe)
	if err := unix.Madvise(probe, unix.MADV_HUGEPAGE); err != nil {
		t.Skipf("madvise: %v", err)
	}
	if ok, err := thpEligible(uintptr(unsafe.Pointer(&probe[4<<20]))); err != nil || !ok {
		t.Skipf("memory advised for huge pages is not reported eligible here (%v)", err)
	}
	for _, rowwise := range []bool{false, true} {
		o := adagrad.Defaults()
		tab, err := New(1<<20, 8, layoutOf(rowwise), o) // 32 MiB of weights; 4 MiB of state rowwise
		if err != nil {
			t.Fatal(err)
		}
		for name, s := range map[string][]float32{"weights": tab.weights, "state": tab.state} {
			addr := uintptr(unsafe.Pointer(&s[len(s)/2]))
			eligible, err := thpEligible(addr)
			if err != nil {
				t.Fatal(err)
			}
			if !eligible {
				t.Errorf("rowwise=%v: the %s (%d MiB) are not eligible for huge pages", rowwise, name, len(s)*4>>20)
			}
		}
	}
}

// thpEligible reports the THPeligible field of the mapping of
// /proc/self/smaps that holds addr.
func thpEligible(addr uintptr) (bool, error) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return false, err
	}
	defer f.Close()
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if lo, hi, ok := strings.Cut(strings.Fields(line)[0], "-"); ok {
			a, err1 := strconv.ParseUint(lo, 16, 64)
			b, err2 := strconv.ParseUint(hi, 16, 64)
			if err1 == nil && err2 == nil {
				in = uint64(addr) >= a && uint64(addr) < b
				continue
			}
		}
		if v, ok := strings.CutPrefix(line, "THPeligible:"); ok && in {
			return strings.TrimSpace(v) == "1", nil
		}
	}
	return false, sc.Err()
}

// TestTableArraysStaggered: the arrays of a large table start their
// staggers apart modulo 2 MiB (see tableArray); small arrays are left
// alone. (TestHugePages checks that the staggered arrays may still be
// backed by huge pages.)
func TestTableArraysStaggered(t *testing.T) {
	at := func(p unsafe.Pointer) uintptr { return uintptr(p) % hugeSize }
	o := adagrad.Defaults()
	o.Kind, o.L1, o.L2, o.Beta = adagrad.FTRL, 0.001, 0.001, 1
	tab, err := New(1<<20, 8, Elementwise, o)
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	w, s, l := at(unsafe.Pointer(&tab.weights[0])), at(unsafe.Pointer(&tab.state[0])), at(unsafe.Pointer(&tab.Linear()[0]))
	if w != 0 || s != stagger || l != 2*stagger {
		t.Errorf("weights, sums and linear terms start at %d, %d and %d past 2 MiB, want 0, %d and %d", w, s, l, stagger, 2*stagger)
	}
	half, err := New(1<<20, 8, Elementwise, adagrad.Defaults(), Storage{Weights: BFloat16})
	if err != nil {
		t.Fatal(err)
	}
	defer half.Close()
	if b, s := at(unsafe.Pointer(&half.half.bits[0])), at(unsafe.Pointer(&half.state[0])); b != 0 || s != stagger {
		t.Errorf("16-bit weights and sums start at %d and %d past 2 MiB, want 0 and %d", b, s, stagger)
	}
	for k := range 3 {
		small := tableArray[float32](1000, k)
		if len(small) != 1000 || cap(small) != 1000 {
			t.Errorf("a small array %d: len %d cap %d, want 1000", k, len(small), cap(small))
		}
		big := tableArray[uint16](staggerBelow, k)
		if len(big) != staggerBelow || cap(big) != staggerBelow || at(unsafe.Pointer(&big[0])) != uintptr(k*stagger) {
			t.Errorf("array %d: len %d cap %d at %d, want %d at %d", k, len(big), cap(big), at(unsafe.Pointer(&big[0])), staggerBelow, k*stagger)
		}
	}
}

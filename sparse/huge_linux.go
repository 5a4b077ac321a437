package sparse

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// hugePages asks the kernel to back s with transparent huge pages (2 MiB)
// where it can: s's 2 MiB-aligned interior. A step touches rows all over
// a large table, and with 4 KiB pages nearly every row costs a page walk.
// Call it before s is first written: pages already there stay small until
// the kernel's background collapsing gets to them. Errors are ignored:
// huge pages only change the speed.
func hugePages[E float32 | uint16](s []E) {
	size := uintptr(len(s)) * unsafe.Sizeof(*new(E))
	if size < 2*hugeSize {
		return
	}
	p := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	lo := (p + hugeSize - 1) &^ (hugeSize - 1)
	hi := (p + size) &^ (hugeSize - 1)
	if hi <= lo {
		return
	}
	b := unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(s)), lo-p)), hi-lo)
	_ = unix.Madvise(b, unix.MADV_HUGEPAGE)
}

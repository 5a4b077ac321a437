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
func hugePages(s []float32) {
	const huge = 2 << 20
	if len(s)*4 < 2*huge {
		return
	}
	p := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	lo := (p + huge - 1) &^ (huge - 1)
	hi := (p + uintptr(len(s))*4) &^ (huge - 1)
	if hi <= lo {
		return
	}
	b := unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(s)), lo-p)), hi-lo)
	_ = unix.Madvise(b, unix.MADV_HUGEPAGE)
}

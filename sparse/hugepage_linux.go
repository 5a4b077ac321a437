package sparse

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// hugePageMin is the size from which a table's memory is worth huge pages.
const hugePageMin = 8 << 20

// adviseHuge asks the kernel to back s with transparent huge pages, before
// s is first touched: a step reads rows scattered over the whole table,
// and with 4 KiB pages almost every row costs a TLB miss. It is advice
// only (the system may be set to ignore it); errors are ignored.
func adviseHuge(s []float32) {
	n := len(s) * 4
	if n < hugePageMin {
		return
	}
	const huge = 2 << 20
	start := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	end := start + uintptr(n)
	first := (start + huge - 1) &^ (huge - 1)
	last := end &^ (huge - 1)
	if last <= first {
		return
	}
	b := unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(s)), first-start)), last-first)
	_ = unix.Madvise(b, unix.MADV_HUGEPAGE)
}

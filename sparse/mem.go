package sparse

import "unsafe"

// Where a table's arrays start. A row's weights, accumulators and linear
// terms sit at the same offset of their arrays. Were the arrays aligned
// alike, as the runtime aligns large allocations, the row's lines in each
// would share their low address bits, and with huge pages (whose low 21
// bits of address are physical) their cache sets and memory banks, which
// then serve them one after another: stepping 4096 rows of 64 FTRL
// elements at random in a 1M-row table took 2.2 times as long here, and
// Adagrad 1.6 times. So array k of a large table starts k staggers past a
// multiple of 2 MiB instead.
const (
	hugeSize     = 2 << 20      // a huge page (hugePages)
	stagger      = 8192 + 64    // two pages and a cache line
	staggerBelow = 2 * hugeSize // arrays of fewer bytes are left as make gives them
)

// tableArray returns n zero elements for array k of a table (0 the
// weights, 1 the accumulators, 2 the linear terms), staggered as above
// and backed by huge pages where the system allows (hugePages). Like
// make, it panics when the runtime refuses the size.
func tableArray[E float32 | uint16](n, k int) []E {
	size := int(unsafe.Sizeof(*new(E)))
	if n < staggerBelow/size {
		s := make([]E, n)
		hugePages(s)
		return s
	}
	all := make([]E, n+hugeSize/size)
	p := uintptr(unsafe.Pointer(unsafe.SliceData(all))) % hugeSize
	off := int((uintptr(k*stagger)+hugeSize-p)%hugeSize) / size
	s := all[off : off+n : off+n]
	hugePages(s)
	return s
}

//go:build gc && !purego

package kernel

// lookup32Asm reports whether this build has assembly for CopyRows32 and
// AddRows32 (amd64: AVX2).
const lookup32Asm = true

// copyRows32Asm is CopyRows32 computed by AVX2 (lookup_amd64.s), on the
// columns [0, dim&^7) of each row; the caller copies the others. It
// prefetches rows[i+8] into the second-level cache while it copies
// rows[i].
//
//go:noescape
func copyRows32Asm(dst, table []float32, dim int, rows []int64)

// addRows32Asm is AddRows32 computed by AVX2, on the columns [0, dim&^7);
// weights is nil or one per row (VMULPS, then VADDPS: the product
// rounded, then the sum). It prefetches rows[i+8] while it adds rows[i].
//
//go:noescape
func addRows32Asm(dst, table []float32, dim int, rows []int64, weights []float32)

//go:build (!amd64 && !arm64) || !gc || purego

package kernel

// lookupAsm reports whether this build has assembly for WidenRows and
// AddRowsHalf (amd64 and arm64 only).
const lookupAsm = false

// Never called in this build (lookupAsm is false); here so that the calls
// by name compile.

func widenRowsBF16Asm(dst []float32, table []uint16, dim int, rows []int64) { panic("unreachable") }

func widenRowsF16Asm(dst []float32, table []uint16, dim int, rows []int64) { panic("unreachable") }

func addRowsBF16Asm(dst []float32, table []uint16, dim int, rows []int64, weights []float32) {
	panic("unreachable")
}

func addRowsF16Asm(dst []float32, table []uint16, dim int, rows []int64, weights []float32) {
	panic("unreachable")
}

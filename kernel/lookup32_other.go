//go:build !amd64 || !gc || purego

package kernel

// lookup32Asm reports whether this build has assembly for CopyRows32 and
// AddRows32 (amd64 only: other paths run the generic code, whose copy is
// the runtime's).
const lookup32Asm = false

// Never called in this build (lookup32Asm is false); here so that the
// calls by name compile.

func copyRows32Asm(dst, table []float32, dim int, rows []int64) { panic("unreachable") }

func addRows32Asm(dst, table []float32, dim int, rows []int64, weights []float32) {
	panic("unreachable")
}

//go:build race

package kernel

import (
	"runtime"
	"unsafe"
)

// raceEnabled is whether this binary was built with the race detector.
const raceEnabled = true

// The race detector does not see memory that assembly touches; the assembly
// paths report their reads and writes through these.

func raceRead32(s []float32) {
	runtime.RaceReadRange(unsafe.Pointer(unsafe.SliceData(s)), len(s)*4)
}

func raceWrite32(s []float32) {
	runtime.RaceWriteRange(unsafe.Pointer(unsafe.SliceData(s)), len(s)*4)
}

func raceRead64(s []float64) {
	runtime.RaceReadRange(unsafe.Pointer(unsafe.SliceData(s)), len(s)*8)
}

func raceWrite64(s []float64) {
	runtime.RaceWriteRange(unsafe.Pointer(unsafe.SliceData(s)), len(s)*8)
}

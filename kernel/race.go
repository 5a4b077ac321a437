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

func raceRead[T any](s []T) {
	runtime.RaceReadRange(unsafe.Pointer(unsafe.SliceData(s)), len(s)*int(unsafe.Sizeof(*new(T))))
}

func raceWrite[T any](s []T) {
	runtime.RaceWriteRange(unsafe.Pointer(unsafe.SliceData(s)), len(s)*int(unsafe.Sizeof(*new(T))))
}

// raceStep reports the reads and writes of a dense step.
func raceStep[T any](param, grad, sum []T) {
	raceRead(grad)
	raceRead(sum)
	raceWrite(param)
	raceWrite(sum)
}

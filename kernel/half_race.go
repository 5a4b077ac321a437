//go:build race

package kernel

import (
	"runtime"
	"unsafe"
)

func raceRead16(s []uint16) {
	runtime.RaceReadRange(unsafe.Pointer(unsafe.SliceData(s)), len(s)*2)
}

func raceWrite16(s []uint16) {
	runtime.RaceWriteRange(unsafe.Pointer(unsafe.SliceData(s)), len(s)*2)
}

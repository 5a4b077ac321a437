//go:build !linux

package sparse

// memoryBytes returns 0: the machine's memory is known on Linux only.
func memoryBytes() uint64 { return 0 }

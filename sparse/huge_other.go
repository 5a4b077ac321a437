//go:build !linux

package sparse

// hugePages does nothing here: huge pages are asked for on Linux only.
func hugePages[E float32 | uint16]([]E) {}

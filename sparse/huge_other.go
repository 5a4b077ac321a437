//go:build !linux

package sparse

// hugePages does nothing here: huge pages are asked for on Linux only.
func hugePages([]float32) {}

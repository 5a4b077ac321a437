//go:build !linux

package sparse

// adviseHuge is a no-op where transparent huge pages are not known.
func adviseHuge([]float32) {}

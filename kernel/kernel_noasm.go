//go:build !(amd64 || arm64) || !gc || purego

package kernel

// archImpls returns the assembly paths this CPU can run: none in this build.
func archImpls() []*impl { return nil }

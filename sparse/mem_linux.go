package sparse

import "golang.org/x/sys/unix"

// memoryBytes returns the machine's memory and swap in bytes, or 0 if it
// cannot tell.
func memoryBytes() uint64 {
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) != nil {
		return 0
	}
	unit := uint64(max(si.Unit, 1))
	return (uint64(si.Totalram) + uint64(si.Totalswap)) * unit
}

//go:build unix

package checkpoint

import (
	"os"
	"syscall"
)

// lockFile takes an advisory lock on f, held until f is closed, telling
// the Saves of other processes that f is being written. Where the file
// system has no locks, it does nothing.
func lockFile(f *os.File) {
	syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}

// tryLockFile reports whether it could lock f, that is, whether no live
// writer holds f.
func tryLockFile(f *os.File) bool {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil
}

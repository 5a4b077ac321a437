//go:build !unix

package checkpoint

import "os"

func lockFile(*os.File) {}

// tryLockFile reports false: without locks, a temporary file of a live
// writer cannot be told from a stale one, so none is removed.
func tryLockFile(*os.File) bool { return false }

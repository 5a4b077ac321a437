//go:build unix

package checkpoint

import "syscall"

// openNonblock keeps Open from blocking on a FIFO.
const openNonblock = syscall.O_NONBLOCK

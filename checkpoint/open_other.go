//go:build !unix

package checkpoint

const openNonblock = 0

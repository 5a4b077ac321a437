// Package testenv decides what a test does when the machine lacks something
// it needs from outside Go (a Python with torch, a data set): on a
// developer's machine it skips; under CI=true, where .ci/run installs all
// of it, it fails, so that a test the matrix means to run cannot pass by
// skipping.
package testenv

import (
	"fmt"
	"os"
	"testing"
)

// CI reports whether the tests run under CI=true.
func CI() bool { return os.Getenv("CI") == "true" }

// Missing skips t, or fails it under CI=true, with the message that says
// what is missing and how to install it.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if CI() {
		t.Fatalf("%s; CI=true: .ci/run installs it, and this test may not skip", msg)
	}
	t.Skip(msg)
}

// Package subtest runs a test again in a child process with a different
// environment, for what a process fixes at start (the kernel path that
// ADAGRAD_KERNEL selects). It is for tests.
package subtest

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// childVar marks the child process.
const childVar = "ADAGRAD_SUBTEST_CHILD"

// Child reports whether this process is the child of [Run].
func Child() bool { return os.Getenv(childVar) != "" }

// Run runs the test named name (the calling test) in a child process with
// env added to the environment, under ADAGRAD_TEST_EXEC's emulator when it
// is set, and fails t unless the child passes it. The test checks
// [Child] first and does its work there.
func Run(t *testing.T, name string, env ...string) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a subprocess")
	}
	args := []string{os.Args[0], "-test.run=^" + name + "$", "-test.v"}
	if prefix := strings.Fields(os.Getenv("ADAGRAD_TEST_EXEC")); len(prefix) > 0 {
		args = append(prefix, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(append(os.Environ(), childVar+"=1"), env...)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+name) {
		t.Errorf("child: %v\n%s", err, out)
	}
}

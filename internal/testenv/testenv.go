// Package testenv is the tests' view of their environment. It decides what
// a test does when the machine lacks something it needs from outside Go (a
// Python with torch, a data set): on a developer's machine it skips; under
// CI=true, where .ci/run installs all of it, it fails, so that a test the
// matrix means to run cannot pass by skipping. And it runs a test again in
// a child process with another environment, for what a process fixes at
// start (the kernel path that ADAGRAD_KERNEL selects).
package testenv

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"strings"
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

// TorchPython returns a Python interpreter that can import torch, or ""
// (ADAGRAD_TORCH_PYTHON overrides the default, Debian's /usr/bin/python3).
func TorchPython() string {
	py := os.Getenv("ADAGRAD_TORCH_PYTHON")
	if py == "" {
		py = "/usr/bin/python3"
	}
	if exec.Command(py, "-c", "import torch").Run() != nil {
		return ""
	}
	return py
}

// childVar marks the child process.
const childVar = "ADAGRAD_SUBTEST_CHILD"

// Child reports whether this process is the child of [RunChild].
func Child() bool { return os.Getenv(childVar) != "" }

// RunChild runs the test named name (the calling test) in a child process with
// env added to the environment, under ADAGRAD_TEST_EXEC's emulator when it
// is set, and fails t unless the child passes it. The test checks
// [Child] first and does its work there.
func RunChild(t *testing.T, name string, env ...string) {
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

// Workers is what has SetWorkers and Workers: an optimizer, a table.
type Workers interface {
	SetWorkers(n int)
	Workers() int
}

// CheckWorkers checks the meaning of SetWorkers that optim and sparse
// share: n <= 0 means GOMAXPROCS at each step, not at the call; n >= 1 is
// kept whatever GOMAXPROCS is, up to the clamp of 1024.
func CheckWorkers(t *testing.T, w Workers) {
	t.Helper()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	runtime.GOMAXPROCS(2)
	w.SetWorkers(0)
	runtime.GOMAXPROCS(3)
	if got := w.Workers(); got != 3 {
		t.Errorf("SetWorkers(0), then GOMAXPROCS 3: Workers() = %d", got)
	}
	w.SetWorkers(5)
	runtime.GOMAXPROCS(1)
	if got := w.Workers(); got != 5 {
		t.Errorf("SetWorkers(5): Workers() = %d", got)
	}
	w.SetWorkers(math.MaxInt)
	if got := w.Workers(); got != 1024 {
		t.Errorf("SetWorkers(MaxInt): Workers() = %d, want the clamp 1024", got)
	}
}

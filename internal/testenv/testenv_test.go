package testenv

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestMissing runs a test that calls Missing in a child process, with
// CI unset and with CI=true: it skips, then fails.
func TestMissing(t *testing.T) {
	if os.Getenv("TESTENV_CHILD") != "" {
		Missing(t, "no %s here", "frobnicator")
		t.Error("Missing returned")
		return
	}
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	for _, c := range []struct {
		ci, want string
		fails    bool
	}{
		{"", "--- SKIP: TestMissing", false},
		{"false", "--- SKIP: TestMissing", false},
		{"true", "--- FAIL: TestMissing", true},
	} {
		args := []string{os.Args[0], "-test.run=^TestMissing$", "-test.v"}
		if prefix := strings.Fields(os.Getenv("ADAGRAD_TEST_EXEC")); len(prefix) > 0 {
			args = append(prefix, args...) // the emulator that go test -exec ran this binary with
		}
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Env = append(os.Environ(), "TESTENV_CHILD=1", "CI="+c.ci)
		out, err := cmd.CombinedOutput()
		if (err != nil) != c.fails || !strings.Contains(string(out), c.want) || !strings.Contains(string(out), "no frobnicator here") {
			t.Errorf("CI=%q: err %v, want %q in\n%s", c.ci, err, c.want, out)
		}
	}
}

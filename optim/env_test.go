package optim

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestBadKernelSetting: with ADAGRAD_KERNEL naming no available path, Step
// returns the kernel's error instead of panicking, and changes nothing.
func TestBadKernelSetting(t *testing.T) {
	if os.Getenv("OPTIM_BAD_KERNEL_CHILD") != "" {
		p := &Param32{Name: "p", Value: []float32{1}, Grad: []float32{1}}
		opt, err := New(Defaults(), p)
		if err != nil {
			t.Fatal(err)
		}
		err = opt.Step()
		st, _ := opt.State("p")
		if err == nil || !strings.Contains(err.Error(), `ADAGRAD_KERNEL="sse9"`) || p.Value[0] != 1 || st.Step != 0 {
			t.Fatalf("Step: %v, value %v, step %d", err, p.Value[0], st.Step)
		}
		return
	}
	if testing.Short() {
		t.Skip("starts a subprocess")
	}
	args := []string{os.Args[0], "-test.run=^TestBadKernelSetting$", "-test.v"}
	if prefix := strings.Fields(os.Getenv("ADAGRAD_TEST_EXEC")); len(prefix) > 0 {
		args = append(prefix, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "OPTIM_BAD_KERNEL_CHILD=1", "ADAGRAD_KERNEL=sse9", "ADAGRAD_REQUIRE_KERNEL=")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestBadKernelSetting") {
		t.Errorf("child: %v\n%s", err, out)
	}
}

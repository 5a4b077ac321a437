package optim

import (
	"strings"
	"testing"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/internal/testenv"
)

// TestBadKernelSetting: with ADAGRAD_KERNEL naming no available path, Step
// returns the kernel's error instead of panicking, and changes nothing.
func TestBadKernelSetting(t *testing.T) {
	if !testenv.Child() {
		testenv.RunChild(t, "TestBadKernelSetting", "ADAGRAD_KERNEL=sse9", "ADAGRAD_REQUIRE_KERNEL=")
		return
	}
	p := &Param32{Name: "p", Value: []float32{1}, Grad: []float32{1}}
	opt, err := New(adagrad.Defaults(), p)
	if err != nil {
		t.Fatal(err)
	}
	err = opt.Step()
	st, _ := opt.State("p")
	if err == nil || !strings.Contains(err.Error(), `ADAGRAD_KERNEL="sse9"`) || p.Value[0] != 1 || st.Step != 0 {
		t.Fatalf("Step: %v, value %v, step %d", err, p.Value[0], st.Step)
	}
}

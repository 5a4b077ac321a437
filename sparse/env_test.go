package sparse

import (
	"strings"
	"testing"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/internal/testenv"
)

// TestBadKernelSetting: with ADAGRAD_KERNEL naming no available path, Step
// returns the kernel's error, on one worker or several, and changes
// nothing, not the step counter either.
func TestBadKernelSetting(t *testing.T) {
	if !testenv.Child() {
		testenv.RunChild(t, "TestBadKernelSetting", "ADAGRAD_KERNEL=sse9", "ADAGRAD_REQUIRE_KERNEL=")
		return
	}
	for _, layout := range []Layout{Elementwise, Rowwise} {
		for _, nw := range []int{1, 2} {
			tab, err := New(4, 2, layout, adagrad.Defaults())
			if err != nil {
				t.Fatal(err)
			}
			tab.SetWorkers(nw)
			idx := make([]int64, 2000) // enough for two workers
			err = tab.Step(idx, make([]float32, 2*len(idx)))
			if err == nil || !strings.Contains(err.Error(), `ADAGRAD_KERNEL="sse9"`) || tab.Steps() != 0 {
				t.Fatalf("%v, %d workers: Step: %v, steps %d", layout, nw, err, tab.Steps())
			}
			tab.Close()
		}
	}
}

package sparse

import (
	"strings"
	"testing"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/internal/testenv"
)

// TestBadKernelSetting: with ADAGRAD_KERNEL naming no available path, Step
// returns the kernel's error, on one worker or several, and changes
// nothing, not the step counter either; Lookup and Bag, of float32 and
// 16-bit tables, return it and write nothing.
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
	for _, st := range []Storage{{}, {Weights: BFloat16}} {
		tab, err := New(4, 8, Elementwise, adagrad.Defaults(), st)
		if err != nil {
			t.Fatal(err)
		}
		dst := make([]float32, 16)
		for i := range dst {
			dst[i] = 7
		}
		errs := []error{
			tab.Lookup(dst, []int64{1, 2}),
			tab.Bag(dst[:8], []int64{1, 2}, []int64{0}, Sum, nil),
		}
		for i, err := range errs {
			if err == nil || !strings.Contains(err.Error(), `ADAGRAD_KERNEL="sse9"`) {
				t.Fatalf("%v weights, call %d: %v", st.Weights, i, err)
			}
		}
		for i, x := range dst {
			if x != 7 {
				t.Fatalf("%v weights: dst[%d] written", st.Weights, i)
			}
		}
		tab.Close()
	}
}

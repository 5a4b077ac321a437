//go:build race

package kernel

import (
	"os"
	"strings"
	"sync"
	"testing"
)

// TestRaceDetectorSeesAssembly runs, in a child process, a step that races
// with a plain write to param, on every path, and requires the race
// detector to report it: the assembly's memory accesses are reported with
// runtime.RaceReadRange and RaceWriteRange.
func TestRaceDetectorSeesAssembly(t *testing.T) {
	if name := os.Getenv("ADAGRAD_RACE_CHILD"); name != "" {
		for _, p := range Paths() {
			if p.Name() != name {
				continue
			}
			param := make([]float32, 64)
			grad := make([]float32, 64)
			sum := make([]float32, 64)
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				param[40] = 1 // races with the step below
			}()
			p.Step32(param, grad, sum, Options{LR: 0.1})
			wg.Wait()
		}
		return
	}
	for _, p := range Paths() {
		cmd := childCommand("-test.run=^TestRaceDetectorSeesAssembly$", "-test.count=1")
		cmd.Env = append(os.Environ(), "ADAGRAD_RACE_CHILD="+p.Name())
		out, _ := cmd.CombinedOutput()
		if !strings.Contains(string(out), "WARNING: DATA RACE") {
			t.Errorf("path %s: the race detector did not report a write racing with the step:\n%s", p.Name(), out)
		} else {
			t.Logf("path %s: race reported", p.Name())
		}
	}
}

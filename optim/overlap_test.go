package optim

import (
	"fmt"
	"strings"
	"testing"
	"unsafe"

	"github.com/adagrad-go/adagrad"
)

// TestOverlapRefused: parameters whose Values share memory, or a Grad that
// overlaps a Value, are refused by New, AddGroup and Step, naming both;
// Grads may share memory.
func TestOverlapRefused(t *testing.T) {
	mem := make([]float32, 100)
	mem64 := make([]float64, 10)
	for _, c := range []struct {
		name   string
		params []Param
		want   string
	}{
		{"same slice", []Param{&Param32{Name: "a", Value: mem[:10]}, &Param32{Name: "b", Value: mem[:10]}},
			`the Value of "a" and the Value of "b" share memory`},
		{"partial", []Param{&Param32{Name: "a", Value: mem[10:20]}, &Param32{Name: "b", Value: mem[15:25]}},
			`the Value of "a" and the Value of "b" share memory`},
		{"one inside another", []Param{&Param32{Name: "big", Value: mem[:50]}, &Param32{Name: "x", Value: mem[60:70]}, &Param32{Name: "small", Value: mem[20:21]}},
			`the Value of "big" and the Value of "small" share memory`},
		{"grad over value", []Param{&Param32{Name: "a", Value: mem[:10], Grad: mem[30:40]}, &Param32{Name: "b", Value: mem[35:45]}},
			`the Grad of "a" and the Value of "b" share memory`},
		{"own grad", []Param{&Param32{Name: "a", Value: mem[:10], Grad: mem[:10]}},
			`the Value of "a" and the Grad of "a" share memory`},
		{"float64 and float32 views", []Param{&Param64{Name: "d", Value: mem64[:2]},
			&Param32{Name: "f", Value: unsafeFloat32s(mem64[1:2])}}, `share memory`},
	} {
		_, err := New(adagrad.Defaults(), c.params...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: New: %v, want %q", c.name, err, c.want)
		}
	}
	// Grads may share memory; disjoint Values are fine.
	g := make([]float32, 10)
	opt, err := New(adagrad.Defaults(), &Param32{Name: "a", Value: mem[:10], Grad: g}, &Param32{Name: "b", Value: mem[10:20], Grad: g})
	if err != nil {
		t.Fatalf("shared Grads: %v", err)
	}
	// AddGroup against the existing group: refused, nothing added.
	if err := opt.AddGroup(adagrad.Defaults(), &Param32{Name: "c", Value: mem[19:30]}); err == nil ||
		!strings.Contains(err.Error(), `the Value of "b" and the Value of "c" share memory`) || opt.Groups() != 1 {
		t.Errorf("AddGroup: %v, %d groups", err, opt.Groups())
	}
	// A Grad moved onto a Value between steps: Step refuses, changes nothing.
	p := &Param32{Name: "p", Value: mem[40:50], Grad: make([]float32, 10)}
	opt, err = New(adagrad.Defaults(), p, &Param32{Name: "q", Value: mem[50:60], Grad: make([]float32, 10)})
	if err != nil {
		t.Fatal(err)
	}
	if err := opt.Step(); err != nil {
		t.Fatal(err)
	}
	p.Grad = mem[55:65]
	mem[55] = 1
	err = opt.Step()
	if st, _ := opt.State("p"); err == nil || !strings.Contains(err.Error(), `the Value of "q" and the Grad of "p" share memory`) || st.Step != 1 {
		t.Errorf("Step with a Grad over a Value: %v, step %d", err, st.Step)
	}
	p.Grad = make([]float32, 10)
	if err := opt.Step(); err != nil {
		t.Errorf("Step after the Grad moved back: %v", err)
	}
}

// TestOverlapManyParams: the check is O(n log n): 200,000 parameters, each
// a slice of one array, none overlapping but the last.
func TestOverlapManyParams(t *testing.T) {
	const n = 200_000
	mem := make([]float32, n+1)
	params := make([]Param, n+1)
	for i := range n {
		params[i] = &Param32{Name: fmt.Sprint("p", i), Value: mem[i : i+1]}
	}
	params[n] = &Param32{Name: "last", Value: mem[n/2 : n/2+2]}
	_, err := New(adagrad.Defaults(), params...)
	if err == nil || !strings.Contains(err.Error(), `"last"`) {
		t.Errorf("New: %v", err)
	}
	if _, err := New(adagrad.Defaults(), params[:n]...); err != nil {
		t.Errorf("New without the overlap: %v", err)
	}
}

// unsafeFloat32s views the memory of s as float32s.
func unsafeFloat32s(s []float64) []float32 {
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(s))), 2*len(s))
}

// TestOverlapAfterRefusedAddGroup: a refused AddGroup leaves the next Step
// checking the existing parameters' memory, which moved into an overlap.
func TestOverlapAfterRefusedAddGroup(t *testing.T) {
	buf := make([]float32, 8)
	a := &Param32{Name: "a", Value: buf[:4], Grad: make([]float32, 4)}
	b := &Param32{Name: "b", Value: buf[4:], Grad: make([]float32, 4)}
	opt, err := New(adagrad.Defaults(), a, b)
	if err != nil {
		t.Fatal(err)
	}
	a.Value = buf[2:6] // now over b's
	if err := opt.AddGroup(adagrad.Defaults(), &Param32{Name: "c", Value: make([]float32, 2)}); err == nil {
		t.Fatal("AddGroup accepted an optimizer whose Values overlap")
	}
	if err := opt.Step(); err == nil || !strings.Contains(err.Error(), "share memory") {
		t.Errorf("Step after the refused AddGroup: %v", err)
	}
	if st, _ := opt.State("a"); st.Step != 0 || buf[2] != 0 {
		t.Error("the refused Step changed something")
	}
}

// TestRestoreManyNames: a file whose group names one parameter 200,000
// times, for an optimizer of 2,000 parameters, is refused by the count of
// names before any name is looked up (scanning the list once per
// parameter took seconds), and a name given twice is an error of its own.
func TestRestoreManyNames(t *testing.T) {
	var params []Param
	for i := range 2000 {
		params = append(params, &Param32{Name: fmt.Sprint("p", i), Value: make([]float32, 1), Grad: make([]float32, 1)})
	}
	opt, err := New(adagrad.Defaults(), params...)
	if err != nil {
		t.Fatal(err)
	}
	good, err := opt.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	many := editGroups(t, good, func(g []map[string]any) {
		names := make([]string, 200_000)
		for i := range names {
			names[i] = "p1999"
		}
		g[0]["params"] = names
	})
	if err := opt.UnmarshalBinary(many); err == nil || !strings.Contains(err.Error(), "200000 parameter names for 2000 parameters") {
		t.Errorf("200,000 names: %v", err)
	}
	twice := editGroups(t, good, func(g []map[string]any) {
		names := g[0]["params"].([]any)
		names[5] = names[4]
	})
	if err := opt.UnmarshalBinary(twice); err == nil || !strings.Contains(err.Error(), `parameter "p4" is named twice`) {
		t.Errorf("a name twice: %v", err)
	}
}

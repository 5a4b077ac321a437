package fuzz

import (
	"bytes"
	"testing"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/checkpoint"
	"github.com/adagrad-go/adagrad/sparse"
)

// fuzzTable returns the table the loader is fuzzed against, stepped once.
func fuzzTable(t testing.TB, layout sparse.Layout) *sparse.Table {
	o := adagrad.Options{LR: 0.1, LRDecay: 0.01, Eps: 1e-10, InitialAccumulatorValue: 0.1, EpsInside: true}
	tab, err := sparse.New(3, 2, layout, o)
	if err != nil {
		t.Fatal(err)
	}
	copy(tab.Weights(), []float32{1, 2, 3, 4, 5, 6})
	if err := tab.Step([]int64{0, 2, 0}, []float32{1, -1, 2, -2, 0.5, 0}); err != nil {
		t.Fatal(err)
	}
	return tab
}

func tableBytes(t testing.TB, tab *sparse.Table) []byte {
	b, err := tab.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzTableLoad: a table's loader, on any bytes, for both layouts: an
// error leaves the table exactly as it was; success makes it hold what
// the file says (it saves back to the same tensors).
func FuzzTableLoad(f *testing.F) {
	for _, layout := range []sparse.Layout{sparse.Elementwise, sparse.Rowwise} {
		good := tableBytes(f, fuzzTable(f, layout))
		f.Add(good, layout == sparse.Rowwise)
		f.Add(good[:len(good)-5], layout == sparse.Rowwise)
	}
	f.Add([]byte{}, false)
	f.Fuzz(func(t *testing.T, data []byte, rowwise bool) {
		layout := sparse.Elementwise
		if rowwise {
			layout = sparse.Rowwise
		}
		tab := fuzzTable(t, layout)
		before := tableBytes(t, tab)
		if err := tab.UnmarshalBinary(data); err != nil {
			if !bytes.Equal(tableBytes(t, tab), before) {
				t.Fatalf("failed load (%v) changed the table", err)
			}
			return
		}
		file, err := checkpoint.Decode(data)
		if err != nil {
			t.Fatalf("the table loaded what checkpoint.Decode refuses: %v", err)
		}
		after, err := checkpoint.Decode(tableBytes(t, tab))
		if err != nil || !sameTensors(file, after) {
			t.Fatalf("after a successful load the table is not the file's tensors (%v)", err)
		}
		if err := tab.Step([]int64{1}, []float32{1, 1}); err != nil && tab.Steps() != 1<<63-1 {
			t.Fatalf("a loaded table cannot step: %v", err)
		}
	})
}

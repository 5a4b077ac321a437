// Package golden reads the reference vectors that real PyTorch produced
// (testdata/torch_adagrad_golden.json.gz at the module root; see
// testdata/README.md) for the tests of the other packages.
package golden

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
)

// Dense is one case of torch.optim.Adagrad on one dense tensor.
type Dense struct {
	Name                    string
	DType                   string // "float32" or "float64"
	LR                      float64
	LRDecay                 float64
	WeightDecay             float64
	InitialAccumulatorValue float64
	Eps                     float64
	Maximize                bool
	Param0                  []uint64   // IEEE-754 bits; float32 bits in the low half
	Grads                   [][]uint64 // one per step
	Params                  [][]uint64 // after each step
	Sums                    [][]uint64 // after each step
}

// SparseStep is one step of a sparse case.
type SparseStep struct {
	Indices []int64
	Values  []uint32 // one row per index, row-major
	Param   []uint32 // the whole table after the step
	Sum     []uint32
}

// Sparse is one case of torch.optim.Adagrad on an embedding table with
// sparse gradients. Weight decay is always 0.
type Sparse struct {
	Name                    string
	Rows, Dim               int
	LR                      float64
	LRDecay                 float64
	InitialAccumulatorValue float64
	Eps                     float64
	Maximize                bool
	Param0                  []uint32
	Steps                   []SparseStep
}

// Set is the whole file.
type Set struct {
	Dense  []Dense
	Sparse []Sparse
}

type hexes []string

func (h hexes) bits() ([]uint64, error) {
	out := make([]uint64, len(h))
	for i, s := range h {
		v, err := strconv.ParseUint(s, 16, 64)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func (h hexes) bits32() ([]uint32, error) {
	out := make([]uint32, len(h))
	for i, s := range h {
		v, err := strconv.ParseUint(s, 16, 32)
		if err != nil {
			return nil, err
		}
		out[i] = uint32(v)
	}
	return out, nil
}

type rawFile struct {
	Dense []struct {
		Name                    string  `json:"name"`
		DType                   string  `json:"dtype"`
		LR                      float64 `json:"lr"`
		LRDecay                 float64 `json:"lr_decay"`
		WeightDecay             float64 `json:"weight_decay"`
		InitialAccumulatorValue float64 `json:"initial_accumulator_value"`
		Eps                     float64 `json:"eps"`
		Maximize                bool    `json:"maximize"`
		Param0                  hexes   `json:"param0"`
		Grads                   []hexes `json:"grads"`
		Params                  []hexes `json:"params"`
		Sums                    []hexes `json:"sums"`
	} `json:"dense"`
	Sparse []struct {
		Name                    string  `json:"name"`
		Rows                    int     `json:"rows"`
		Dim                     int     `json:"dim"`
		LR                      float64 `json:"lr"`
		LRDecay                 float64 `json:"lr_decay"`
		InitialAccumulatorValue float64 `json:"initial_accumulator_value"`
		Eps                     float64 `json:"eps"`
		Maximize                bool    `json:"maximize"`
		Param0                  hexes   `json:"param0"`
		Steps                   []struct {
			Indices []int64 `json:"indices"`
			Values  hexes   `json:"values"`
			Param   hexes   `json:"param"`
			Sum     hexes   `json:"sum"`
		} `json:"steps"`
	} `json:"sparse"`
}

// Path returns where the file is, found from this source file's place in
// the module.
func Path() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return filepath.Join("testdata", "torch_adagrad_golden.json.gz")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "torch_adagrad_golden.json.gz")
}

// Load reads and decodes the file at Path.
func Load() (*Set, error) {
	f, err := os.Open(Path())
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	var raw rawFile
	if err := json.NewDecoder(zr).Decode(&raw); err != nil {
		return nil, fmt.Errorf("golden: %w", err)
	}
	set := &Set{}
	for _, d := range raw.Dense {
		c := Dense{Name: d.Name, DType: d.DType, LR: d.LR, LRDecay: d.LRDecay, WeightDecay: d.WeightDecay,
			InitialAccumulatorValue: d.InitialAccumulatorValue, Eps: d.Eps, Maximize: d.Maximize}
		if c.Param0, err = d.Param0.bits(); err != nil {
			return nil, fmt.Errorf("golden: %s: %w", d.Name, err)
		}
		for _, list := range []struct {
			in  []hexes
			out *[][]uint64
		}{{d.Grads, &c.Grads}, {d.Params, &c.Params}, {d.Sums, &c.Sums}} {
			for _, h := range list.in {
				b, err := h.bits()
				if err != nil {
					return nil, fmt.Errorf("golden: %s: %w", d.Name, err)
				}
				*list.out = append(*list.out, b)
			}
		}
		if len(c.Grads) != len(c.Params) || len(c.Grads) != len(c.Sums) {
			return nil, fmt.Errorf("golden: %s: %d grads, %d params, %d sums", d.Name, len(c.Grads), len(c.Params), len(c.Sums))
		}
		set.Dense = append(set.Dense, c)
	}
	for _, s := range raw.Sparse {
		c := Sparse{Name: s.Name, Rows: s.Rows, Dim: s.Dim, LR: s.LR, LRDecay: s.LRDecay,
			InitialAccumulatorValue: s.InitialAccumulatorValue, Eps: s.Eps, Maximize: s.Maximize}
		if c.Param0, err = s.Param0.bits32(); err != nil {
			return nil, fmt.Errorf("golden: %s: %w", s.Name, err)
		}
		for _, st := range s.Steps {
			step := SparseStep{Indices: st.Indices}
			for _, list := range []struct {
				in  hexes
				out *[]uint32
			}{{st.Values, &step.Values}, {st.Param, &step.Param}, {st.Sum, &step.Sum}} {
				if *list.out, err = list.in.bits32(); err != nil {
					return nil, fmt.Errorf("golden: %s: %w", s.Name, err)
				}
			}
			c.Steps = append(c.Steps, step)
		}
		set.Sparse = append(set.Sparse, c)
	}
	return set, nil
}

// LR returns the learning rate PyTorch uses at step (counted from 1):
// lr / (1 + (step-1)*lrDecay), in float64. It is written here from
// PyTorch's formula, not taken from package adagrad: package kernel's tests
// use it, and package adagrad imports kernel. Package adagrad's tests hold
// its Options.LRAt to this function.
func LR(lr, lrDecay float64, step int) float64 {
	return lr / (1 + float64(step-1)*lrDecay)
}

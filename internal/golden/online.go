package golden

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// Online is one case of ProximalAdagrad or FTRL-Proximal on one dense
// tensor, from TensorFlow's formulas written in PyTorch operations
// (testdata/gen_golden.py --online-out; see testdata/README.md). The
// accumulators decay before step t when DecaySteps > 0 and t is a
// multiple of it.
type Online struct {
	Name                    string
	DType                   string // "float32" or "float64"
	Kind                    string // "proximal_adagrad" or "ftrl"
	LR, L1, L2              float64
	L2Shrinkage, Beta       float64
	InitialAccumulatorValue float64
	DecaySteps              int64
	DecayRate, DecayFloor   float64
	Param0                  []uint64   // IEEE-754 bits; float32 bits in the low half
	Grads                   [][]uint64 // one per step
	Params, Sums, Linears   [][]uint64 // after each step
}

// OnlinePath returns where the online file is.
func OnlinePath() string {
	return filepath.Join(filepath.Dir(Path()), "online_golden.json.gz")
}

// LoadOnline reads and decodes the file at OnlinePath.
func LoadOnline() ([]Online, error) {
	f, err := os.Open(OnlinePath())
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	var raw struct {
		Online []struct {
			Name                    string  `json:"name"`
			DType                   string  `json:"dtype"`
			Kind                    string  `json:"kind"`
			LR                      float64 `json:"lr"`
			L1                      float64 `json:"l1"`
			L2                      float64 `json:"l2"`
			L2Shrinkage             float64 `json:"l2_shrinkage"`
			Beta                    float64 `json:"beta"`
			InitialAccumulatorValue float64 `json:"initial_accumulator_value"`
			DecaySteps              int64   `json:"decay_steps"`
			DecayRate               float64 `json:"decay_rate"`
			DecayFloor              float64 `json:"decay_floor"`
			Param0                  hexes   `json:"param0"`
			Grads                   []hexes `json:"grads"`
			Params                  []hexes `json:"params"`
			Sums                    []hexes `json:"sums"`
			Linears                 []hexes `json:"linears"`
		} `json:"online"`
	}
	if err := json.NewDecoder(zr).Decode(&raw); err != nil {
		return nil, fmt.Errorf("golden: %w", err)
	}
	var out []Online
	for _, d := range raw.Online {
		c := Online{Name: d.Name, DType: d.DType, Kind: d.Kind, LR: d.LR, L1: d.L1, L2: d.L2, L2Shrinkage: d.L2Shrinkage,
			Beta: d.Beta, InitialAccumulatorValue: d.InitialAccumulatorValue, DecaySteps: d.DecaySteps,
			DecayRate: d.DecayRate, DecayFloor: d.DecayFloor}
		if c.Param0, err = d.Param0.bits(); err != nil {
			return nil, fmt.Errorf("golden: %s: %w", d.Name, err)
		}
		for _, list := range []struct {
			in  []hexes
			out *[][]uint64
		}{{d.Grads, &c.Grads}, {d.Params, &c.Params}, {d.Sums, &c.Sums}, {d.Linears, &c.Linears}} {
			for _, h := range list.in {
				b, err := h.bits()
				if err != nil {
					return nil, fmt.Errorf("golden: %s: %w", d.Name, err)
				}
				*list.out = append(*list.out, b)
			}
		}
		if n := len(c.Grads); len(c.Params) != n || len(c.Sums) != n || len(c.Linears) != n {
			return nil, fmt.Errorf("golden: %s: %d grads, %d params, %d sums, %d linears", d.Name, n, len(c.Params), len(c.Sums), len(c.Linears))
		}
		out = append(out, c)
	}
	return out, nil
}

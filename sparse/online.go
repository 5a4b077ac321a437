package sparse

import (
	"fmt"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/checkpoint"
	"github.com/adagrad-go/adagrad/kernel"
)

// A table's update kind (adagrad.Options.Kind) and accumulator decay are
// fixed when it is made, like its layout: they decide its state.
//
//   - Adagrad: the sum of squares (State), either layout.
//   - ProximalAdagrad: the sum of squares, Elementwise only
//     (kernel.ProximalStepRows32).
//   - FTRL: the sum of squares and the linear terms ([Table.Linear]), one
//     each per weight, Elementwise only (kernel.FTRLStepRows32).
//   - With decay (DecaySteps > 0), any kind: one int64 per row, the number
//     of decay periods the row's accumulators have had
//     ([Table.DecayedPeriods]).
//
// Decay is lazy. Step t reads accumulators decayed Periods(t) = t /
// DecaySteps times (adagrad.Options.Periods); a row is decayed only when a
// step touches it: for the periods it missed, k = Periods(t) - its count,
// by kernel.Decay32, which applies the k periods one after another (and
// stops when a period changes nothing), so that the bits are those an
// eager decay of every accumulator at every period would give. An
// untouched row costs nothing; a touched row costs, besides its step, dim
// multiplications (1 rowwise) times min(k, the periods to reach the
// floor), and reading and writing its count. State shows each row's
// accumulators as of its last step.

// onlineState is the table's state beyond weights and sum.
type onlineState struct {
	on      bool      // the kind is not Adagrad, or decay is on
	linear  []float32 // FTRL's linear terms, rows*dim
	decayed []int64   // decay periods applied, per row, when decay is on
}

// checkKind refuses a kind, or decay, that the layout or the weight type
// has no kernel for.
func checkKind(o adagrad.Options, layout Layout, w WeightType) error {
	if layout == Rowwise && o.Kind != adagrad.Adagrad {
		return fmt.Errorf("sparse: kind %v has no rowwise layout; use Elementwise", o.Kind)
	}
	if w != Float32 && (o.Kind != adagrad.Adagrad || o.Decays()) {
		return fmt.Errorf("sparse: a table of %v weights takes Adagrad steps without accumulator decay; kind %v and decay need float32 weights", w, o.Kind)
	}
	return nil
}

// onlinePer is how many 4-byte words per row the kind's and the decay's
// state take beyond the weights and the sum: dim linear terms for FTRL, an
// int64 count for decay.
func onlinePer(o adagrad.Options, dim int) int {
	n := 0
	if o.Kind == adagrad.FTRL {
		n += dim
	}
	if o.Decays() {
		n += 2
	}
	return n
}

// init allocates the state t's options need.
func (s *onlineState) init(t *Table) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%v", v)
		}
	}()
	o := t.opts
	s.on = o.Kind != adagrad.Adagrad || o.Decays()
	if o.Kind == adagrad.FTRL {
		s.linear = tableArray[float32](t.rows*t.dim, 2)
	}
	if o.Decays() {
		s.decayed = make([]int64, t.rows)
	}
	return nil
}

// sameState refuses new options that would need another state, another
// kind or decay turned on or off, or that would change what a decay
// period is.
func sameState(old, o adagrad.Options) error {
	if old.Kind != o.Kind {
		return fmt.Errorf("sparse: the table's kind is %v; it cannot become %v", old.Kind, o.Kind)
	}
	if old.DecaySteps != o.DecaySteps {
		return fmt.Errorf("sparse: decay_steps %d: a table made with decay_steps %d keeps it (its rows count periods of it)", o.DecaySteps, old.DecaySteps)
	}
	return nil
}

// Linear returns FTRL's linear terms, rows*dim values laid out as the
// weights (the table's own memory), or nil for another kind.
func (t *Table) Linear() []float32 { return t.online.linear }

// DecayedPeriods returns, per row, how many decay periods its accumulators
// have had (the table's own memory), or nil without decay.
func (t *Table) DecayedPeriods() []int64 { return t.online.decayed }

// updateOnline is coalesceAndUpdate's second half for the other kinds and
// for decay: s holds the coalesced batch.
func (t *Table) updateOnline(s *scratch, src *source, o kernel.Options) {
	if t.online.decayed != nil {
		periods := t.opts.Periods(t.steps)
		t.decayRows(s.rows1, periods)
		t.decayRows(s.rowsN, periods)
	}
	run := func(rows []int32, grads []float32, gradRows []int32) {
		if len(rows) == 0 {
			return
		}
		switch t.opts.Kind {
		case adagrad.ProximalAdagrad:
			kernel.ProximalStepRows32(t.weights, t.state, t.dim, rows, grads, gradRows, t.opts.OnlineOptions(t.steps))
		case adagrad.FTRL:
			kernel.FTRLStepRows32(t.weights, t.state, t.online.linear, t.dim, rows, grads, gradRows, t.opts.OnlineOptions(t.steps))
		default:
			if t.layout == Rowwise {
				kernel.RowwiseStepRows32(t.weights, t.state, t.dim, rows, grads, gradRows, o)
			} else {
				kernel.StepRows32(t.weights, t.state, t.dim, rows, grads, gradRows, o)
			}
		}
	}
	run(s.rows1, src.rows, s.grow1)
	run(s.rowsN, s.buf, nil)
}

// decayRows brings the accumulators of rows up to periods.
func (t *Table) decayRows(rows []int32, periods int64) {
	d := t.opts.DecayOptions()
	per := t.dim
	if t.layout == Rowwise {
		per = 1
	}
	for _, r := range rows {
		if k := periods - t.online.decayed[r]; k > 0 {
			kernel.Decay32(t.state[int(r)*per:int(r)*per+per], k, d)
			t.online.decayed[r] = periods
		}
	}
}

// onlineTensors are the checkpoint's tensors beyond weight, sum and step:
//
//	linear        F32 [rows, dim]  FTRL's linear terms (kind ftrl)
//	decay_period  I64 [rows]       the decay periods each row has had (decay on)
func (t *Table) onlineTensors() []checkpoint.Tensor {
	var ts []checkpoint.Tensor
	if t.online.linear != nil {
		ts = append(ts, checkpoint.Tensor{Name: "linear", Shape: []int{t.rows, t.dim}, Data: t.online.linear})
	}
	if t.online.decayed != nil {
		ts = append(ts, checkpoint.Tensor{Name: "decay_period", Shape: []int{t.rows}, Data: t.online.decayed})
	}
	return ts
}

func (t *Table) onlineInfos() []checkpoint.TensorInfo {
	var infos []checkpoint.TensorInfo
	for _, x := range t.onlineTensors() {
		dt := checkpoint.F32
		if x.Name == "decay_period" {
			dt = checkpoint.I64
		}
		infos = append(infos, checkpoint.TensorInfo{Name: x.Name, DType: dt, Shape: x.Shape})
	}
	return infos
}

// checkKindOf refuses the options of a checkpoint whose state is not the
// table's.
func (t *Table) checkKindOf(o adagrad.Options) error {
	if o.Kind != t.opts.Kind {
		return fmt.Errorf("the checkpoint is of kind %v, the table's is %v", o.Kind, t.opts.Kind)
	}
	if o.Decays() != t.opts.Decays() {
		return fmt.Errorf("the checkpoint has decay_steps %d, the table %d: decay is on in one only", o.DecaySteps, t.opts.DecaySteps)
	}
	return nil
}

// onlineRead is the online state read from a checkpoint, not yet applied.
type onlineRead struct {
	linear  []float32
	decayed []int64
}

// readOnline reads and checks the online tensors of r: every row's decay
// count must be between 0 and the periods of the checkpoint's step.
func (t *Table) readOnline(r *checkpoint.Reader, o adagrad.Options, step int64) (onlineRead, error) {
	var in onlineRead
	if t.online.linear != nil {
		in.linear = make([]float32, len(t.online.linear))
		if err := r.ReadInto("linear", in.linear); err != nil {
			return in, err
		}
	}
	if t.online.decayed != nil {
		in.decayed = make([]int64, len(t.online.decayed))
		if err := r.ReadInto("decay_period", in.decayed); err != nil {
			return in, err
		}
		most := o.Periods(step)
		for i, p := range in.decayed {
			if p < 0 || p > most {
				return in, fmt.Errorf("decay_period[%d] is %d: not in [0, %d], the periods of step %d", i, p, most, step)
			}
		}
	}
	return in, nil
}

func (t *Table) applyOnline(in onlineRead) {
	copy(t.online.linear, in.linear)
	copy(t.online.decayed, in.decayed)
}

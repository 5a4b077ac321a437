package sparse

import (
	"fmt"
	"math"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/internal/workers"
)

// Layout is the shape of a table's Adagrad state, fixed when the table is
// made.
type Layout int

const (
	// Elementwise keeps one accumulator per weight: rows x dim floats, the
	// step of torch.optim.Adagrad.
	Elementwise Layout = iota
	// Rowwise keeps one accumulator per row: rows floats, FBGEMM's rowwise
	// Adagrad.
	Rowwise
)

// String returns "elementwise" or "rowwise", the names checkpoints use.
func (l Layout) String() string {
	switch l {
	case Elementwise:
		return "elementwise"
	case Rowwise:
		return "rowwise"
	}
	return fmt.Sprintf("Layout(%d)", int(l))
}

// MaxRows is the largest number of rows a table can have: row numbers are
// int32 in the row kernels.
const MaxRows = math.MaxInt32

// Table is an embedding table of rows x dim weights (float32, or 16-bit:
// see [Storage]) with its float32 Adagrad state. Create it with [New].
type Table struct {
	rows, dim int
	layout    Layout
	opts      adagrad.Options
	weights   []float32 // rows*dim, row-major
	state     []float32 // rows*dim elementwise, rows rowwise
	steps     int64
	team      workers.Team
	scratch   []*scratch // one per part of a parallel step
	job       *job       // the parallel step's work
	bags      bagScratch
	half      halfWeights // the weights of a table of 16-bit weights (then weights is nil)
	online    onlineState // the state of the update kind and decay (online.go)
}

// New returns a table of rows x dim weights, all zero, with its state in
// the given layout, filled with o.InitialAccumulatorValue. rows and dim
// must be positive, rows at most [MaxRows], and o valid; a table whose
// weights and state would not fit in an int of bytes, or (on Linux) in the
// machine's memory and swap, is an error. A table that fits there but not
// in the memory left free can still end the process when it is allocated,
// as any allocation can.
//
// On Linux, New asks the kernel to back the weights and the state with
// transparent huge pages (madvise MADV_HUGEPAGE, where the system has them
// on request): a step reads rows all over the table, and with 4 KiB pages
// nearly every row costs a page-table walk. The arrays of a large table
// start at different offsets of a 2 MiB page, so that a row's weights and
// state do not compete for the same cache sets and memory banks; each
// takes up to 2 MiB more than its elements.
//
// A table keeps float32 weights unless a [Storage] (at most one) says
// otherwise: 16-bit weights, bfloat16 or float16, with float32 state (see
// the package documentation).
func New(rows, dim int, layout Layout, o adagrad.Options, storage ...Storage) (*Table, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	st, err := storageOf(storage)
	if err != nil {
		return nil, err
	}
	if layout != Elementwise && layout != Rowwise {
		return nil, fmt.Errorf("sparse: unknown layout %v", layout)
	}
	if err := checkKind(o, layout, st.Weights); err != nil {
		return nil, err
	}
	if rows <= 0 || dim <= 0 {
		return nil, fmt.Errorf("sparse: a table needs rows > 0 and dim > 0, not %d x %d", rows, dim)
	}
	// The weights and the state, in bytes: 4*rows*dim*2 elementwise,
	// 4*rows*(dim+1) rowwise.
	per := 2 * dim
	if layout == Rowwise {
		per = dim + 1
	}
	per += onlinePer(o, dim)
	if rows > MaxRows || dim > math.MaxInt/8 || rows > math.MaxInt/4/per {
		return nil, fmt.Errorf("sparse: a table of %d x %d is too large", rows, dim)
	}
	n := rows
	if layout == Elementwise {
		n = rows * dim
	}
	if need, have := uint64(st.Weights.size())*uint64(rows*dim)+4*uint64(n+rows*onlinePer(o, dim)), memoryBytes(); have > 0 && need > have {
		return nil, fmt.Errorf("sparse: a table of %d x %d is too large: it needs %d bytes, more than this machine's memory and swap (%d)",
			rows, dim, need, have)
	}
	nw := rows * dim
	if st.Weights != Float32 {
		nw = 0
	}
	weights, state, err := allocate(nw, n)
	if err == nil && nw == 0 {
		weights = nil
		err = st.allocate(rows * dim)
	}
	if err != nil {
		return nil, fmt.Errorf("sparse: a table of %d x %d is too large: %v", rows, dim, err)
	}
	t := &Table{rows: rows, dim: dim, layout: layout, opts: o, weights: weights, state: state, half: st}
	t.team = workers.NewTeam(t)
	if err := t.online.init(t); err != nil {
		return nil, fmt.Errorf("sparse: a table of %d x %d is too large: %v", rows, dim, err)
	}
	if v := float32(o.InitialAccumulatorValue); v != 0 {
		for i := range t.state {
			t.state[i] = v
		}
	}
	return t, nil
}

// allocate returns the weights and the state, or the runtime's refusal of
// a size beyond what it can allocate (on 64-bit systems, far less than an
// int of bytes) as an error.
func allocate(nw, ns int) (weights, state []float32, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%v", v)
		}
	}()
	return tableArray[float32](nw, 0), tableArray[float32](ns, 1), nil
}

// Rows returns the number of rows.
func (t *Table) Rows() int { return t.rows }

// Dim returns the number of float32 values in a row.
func (t *Table) Dim() int { return t.dim }

// Layout returns the layout of the table's state.
func (t *Table) Layout() Layout { return t.layout }

// Options returns the table's hyperparameters.
func (t *Table) Options() adagrad.Options { return t.opts }

// SetOptions changes the hyperparameters from the next step on, as
// changing a PyTorch parameter group's options does. An invalid o is an
// error and changes nothing.
func (t *Table) SetOptions(o adagrad.Options) error {
	if err := o.Validate(); err != nil {
		return err
	}
	if err := sameState(t.opts, o); err != nil {
		return err
	}
	t.opts = o
	return nil
}

// Steps returns the step counter: the number of successful calls of Step
// and StepInt32 (or the count restored by Load).
func (t *Table) Steps() int64 { return t.steps }

// Weights returns the weights, rows*dim values, row-major: row r is
// Weights()[r*dim:(r+1)*dim]. It is the table's own memory: set the initial
// weights through it; steps update it in place. A table of 16-bit weights
// has no float32 weights: Weights returns nil (see [Table.Weights16]).
func (t *Table) Weights() []float32 { return t.weights }

// Row returns row r of the weights (the table's own memory). It panics if
// r is out of range, or if the table's weights are 16-bit (see
// [Table.Lookup]).
func (t *Table) Row(r int) []float32 {
	if t.weights == nil {
		panic("sparse: Row of a table of " + t.half.Weights.String() + " weights; use Lookup")
	}
	return t.weights[r*t.dim : (r+1)*t.dim : (r+1)*t.dim]
}

// State returns the Adagrad state, the table's own memory: rows*dim sums,
// row-major, in the Elementwise layout; rows accumulators, one per row, in
// the Rowwise layout.
func (t *Table) State() []float32 { return t.state }

// SetWorkers sets how many goroutines, the caller's included, a step
// uses: n >= 1 fixes the number (at most 1024); n <= 0 restores the
// default, runtime.GOMAXPROCS(0) read at each step. The results are the
// same bits for any number.
func (t *Table) SetWorkers(n int) { t.team.SetWorkers(n) }

// Workers returns how many goroutines the next step uses.
func (t *Table) Workers() int { return t.team.Workers() }

// Close stops the worker goroutines of parallel steps and waits for them
// to return. The table stays usable: a later parallel step starts them
// again. Calling Close is optional, since the workers also stop once the
// table is garbage collected. It always returns nil.
func (t *Table) Close() error {
	t.team.Close()
	return nil
}

// IndexError reports an index outside the table.
type IndexError struct {
	Pos   int   // position in the index list
	Index int64 // the index found there
	Rows  int   // the table's rows
}

func (e *IndexError) Error() string {
	return fmt.Sprintf("sparse: index %d at position %d is outside the table's rows [0, %d)", e.Index, e.Pos, e.Rows)
}

package sparse

import (
	"errors"
	"fmt"
	"math"
	"runtime"

	"github.com/adagrad-go/adagrad/internal/hyper"
	"github.com/adagrad-go/adagrad/internal/workers"
	"github.com/adagrad-go/adagrad/kernel"
)

// Options are a table's hyperparameters, with the names, defaults and
// checks of torch.optim.Adagrad (and package optim). Start from
// [Defaults]: the zero Options has a learning rate and an eps of 0.
type Options struct {
	LR                      float64 // learning rate (PyTorch: lr)
	LRDecay                 float64 // step t uses LR / (1 + (t-1)*LRDecay) (lr_decay)
	WeightDecay             float64 // L2 penalty added to the gradients of touched rows (weight_decay)
	InitialAccumulatorValue float64 // the state's starting value (initial_accumulator_value)
	Eps                     float64 // added to the denominator for stability (eps)
	Maximize                bool    // ascend the objective instead of descending (maximize)
	EpsInside               bool    // std = sqrt(sum+eps) instead of PyTorch's sqrt(sum)+eps
	RowWise                 bool    // one accumulator per row (FBGEMM's row-wise Adagrad)
}

// Defaults returns PyTorch's defaults: lr 0.01, eps 1e-10, everything else
// zero or false (element-wise).
func Defaults() Options { return Options{LR: 0.01, Eps: 1e-10} }

// Validate returns PyTorch's error for the first invalid hyperparameter
// (negative, or NaN), or nil.
func (o Options) Validate() error {
	return hyper.Check("sparse", o.LR, o.LRDecay, o.WeightDecay, o.InitialAccumulatorValue, o.Eps)
}

// MaxRows is the largest number of rows a table can have: row numbers are
// int32 in the row kernels.
const MaxRows = math.MaxInt32

// Table is an embedding table of rows x dim float32 weights with its
// Adagrad state. Create it with [New].
type Table struct {
	rows, dim int
	opts      Options
	weights   []float32 // rows*dim, row-major
	state     []float32 // rows*dim element-wise, rows row-wise
	steps     int64
	workers   int        // 0: GOMAXPROCS
	scratch   []*scratch // one per part of a parallel step
	job       *job       // the parallel step's work
	pool      *workers.Pool
	cleanup   runtime.Cleanup
}

// New returns a table of rows x dim weights, all zero, with its state
// filled with o.InitialAccumulatorValue. rows and dim must be positive,
// rows at most [MaxRows], and o valid.
//
// On Linux, New asks the kernel to back the weights and the state with
// transparent huge pages (madvise MADV_HUGEPAGE, where the system has them
// on request): a step reads rows all over the table, and with 4 KiB pages
// nearly every row costs a page-table walk. It measured 24–56% more rows
// per second on one worker for 1M x 128 and 1.5M x 128 tables.
func New(rows, dim int, o Options) (*Table, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if rows <= 0 || dim <= 0 {
		return nil, fmt.Errorf("sparse: a table needs rows > 0 and dim > 0, not %d x %d", rows, dim)
	}
	if rows > MaxRows || rows > math.MaxInt/dim {
		return nil, fmt.Errorf("sparse: a table of %d x %d is too large", rows, dim)
	}
	n := rows
	if !o.RowWise {
		n = rows * dim
	}
	t := &Table{rows: rows, dim: dim, opts: o, weights: make([]float32, rows*dim), state: make([]float32, n)}
	hugePages(t.weights)
	hugePages(t.state)
	if v := float32(o.InitialAccumulatorValue); v != 0 {
		for i := range t.state {
			t.state[i] = v
		}
	}
	return t, nil
}

// Rows returns the number of rows.
func (t *Table) Rows() int { return t.rows }

// Dim returns the number of float32 values in a row.
func (t *Table) Dim() int { return t.dim }

// Options returns the table's hyperparameters.
func (t *Table) Options() Options { return t.opts }

// SetOptions changes the hyperparameters from the next step on, as
// changing a PyTorch parameter group's options does. The mode (RowWise)
// cannot change: the state's shape depends on it.
func (t *Table) SetOptions(o Options) error {
	if err := o.Validate(); err != nil {
		return err
	}
	if o.RowWise != t.opts.RowWise {
		return errors.New("sparse: SetOptions cannot change RowWise: the state's shape depends on it")
	}
	t.opts = o
	return nil
}

// Steps returns the step counter: the number of successful calls of Step
// and StepInt32 (or the count restored by Load).
func (t *Table) Steps() int64 { return t.steps }

// Weights returns the weights, rows*dim values, row-major: row r is
// Weights()[r*dim:(r+1)*dim]. It is the table's own memory: set the initial
// weights through it; steps update it in place.
func (t *Table) Weights() []float32 { return t.weights }

// Row returns row r of the weights (the table's own memory). It panics if
// r is out of range.
func (t *Table) Row(r int) []float32 { return t.weights[r*t.dim : (r+1)*t.dim : (r+1)*t.dim] }

// State returns the Adagrad state, the table's own memory: rows*dim sums,
// row-major, element-wise; rows accumulators, one per row, row-wise.
func (t *Table) State() []float32 { return t.state }

// SetWorkers sets how many goroutines a step uses: n < 1 means
// runtime.GOMAXPROCS(0) at each step (the default). The results are the
// same bits for any number.
func (t *Table) SetWorkers(n int) {
	if n < 0 {
		n = 0
	}
	t.workers = n
}

// Workers returns the number set by SetWorkers (0: GOMAXPROCS).
func (t *Table) Workers() int { return t.workers }

// workerPool returns the pool for parallel steps, of nworkers goroutines,
// starting it (again, when the number changed) as needed. Its workers
// stop with Close or once the table is garbage collected.
func (t *Table) workerPool() *workers.Pool {
	n := t.nworkers()
	if t.pool == nil || t.pool.Size() != n {
		t.Close()
		t.pool = workers.New(n)
		t.cleanup = runtime.AddCleanup(t, (*workers.Pool).Close, t.pool)
	}
	return t.pool
}

// Close stops the worker goroutines of parallel steps and waits for them
// to return. The table stays usable: a later parallel step starts them
// again. Calling Close is optional, since the workers also stop once the
// table is garbage collected. It always returns nil.
func (t *Table) Close() error {
	if t.pool != nil {
		t.cleanup.Stop()
		t.pool.Close()
		t.pool = nil
	}
	return nil
}

// lr returns the learning rate of step t (from 1), as PyTorch computes it.
func (t *Table) lr(step int64) float64 {
	return hyper.LR(t.opts.LR, t.opts.LRDecay, step)
}

func (t *Table) kernelOptions(step int64) kernel.Options {
	return kernel.Options{LR: t.lr(step), Eps: t.opts.Eps, WeightDecay: t.opts.WeightDecay,
		Maximize: t.opts.Maximize, EpsInside: t.opts.EpsInside}
}

func (t *Table) nworkers() int {
	if t.workers > 0 {
		return t.workers
	}
	return runtime.GOMAXPROCS(0)
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

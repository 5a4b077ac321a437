// Package sparse is Adagrad for embedding tables: a batch touches a few
// thousand rows of a table of millions, and only those rows are read and
// written.
//
// A [Table] holds rows x dim float32 weights, row-major, with their Adagrad
// state, in one of two modes:
//
//   - element-wise (the default): one accumulator per weight, the step of
//     torch.optim.Adagrad. Each touched row gets exactly the dense step of
//     package kernel, so its bits equal kernel.Step32 on that row with the
//     row's summed gradient.
//   - row-wise (Options.RowWise): one accumulator per row, FBGEMM's
//     row-wise Adagrad: h[r] += mean over the row of g*g, then
//     param -= lr/(sqrt(h[r])+eps) * g. The state takes rows floats, not
//     rows x dim. The arithmetic, including the order of the sum of
//     squares, is kernel.RowwiseStepRows32's.
//
// [Table.Step] takes row indices and one gradient row per index. Every
// index and length is checked before anything is written: an error names
// the first bad index and its position, and nothing changes, not even the
// step counter. Duplicate indices are summed in order of occurrence
// (float32 additions, left to right); untouched rows are unchanged; weight
// decay applies to touched rows only. The learning rate of step t (counted
// from 1, one per successful call, empty batches included) is
// lr/(1+(t-1)*lr_decay), computed in float64, as in PyTorch.
//
// How a step runs: the indices are checked; then the duplicates are
// found by sorting (row, position) pairs by row with a radix sort, which
// keeps the positions of a row in order; a row seen once keeps its
// gradient row where it is, the gradient rows of a row seen more often are
// summed in order by kernel.SumRows32; then the rows are updated by the
// batched row kernels (kernel.StepRows32 or kernel.RowwiseStepRows32),
// which prefetch rows ahead, the rows seen once in order of position so
// that the gradient is read in order. With more than one worker
// (GOMAXPROCS by default, see [Table.SetWorkers]) the batch is first cut
// into parts by a hash of the row, each part is then coalesced and updated
// on its own, and the calling goroutine and the table's worker goroutines
// take slices of the batch to cut, then parts, in turn. Rows are
// independent, so the results are the same bits whatever the number of
// workers. The workers are started by the first parallel step; between
// steps they keep looking for the next one for up to 200 µs before they
// park, since waking a parked goroutine costs a good part of a step.
// [Table.Close] stops them, and so does garbage collection of the table.
//
// Around the step a training loop needs the forward lookup ([Table.Lookup])
// and pooled bags like torch.nn.EmbeddingBag ([Table.Bag], with
// [Table.BagBackward] turning the pooled gradient into one gradient row per
// index). [Table.Save] and [Table.Load] keep the table, its state and its
// step counter in a safetensors checkpoint (package checkpoint).
//
// A Table is not safe for concurrent use; its methods use their own
// goroutines.
package sparse

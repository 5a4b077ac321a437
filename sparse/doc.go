// Package sparse is Adagrad for embedding tables: a batch touches a few
// thousand rows of a table of millions, and only those rows are read and
// written.
//
// A [Table] holds rows x dim weights (float32, or 16-bit: see below),
// row-major, with their Adagrad state in one of two layouts, chosen when
// the table is made (the state's shape depends on it):
//
//   - [Elementwise]: one accumulator per weight, the step of
//     torch.optim.Adagrad. Each touched row gets exactly the dense step of
//     package kernel, so its bits equal kernel.Step32 on that row with the
//     row's summed gradient.
//   - [Rowwise]: one accumulator per row, FBGEMM's rowwise Adagrad:
//     h[r] += mean over the row of g*g, then param -= lr/(sqrt(h[r])+eps) * g.
//     The state takes rows floats, not rows x dim. The arithmetic, including
//     the order of the sum of squares, is kernel.RowwiseStepRows32's.
//
// The hyperparameters are package adagrad's [adagrad.Options], with
// PyTorch's names, defaults and checks, as for package optim.
//
// The update kind is another axis, fixed when the table is made by
// Options.Kind: Adagrad, or, for online learning on hashed features,
// ProximalAdagrad and FTRL-Proximal (TensorFlow's SparseApplyProximalAdagrad
// and SparseApplyFtrlV2; Elementwise only; FTRL keeps a linear term per
// weight, [Table.Linear]). Accumulator decay (Options.DecaySteps, DeepRec's
// AdagradDecay) works with every kind and layout, lazily: a row the batches
// do not touch costs nothing, and a touched row is decayed for the periods
// it missed with the bits an eager decay would give. Checkpoints keep the
// kind's state and refuse a file of another kind. See online.go.
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
// A step may use several goroutines ([Table.SetWorkers]; GOMAXPROCS by
// default). Rows are independent, so the results are the same bits for
// any number of workers. The workers start with the first step that needs
// them and stop at [Table.Close] or, failing that, once the table is
// garbage collected.
//
// Around the step a training loop needs the forward lookup ([Table.Lookup])
// and pooled bags like torch.nn.EmbeddingBag ([Table.Bag], with
// [Table.BagBackward] turning the pooled gradient into one gradient row per
// index; [Table.StepBags] does that and the step in one, with the same
// bits, without the gradient row per index). [Table.Save] and [Table.Load]
// keep the table, its state and its step counter in a safetensors
// checkpoint (package checkpoint).
//
// # 16-bit weights
//
// A table can keep its weights in 16 bits, [BFloat16] or [Float16], with
// its state in float32 in either layout: a [Storage] given to [New] says
// so, and how a step rounds (stochastically by default, or to nearest even)
// and the seed of the random bits. The weights take rows*dim*2 bytes
// ([Table.Weights16] holds their bits; [Table.SetWeights] sets them from
// float32 values). A float32 table is as it always was.
//
// A step of a 16-bit table is the float32 step on the widened weights,
// rounded back (the contract is package kernel's [kernel.Half]): each
// touched row is widened to float32 exactly, stepped with its summed
// gradient row, element-wise with exactly the bits of kernel.Step32,
// row-wise with those of kernel.RowwiseStep32, and each new weight rounded
// to 16 bits by [kernel.Round]: stochastic rounding goes to the upper of
// the two neighbouring 16-bit values with probability equal to the
// distance from the lower one over the gap (exact ties included; above the
// largest finite value infinity counts as the next value; zeros,
// infinities and 16-bit values are kept; NaN stays a quiet NaN), round to
// nearest is IEEE's, ties to even. The random bits of the weight in column
// c of row r in step t are [kernel.RandomBits](seed, t, r, c): a
// counter-based generator, so a table's bits are the same for any number
// of workers and on every path, and a table restored from a checkpoint
// continues with the bits the saved one would have had. [Table.Lookup] and
// [Table.Bag] read the widened weights and return float32 rows;
// [Table.BagBackward] is unchanged. Checkpoints keep the weights as BF16
// or F16 tensors.
//
// A Table is not safe for concurrent use; its methods use their own
// goroutines.
package sparse

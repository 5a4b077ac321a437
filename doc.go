// Package adagrad is the vocabulary that the Adagrad optimizers of this
// module speak: the hyperparameters ([Options], with PyTorch's names,
// defaults and checks), the learning rate of each step, the per-step
// options of package kernel, the step counter's rule, and the form the
// options take in a checkpoint.
//
// The arithmetic lives in package kernel; package optim applies it to
// dense parameters with PyTorch's semantics, package sparse to the rows of
// embedding tables. Both take the same [Options], check them with the same
// [Options.Validate], count steps by the same rule ([NextStep],
// [CheckSteps]) and keep them in checkpoints in the same JSON
// ([EncodeJSON], [DecodeJSON]), so that a new optimizer or table kind is
// written once over this package, not once per package.
//
// The update kind is one of the options ([Kind]: Adagrad, ProximalAdagrad,
// FTRL), with its hyperparameters (L1, L2, L2Shrinkage, Beta) and
// accumulator decay (DecaySteps, DecayRate, DecayFloor): optim and sparse
// take it through the same Options, and checkpoints record it.
package adagrad

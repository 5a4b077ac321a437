// Package fuzz holds the project's go test -fuzz targets:
//
//   - FuzzStep32, FuzzStep64: every kernel path against the generic one,
//     bit for bit, on lengths, offsets, values and options the fuzzer
//     chooses;
//   - FuzzRowKernels: the row kernels (batched elementwise rows, rowwise
//     Adagrad, sums of gradient rows), every path against generic;
//   - FuzzSparseStep: sparse.Table steps against an independent reference,
//     bad indices and several workers included;
//   - FuzzStepBags: sparse.Table.StepBags against BagBackward followed by
//     Step, bit for bit, errors included;
//   - FuzzCheckpointLoad: arbitrary bytes to the checkpoint format and the
//     optimizer's loader, which must return an error or a valid state and
//     never panic;
//   - FuzzTableLoad: the same for an embedding table's loader, both
//     layouts: an error changes nothing, success holds the file's tensors.
//
// Run one for a while with
//
//	go test ./fuzz -run '^$' -fuzz '^FuzzStep32$' -fuzztime 30s
//
// Without -fuzz, go test runs each target on its seed corpus
// (testdata/fuzz).
package fuzz

// Command bench measures the Adagrad kernels on this machine and prints
// where each path stands: against the generic path, against the loop a Go
// programmer would write by hand, and against the memory bandwidth.
//
//	go run ./bench                  # full table, float32 and float64
//	go run ./bench -quick           # a short run
//	go run ./bench -json > r.json   # machine-readable
//	go run ./bench -from r.json -markdown   # a saved run as Markdown
//	go run ./bench -sizes 16K,64M -types float32 -reps 15
//	go run ./bench -parts bags      # only the fused bag step
//
// Each row is one path at one size (elements per slice); the figure is the
// median over -reps samples, and every sample of every path at a size is
// taken in turn (path by path, sample by sample) so that all the ratios
// compare runs made side by side. The paths are every kernel path this
// build and CPU can run (fastest first, "generic" last), then:
//
//   - prepared: the fastest path through a kernel.Prepared made once, as a
//     caller stepping many small slices with the same options does;
//   - plain-go: the straightforward Go loop, sum += g*g and
//     param -= lr*g/(sqrt(sum)+eps), as a user would write it;
//   - mem-ref: a loop that moves the same bytes as a step (reads param, grad
//     and sum, writes param and sum) with trivial arithmetic, in AVX
//     assembly where the CPU has it, so that at sizes well beyond the last
//     cache it runs at this thread's memory bandwidth.
//
// The columns: ns/elem, GB/s (20 bytes per float32 element, 40 per
// float64), the speed-up over the generic path, and the share of mem-ref's
// speed at the same size ("of mem-ref"), which out of cache is the share of
// the memory bandwidth the path reaches. With -markdown, a table per type
// follows with each kernel path's time over plain-go's at every size.
//
// Two more parts follow the kernels' table (-parts picks among kernels,
// model and bags; all three by default):
//
//   - model: one optimizer step over a model-shaped set of 64 float32
//     parameters of 16 to 1M elements (5.25M in all) by optim with 1 and 2
//     workers, by plain-go parameter by parameter, and by one kernel call
//     over as many elements in one slice; then the 39 small parameters (up
//     to 4K elements) alone, by optim and by plain-go. Each time is over
//     the one call's and over plain-go's, and the 2-worker speed-up follows.
//   - bags: sparse's fused StepBags against the unfused BagBackward + Step
//     on tables of 1M x 64 and 1M x 128, both layouts, batches of 16K
//     skewed indices cut into bags of 1, 20 and 100, sum and mean pooling,
//     one worker: index rows per second of each and the fused rate over the
//     unfused one, as the median of the rounds' ratios.
//
// Their samples are taken in turns too, way by way.
//
// The kernels' measurements also run as standard benchmarks, one
// sub-benchmark per size and path, named for benchstat (optim's
// BenchmarkModel and sparse's BenchmarkBags are the other two parts'):
//
//	go test -run '^$' -bench 'Step32/n=16K' -count 6 ./bench | benchstat -col /path -
package main

// Package kernel holds the fused Adagrad update: one pass over memory that
// accumulates the squared gradient, takes the square root and applies the
// scaled update, element by element.
//
// For every element, in the precision of the slices (float32 or float64),
// each operation correctly rounded and fma rounded once:
//
//	g := grad[i]
//	if maximize         { g = -g }
//	if weightDecay != 0 { g = fma(weightDecay, param[i], g) }
//	s := fma(g, g, sum[i])
//	std := sqrt(s) + eps            // sqrt(s + eps) when EpsInside
//	param[i] = param[i] - (lr*g)/std
//	sum[i] = s
//
// This is what torch.optim.Adagrad computes on the CPU, bit for bit.
//
// Several paths compute it: "generic" (plain Go, the reference that
// defines every result bit), "avx2" (amd64 with AVX2 and FMA3) and "neon"
// (arm64). The fastest available path is chosen once, when the package is
// initialised; every path gives the same bits as generic for every input
// (any NaN where generic gives a NaN). [Paths] lists the paths of this
// machine, each usable directly as a [Path].
//
// The environment variable ADAGRAD_KERNEL forces a path for the process
// ("generic", or the name of an available path; empty or "auto" picks the
// fastest). An unknown or unavailable name is an error: [Check] returns it,
// and the package-level kernels and [Implementation] panic with it. The
// build tag purego removes the assembly.
//
// A call converts its Options into the coefficients the paths read; with
// one element or a few, that conversion is most of the call. [Prepare]
// does it once: a [Prepared] steps any number of slices with the same
// Options, with the bits of Step32 and Step64.
//
// For embedding tables (package sparse) there are row kernels too:
// [StepRows32] steps a batch of rows of a table in one call, bit for bit
// Step32 on each row; [RowwiseStep32] and [RowwiseStepRows32] are rowwise
// Adagrad, one accumulator per row, with a fixed order of summation so
// that every path gives the same bits; [SumRows32] sums the gradient rows
// of duplicate indices in order.
//
// Tables of 16-bit weights (bfloat16 or float16, see [Half]) have their
// own row kernels, [StepRowsHalf] and [RowwiseStepRowsHalf]: each row is
// widened to float32 exactly ([Widen]), stepped as the float32 kernels
// step it, and rounded back ([Round]) stochastically, with random bits
// from a counter-based generator keyed by seed, step, row and column
// ([RandomBits]), or to nearest even. The avx2 and neon paths have
// assembly for them (integer shifts for bfloat16; F16C conversions for
// float16, which the avx2 path requires with AVX2 and FMA3, and FCVTL and
// FCVTN on arm64). The lookups and bags of such tables widen rows
// with [WidenRows] and add them up with [AddRowsHalf], which have AVX2
// and NEON assembly too; those of float32 tables use [CopyRows32] and
// [AddRows32] (AVX2).
//
// For online learning there are ProximalAdagrad ([ProximalStep32],
// [ProximalStep64], [ProximalStepRows32]) and FTRL-Proximal ([FTRLStep32],
// [FTRLStep64], [FTRLStepRows32]), TensorFlow's updates with their
// contracts written out in their documentation, and accumulator decay
// ([Decay32], [Decay64]). Their float32 row kernels (and the float32
// dense steps, as one row) have AVX2 and NEON assembly; their float64
// dense steps and the decay have AVX2 assembly, and on arm64 run the
// generic code. Every path is bit for bit the generic code.
//
// The kernels keep no state and do not allocate.
package kernel

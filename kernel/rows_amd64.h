// The walk over a row list, written once for the row kernels of
// rows_amd64.s, online_amd64.s and half_amd64.s, and the lookups of
// half_amd64.s and lookup_amd64.s, which include this file.
//
// PF is how many rows ahead the kernels prefetch; rows of at most 4
// elements are fetched PFS rows ahead, as such a row takes far less time
// than the memory's latency. The kernels prefetch with PREFETCHT1, into
// the second-level cache: a core keeps more of those misses in flight
// than of PREFETCHT0's, and scattered rows are bound by how many it
// keeps. On the AMD EPYC (Zen 4) of the README's figures, stepping rows
// of one element at random over 64 MiB arrays took 8 ns a row instead of
// 16, and rows of 64 elements 60 ns instead of 73.
#define PF 8
#define PFS 32

// The kernels keep R11 the row list, R12 the gradients, R13 the
// gradient-row list (0 when there is none) and AX the place in the list.
//
// AHEAD1 sets SI to row rows[AX+PFS], for the loops over rows of one
// element, or jumps to L when the list ends before it; n is the list's
// length.
#define AHEAD1(n, L) \
	LEAQ    PFS(AX), SI \
	CMPQ    SI, n \
	JAE     L \
	MOVLQSX (R11)(SI*4), SI

// ROW1 sets SI to row rows[AX] and BX to its gradient row: gradRows[AX],
// or AX without a list.
#define ROW1 \
	MOVLQSX (R11)(AX*4), SI \
	MOVQ    AX, BX \
	TESTQ   R13, R13 \
	JZ      2(PC) \
	MOVLQSX (R13)(AX*4), BX

// LOOKUPROW sets DI to the table row of rows[AX] (int64 rows; R8 the
// table, R10 dim, DX len(rows)) of elements of size bytes, after
// prefetching the table row of rows[AX+PF] a cache line at a time, for
// the lookups; BX and CX are scratch.
#define LOOKUPROW(size, Lpf, Lnopf) \
	LEAQ PF(AX), BX \
	CMPQ BX, DX \
	JAE  Lnopf \
	MOVQ (R11)(BX*8), BX \
	IMULQ R10, BX \
	LEAQ (R8)(BX*size), BX \
	XORQ CX, CX \
Lpf: \
	PREFETCHT1 (BX)(CX*size) \
	ADDQ $(64/size), CX \
	CMPQ CX, R10 \
	JB   Lpf \
	PREFETCHT1 -size(BX)(R10*size) \
Lnopf: \
	MOVQ (R11)(AX*8), DI \
	IMULQ R10, DI \
	LEAQ (R8)(DI*size), DI

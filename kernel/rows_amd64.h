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

// The lookups and bags: LOOKUPARGS loads the arguments they share (SI dst,
// R8 table, R10 dim, R9 dim&^7, R11 rows, DX len(rows); AX i = 0).
#define LOOKUPARGS \
	MOVQ dst_base+0(FP), SI \
	MOVQ table_base+24(FP), R8 \
	MOVQ dim+48(FP), R10 \
	MOVQ rows_base+56(FP), R11 \
	MOVQ rows_len+64(FP), DX \
	MOVQ R10, R9 \
	ANDQ $~7, R9 \
	XORQ AX, AX

// LOOKUPROWS is the lookup of a table of elements of size bytes: 8
// columns at a time loaded as float32 by LOAD (into the register it
// names), stored to consecutive rows of dst.
#define LOOKUPROWS(LOAD, size, Lrow, Lpf, Lnopf, Lloop, Lnext, Ldone) \
	LOOKUPARGS \
Lrow: \
	CMPQ AX, DX \
	JAE  Ldone \
	LOOKUPROW(size, Lpf, Lnopf) \
	XORQ CX, CX \
Lloop: \
	CMPQ CX, R9 \
	JAE  Lnext \
	LOAD(Y0) \
	VMOVUPS Y0, (SI)(CX*4) \
	ADDQ $8, CX \
	JMP  Lloop \
Lnext: \
	LEAQ (SI)(R10*4), SI \
	INCQ AX \
	JMP  Lrow \
Ldone: \
	VZEROUPPER \
	RET

// SCALE multiplies the loaded weights in Y0 by the row's weight (Y7,
// loaded by LOADW from R12, the weights); NOSCALE and NOLOADW do nothing.
#define SCALE VMULPS Y0, Y7, Y0
#define NOSCALE
#define LOADW VBROADCASTSS (R12)(AX*4), Y7
#define NOLOADW

// ADDLOOP is the bag's loop over the rows of a table of elements of size
// bytes, loaded as float32 by LOAD, the row's weight loaded by WLOAD and
// applied by SC, added to dst.
#define ADDLOOP(LOAD, size, WLOAD, SC, Lrow, Lpf, Lnopf, Lloop, Lnext, Ldone) \
Lrow: \
	CMPQ AX, DX \
	JAE  Ldone \
	LOOKUPROW(size, Lpf, Lnopf) \
	WLOAD \
	XORQ CX, CX \
Lloop: \
	CMPQ CX, R9 \
	JAE  Lnext \
	LOAD(Y0) \
	SC \
	VMOVUPS (SI)(CX*4), Y1 \
	VADDPS  Y0, Y1, Y1 \
	VMOVUPS Y1, (SI)(CX*4) \
	ADDQ $8, CX \
	JMP  Lloop \
Lnext: \
	INCQ AX \
	JMP  Lrow \
Ldone: \
	VZEROUPPER \
	RET

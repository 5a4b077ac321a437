//go:build gc && !purego

#include "textflag.h"
#include "rows_amd64.h"

// The lookups of float32 tables: copyRows32Asm (CopyRows32) and
// addRows32Asm (AddRows32), 8 columns at a time, on the columns
// [0, dim&^7) of each listed row, the row PF rows ahead prefetched a cache
// line at a time. Registers: SI dst (the lookup: the row's place), R8
// table, R10 dim, R9 dim&^7, R11 rows (int64), DX len(rows), R12 weights
// (0 when there are none), AX i, DI the table row, BX and CX scratch, Y7
// the row's weight.

// L32ARGS loads the arguments both functions share.
#define L32ARGS \
	MOVQ dst_base+0(FP), SI \
	MOVQ table_base+24(FP), R8 \
	MOVQ dim+48(FP), R10 \
	MOVQ rows_base+56(FP), R11 \
	MOVQ rows_len+64(FP), DX \
	MOVQ R10, R9 \
	ANDQ $~7, R9 \
	XORQ AX, AX

// func copyRows32Asm(dst, table []float32, dim int, rows []int64)
TEXT ·copyRows32Asm(SB), NOSPLIT, $0-80
	L32ARGS

crow:
	CMPQ AX, DX
	JAE  cdone
	LOOKUPROW(4, cpf, cnopf)
	XORQ CX, CX

cloop:
	CMPQ    CX, R9
	JAE     cnext
	VMOVUPS (DI)(CX*4), Y0
	VMOVUPS Y0, (SI)(CX*4)
	ADDQ    $8, CX
	JMP     cloop

cnext:
	LEAQ (SI)(R10*4), SI
	INCQ AX
	JMP  crow

cdone:
	VZEROUPPER
	RET

// func addRows32Asm(dst, table []float32, dim int, rows []int64, weights []float32)
TEXT ·addRows32Asm(SB), NOSPLIT, $0-104
	L32ARGS
	MOVQ weights_base+80(FP), R12
	MOVQ weights_len+88(FP), BX
	TESTQ BX, BX
	JZ   arow

	// Each row times its weight.
awrow:
	CMPQ AX, DX
	JAE  adone
	LOOKUPROW(4, awpf, awnopf)
	VBROADCASTSS (R12)(AX*4), Y7
	XORQ CX, CX

awloop:
	CMPQ    CX, R9
	JAE     awnext
	VMOVUPS (DI)(CX*4), Y0
	VMULPS  Y0, Y7, Y0
	VMOVUPS (SI)(CX*4), Y1
	VADDPS  Y0, Y1, Y1
	VMOVUPS Y1, (SI)(CX*4)
	ADDQ    $8, CX
	JMP     awloop

awnext:
	INCQ AX
	JMP  awrow

	// Without weights.
arow:
	CMPQ AX, DX
	JAE  adone
	LOOKUPROW(4, apf, anopf)
	XORQ CX, CX

aloop:
	CMPQ    CX, R9
	JAE     anext
	VMOVUPS (DI)(CX*4), Y0
	VMOVUPS (SI)(CX*4), Y1
	VADDPS  Y0, Y1, Y1
	VMOVUPS Y1, (SI)(CX*4)
	ADDQ    $8, CX
	JMP     aloop

anext:
	INCQ AX
	JMP  arow

adone:
	VZEROUPPER
	RET

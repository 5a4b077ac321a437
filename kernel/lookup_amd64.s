//go:build gc && !purego

#include "textflag.h"
#include "rows_amd64.h"

// The lookups of float32 tables: copyRows32Asm (CopyRows32) and
// addRows32Asm (AddRows32), 8 columns at a time, on the columns
// [0, dim&^7) of each listed row, with the loops of rows_amd64.h
// (LOOKUPROWS, ADDLOOP), which prefetch the row PF rows ahead a cache
// line at a time. Registers: SI dst (the lookup: the row's place), R8
// table, R10 dim, R9 dim&^7, R11 rows (int64), DX len(rows), R12 weights
// (0 when there are none), AX i, DI the table row, BX and CX scratch, Y7
// the row's weight.

// LOAD32 loads the 8 float32 weights at column CX of the table row DI.
#define LOAD32(D) VMOVUPS (DI)(CX*4), D

// func copyRows32Asm(dst, table []float32, dim int, rows []int64)
TEXT ·copyRows32Asm(SB), NOSPLIT, $0-80
	LOOKUPROWS(LOAD32, 4, crow, cpf, cnopf, cloop, cnext, cdone)

// func addRows32Asm(dst, table []float32, dim int, rows []int64, weights []float32)
TEXT ·addRows32Asm(SB), NOSPLIT, $0-104
	LOOKUPARGS
	MOVQ weights_base+80(FP), R12
	TESTQ R12, R12
	JNZ aw
	ADDLOOP(LOAD32, 4, NOLOADW, NOSCALE, arow, apf, anopf, aloop, anext, adone)
aw:
	ADDLOOP(LOAD32, 4, LOADW, SCALE, awrow, awpf, awnopf, awloop, awnext, awdone)

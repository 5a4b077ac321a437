//go:build gc && !purego

#include "textflag.h"
#include "go_asm.h"
#include "step_amd64.h"
#include "rows_amd64.h"

// The row kernels (step_amd64.h holds the step's arithmetic and the
// coefficient registers). Registers in stepRows32Asm and
// rowwiseRows32Asm:
//   R8 table, R9 sum or h, R10 bytes per row (dim*4), R11 rows,
//   R12 grads, R13 gradRows (0 when there is none), DX len(rows), AX i
//   DI the table row, BX its gradient row, SI and CX scratch

// rowlanes are lane numbers; comparing the count of elements left against
// them gives the mask of lanes that hold elements.
DATA rowlanes<>+0(SB)/4, $0
DATA rowlanes<>+4(SB)/4, $1
DATA rowlanes<>+8(SB)/4, $2
DATA rowlanes<>+12(SB)/4, $3
DATA rowlanes<>+16(SB)/4, $4
DATA rowlanes<>+20(SB)/4, $5
DATA rowlanes<>+24(SB)/4, $6
DATA rowlanes<>+28(SB)/4, $7
GLOBL rowlanes<>(SB), RODATA|NOPTR, $32

// rowoffs are the byte offsets of the lanes, the index vector of MLOAD.
DATA rowoffs<>+0(SB)/4, $0
DATA rowoffs<>+4(SB)/4, $4
DATA rowoffs<>+8(SB)/4, $8
DATA rowoffs<>+12(SB)/4, $12
DATA rowoffs<>+16(SB)/4, $16
DATA rowoffs<>+20(SB)/4, $20
DATA rowoffs<>+24(SB)/4, $24
DATA rowoffs<>+28(SB)/4, $28
GLOBL rowoffs<>(SB), RODATA|NOPTR, $32

// LOADARGS loads the arguments common to both functions, and the
// coefficients.
#define LOADARGS \
	MOVQ c+0(FP), AX \
	COEFFS32(AX) \
	MOVQ table_base+8(FP), R8 \
	MOVQ dim+56(FP), R10 \
	MOVQ rows_base+64(FP), R11 \
	MOVQ rows_len+72(FP), DX \
	MOVQ grads_base+88(FP), R12 \
	MOVQ gradRows_base+112(FP), R13 \
	MOVQ gradRows_len+120(FP), AX \
	TESTQ AX, AX \
	CMOVQEQ AX, R13

// ROWPTRS sets DI to row rows[AX] of the table and BX to its gradient
// row; it leaves the row number in SI.
#define ROWPTRS \
	ROW1 \
	MOVQ    SI, DI \
	IMULQ   R10, DI \
	ADDQ    R8, DI \
	IMULQ   R10, BX \
	ADDQ    R12, BX

// GRADPF sets R14 to the gradient row of row SI of the list (for the
// prefetches).
#define GRADPF \
	MOVQ SI, R14 \
	TESTQ R13, R13 \
	JZ 2(PC) \
	MOVLQSX (R13)(SI*4), R14 \
	IMULQ R10, R14 \
	ADDQ R12, R14

// MASK sets Y8 to the lanes below the count of elements in n, and Y6 to
// the lane offsets that MLOAD needs.
#define MASK(n) \
	MOVQ         n, X8 \
	VPBROADCASTD X8, Y8 \
	VPCMPGTD     rowlanes<>(SB), Y8, Y8 \
	VMOVDQU      rowoffs<>(SB), Y6

// MLOAD loads into D the float32 at disp(base)(CX*1) in the lanes of the
// mask Y8, and zero in the others, reading only the lanes of the mask: a
// gather with the mask, whose masked-off elements are never accessed (a
// masked VMASKMOVPS load would do on hardware, but emulators do not all
// honour its fault suppression). It needs the lane offsets in Y6 and
// clobbers Y5 and R14.
#define MLOAD(base, disp, D) \
	LEAQ       disp(base)(CX*1), R14 \
	VMOVUPS    Y8, Y5 \
	VXORPS     D, D, D \
	VGATHERDPS Y5, (R14)(Y6*1), D

#define VEC(off, P, G, S, T) \
	VMOVUPS off(DI)(CX*1), P \
	VMOVUPS off(BX)(CX*1), G \
	VMOVUPS off(SI)(CX*1), S \
	STEP32Y(P, G, S, T) \
	VMOVUPS P, off(DI)(CX*1) \
	VMOVUPS S, off(SI)(CX*1)

// func stepRows32Asm(c *coeffs32, table, sum []float32, dim int, rows []int32, grads []float32, gradRows []int32)
TEXT ·stepRows32Asm(SB), NOSPLIT, $0-136
	LOADARGS
	MOVQ sum_base+32(FP), R9
	SHLQ $2, R10
	XORQ AX, AX
	CMPQ R10, $4 // rows of one element
	JEQ  d1row

erow:
	CMPQ AX, DX
	JAE  edone

	// Prefetch the table, sum and gradient rows PF rows ahead, PFS rows
	// ahead for rows of at most 16 bytes.
	LEAQ PF(AX), SI
	CMPQ R10, $16
	JA   2(PC)
	LEAQ PFS(AX), SI
	CMPQ SI, DX
	JAE  enopf
	GRADPF
	MOVLQSX (R11)(SI*4), SI
	IMULQ R10, SI
	LEAQ  (R8)(SI*1), DI
	ADDQ  R9, SI
	XORQ  CX, CX

epf:
	PREFETCHT1 (DI)(CX*1)
	PREFETCHT1 (SI)(CX*1)
	PREFETCHT1 (R14)(CX*1)
	ADDQ $64, CX
	CMPQ CX, R10
	JB   epf
	PREFETCHT1 -1(DI)(R10*1)
	PREFETCHT1 -1(SI)(R10*1)
	PREFETCHT1 -1(R14)(R10*1)

enopf:
	ROWPTRS
	IMULQ R10, SI
	ADDQ  R9, SI
	XORQ  CX, CX // byte offset in the row

	// 32 elements at a time while they fit, then 8, then 4, then one at a
	// time.
eloop32:
	LEAQ 128(CX), R14
	CMPQ R14, R10
	JA   eloop8
	VEC(0, Y0, Y1, Y2, Y3)
	VEC(32, Y4, Y5, Y6, Y7)
	VEC(64, Y0, Y1, Y2, Y3)
	VEC(96, Y4, Y5, Y6, Y7)
	MOVQ R14, CX
	JMP  eloop32

eloop8:
	LEAQ 32(CX), R14
	CMPQ R14, R10
	JA   etail
	VEC(0, Y0, Y1, Y2, Y3)
	MOVQ R14, CX
	JMP  eloop8

etail:
	// 0 to 7 elements left: 4 in the low half of the registers, if there
	// are, then one at a time in lane 0 (VMOVSS clears the other lanes;
	// what they compute is never stored).
	LEAQ 16(CX), R14
	CMPQ R14, R10
	JA   etail1
	VMOVUPS (DI)(CX*1), X0
	VMOVUPS (BX)(CX*1), X1
	VMOVUPS (SI)(CX*1), X2
	STEP32X(X0, X1, X2, X3)
	VMOVUPS X0, (DI)(CX*1)
	VMOVUPS X2, (SI)(CX*1)
	MOVQ R14, CX

etail1:
	CMPQ   CX, R10
	JAE    enext
	VMOVSS (DI)(CX*1), X0
	VMOVSS (BX)(CX*1), X1
	VMOVSS (SI)(CX*1), X2
	STEP32X(X0, X1, X2, X3)
	VMOVSS X0, (DI)(CX*1)
	VMOVSS X2, (SI)(CX*1)
	ADDQ   $4, CX
	JMP    etail1

enext:
	INCQ AX
	JMP  erow

edone:
	VZEROUPPER
	RET

	// Rows of one element: the step of etail1, with one prefetch each of
	// the table and sum lines PFS rows ahead, and none of the loops above.
	// SI is the row and BX its gradient row, as numbers. The gradients are
	// not prefetched: sparse passes rows of one element with their
	// gradients in order, which the hardware fetches ahead.
d1row:
	CMPQ AX, DX
	JAE  edone
	AHEAD1(DX, d1nopf)
	PREFETCHT1 (R8)(SI*4)
	PREFETCHT1 (R9)(SI*4)

d1nopf:
	ROW1
	VMOVSS (R8)(SI*4), X0
	VMOVSS (R12)(BX*4), X1
	VMOVSS (R9)(SI*4), X2
	STEP32X(X0, X1, X2, X3)
	VMOVSS X0, (R8)(SI*4)
	VMOVSS X2, (R9)(SI*4)
	INCQ AX
	JMP  d1row

// SQ adds the squares of the 8 gradients at off(BX)(CX*1) (params at
// off(DI)(CX*1)) into the accumulator A.
#define SQ(off, A, G, P) \
	VMOVUPS     off(BX)(CX*1), G \
	VMOVUPS     off(DI)(CX*1), P \
	GRAD32Y(P, G, P) \
	VFMADD231PS G, G, A

// UPD updates the 8 params at off(DI)(CX*1): p = p - step*g, step in Y9.
#define UPD(off, G, P, T) \
	VMOVUPS off(BX)(CX*1), G \
	VMOVUPS off(DI)(CX*1), P \
	GRAD32Y(P, G, T) \
	VMULPS  Y9, G, G \
	VSUBPS  G, P, P \
	VMOVUPS P, off(DI)(CX*1)

// func rowwiseRows32Asm(c *coeffs32, table, h []float32, dim int, rows []int32, grads []float32, gradRows []int32)
//
// Without weight decay the mean of the squares depends on the gradient row
// alone, so a row whose gradient row is the previous row's (the rows of one
// bag, as sparse's StepBags lists them) reuses the previous mean instead of
// computing it again: the same bits, without pass 1. The frame holds the
// previous gradient row (0: none, or weight decay on) and its mean.
TEXT ·rowwiseRows32Asm(SB), NOSPLIT, $16-136
	MOVQ $0, prevgrad-8(SP)
	LOADARGS
	MOVQ h_base+32(FP), R9
	VCVTSI2SSQ R10, X7, X7 // float32(dim), kept for the whole call
	SHLQ $2, R10
	XORQ AX, AX

rrow:
	CMPQ AX, DX
	JAE  rdone

	// Prefetch the table row, the accumulator and the gradient row PF
	// rows ahead.
	LEAQ PF(AX), SI
	CMPQ SI, DX
	JAE  rnopf
	GRADPF
	MOVLQSX (R11)(SI*4), SI
	PREFETCHT1 (R9)(SI*4)
	IMULQ R10, SI
	ADDQ  R8, SI
	XORQ  CX, CX

rpf:
	PREFETCHT1 (SI)(CX*1)
	PREFETCHT1 (R14)(CX*1)
	ADDQ $64, CX
	CMPQ CX, R10
	JB   rpf
	PREFETCHT1 -1(SI)(R10*1)
	PREFETCHT1 -1(R14)(R10*1)

rnopf:
	ROWPTRS
	CMPQ BX, prevgrad-8(SP)
	JNE  rpass1
	VMOVSS prevmean-16(SP), X0
	JMP    rmean

rpass1:
	// Pass 1: a[j%16] = fma(g, g, a[j%16]); lanes 0-7 in Y0, 8-15 in Y1.
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	XORQ   CX, CX

r1loop:
	LEAQ 64(CX), R14
	CMPQ R14, R10
	JA   r1tail
	SQ(0, Y0, Y2, Y4)
	SQ(32, Y1, Y3, Y5)
	MOVQ R14, CX
	JMP  r1loop

r1tail:
	// 0 to 15 elements left: the first 8 go to Y0, the rest to Y1. The
	// lanes a masked load leaves out are cleared after GRAD32Y (weight decay
	// could make them NaN), so they add +0 to accumulators that are +0
	// or more: no change.
	MOVQ R10, R14
	SUBQ CX, R14
	JZ   rreduce
	CMPQ R14, $32
	JB   r1mask0
	SQ(0, Y0, Y2, Y4)
	SUBQ $32, R14
	JZ   rreduce
	SHRQ $2, R14
	MASK(R14)
	MLOAD(BX, 32, Y2)
	MLOAD(DI, 32, Y4)
	GRAD32Y(Y4, Y2, Y4)
	VANDPS Y8, Y2, Y2
	VFMADD231PS Y2, Y2, Y1
	JMP rreduce

r1mask0:
	SHRQ $2, R14
	MASK(R14)
	MLOAD(BX, 0, Y2)
	MLOAD(DI, 0, Y4)
	GRAD32Y(Y4, Y2, Y4)
	VANDPS Y8, Y2, Y2
	VFMADD231PS Y2, Y2, Y0

rreduce:
	// The tree: for w in 8, 4, 2, 1: a[k] = a[k] + a[k+w], k < w.
	VADDPS       Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VMOVHLPS     X0, X0, X1
	VADDPS       X1, X0, X0
	VMOVSHDUP    X0, X1
	VADDSS       X1, X0, X0

	// h = h + ss/float32(dim); step = lr/(sqrt(h+epsIn)+epsOut)
	VDIVSS  X7, X0, X0
	VMOVSS  X0, prevmean-16(SP)
	MOVQ    c+0(FP), R14
	CMPL    coeffs32_wdMask(R14), $0
	JNE     rmean
	MOVQ    BX, prevgrad-8(SP)

rmean:
	VADDSS  (R9)(SI*4), X0, X1
	VMOVSS  X1, (R9)(SI*4)
	VADDSS  X10, X1, X1
	VSQRTSS X1, X1, X1
	VADDSS  X14, X1, X1
	VDIVSS  X1, X15, X9
	VBROADCASTSS X9, Y9

	// Pass 2: p = p - step*g.
	XORQ CX, CX

r2loop:
	LEAQ 64(CX), R14
	CMPQ R14, R10
	JA   r2tail
	UPD(0, Y0, Y1, Y2)
	UPD(32, Y3, Y4, Y5)
	MOVQ R14, CX
	JMP  r2loop

r2tail:
	MOVQ R10, R14
	SUBQ CX, R14
	JZ   rnext
	CMPQ R14, $32
	JB   r2mask
	UPD(0, Y0, Y1, Y2)
	ADDQ $32, CX
	SUBQ $32, R14
	JZ   rnext

r2mask:
	SHRQ $2, R14
	MASK(R14)
	MLOAD(BX, 0, Y0)
	MLOAD(DI, 0, Y1)
	GRAD32Y(Y1, Y0, Y2)
	VMULPS  Y9, Y0, Y0
	VSUBPS  Y0, Y1, Y1
	VMASKMOVPS Y1, Y8, (DI)(CX*1)

rnext:
	INCQ AX
	JMP  rrow

rdone:
	VZEROUPPER
	RET

// func sumRows32Asm(dst []float32, dim int, grads []float32, list, ends []int32)
//   R8 dst, R10 bytes per row, R12 grads, R13 list, R11 ends, DX len(ends),
//   AX group i, R9 lo (its first list entry), DI its dst row, CX byte
//   offset in the row, SI list position, BX and R14 scratch.
TEXT ·sumRows32Asm(SB), NOSPLIT, $0-104
	MOVQ dst_base+0(FP), R8
	MOVQ dim+24(FP), R10
	SHLQ $2, R10
	MOVQ grads_base+32(FP), R12
	MOVQ list_base+56(FP), R13
	MOVQ ends_base+80(FP), R11
	MOVQ ends_len+88(FP), DX
	XORQ AX, AX
	XORQ R9, R9

sgroup:
	CMPQ AX, DX
	JAE  sdone

	// Prefetch the rows of group i+PF: list[ends[i+PF-1]:ends[i+PF]].
	LEAQ PF(AX), R14
	CMPQ R14, DX
	JAE  snopf
	MOVLQSX -4(R11)(R14*4), SI

spfrow:
	CMPL SI, (R11)(R14*4)
	JGE  snopf
	MOVLQSX (R13)(SI*4), BX
	IMULQ R10, BX
	ADDQ  R12, BX
	XORQ  CX, CX

spfline:
	PREFETCHT1 (BX)(CX*1)
	ADDQ $64, CX
	CMPQ CX, R10
	JB   spfline
	PREFETCHT1 -1(BX)(R10*1)
	INCQ SI
	JMP  spfrow

snopf:
	MOVQ  AX, DI
	IMULQ R10, DI
	ADDQ  R8, DI
	XORQ  CX, CX

	// 8 values at a time: the first row, then each further row added.
sloop8:
	LEAQ 32(CX), R14
	CMPQ R14, R10
	JA   stail
	MOVLQSX (R13)(R9*4), BX
	IMULQ R10, BX
	ADDQ  R12, BX
	VMOVUPS (BX)(CX*1), Y0
	LEAQ  1(R9), SI

sadd8:
	CMPL SI, (R11)(AX*4)
	JGE  sstore8
	MOVLQSX (R13)(SI*4), BX
	IMULQ R10, BX
	ADDQ  R12, BX
	VADDPS (BX)(CX*1), Y0, Y0
	INCQ SI
	JMP  sadd8

sstore8:
	VMOVUPS Y0, (DI)(CX*1)
	MOVQ R14, CX
	JMP  sloop8

stail:
	// 1 to 7 values left, or none: masked loads and stores.
	MOVQ R10, R14
	SUBQ CX, R14
	JZ   snext
	SHRQ $2, R14
	MASK(R14)
	MOVLQSX (R13)(R9*4), BX
	IMULQ R10, BX
	ADDQ  R12, BX
	MLOAD(BX, 0, Y0)
	LEAQ  1(R9), SI

saddt:
	CMPL SI, (R11)(AX*4)
	JGE  sstoret
	MOVLQSX (R13)(SI*4), BX
	IMULQ R10, BX
	ADDQ  R12, BX
	MLOAD(BX, 0, Y1)
	VADDPS Y1, Y0, Y0
	INCQ SI
	JMP  saddt

sstoret:
	VMASKMOVPS Y0, Y8, (DI)(CX*1)

snext:
	MOVLQSX (R11)(AX*4), R9
	INCQ AX
	JMP  sgroup

sdone:
	VZEROUPPER
	RET

//go:build gc && !purego

#include "textflag.h"
#include "go_asm.h"
#include "step_amd64.h"

// The row kernels of 16-bit weights (step_amd64.h holds the step's
// arithmetic and the coefficient registers Y10-Y15), 8 columns at a time:
// the element-wise ones update the columns [0, dim&^7) of each listed row
// and leave the others to the caller; the row-wise ones take rows of a
// multiple of 8 columns. Registers:
//   R8 table, R9 sum (element-wise) or h (row-wise), R10 dim, R11 rows,
//   R12 grads, R13 gradRows (0 when there is none), DX len(rows), AX i,
//   DI the table row, SI its sum row (element-wise) or its number
//   (row-wise), BX its gradient row, CX the column, R14 scratch
//   Y8 all ones for stochastic rounding, Y9 the hash inputs of the 8
//   columns (key + col*0x9E3779B9), Y7 the row-wise step, Y0-Y6 scratch

#define PFH 8

// hlanesG are the lane numbers times 0x9E3779B9 (mod 2^32); hstepG is
// 8*0x9E3779B9 in every lane.
DATA hlanesG<>+0(SB)/4, $0x00000000
DATA hlanesG<>+4(SB)/4, $0x9E3779B9
DATA hlanesG<>+8(SB)/4, $0x3C6EF372
DATA hlanesG<>+12(SB)/4, $0xDAA66D2B
DATA hlanesG<>+16(SB)/4, $0x78DDE6E4
DATA hlanesG<>+20(SB)/4, $0x1715609D
DATA hlanesG<>+24(SB)/4, $0xB54CDA56
DATA hlanesG<>+28(SB)/4, $0x5384540F
GLOBL hlanesG<>(SB), RODATA|NOPTR, $32

// Constants, 8 lanes each (C8), used as memory operands.
#define C8(name, v) \
	DATA name<>+0(SB)/4, v \
	DATA name<>+4(SB)/4, v \
	DATA name<>+8(SB)/4, v \
	DATA name<>+12(SB)/4, v \
	DATA name<>+16(SB)/4, v \
	DATA name<>+20(SB)/4, v \
	DATA name<>+24(SB)/4, v \
	DATA name<>+28(SB)/4, v \
	GLOBL name<>(SB), RODATA|NOPTR, $32

C8(hstepG, $0xF1BBCDC8) // 8*0x9E3779B9
C8(hmul1, $0x85EBCA6B)
C8(hmul2, $0xC2B2AE35)
C8(habs, $0x7FFFFFFF)
C8(hinf, $0x7F800000)
C8(hquiet, $0x00400000)
C8(hone, $1)
C8(h7fff, $0x7FFF)
C8(h40, $0x40)
C8(hfff, $0xFFF)
C8(hrebias, $0x38000000)
C8(hminnorm, $0x38800000)
C8(hinf16, $0x7C00)
C8(hnan16, $0x7E00)
C8(hfrac16, $0x3FF)
C8(hsign16, $0x8000)
C8(h2p24, $0x4B800000) // 2^24
C8(h2m24, $0x33800000) // 2^-24

// HLOADARGS loads the arguments, the coefficients and the rounding mask.
// The argument frames of all four functions are alike: state is sum or h.
#define HLOADARGS \
	MOVQ c+0(FP), AX \
	COEFFS32(AX) \
	VPBROADCASTD coeffsHalf_stochastic(AX), Y8 \
	MOVQ table_base+8(FP), R8 \
	MOVQ state_base+32(FP), R9 \
	MOVQ dim+56(FP), R10 \
	MOVQ rows_base+64(FP), R11 \
	MOVQ rows_len+72(FP), DX \
	MOVQ grads_base+88(FP), R12 \
	MOVQ gradRows_base+112(FP), R13 \
	MOVQ gradRows_len+120(FP), AX \
	TESTQ AX, AX \
	CMOVQEQ AX, R13 \
	XORQ AX, AX

// HPREFETCH prefetches the table and gradient rows of rows[AX+PFH], and
// their sum row (LINE: element-wise) or accumulator (ROW: row-wise), a
// cache line at a time (16 float32 columns). SI, DI, CX and R14 are
// scratch.
#define HPREFETCH(label, Lpf, ROW, LINE, LAST) \
	LEAQ PFH(AX), SI \
	CMPQ SI, DX \
	JAE  label \
	MOVQ SI, R14 \
	TESTQ R13, R13 \
	JZ 2(PC) \
	MOVLQSX (R13)(SI*4), R14 \
	IMULQ R10, R14 \
	LEAQ (R12)(R14*4), R14 \
	MOVLQSX (R11)(SI*4), SI \
	ROW \
	IMULQ R10, SI \
	LEAQ (R8)(SI*2), DI \
	LEAQ (R9)(SI*4), SI \
	XORQ CX, CX \
Lpf: \
	PREFETCHT0 (R14)(CX*4) \
	PREFETCHT0 (DI)(CX*2) \
	LINE \
	ADDQ $16, CX \
	CMPQ CX, R10 \
	JB   Lpf \
	PREFETCHT0 -4(R14)(R10*4) \
	PREFETCHT0 -2(DI)(R10*2) \
	LAST \
label:

#define SUMLINE PREFETCHT0 (SI)(CX*4)
#define SUMLAST PREFETCHT0 -4(SI)(R10*4)
#define HPF PREFETCHT0 (R9)(SI*4)
#define NOPF

// HROW sets SI to the row number of rows[AX], DI to its table row, BX to
// its gradient row, and Y9 to the hash inputs of columns 0-7: the row's
// key (see rowKey) plus the lane numbers times 0x9E3779B9. It clobbers CX
// and R14.
#define HROW \
	MOVLQSX (R11)(AX*4), SI \
	MOVLQZX (R11)(AX*4), R14 \
	INCQ R14 \
	MOVQ $0xD1B54A32D192ED03, CX \
	IMULQ CX, R14 \
	MOVQ c+0(FP), CX \
	ADDQ coeffsHalf_base(CX), R14 \
	MOVQ R14, CX \
	SHRQ $30, CX \
	XORQ CX, R14 \
	MOVQ $0xBF58476D1CE4E5B9, CX \
	IMULQ CX, R14 \
	MOVQ R14, CX \
	SHRQ $27, CX \
	XORQ CX, R14 \
	MOVQ $0x94D049BB133111EB, CX \
	IMULQ CX, R14 \
	MOVQ R14, CX \
	SHRQ $31, CX \
	XORQ CX, R14 \
	MOVQ R14, CX \
	SHRQ $32, CX \
	XORL CX, R14 \
	MOVQ R14, X9 \
	VPBROADCASTD X9, Y9 \
	VPADDD hlanesG<>(SB), Y9, Y9 \
	MOVQ SI, DI \
	IMULQ R10, DI \
	LEAQ (R8)(DI*2), DI \
	MOVQ AX, BX \
	TESTQ R13, R13 \
	JZ 2(PC) \
	MOVLQSX (R13)(AX*4), BX \
	IMULQ R10, BX \
	LEAQ (R12)(BX*4), BX

// HASH sets Y4 to the 32 random bits of the 8 columns (the MurmurHash3
// finalizer of Y9) and moves Y9 on to the next 8 columns; Y5 is scratch.
#define HASH \
	VPSRLD $16, Y9, Y4 \
	VPXOR Y9, Y4, Y4 \
	VPMULLD hmul1<>(SB), Y4, Y4 \
	VPSRLD $13, Y4, Y5 \
	VPXOR Y5, Y4, Y4 \
	VPMULLD hmul2<>(SB), Y4, Y4 \
	VPSRLD $16, Y4, Y5 \
	VPXOR Y5, Y4, Y4 \
	VPADDD hstepG<>(SB), Y9, Y9

// WIDENBF16 sets D to the 8 bfloat16 weights at column CX widened: the
// bits shifted up, a NaN given the quiet bit. T is scratch.
#define WIDENBF16(D, T) \
	VPMOVZXWD (DI)(CX*2), D \
	VPSLLD $16, D, D \
	VPAND habs<>(SB), D, T \
	VPCMPGTD hinf<>(SB), T, T \
	VPAND hquiet<>(SB), T, T \
	VPOR T, D, D

// WIDENF16 sets D to the 8 float16 weights at column CX widened (F16C).
#define WIDENF16(D, T) VCVTPH2PS (DI)(CX*2), D

// ROUNDBF16 rounds the float32 values in Y0 to bfloat16 with the random
// bits in Y4, into the low halves of the lanes of Y5: b + (bits>>16)
// stochastically, b + 0x7FFF + (b>>16 & 1) to nearest even, then the top
// half; a NaN is b>>16 | 0x40. Y1 and Y6 are scratch; L is unused.
#define ROUNDBF16(L) \
	VPSRLD $16, Y4, Y4 \
	VPSRLD $16, Y0, Y6 \
	VPAND hone<>(SB), Y6, Y5 \
	VPADDD h7fff<>(SB), Y5, Y5 \
	VPBLENDVB Y8, Y4, Y5, Y5 \
	VPADDD Y5, Y0, Y5 \
	VPSRLD $16, Y5, Y5 \
	VPOR h40<>(SB), Y6, Y6 \
	VPAND habs<>(SB), Y0, Y1 \
	VPCMPGTD hinf<>(SB), Y1, Y1 \
	VPBLENDVB Y1, Y6, Y5, Y5

// ROUNDF16 rounds the float32 values in Y0 to float16 with the random bits
// in Y4, into the low halves of the lanes of Y5, as round16 does; the
// lanes below 2^-14 take a second computation, skipped (to Lskip) when
// there are none. Y1-Y4 and Y6 are scratch.
#define ROUNDF16(Lskip) \
	VPAND habs<>(SB), Y0, Y1 \
	/* From 2^-14 up: a + (bits>>19) stochastically, a + 0xFFF + (a>>13 & 1) */ \
	/* to nearest even; rebiased, shifted, 0x7C00 (infinity) at most. */ \
	VPSRLD $19, Y4, Y5 \
	VPSRLD $13, Y1, Y6 \
	VPAND hone<>(SB), Y6, Y6 \
	VPADDD hfff<>(SB), Y6, Y6 \
	VPBLENDVB Y8, Y5, Y6, Y6 \
	VPADDD Y1, Y6, Y6 \
	VPSUBD hrebias<>(SB), Y6, Y6 \
	VPSRLD $13, Y6, Y6 \
	VPMINUD hinf16<>(SB), Y6, Y6 \
	/* NaN: 0x7E00 | (a>>13 & 0x3FF). */ \
	VPSRLD $13, Y1, Y5 \
	VPAND hfrac16<>(SB), Y5, Y5 \
	VPOR hnan16<>(SB), Y5, Y5 \
	VPCMPGTD hinf<>(SB), Y1, Y3 \
	VPBLENDVB Y3, Y5, Y6, Y6 \
	/* Below 2^-14: y = a*2^24; stochastically n = trunc(y), plus one when */ \
	/* float32(bits>>8)*2^-24 < y-n; to nearest even n = round(y). */ \
	VMOVDQU hminnorm<>(SB), Y2 \
	VPCMPGTD Y1, Y2, Y2 \
	VPTEST Y2, Y2 \
	JZ Lskip \
	VMULPS h2p24<>(SB), Y1, Y1 \
	VCVTTPS2DQ Y1, Y3 \
	VCVTDQ2PS Y3, Y5 \
	VSUBPS Y5, Y1, Y5 \
	VPSRLD $8, Y4, Y4 \
	VCVTDQ2PS Y4, Y4 \
	VMULPS h2m24<>(SB), Y4, Y4 \
	VCMPPS $1, Y5, Y4, Y4 \
	VPSUBD Y4, Y3, Y3 \
	VCVTPS2DQ Y1, Y1 \
	VPBLENDVB Y8, Y3, Y1, Y1 \
	VPBLENDVB Y2, Y1, Y6, Y6 \
Lskip: \
	/* The sign. */ \
	VPSRLD $16, Y0, Y5 \
	VPAND hsign16<>(SB), Y5, Y5 \
	VPOR Y6, Y5, Y5

// HSTORE packs the 8 16-bit values in the low halves of the lanes of Y5
// and stores them at column CX of the table row; Y6 is scratch.
#define HSTORE \
	VEXTRACTI128 $1, Y5, X6 \
	VPACKUSDW X6, X5, X5 \
	VMOVDQU X5, (DI)(CX*2)

// STEPROWS is the element-wise kernel with the widening WIDEN and the
// rounding ROUND; labels are prefixed by L.
#define STEPROWS(WIDEN, ROUND, Lrow, Lpf, Lpfl, Lloop, Lsk, Lnext, Ldone) \
	HLOADARGS \
Lrow: \
	CMPQ AX, DX \
	JAE  Ldone \
	HPREFETCH(Lpf, Lpfl, NOPF, SUMLINE, SUMLAST) \
	HROW \
	IMULQ R10, SI \
	LEAQ (R9)(SI*4), SI \
	XORQ CX, CX \
Lloop: \
	LEAQ 8(CX), R14 \
	CMPQ R14, R10 \
	JA   Lnext \
	WIDEN(Y0, Y5) \
	VMOVUPS (BX)(CX*4), Y1 \
	VMOVUPS (SI)(CX*4), Y2 \
	STEP32Y(Y0, Y1, Y2, Y3) \
	VMOVUPS Y2, (SI)(CX*4) \
	HASH \
	ROUND(Lsk) \
	HSTORE \
	MOVQ R14, CX \
	JMP  Lloop \
Lnext: \
	INCQ AX \
	JMP  Lrow \
Ldone: \
	VZEROUPPER \
	RET

// ROWWISE is the row-wise kernel with the widening WIDEN and the rounding
// ROUND, for dim a multiple of 8: pass 1 sums the squares into Y0 (columns
// j%16 < 8) and Y1 (j%16 >= 8), the tree and the accumulator are those of
// rowwise32Generic, pass 2 updates and rounds.
#define ROWWISE(WIDEN, ROUND, Lrow, Lpf, Lpfl, L1, Lred, L2, Lsk, Lnext, Ldone) \
	HLOADARGS \
Lrow: \
	CMPQ AX, DX \
	JAE  Ldone \
	HPREFETCH(Lpf, Lpfl, HPF, NOPF, NOPF) \
	HROW \
	VXORPS Y0, Y0, Y0 \
	VXORPS Y1, Y1, Y1 \
	XORQ CX, CX \
L1: \
	CMPQ CX, R10 \
	JAE  Lred \
	WIDEN(Y2, Y4) \
	VMOVUPS (BX)(CX*4), Y3 \
	GRAD32Y(Y2, Y3, Y2) \
	VFMADD231PS Y3, Y3, Y0 \
	ADDQ $8, CX \
	CMPQ CX, R10 \
	JAE  Lred \
	WIDEN(Y2, Y4) \
	VMOVUPS (BX)(CX*4), Y3 \
	GRAD32Y(Y2, Y3, Y2) \
	VFMADD231PS Y3, Y3, Y1 \
	ADDQ $8, CX \
	JMP  L1 \
Lred: \
	VADDPS       Y1, Y0, Y0 \
	VEXTRACTF128 $1, Y0, X1 \
	VADDPS       X1, X0, X0 \
	VMOVHLPS     X0, X0, X1 \
	VADDPS       X1, X0, X0 \
	VMOVSHDUP    X0, X1 \
	VADDSS       X1, X0, X0 \
	VCVTSI2SSQ   R10, X1, X1 \
	VDIVSS  X1, X0, X0 \
	VADDSS  (R9)(SI*4), X0, X1 \
	VMOVSS  X1, (R9)(SI*4) \
	VADDSS  X10, X1, X1 \
	VSQRTSS X1, X1, X1 \
	VADDSS  X14, X1, X1 \
	VDIVSS  X1, X15, X7 \
	VBROADCASTSS X7, Y7 \
	XORQ CX, CX \
L2: \
	CMPQ CX, R10 \
	JAE  Lnext \
	WIDEN(Y0, Y5) \
	VMOVUPS (BX)(CX*4), Y3 \
	GRAD32Y(Y0, Y3, Y2) \
	VMULPS  Y7, Y3, Y3 \
	VSUBPS  Y3, Y0, Y0 \
	HASH \
	ROUND(Lsk) \
	HSTORE \
	ADDQ $8, CX \
	JMP  L2 \
Lnext: \
	INCQ AX \
	JMP  Lrow \
Ldone: \
	VZEROUPPER \
	RET

// func stepRowsBF16Asm(c *coeffsHalf, table []uint16, state []float32, dim int, rows []int32, grads []float32, gradRows []int32)
TEXT ·stepRowsBF16Asm(SB), NOSPLIT, $0-136
	STEPROWS(WIDENBF16, ROUNDBF16, brow, bpf, bpfl, bloop, bsk, bnext, bdone)

// func stepRowsF16Asm(c *coeffsHalf, table []uint16, state []float32, dim int, rows []int32, grads []float32, gradRows []int32)
TEXT ·stepRowsF16Asm(SB), NOSPLIT, $0-136
	STEPROWS(WIDENF16, ROUNDF16, frow, fpf, fpfl, floop, fsk, fnext, fdone)

// func rowwiseRowsBF16Asm(c *coeffsHalf, table []uint16, state []float32, dim int, rows []int32, grads []float32, gradRows []int32)
TEXT ·rowwiseRowsBF16Asm(SB), NOSPLIT, $0-136
	ROWWISE(WIDENBF16, ROUNDBF16, rbrow, rbpf, rbpfl, rb1, rbred, rb2, rbsk, rbnext, rbdone)

// func rowwiseRowsF16Asm(c *coeffsHalf, table []uint16, state []float32, dim int, rows []int32, grads []float32, gradRows []int32)
TEXT ·rowwiseRowsF16Asm(SB), NOSPLIT, $0-136
	ROWWISE(WIDENF16, ROUNDF16, rfrow, rfpf, rfpfl, rf1, rfred, rf2, rfsk, rfnext, rfdone)

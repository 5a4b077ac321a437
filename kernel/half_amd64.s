//go:build gc && !purego

#include "textflag.h"
#include "go_asm.h"
#include "step_amd64.h"

// The element-wise row kernels of 16-bit weights (step_amd64.h holds the
// step's arithmetic and the coefficient registers Y10-Y15). They update
// the columns [0, dim&^7) of each listed row, 8 at a time; the caller
// updates the other columns. Registers:
//   R8 table, R9 sum, R10 dim, R11 rows, R12 grads, R13 gradRows (0 when
//   there is none), DX len(rows), AX i, DI the table row, SI its sum row,
//   BX its gradient row, CX the column, R14 scratch
//   Y8 all ones for stochastic rounding, Y9 the hash inputs of the 8
//   columns (key + col*0x9E3779B9), Y0-Y7 scratch

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

// Constants, each broadcast from 4 bytes.
DATA hstepG<>+0(SB)/4, $0xF1BBCDC8
GLOBL hstepG<>(SB), RODATA|NOPTR, $4
DATA hmul1<>+0(SB)/4, $0x85EBCA6B
GLOBL hmul1<>(SB), RODATA|NOPTR, $4
DATA hmul2<>+0(SB)/4, $0xC2B2AE35
GLOBL hmul2<>(SB), RODATA|NOPTR, $4
DATA habs<>+0(SB)/4, $0x7FFFFFFF
GLOBL habs<>(SB), RODATA|NOPTR, $4
DATA hinf<>+0(SB)/4, $0x7F800000
GLOBL hinf<>(SB), RODATA|NOPTR, $4
DATA hquiet<>+0(SB)/4, $0x00400000
GLOBL hquiet<>(SB), RODATA|NOPTR, $4
DATA hone<>+0(SB)/4, $1
GLOBL hone<>(SB), RODATA|NOPTR, $4
DATA h7fff<>+0(SB)/4, $0x7FFF
GLOBL h7fff<>(SB), RODATA|NOPTR, $4
DATA h40<>+0(SB)/4, $0x40
GLOBL h40<>(SB), RODATA|NOPTR, $4
DATA hfff<>+0(SB)/4, $0xFFF
GLOBL hfff<>(SB), RODATA|NOPTR, $4
DATA hrebias<>+0(SB)/4, $0x38000000
GLOBL hrebias<>(SB), RODATA|NOPTR, $4
DATA hminnorm<>+0(SB)/4, $0x38800000
GLOBL hminnorm<>(SB), RODATA|NOPTR, $4
DATA hinf16<>+0(SB)/4, $0x7C00
GLOBL hinf16<>(SB), RODATA|NOPTR, $4
DATA hnan16<>+0(SB)/4, $0x7E00
GLOBL hnan16<>(SB), RODATA|NOPTR, $4
DATA hfrac16<>+0(SB)/4, $0x3FF
GLOBL hfrac16<>(SB), RODATA|NOPTR, $4
DATA hsign16<>+0(SB)/4, $0x8000
GLOBL hsign16<>(SB), RODATA|NOPTR, $4
DATA h2p24<>+0(SB)/4, $0x4B800000 // 2^24
GLOBL h2p24<>(SB), RODATA|NOPTR, $4
DATA h2m24<>+0(SB)/4, $0x33800000 // 2^-24
GLOBL h2m24<>(SB), RODATA|NOPTR, $4

// HLOADARGS loads the arguments, the coefficients and the rounding mask.
#define HLOADARGS \
	MOVQ c+0(FP), AX \
	COEFFS32(AX) \
	VPBROADCASTD coeffsHalf_stochastic(AX), Y8 \
	MOVQ table_base+8(FP), R8 \
	MOVQ sum_base+32(FP), R9 \
	MOVQ dim+56(FP), R10 \
	MOVQ rows_base+64(FP), R11 \
	MOVQ rows_len+72(FP), DX \
	MOVQ grads_base+88(FP), R12 \
	MOVQ gradRows_base+112(FP), R13 \
	MOVQ gradRows_len+120(FP), AX \
	TESTQ AX, AX \
	CMOVQEQ AX, R13 \
	XORQ AX, AX

// HPREFETCH prefetches the table, sum and gradient rows of rows[AX+PFH]
// (R14 and SI, DI scratch): their first and last cache lines, which for
// the dims of embeddings are most of the row.
#define HPREFETCH(label) \
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
	IMULQ R10, SI \
	LEAQ (R8)(SI*2), DI \
	LEAQ (R9)(SI*4), SI \
	PREFETCHT0 (DI) \
	PREFETCHT0 -2(DI)(R10*2) \
	PREFETCHT0 (SI) \
	PREFETCHT0 -4(SI)(R10*4) \
	PREFETCHT0 (R14) \
	PREFETCHT0 -4(R14)(R10*4) \
label:

// HROW sets DI, SI and BX to the table, sum and gradient rows of
// rows[AX], and Y9 to the hash inputs of columns 0-7: the row's key (see
// rowKey) plus the lane numbers times 0x9E3779B9. It clobbers CX and R14.
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
	IMULQ R10, SI \
	LEAQ (R8)(SI*2), DI \
	LEAQ (R9)(SI*4), SI \
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
	VPBROADCASTD hmul1<>(SB), Y5 \
	VPMULLD Y5, Y4, Y4 \
	VPSRLD $13, Y4, Y5 \
	VPXOR Y5, Y4, Y4 \
	VPBROADCASTD hmul2<>(SB), Y5 \
	VPMULLD Y5, Y4, Y4 \
	VPSRLD $16, Y4, Y5 \
	VPXOR Y5, Y4, Y4 \
	VPBROADCASTD hstepG<>(SB), Y5 \
	VPADDD Y5, Y9, Y9

// HSTEP loads the gradient and the sum of the 8 columns at CX, steps the
// widened weights in Y0, stores the sum and leaves the new weights in Y0
// and their random bits in Y4.
#define HSTEP \
	VMOVUPS (BX)(CX*4), Y1 \
	VMOVUPS (SI)(CX*4), Y2 \
	STEP32Y(Y0, Y1, Y2, Y3) \
	VMOVUPS Y2, (SI)(CX*4) \
	HASH

// HSTORE packs the 8 16-bit values in the low halves of the lanes of Y5
// and stores them at the column CX of the table row; Y6 is scratch.
#define HSTORE \
	VEXTRACTI128 $1, Y5, X6 \
	VPACKUSDW X6, X5, X5 \
	VMOVDQU X5, (DI)(CX*2)

// func stepRowsBF16Asm(c *coeffsHalf, table []uint16, sum []float32, dim int, rows []int32, grads []float32, gradRows []int32)
TEXT ·stepRowsBF16Asm(SB), NOSPLIT, $0-136
	HLOADARGS

brow:
	CMPQ AX, DX
	JAE  bdone
	HPREFETCH(bnopf)
	HROW
	XORQ CX, CX

bloop:
	LEAQ 8(CX), R14
	CMPQ R14, R10
	JA   bnext

	// Widen: the bits shifted up; a NaN gets the quiet bit.
	VPMOVZXWD (DI)(CX*2), Y0
	VPSLLD $16, Y0, Y0
	VPBROADCASTD habs<>(SB), Y6
	VPAND Y6, Y0, Y5
	VPBROADCASTD hinf<>(SB), Y7
	VPCMPGTD Y7, Y5, Y5
	VPBROADCASTD hquiet<>(SB), Y6
	VPAND Y6, Y5, Y5
	VPOR Y5, Y0, Y0
	HSTEP

	// Round: b + (bits>>16) stochastically, b + 0x7FFF + (b>>16 & 1) to
	// nearest even; then the top half. A NaN is b>>16 | 0x40.
	VPSRLD $16, Y4, Y4
	VPSRLD $16, Y0, Y6
	VPBROADCASTD hone<>(SB), Y7
	VPAND Y7, Y6, Y5
	VPBROADCASTD h7fff<>(SB), Y7
	VPADDD Y7, Y5, Y5
	VPBLENDVB Y8, Y4, Y5, Y5
	VPADDD Y5, Y0, Y5
	VPSRLD $16, Y5, Y5
	VPBROADCASTD h40<>(SB), Y7
	VPOR Y7, Y6, Y6
	VPBROADCASTD habs<>(SB), Y7
	VPAND Y7, Y0, Y1
	VPBROADCASTD hinf<>(SB), Y7
	VPCMPGTD Y7, Y1, Y1
	VPBLENDVB Y1, Y6, Y5, Y5
	HSTORE
	MOVQ R14, CX
	JMP  bloop

bnext:
	INCQ AX
	JMP  brow

bdone:
	VZEROUPPER
	RET

// func stepRowsF16Asm(c *coeffsHalf, table []uint16, sum []float32, dim int, rows []int32, grads []float32, gradRows []int32)
TEXT ·stepRowsF16Asm(SB), NOSPLIT, $0-136
	HLOADARGS

frow:
	CMPQ AX, DX
	JAE  fdone
	HPREFETCH(fnopf)
	HROW
	XORQ CX, CX

floop:
	LEAQ 8(CX), R14
	CMPQ R14, R10
	JA   fnext

	VCVTPH2PS (DI)(CX*2), Y0
	HSTEP

	// a = |b| in Y1.
	VPBROADCASTD habs<>(SB), Y7
	VPAND Y7, Y0, Y1

	// From 2^-14 up: a + (bits>>19) stochastically, a + 0xFFF + (a>>13 & 1)
	// to nearest even; rebiased and shifted; 0x7C00 (infinity) at most.
	VPSRLD $19, Y4, Y5
	VPSRLD $13, Y1, Y6
	VPBROADCASTD hone<>(SB), Y7
	VPAND Y7, Y6, Y6
	VPBROADCASTD hfff<>(SB), Y7
	VPADDD Y7, Y6, Y6
	VPBLENDVB Y8, Y5, Y6, Y6
	VPADDD Y1, Y6, Y6
	VPBROADCASTD hrebias<>(SB), Y7
	VPSUBD Y7, Y6, Y6
	VPSRLD $13, Y6, Y6
	VPBROADCASTD hinf16<>(SB), Y7
	VPMINUD Y7, Y6, Y6

	// Below 2^-14: y = a*2^24; stochastically n = trunc(y), plus one when
	// float32(bits>>8)*2^-24 < y-n; to nearest even n = round(y).
	VPBROADCASTD h2p24<>(SB), Y7
	VMULPS Y7, Y1, Y2
	VCVTTPS2DQ Y2, Y3
	VCVTDQ2PS Y3, Y5
	VSUBPS Y5, Y2, Y5
	VPSRLD $8, Y4, Y4
	VCVTDQ2PS Y4, Y4
	VPBROADCASTD h2m24<>(SB), Y7
	VMULPS Y7, Y4, Y4
	VCMPPS $1, Y5, Y4, Y4
	VPSUBD Y4, Y3, Y3
	VCVTPS2DQ Y2, Y2
	VPBLENDVB Y8, Y3, Y2, Y2

	// The range decides, then NaN: 0x7E00 | (a>>13 & 0x3FF).
	VPBROADCASTD hminnorm<>(SB), Y7
	VPCMPGTD Y1, Y7, Y7
	VPBLENDVB Y7, Y2, Y6, Y5
	VPSRLD $13, Y1, Y6
	VPBROADCASTD hfrac16<>(SB), Y7
	VPAND Y7, Y6, Y6
	VPBROADCASTD hnan16<>(SB), Y7
	VPOR Y7, Y6, Y6
	VPBROADCASTD hinf<>(SB), Y7
	VPCMPGTD Y7, Y1, Y7
	VPBLENDVB Y7, Y6, Y5, Y5

	// The sign.
	VPSRLD $16, Y0, Y6
	VPBROADCASTD hsign16<>(SB), Y7
	VPAND Y7, Y6, Y6
	VPOR Y6, Y5, Y5
	HSTORE
	MOVQ R14, CX
	JMP  floop

fnext:
	INCQ AX
	JMP  frow

fdone:
	VZEROUPPER
	RET

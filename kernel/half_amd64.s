//go:build gc && !purego

#include "textflag.h"
#include "go_asm.h"
#include "step_amd64.h"
#include "rows_amd64.h"

// The row kernels of 16-bit weights (step_amd64.h holds the step's
// arithmetic and the coefficient registers Y10-Y15), 8 columns at a time:
// the element-wise ones update the columns [0, dim&^7) of each listed row
// and leave the others to the caller; the row-wise ones take rows of a
// multiple of 8 columns. Each function has two loops, one for stochastic
// rounding and one for rounding to nearest, so that neither computes the
// other's rounding. Registers:
//   R8 table, R9 sum (element-wise) or h (row-wise), R10 dim, R11 rows,
//   R12 grads, R13 gradRows (0 when there is none), DX len(rows), AX i,
//   DI the table row, SI its sum row (element-wise) or its number
//   (row-wise), BX its gradient row, CX the column, R14 scratch
//   Y9 the hash inputs of the 8 columns (key + col*0x9E3779B9), Y7 the
//   row-wise step, Y8 the byte shuffle of bfloat16 packing, Y0-Y6 scratch
//
// What the rounding computes, 8 lanes at a time, is round16's result for
// every input; the shortcuts rest on these facts:
//   - x, the new weight, is the result of float32 arithmetic, so a NaN x
//     is quiet: b>>16 | 0x40 is b>>16, and 0x7E00 | (a>>13 & 0x3FF) is
//     what VCVTPS2PH gives for it.
//   - The random bits r are f(key + col*0x9E3779B9) = z ^ z>>16 for z the
//     hash before its last step, so r>>16 = z>>16 and r>>19 = z>>19: the
//     last step is needed only by the subnormal float16 rounding.
//   - float16, to nearest: round16 is IEEE round to nearest even with
//     overflow at 65520 and NaNs as VCVTPS2PH gives them: VCVTPS2PH with
//     rounding to nearest even.
//   - float16, stochastic, a >= 2^-14: a + (r>>19), its low 13 bits
//     cleared, is a float16 value (or 2^16 and up, or infinity), which
//     VCVTPS2PH converts exactly, overflowing to infinity; the sign rides
//     along. A NaN takes no random bits.
//   - The widening of a bfloat16 weight need not quiet a NaN: every use of
//     the weight is an arithmetic operation, which quiets it, with the
//     weight in the same operand place as the generic path's.


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

// hpackhi picks the upper 16 bits of each 32-bit lane into the low 8 bytes
// of its 128-bit half (VPSHUFB); the upper 8 bytes are cleared.
DATA hpackhi<>+0(SB)/8, $0x0F0E0B0A07060302
DATA hpackhi<>+8(SB)/8, $0x8080808080808080
DATA hpackhi<>+16(SB)/8, $0x0F0E0B0A07060302
DATA hpackhi<>+24(SB)/8, $0x8080808080808080
GLOBL hpackhi<>(SB), RODATA|NOPTR, $32

// hwiden moves the 16-bit values 0-3 of the low 128-bit half and 4-7 of
// the high half (VBROADCASTI128 put all 8 in both) to the top halves of
// the 32-bit lanes, clearing the bottom halves (VPSHUFB).
DATA hwiden<>+0(SB)/8, $0x0302808001008080
DATA hwiden<>+8(SB)/8, $0x0706808005048080
DATA hwiden<>+16(SB)/8, $0x0B0A808009088080
DATA hwiden<>+24(SB)/8, $0x0F0E80800D0C8080
GLOBL hwiden<>(SB), RODATA|NOPTR, $32

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
C8(hone, $1)
C8(h7fff, $0x7FFF)
C8(hkeep13, $0xFFFFE000)
C8(hminnorm, $0x38800000)
C8(hsign16, $0x8000)
C8(h2p24, $0x4B800000) // 2^24
C8(h2m24, $0x33800000) // 2^-24

// HLOADARGS loads the arguments, the coefficients and the packing shuffle.
// The argument frames of all four functions are alike: state is sum or h.
// It leaves the flags of the test for stochastic rounding (JNE: stochastic).
#define HLOADARGS \
	MOVQ c+0(FP), AX \
	COEFFS32(AX) \
	VMOVDQU hpackhi<>(SB), Y8 \
	MOVQ table_base+8(FP), R8 \
	MOVQ state_base+32(FP), R9 \
	MOVQ dim+56(FP), R10 \
	MOVQ rows_base+64(FP), R11 \
	MOVQ rows_len+72(FP), DX \
	MOVQ grads_base+88(FP), R12 \
	MOVQ gradRows_base+112(FP), R13 \
	MOVQ gradRows_len+120(FP), R14 \
	TESTQ R14, R14 \
	CMOVQEQ R14, R13 \
	CMPL coeffsHalf_stochastic(AX), $0 \
	MOVL $0, AX

// HPFPTRS puts the table, sum (element-wise) and gradient rows of
// rows[AX+PF] (of the last row when there is none) in the frame, for the
// prefetches of the column loops (HPF8), which spread them over the
// updates of row AX; row-wise, it prefetches the accumulator of that row
// (ACC). SI, DI and R14 are scratch.
#define HPFPTRS(ACC) \
	LEAQ PF(AX), SI \
	CMPQ SI, DX \
	JB 2(PC) \
	LEAQ -1(DX), SI \
	MOVQ SI, R14 \
	TESTQ R13, R13 \
	JZ 2(PC) \
	MOVLQSX (R13)(SI*4), R14 \
	IMULQ R10, R14 \
	LEAQ (R12)(R14*4), R14 \
	MOVQ R14, pfg-24(SP) \
	MOVLQSX (R11)(SI*4), SI \
	ACC \
	IMULQ R10, SI \
	LEAQ (R8)(SI*2), DI \
	MOVQ DI, pft-8(SP) \
	LEAQ (R9)(SI*4), SI \
	MOVQ SI, pfs-16(SP)

#define ACCPF PREFETCHT1 (R9)(SI*4)
#define NOPF

// HPF8 prefetches columns CX to CX+7 of the rows HPFPTRS put in the frame:
// the table and gradient rows, and the sum row when SUM; R14 is scratch.
#define HPF8(SUM) \
	MOVQ pft-8(SP), R14 \
	PREFETCHT1 (R14)(CX*2) \
	MOVQ pfg-24(SP), R14 \
	PREFETCHT1 (R14)(CX*4) \
	SUM

#define SUMPF MOVQ pfs-16(SP), R14; PREFETCHT1 (R14)(CX*4)

// HROWPTRS sets SI to the row number of rows[AX], DI to its table row and
// BX to its gradient row.
#define HROWPTRS \
	ROW1 \
	MOVQ SI, DI \
	IMULQ R10, DI \
	LEAQ (R8)(DI*2), DI \
	IMULQ R10, BX \
	LEAQ (R12)(BX*4), BX

// HKEY sets Y9 to the hash inputs of columns 0-7 of row rows[AX]: the
// row's key (see rowKey) plus the lane numbers times 0x9E3779B9. It
// clobbers CX and R14.
#define HKEY \
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
	VPADDD hlanesG<>(SB), Y9, Y9

// HASH sets Y4 to z, the MurmurHash3 finalizer of Y9 before its last step
// (the random bits are z ^ z>>16), and moves Y9 on to the next 8 columns;
// Y5 is scratch.
#define HASH \
	VPSRLD $16, Y9, Y4 \
	VPXOR Y9, Y4, Y4 \
	VPMULLD hmul1<>(SB), Y4, Y4 \
	VPSRLD $13, Y4, Y5 \
	VPXOR Y5, Y4, Y4 \
	VPMULLD hmul2<>(SB), Y4, Y4 \
	VPADDD hstepG<>(SB), Y9, Y9

#define NOHASH

// STEPND and GRADND are STEP32Y and GRAD32Y without weight decay (wdMask
// all zeros), where g is grad ^ neg.
#define STEPND(P, G, S, T) \
	VXORPS Y12, G, G \
	UPDATE32(P, G, S, T, Y10, Y14, Y15)
#define GRADND(P, G, T) VXORPS Y12, G, G

// WIDENBF16 sets D to the 8 bfloat16 weights at column CX widened: the
// bits moved to the top halves of the lanes (a NaN is left signalling,
// see above).
#define WIDENBF16(D) \
	VBROADCASTI128 (DI)(CX*2), D \
	VPSHUFB hwiden<>(SB), D, D

// WIDENF16 sets D to the 8 float16 weights at column CX widened (F16C).
#define WIDENF16(D) VCVTPH2PS (DI)(CX*2), D

// The roundings of the float32 values in Y0 to the 8 16-bit values in X5,
// with z (HASH) in Y4 when stochastic; Y1-Y6 are scratch, L is a label
// for the float16 stochastic rounding.
//
// RBF16S: b + (r>>16), a NaN unchanged, the top halves.
#define RBF16S(L) \
	VPSRLD $16, Y4, Y4 \
	VCMPPS $3, Y0, Y0, Y5 \
	VPANDN Y4, Y5, Y4 \
	VPADDD Y4, Y0, Y5 \
	PACKHI

// RBF16N: b + 0x7FFF + (b>>16 & 1), a NaN unchanged, the top halves.
#define RBF16N(L) \
	VPSRLD $16, Y0, Y4 \
	VPAND hone<>(SB), Y4, Y4 \
	VPADDD h7fff<>(SB), Y4, Y4 \
	VCMPPS $3, Y0, Y0, Y5 \
	VPANDN Y4, Y5, Y4 \
	VPADDD Y4, Y0, Y5 \
	PACKHI

// PACKHI packs the top halves of the lanes of Y5 into X5.
#define PACKHI \
	VPSHUFB Y8, Y5, Y5 \
	VPERMQ $0x08, Y5, Y5

// RF16N: VCVTPS2PH, rounding to nearest even.
#define RF16N(L) VCVTPS2PH $0, Y0, X5

// RF16S: from 2^-14 up, (b + (r>>19)) & ^0x1FFF converted, a NaN without
// the random bits; below 2^-14 (lanes in Y2; skipped to L when there are
// none) y = a*2^24 (exact), n = trunc(y), plus one when
// float32(r>>8)*2^-24 < y-n, with the sign.
#define RF16S(L) \
	VPSRLD $19, Y4, Y6 \
	VCMPPS $3, Y0, Y0, Y5 \
	VPANDN Y6, Y5, Y6 \
	VPADDD Y6, Y0, Y5 \
	VPAND hkeep13<>(SB), Y5, Y5 \
	VCVTPS2PH $0, Y5, X5 \
	VPAND habs<>(SB), Y0, Y1 \
	VMOVDQU hminnorm<>(SB), Y2 \
	VPCMPGTD Y1, Y2, Y2 \
	VPTEST Y2, Y2 \
	JZ L \
	VPSRLD $16, Y4, Y3 \
	VPXOR Y3, Y4, Y4 \
	VMULPS h2p24<>(SB), Y1, Y1 \
	VCVTTPS2DQ Y1, Y3 \
	VCVTDQ2PS Y3, Y6 \
	VSUBPS Y6, Y1, Y6 \
	VPSRLD $8, Y4, Y4 \
	VCVTDQ2PS Y4, Y4 \
	VMULPS h2m24<>(SB), Y4, Y4 \
	VCMPPS $1, Y6, Y4, Y4 \
	VPSUBD Y4, Y3, Y3 \
	VPSRLD $16, Y0, Y6 \
	VPAND hsign16<>(SB), Y6, Y6 \
	VPOR Y6, Y3, Y3 \
	VEXTRACTI128 $1, Y3, X6 \
	VPACKUSDW X6, X3, X3 \
	VEXTRACTI128 $1, Y2, X6 \
	VPACKSSDW X6, X2, X2 \
	VPBLENDVB X2, X3, X5, X5 \
L:

// STEPLOOP is the element-wise loop over the rows with the widening WIDEN,
// the hash HASHK (HASH or NOHASH) with the key KEY (HKEY or nothing) and
// the rounding ROUND; labels are prefixed by L.
#define STEPLOOP(WIDEN, STEP, KEY, HASHK, ROUND, Lrow, Lpf, Lpfl, Lloop, Lsk, Lnext, Ldone) \
Lrow: \
	CMPQ AX, DX \
	JAE  Ldone \
	HPFPTRS(NOPF) \
	KEY \
	HROWPTRS \
	IMULQ R10, SI \
	LEAQ (R9)(SI*4), SI \
	XORQ CX, CX \
Lloop: \
	HPF8(SUMPF) \
	LEAQ 8(CX), R14 \
	CMPQ R14, R10 \
	JA   Lnext \
	WIDEN(Y0) \
	VMOVUPS (BX)(CX*4), Y1 \
	VMOVUPS (SI)(CX*4), Y2 \
	STEP(Y0, Y1, Y2, Y3) \
	VMOVUPS Y2, (SI)(CX*4) \
	HASHK \
	ROUND(Lsk) \
	VMOVDQU X5, (DI)(CX*2) \
	MOVQ R14, CX \
	JMP  Lloop \
Lnext: \
	INCQ AX \
	JMP  Lrow \
Ldone: \
	VZEROUPPER \
	RET

// ROWLOOP is the row-wise loop over the rows with the widening WIDEN, the
// hash HASHK with the key KEY and the rounding ROUND, for dim a multiple of
// 8: pass 1 sums the squares into Y0 (columns j%16 < 8) and Y1 (j%16 >=
// 8), without widening the weights when there is no weight decay (the
// gradient does not depend on them), the tree and the accumulator are
// those of rowwise32Generic, pass 2 updates and rounds.
#define ROWLOOP(WIDEN, GRAD, P1, KEY, HASHK, ROUND, Lrow, Lpf, Lpfl, Lnd, L1, Lred, L2, Lsk, Lnext, Ldone) \
Lrow: \
	CMPQ AX, DX \
	JAE  Ldone \
	HPFPTRS(ACCPF) \
	KEY \
	HROWPTRS \
	VXORPS Y0, Y0, Y0 \
	VXORPS Y1, Y1, Y1 \
	XORQ CX, CX \
	JMP  P1 \
L1: \
	CMPQ CX, R10 \
	JAE  Lred \
	WIDEN(Y2) \
	VMOVUPS (BX)(CX*4), Y3 \
	GRAD32Y(Y2, Y3, Y2) \
	VFMADD231PS Y3, Y3, Y0 \
	ADDQ $8, CX \
	CMPQ CX, R10 \
	JAE  Lred \
	WIDEN(Y2) \
	VMOVUPS (BX)(CX*4), Y3 \
	GRAD32Y(Y2, Y3, Y2) \
	VFMADD231PS Y3, Y3, Y1 \
	ADDQ $8, CX \
	JMP  L1 \
Lnd: \
	CMPQ CX, R10 \
	JAE  Lred \
	VXORPS (BX)(CX*4), Y12, Y3 \
	VFMADD231PS Y3, Y3, Y0 \
	ADDQ $8, CX \
	CMPQ CX, R10 \
	JAE  Lred \
	VXORPS (BX)(CX*4), Y12, Y3 \
	VFMADD231PS Y3, Y3, Y1 \
	ADDQ $8, CX \
	JMP  Lnd \
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
	HPF8(NOPF) \
	WIDEN(Y0) \
	VMOVUPS (BX)(CX*4), Y3 \
	GRAD(Y0, Y3, Y2) \
	VMULPS  Y7, Y3, Y3 \
	VSUBPS  Y3, Y0, Y0 \
	HASHK \
	ROUND(Lsk) \
	VMOVDQU X5, (DI)(CX*2) \
	ADDQ $8, CX \
	JMP  L2 \
Lnext: \
	INCQ AX \
	JMP  Lrow \
Ldone: \
	VZEROUPPER \
	RET

// The lookups and bags of 16-bit weights: widenRows*Asm widen the listed
// rows into consecutive rows of dst, addRows*Asm add them (times their
// weights) to dst, on the columns [0, dim&^7) of each row, with the loops
// of rows_amd64.h (LOOKUPROWS, ADDLOOP) and the widenings. Registers:
//   R8 table, R9 dim&^7, R10 dim, R11 rows, R12 weights (0 when there are
//   none), DX len(rows), AX i, DI the table row, SI the dst row, CX the
//   column, BX scratch, Y7 the row's weight, Y8 hwiden, Y0-Y2 scratch.

C8(hquiet, $0x00400000)

// LWIDENBF16 is WIDENBF16 with widen's quiet bit for NaNs (a lookup
// returns the widened bits themselves).
#define LWIDENBF16(D) \
	WIDENBF16(D) \
	VCMPPS $3, D, D, Y2 \
	VANDPS hquiet<>(SB), Y2, Y2 \
	VORPS  Y2, D, D

// HWD tests for weight decay (JNE: on); AX is 0.
#define HWD \
	MOVQ c+0(FP), R14 \
	CMPL coeffs32_wdMask(R14), $0

// Each function has four loops: rounding to nearest or stochastic, without
// or with weight decay.

// func stepRowsBF16Asm(c *coeffsHalf, table []uint16, state []float32, dim int, rows []int32, grads []float32, gradRows []int32)
TEXT ·stepRowsBF16Asm(SB), NOSPLIT, $24-136
	HLOADARGS
	JNE bs
	HWD
	JNE bnw
	STEPLOOP(WIDENBF16, STEPND, NOPF, NOHASH, RBF16N, bnrow, bnpf, bnpfl, bnloop, bnsk, bnnext, bndone)
bnw:
	STEPLOOP(WIDENBF16, STEP32Y, NOPF, NOHASH, RBF16N, bnwrow, bnwpf, bnwpfl, bnwloop, bnwsk, bnwnext, bnwdone)
bs:
	HWD
	JNE bsw
	STEPLOOP(WIDENBF16, STEPND, HKEY, HASH, RBF16S, bsrow, bspf, bspfl, bsloop, bssk, bsnext, bsdone)
bsw:
	STEPLOOP(WIDENBF16, STEP32Y, HKEY, HASH, RBF16S, bswrow, bswpf, bswpfl, bswloop, bswsk, bswnext, bswdone)

// func stepRowsF16Asm(c *coeffsHalf, table []uint16, state []float32, dim int, rows []int32, grads []float32, gradRows []int32)
TEXT ·stepRowsF16Asm(SB), NOSPLIT, $24-136
	HLOADARGS
	JNE fs
	HWD
	JNE fnw
	STEPLOOP(WIDENF16, STEPND, NOPF, NOHASH, RF16N, fnrow, fnpf, fnpfl, fnloop, fnsk, fnnext, fndone)
fnw:
	STEPLOOP(WIDENF16, STEP32Y, NOPF, NOHASH, RF16N, fnwrow, fnwpf, fnwpfl, fnwloop, fnwsk, fnwnext, fnwdone)
fs:
	HWD
	JNE fsw
	STEPLOOP(WIDENF16, STEPND, HKEY, HASH, RF16S, fsrow, fspf, fspfl, fsloop, fssk, fsnext, fsdone)
fsw:
	STEPLOOP(WIDENF16, STEP32Y, HKEY, HASH, RF16S, fswrow, fswpf, fswpfl, fswloop, fswsk, fswnext, fswdone)

// func rowwiseRowsBF16Asm(c *coeffsHalf, table []uint16, state []float32, dim int, rows []int32, grads []float32, gradRows []int32)
TEXT ·rowwiseRowsBF16Asm(SB), NOSPLIT, $24-136
	HLOADARGS
	JNE rbs
	HWD
	JNE rbnw
	ROWLOOP(WIDENBF16, GRADND, rbnnd, NOPF, NOHASH, RBF16N, rbnrow, rbnpf, rbnpfl, rbnnd, rbn1, rbnred, rbn2, rbnsk, rbnnext, rbndone)
rbnw:
	ROWLOOP(WIDENBF16, GRAD32Y, rbnw1, NOPF, NOHASH, RBF16N, rbnwrow, rbnwpf, rbnwpfl, rbnwnd, rbnw1, rbnwred, rbnw2, rbnwsk, rbnwnext, rbnwdone)
rbs:
	HWD
	JNE rbsw
	ROWLOOP(WIDENBF16, GRADND, rbsnd, HKEY, HASH, RBF16S, rbsrow, rbspf, rbspfl, rbsnd, rbs1, rbsred, rbs2, rbssk, rbsnext, rbsdone)
rbsw:
	ROWLOOP(WIDENBF16, GRAD32Y, rbsw1, HKEY, HASH, RBF16S, rbswrow, rbswpf, rbswpfl, rbswnd, rbsw1, rbswred, rbsw2, rbswsk, rbswnext, rbswdone)

// func rowwiseRowsF16Asm(c *coeffsHalf, table []uint16, state []float32, dim int, rows []int32, grads []float32, gradRows []int32)
TEXT ·rowwiseRowsF16Asm(SB), NOSPLIT, $24-136
	HLOADARGS
	JNE rfs
	HWD
	JNE rfnw
	ROWLOOP(WIDENF16, GRADND, rfnnd, NOPF, NOHASH, RF16N, rfnrow, rfnpf, rfnpfl, rfnnd, rfn1, rfnred, rfn2, rfnsk, rfnnext, rfndone)
rfnw:
	ROWLOOP(WIDENF16, GRAD32Y, rfnw1, NOPF, NOHASH, RF16N, rfnwrow, rfnwpf, rfnwpfl, rfnwnd, rfnw1, rfnwred, rfnw2, rfnwsk, rfnwnext, rfnwdone)
rfs:
	HWD
	JNE rfsw
	ROWLOOP(WIDENF16, GRADND, rfsnd, HKEY, HASH, RF16S, rfsrow, rfspf, rfspfl, rfsnd, rfs1, rfsred, rfs2, rfssk, rfsnext, rfsdone)
rfsw:
	ROWLOOP(WIDENF16, GRAD32Y, rfsw1, HKEY, HASH, RF16S, rfswrow, rfswpf, rfswpfl, rfswnd, rfsw1, rfswred, rfsw2, rfswsk, rfswnext, rfswdone)

// func widenRowsBF16Asm(dst []float32, table []uint16, dim int, rows []int64)
TEXT ·widenRowsBF16Asm(SB), NOSPLIT, $0-80
	VMOVDQU hwiden<>(SB), Y8
	LOOKUPROWS(LWIDENBF16, 2, wbrow, wbpf, wbnopf, wbloop, wbnext, wbdone)

// func widenRowsF16Asm(dst []float32, table []uint16, dim int, rows []int64)
TEXT ·widenRowsF16Asm(SB), NOSPLIT, $0-80
	LOOKUPROWS(WIDENF16, 2, wfrow, wfpf, wfnopf, wfloop, wfnext, wfdone)

// func addRowsBF16Asm(dst []float32, table []uint16, dim int, rows []int64, weights []float32)
TEXT ·addRowsBF16Asm(SB), NOSPLIT, $0-104
	LOOKUPARGS
	VMOVDQU hwiden<>(SB), Y8
	MOVQ weights_base+80(FP), R12
	TESTQ R12, R12
	JNZ abw
	ADDLOOP(WIDENBF16, 2, NOLOADW, NOSCALE, abrow, abpf, abnopf, abloop, abnext, abdone)
abw:
	ADDLOOP(WIDENBF16, 2, LOADW, SCALE, abwrow, abwpf, abwnopf, abwloop, abwnext, abwdone)

// func addRowsF16Asm(dst []float32, table []uint16, dim int, rows []int64, weights []float32)
TEXT ·addRowsF16Asm(SB), NOSPLIT, $0-104
	LOOKUPARGS
	MOVQ weights_base+80(FP), R12
	TESTQ R12, R12
	JNZ afw
	ADDLOOP(WIDENF16, 2, NOLOADW, NOSCALE, afrow, afpf, afnopf, afloop, afnext, afdone)
afw:
	ADDLOOP(WIDENF16, 2, LOADW, SCALE, afwrow, afwpf, afwnopf, afwloop, afwnext, afwdone)

//go:build gc && !purego

#include "textflag.h"
#include "go_asm.h"
#include "rows_amd64.h"

// The online row kernels: ProximalAdagrad and FTRL-Proximal on rows of a
// table, each lane the contract of ProximalStep32 or FTRLStep32 (online.go)
// with IEEE-754 correctly rounded VSQRTPS, VDIVPS, VMULPS, VADDPS, VSUBPS
// and VFMADD231PS (rounded once), so that every lane gives the generic
// path's bits.
//
// Registers:
//   R8 table, R9 sum, DX linear (FTRL), R10 bytes per row (dim*4),
//   R11 rows, R12 grads, R13 gradRows (0 when there is none), AX i,
//   SI the row's byte offset, BX its gradient row, CX byte offset in the
//   row, DI and R14 scratch.
// Coefficients, each in every lane, for a whole call:
//   proximal: Y15 lr, Y14 l1, Y13 l2, Y12 l1Mask, Y11 abs mask, Y10 1.0, Y9 0
//   FTRL:     Y15 lr, Y14 l1, Y13 l2x2, Y12 sh2, Y11 shrinkMask, Y10 abs mask,
//             Y9 |l1| (copysign takes l1's magnitude)
// 8 elements at a time, then the rest one at a time (lane 0 of the X
// registers), so that a row of dim 1 costs one scalar pass and no gather.

// BCAST32 broadcasts the 32-bit constant k into every lane of Y.
#define BCAST32(k, X, Y) \
	MOVL         k, R14 \
	MOVQ         R14, X \
	VPBROADCASTD X, Y

// PROX is the ProximalAdagrad step on the lanes of its registers: P param, G grad, S sum;
// it leaves the new param in P and the new sum in S. T, U, W scratch.
//   s = fma(g, g, s); eta = lr/sqrt(s); v = p - eta*g
//   m = max(|v| - eta*l1, 0) (NaN stays); v = l1Mask ? copysign(m, v) : v
//   p = v / (eta*l2 + 1)
// VMAXPS returns its second source operand when the first is not greater,
// NaN included: max(0, m) is m unless 0 > m; a zero m of either sign is
// then given v's sign, as the contract does.
#define PROX(P, G, S, T, U, W, LR, L1, L2, L1MASK, ABS, ONE, ZERO) \
	VFMADD231PS G, G, S \
	VSQRTPS     S, T \
	VDIVPS      T, LR, T \
	VMULPS      T, G, G \
	VSUBPS      G, P, P \
	VMULPS      L1, T, G \
	VANDPS      ABS, P, U \
	VSUBPS      G, U, U \
	VMAXPS      U, ZERO, U \
	VANDPS      ABS, U, U \
	VANDNPS     P, ABS, W \
	VORPS       W, U, U \
	VBLENDVPS   L1MASK, U, P, P \
	VMULPS      L2, T, T \
	VADDPS      ONE, T, T \
	VDIVPS      T, P, P

// PROX8 and PROX1 are PROX on the 8 lanes of Y registers and on the 4 of X
// registers, of which the one-at-a-time tail uses lane 0.
#define PROX8(P, G, S, T, U, W) PROX(P, G, S, T, U, W, Y15, Y14, Y13, Y12, Y11, Y10, Y9)
#define PROX1(P, G, S, T, U, W) PROX(P, G, S, T, U, W, X15, X14, X13, X12, X11, X10, X9)

// FTRL is the FTRL step on the lanes of its registers: P param, G grad, S sum, L linear; it
// leaves the new param in P, the new linear term in L and the new sum in
// U. T scratch.
//   gs = shrinkMask ? g + sh2*p : g
//   U = fma(g, g, s); G = r = sqrt(U); S = (r - sqrt(s))/lr
//   L = L + (gs - S*p); G = r/lr + l2x2
//   P = |L| > l1 ? (copysign(l1, L) - L)/G : +0   (copysign: |l1| in Y9)
#define FTRL(P, G, S, L, T, U, LR, L1, L2X2, SH2, SHMASK, ABS, AL1) \
	VMULPS      SH2, P, T \
	VADDPS      G, T, T \
	VBLENDVPS   SHMASK, T, G, T \
	VMOVAPS     S, U \
	VFMADD231PS G, G, U \
	VSQRTPS     U, G \
	VSQRTPS     S, S \
	VSUBPS      S, G, S \
	VDIVPS      LR, S, S \
	VMULPS      P, S, S \
	VSUBPS      S, T, T \
	VADDPS      T, L, L \
	VDIVPS      LR, G, G \
	VADDPS      L2X2, G, G \
	VANDPS      ABS, L, T \
	VCMPPS      $0x1e, L1, T, T \
	VANDNPS     L, ABS, S \
	VORPS       AL1, S, S \
	VSUBPS      L, S, S \
	VDIVPS      G, S, S \
	VANDPS      T, S, P

// FTRL8 and FTRL1 are FTRL on the 8 lanes of Y registers and on the 4 of X
// registers, of which the one-at-a-time tail uses lane 0.
#define FTRL8(P, G, S, L, T, U) FTRL(P, G, S, L, T, U, Y15, Y14, Y13, Y12, Y11, Y10, Y9)
#define FTRL1(P, G, S, L, T, U) FTRL(P, G, S, L, T, U, X15, X14, X13, X12, X11, X10, X9)

// ROW sets SI to the byte offset of row rows[AX] and BX to its gradient
// row.
#define ROW \
	ROW1 \
	IMULQ   R10, SI \
	IMULQ   R10, BX \
	ADDQ    R12, BX


// func proximalRows32Asm(c *online32, table, sum []float32, dim int, rows []int32, grads []float32, gradRows []int32)
TEXT ·proximalRows32Asm(SB), NOSPLIT, $0-136
	MOVQ         c+0(FP), AX
	VBROADCASTSS online32_lr(AX), Y15
	VBROADCASTSS online32_l1(AX), Y14
	VBROADCASTSS online32_l2(AX), Y13
	VBROADCASTSS online32_l1Mask(AX), Y12
	BCAST32($0x7fffffff, X11, Y11)
	BCAST32($0x3f800000, X10, Y10)
	VXORPS       Y9, Y9, Y9
	MOVQ         table_base+8(FP), R8
	MOVQ         sum_base+32(FP), R9
	MOVQ         dim+56(FP), R10
	SHLQ         $2, R10
	MOVQ         rows_base+64(FP), R11
	MOVQ         grads_base+88(FP), R12
	MOVQ         gradRows_base+112(FP), R13
	MOVQ         gradRows_len+120(FP), AX
	TESTQ        AX, AX
	CMOVQEQ      AX, R13
	XORQ         AX, AX
	CMPQ         R10, $4
	JEQ          p1row

prow:
	CMPQ AX, rows_len+72(FP)
	JAE  pdone

	// Prefetch row rows[AX+PF] (PFS), if any: every cache line of its table
	// and sum rows and of its gradient row, and their last bytes.
	LEAQ       PF(AX), SI
	CMPQ       R10, $16
	JA         2(PC)
	LEAQ       PFS(AX), SI
	CMPQ       SI, rows_len+72(FP)
	JAE        pnopf
	MOVQ       SI, R14
	TESTQ      R13, R13
	JZ         2(PC)
	MOVLQSX    (R13)(SI*4), R14
	IMULQ      R10, R14
	ADDQ       R12, R14
	MOVLQSX    (R11)(SI*4), SI
	IMULQ      R10, SI
	XORQ       CX, CX

ppf:
	LEAQ       (SI)(CX*1), DI
	PREFETCHT1 (R8)(DI*1)
	PREFETCHT1 (R9)(DI*1)
	PREFETCHT1 (R14)(CX*1)
	ADDQ       $64, CX
	CMPQ       CX, R10
	JB         ppf
	LEAQ       -1(SI)(R10*1), DI
	PREFETCHT1 (R8)(DI*1)
	PREFETCHT1 (R9)(DI*1)
	PREFETCHT1 -1(R14)(R10*1)

pnopf:
	ROW
	XORQ CX, CX

ploop8:
	LEAQ    32(CX), R14
	CMPQ    R14, R10
	JA      ptail
	LEAQ    (SI)(CX*1), DI
	VMOVUPS (R8)(DI*1), Y0
	VMOVUPS (BX)(CX*1), Y1
	VMOVUPS (R9)(DI*1), Y2
	PROX8(Y0, Y1, Y2, Y3, Y4, Y7)
	VMOVUPS Y0, (R8)(DI*1)
	VMOVUPS Y2, (R9)(DI*1)
	ADDQ    $32, CX
	JMP     ploop8

ptail:
	// The last dim%8 elements one at a time, in lane 0 (VMOVSS clears the
	// other lanes; what they compute is never stored).
	CMPQ    CX, R10
	JAE     pnext
	LEAQ    (SI)(CX*1), DI
	VMOVSS  (R8)(DI*1), X0
	VMOVSS  (BX)(CX*1), X1
	VMOVSS  (R9)(DI*1), X2
	PROX1(X0, X1, X2, X3, X4, X7)
	VMOVSS  X0, (R8)(DI*1)
	VMOVSS  X2, (R9)(DI*1)
	ADDQ    $4, CX
	JMP     ptail

pnext:
	INCQ AX
	JMP  prow

pdone:
	VZEROUPPER
	RET

	// Rows of one element: the same step, with one prefetch of the table
	// and sum lines PFS rows ahead; SI and BX are numbers, and the
	// gradients are not prefetched (as d1row in rows_amd64.s).
p1row:
	CMPQ       AX, rows_len+72(FP)
	JAE        pdone
	AHEAD1(rows_len+72(FP), p1nopf)
	PREFETCHT1 (R8)(SI*4)
	PREFETCHT1 (R9)(SI*4)

p1nopf:
	ROW1
	VMOVSS  (R8)(SI*4), X0
	VMOVSS  (R12)(BX*4), X1
	VMOVSS  (R9)(SI*4), X2
	PROX1(X0, X1, X2, X3, X4, X7)
	VMOVSS  X0, (R8)(SI*4)
	VMOVSS  X2, (R9)(SI*4)
	INCQ    AX
	JMP     p1row

// func ftrlRows32Asm(c *online32, table, sum, linear []float32, dim int, rows []int32, grads []float32, gradRows []int32)
TEXT ·ftrlRows32Asm(SB), NOSPLIT, $0-160
	MOVQ         c+0(FP), AX
	VBROADCASTSS online32_lr(AX), Y15
	VBROADCASTSS online32_l1(AX), Y14
	VBROADCASTSS online32_l2x2(AX), Y13
	VBROADCASTSS online32_sh2(AX), Y12
	VBROADCASTSS online32_shrinkMask(AX), Y11
	BCAST32($0x7fffffff, X10, Y10)
	VANDPS       Y10, Y14, Y9
	MOVQ         table_base+8(FP), R8
	MOVQ         sum_base+32(FP), R9
	MOVQ         linear_base+56(FP), DX
	MOVQ         dim+80(FP), R10
	SHLQ         $2, R10
	MOVQ         rows_base+88(FP), R11
	MOVQ         grads_base+112(FP), R12
	MOVQ         gradRows_base+136(FP), R13
	MOVQ         gradRows_len+144(FP), AX
	TESTQ        AX, AX
	CMOVQEQ      AX, R13
	XORQ         AX, AX
	CMPQ         R10, $4
	JEQ          f1row

frow:
	CMPQ AX, rows_len+96(FP)
	JAE  fdone
	// Prefetch row rows[AX+PF] (PFS), if any: every cache line of its table,
	// sum and linear rows and of its gradient row, and their last bytes.
	LEAQ       PF(AX), SI
	CMPQ       R10, $16
	JA         2(PC)
	LEAQ       PFS(AX), SI
	CMPQ       SI, rows_len+96(FP)
	JAE        fnopf
	MOVQ       SI, R14
	TESTQ      R13, R13
	JZ         2(PC)
	MOVLQSX    (R13)(SI*4), R14
	IMULQ      R10, R14
	ADDQ       R12, R14
	MOVLQSX    (R11)(SI*4), SI
	IMULQ      R10, SI
	XORQ       CX, CX

fpf:
	LEAQ       (SI)(CX*1), DI
	PREFETCHT1 (R8)(DI*1)
	PREFETCHT1 (R9)(DI*1)
	PREFETCHT1 (DX)(DI*1)
	PREFETCHT1 (R14)(CX*1)
	ADDQ       $64, CX
	CMPQ       CX, R10
	JB         fpf
	LEAQ       -1(SI)(R10*1), DI
	PREFETCHT1 (R8)(DI*1)
	PREFETCHT1 (R9)(DI*1)
	PREFETCHT1 (DX)(DI*1)
	PREFETCHT1 -1(R14)(R10*1)

fnopf:
	ROW
	XORQ CX, CX

floop8:
	LEAQ    32(CX), R14
	CMPQ    R14, R10
	JA      ftail
	LEAQ    (SI)(CX*1), DI
	VMOVUPS (R8)(DI*1), Y0
	VMOVUPS (BX)(CX*1), Y1
	VMOVUPS (R9)(DI*1), Y2
	VMOVUPS (DX)(DI*1), Y3
	FTRL8(Y0, Y1, Y2, Y3, Y4, Y7)
	VMOVUPS Y0, (R8)(DI*1)
	VMOVUPS Y7, (R9)(DI*1)
	VMOVUPS Y3, (DX)(DI*1)
	ADDQ    $32, CX
	JMP     floop8

ftail:
	CMPQ    CX, R10
	JAE     fnext
	LEAQ    (SI)(CX*1), DI
	VMOVSS  (R8)(DI*1), X0
	VMOVSS  (BX)(CX*1), X1
	VMOVSS  (R9)(DI*1), X2
	VMOVSS  (DX)(DI*1), X3
	FTRL1(X0, X1, X2, X3, X4, X7)
	VMOVSS  X0, (R8)(DI*1)
	VMOVSS  X7, (R9)(DI*1)
	VMOVSS  X3, (DX)(DI*1)
	ADDQ    $4, CX
	JMP     ftail

fnext:
	INCQ AX
	JMP  frow

fdone:
	VZEROUPPER
	RET

	// Rows of one element, as p1row.
f1row:
	CMPQ       AX, rows_len+96(FP)
	JAE        fdone
	AHEAD1(rows_len+96(FP), f1nopf)
	PREFETCHT1 (R8)(SI*4)
	PREFETCHT1 (R9)(SI*4)
	PREFETCHT1 (DX)(SI*4)

f1nopf:
	ROW1
	VMOVSS  (R8)(SI*4), X0
	VMOVSS  (R12)(BX*4), X1
	VMOVSS  (R9)(SI*4), X2
	VMOVSS  (DX)(SI*4), X3
	FTRL1(X0, X1, X2, X3, X4, X7)
	VMOVSS  X0, (R8)(SI*4)
	VMOVSS  X7, (R9)(SI*4)
	VMOVSS  X3, (DX)(SI*4)
	INCQ    AX
	JMP     f1row

// The float64 dense steps: the same steps in float64, 4 lanes of Y
// registers at a time, then the rest one at a time in lane 0 of the X
// registers (VMOVSD clears the other lane). The contract of each lane is
// ProximalStep64's or FTRLStep64's; VSQRTPD, VDIVPD, VMULPD, VADDPD,
// VSUBPD and VFMADD231PD are correctly rounded, as in float32.
// Registers: DI param, SI grad, BX sum, DX linear (FTRL), CX elements
// left; coefficients as in the float32 kernels, 64 bits a lane.

// BCAST64 broadcasts the 64-bit constant k into every lane of Y.
#define BCAST64(k, X, Y) \
	MOVQ         k, R14 \
	MOVQ         R14, X \
	VPBROADCASTQ X, Y

// PROX64 is PROX in float64.
#define PROX64(P, G, S, T, U, W, LR, L1, L2, L1MASK, ABS, ONE, ZERO) \
	VFMADD231PD G, G, S \
	VSQRTPD     S, T \
	VDIVPD      T, LR, T \
	VMULPD      T, G, G \
	VSUBPD      G, P, P \
	VMULPD      L1, T, G \
	VANDPD      ABS, P, U \
	VSUBPD      G, U, U \
	VMAXPD      U, ZERO, U \
	VANDPD      ABS, U, U \
	VANDNPD     P, ABS, W \
	VORPD       W, U, U \
	VBLENDVPD   L1MASK, U, P, P \
	VMULPD      L2, T, T \
	VADDPD      ONE, T, T \
	VDIVPD      T, P, P

#define PROX64Y(P, G, S, T, U, W) PROX64(P, G, S, T, U, W, Y15, Y14, Y13, Y12, Y11, Y10, Y9)
#define PROX64X(P, G, S, T, U, W) PROX64(P, G, S, T, U, W, X15, X14, X13, X12, X11, X10, X9)

// FTRL64 is FTRL in float64.
#define FTRL64(P, G, S, L, T, U, LR, L1, L2X2, SH2, SHMASK, ABS, AL1) \
	VMULPD      SH2, P, T \
	VADDPD      G, T, T \
	VBLENDVPD   SHMASK, T, G, T \
	VMOVAPD     S, U \
	VFMADD231PD G, G, U \
	VSQRTPD     U, G \
	VSQRTPD     S, S \
	VSUBPD      S, G, S \
	VDIVPD      LR, S, S \
	VMULPD      P, S, S \
	VSUBPD      S, T, T \
	VADDPD      T, L, L \
	VDIVPD      LR, G, G \
	VADDPD      L2X2, G, G \
	VANDPD      ABS, L, T \
	VCMPPD      $0x1e, L1, T, T \
	VANDNPD     L, ABS, S \
	VORPD       AL1, S, S \
	VSUBPD      L, S, S \
	VDIVPD      G, S, S \
	VANDPD      T, S, P

#define FTRL64Y(P, G, S, L, T, U) FTRL64(P, G, S, L, T, U, Y15, Y14, Y13, Y12, Y11, Y10, Y9)
#define FTRL64X(P, G, S, L, T, U) FTRL64(P, G, S, L, T, U, X15, X14, X13, X12, X11, X10, X9)

// func proximal64Asm(c *online64, param, grad, sum []float64)
TEXT ·proximal64Asm(SB), NOSPLIT, $0-80
	MOVQ         c+0(FP), AX
	VBROADCASTSD online64_lr(AX), Y15
	VBROADCASTSD online64_l1(AX), Y14
	VBROADCASTSD online64_l2(AX), Y13
	VBROADCASTSD online64_l1Mask(AX), Y12
	BCAST64($0x7fffffffffffffff, X11, Y11)
	BCAST64($0x3ff0000000000000, X10, Y10)
	VXORPD       Y9, Y9, Y9
	MOVQ         param_base+8(FP), DI
	MOVQ         param_len+16(FP), CX
	MOVQ         grad_base+32(FP), SI
	MOVQ         sum_base+56(FP), BX

p64loop4:
	CMPQ    CX, $4
	JB      p64tail
	VMOVUPD (DI), Y0
	VMOVUPD (SI), Y1
	VMOVUPD (BX), Y2
	PROX64Y(Y0, Y1, Y2, Y3, Y4, Y7)
	VMOVUPD Y0, (DI)
	VMOVUPD Y2, (BX)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, BX
	SUBQ    $4, CX
	JMP     p64loop4

p64tail:
	TESTQ   CX, CX
	JZ      p64done
	VMOVSD  (DI), X0
	VMOVSD  (SI), X1
	VMOVSD  (BX), X2
	PROX64X(X0, X1, X2, X3, X4, X7)
	VMOVSD  X0, (DI)
	VMOVSD  X2, (BX)
	ADDQ    $8, DI
	ADDQ    $8, SI
	ADDQ    $8, BX
	DECQ    CX
	JMP     p64tail

p64done:
	VZEROUPPER
	RET

// func ftrl64Asm(c *online64, param, grad, sum, linear []float64)
TEXT ·ftrl64Asm(SB), NOSPLIT, $0-104
	MOVQ         c+0(FP), AX
	VBROADCASTSD online64_lr(AX), Y15
	VBROADCASTSD online64_l1(AX), Y14
	VBROADCASTSD online64_l2x2(AX), Y13
	VBROADCASTSD online64_sh2(AX), Y12
	VBROADCASTSD online64_shrinkMask(AX), Y11
	BCAST64($0x7fffffffffffffff, X10, Y10)
	VANDPD       Y10, Y14, Y9
	MOVQ         param_base+8(FP), DI
	MOVQ         param_len+16(FP), CX
	MOVQ         grad_base+32(FP), SI
	MOVQ         sum_base+56(FP), BX
	MOVQ         linear_base+80(FP), DX

f64loop4:
	CMPQ    CX, $4
	JB      f64tail
	VMOVUPD (DI), Y0
	VMOVUPD (SI), Y1
	VMOVUPD (BX), Y2
	VMOVUPD (DX), Y3
	FTRL64Y(Y0, Y1, Y2, Y3, Y4, Y7)
	VMOVUPD Y0, (DI)
	VMOVUPD Y7, (BX)
	VMOVUPD Y3, (DX)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, BX
	ADDQ    $32, DX
	SUBQ    $4, CX
	JMP     f64loop4

f64tail:
	TESTQ   CX, CX
	JZ      f64done
	VMOVSD  (DI), X0
	VMOVSD  (SI), X1
	VMOVSD  (BX), X2
	VMOVSD  (DX), X3
	FTRL64X(X0, X1, X2, X3, X4, X7)
	VMOVSD  X0, (DI)
	VMOVSD  X7, (BX)
	VMOVSD  X3, (DX)
	ADDQ    $8, DI
	ADDQ    $8, SI
	ADDQ    $8, BX
	ADDQ    $8, DX
	DECQ    CX
	JMP     f64tail

f64done:
	VZEROUPPER
	RET

// The accumulator decay (Decay32, Decay64): n periods, each
// s = max(s*rate, floor) on every element, until a period changes no
// element. 8 (float64: 4) lanes of Y registers at a time, then the rest
// one at a time in lane 0 of the X registers, whose other lanes are left
// out of the test for a change.
// Registers: R8 sum, R9 its length, R10 periods left, DI and CX the
// element and the count left in a period, Y13 the vector lanes that
// changed, BX all the lanes that changed (a bit each); Y15 rate, Y14
// floor.

// DECAY32 and DECAY64 are one period on the lanes of S: the new value in
// X, all ones in C's lanes where it changed; T and U scratch. VMAXPS with floor
// first returns s*rate unless floor is greater, so NaN stays NaN and a
// zero keeps its sign, as the contract's x < floor test does. A lane
// changed when x != s (unordered, so true with a NaN) and x or s is not
// NaN.
#define DECAY32(S, X, C, T, U, RATE, FLOOR) \
	VMULPS RATE, S, X \
	VMAXPS X, FLOOR, X \
	VCMPPS $4, S, X, C \
	VCMPPS $7, X, X, T \
	VCMPPS $7, S, S, U \
	VORPS  U, T, T \
	VANDPS T, C, C

#define DECAY64(S, X, C, T, U, RATE, FLOOR) \
	VMULPD RATE, S, X \
	VMAXPD X, FLOOR, X \
	VCMPPD $4, S, X, C \
	VCMPPD $7, X, X, T \
	VCMPPD $7, S, S, U \
	VORPD  U, T, T \
	VANDPD T, C, C

// func decay32Asm(c *decay32, sum []float32, n int64)
TEXT ·decay32Asm(SB), NOSPLIT, $0-40
	MOVQ         c+0(FP), AX
	VBROADCASTSS decay32_rate(AX), Y15
	VBROADCASTSS decay32_floor(AX), Y14
	MOVQ         sum_base+8(FP), R8
	MOVQ         sum_len+16(FP), R9
	MOVQ         n+32(FP), R10

d32period:
	TESTQ  R10, R10
	JLE    d32done
	MOVQ   R8, DI
	MOVQ   R9, CX
	VXORPS Y13, Y13, Y13

d32loop:
	CMPQ    CX, $8
	JB      d32vecdone
	VMOVUPS (DI), Y0
	DECAY32(Y0, Y1, Y2, Y3, Y4, Y15, Y14)
	VORPS   Y2, Y13, Y13
	VMOVUPS Y1, (DI)
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     d32loop

d32vecdone:
	VMOVMSKPS Y13, BX

d32tail:
	TESTQ     CX, CX
	JZ        d32end
	VMOVSS    (DI), X0
	DECAY32(X0, X1, X2, X3, X4, X15, X14)
	VMOVMSKPS X2, DX
	ANDL      $1, DX
	ORL       DX, BX
	VMOVSS    X1, (DI)
	ADDQ      $4, DI
	DECQ      CX
	JMP       d32tail

d32end:
	TESTL BX, BX
	JZ    d32done
	DECQ  R10
	JMP   d32period

d32done:
	VZEROUPPER
	RET

// func decay64Asm(c *decay64, sum []float64, n int64)
TEXT ·decay64Asm(SB), NOSPLIT, $0-40
	MOVQ         c+0(FP), AX
	VBROADCASTSD decay64_rate(AX), Y15
	VBROADCASTSD decay64_floor(AX), Y14
	MOVQ         sum_base+8(FP), R8
	MOVQ         sum_len+16(FP), R9
	MOVQ         n+32(FP), R10

d64period:
	TESTQ  R10, R10
	JLE    d64done
	MOVQ   R8, DI
	MOVQ   R9, CX
	VXORPD Y13, Y13, Y13

d64loop:
	CMPQ    CX, $4
	JB      d64vecdone
	VMOVUPD (DI), Y0
	DECAY64(Y0, Y1, Y2, Y3, Y4, Y15, Y14)
	VORPD   Y2, Y13, Y13
	VMOVUPD Y1, (DI)
	ADDQ    $32, DI
	SUBQ    $4, CX
	JMP     d64loop

d64vecdone:
	VMOVMSKPD Y13, BX

d64tail:
	TESTQ     CX, CX
	JZ        d64end
	VMOVSD    (DI), X0
	DECAY64(X0, X1, X2, X3, X4, X15, X14)
	VMOVMSKPD X2, DX
	ANDL      $1, DX
	ORL       DX, BX
	VMOVSD    X1, (DI)
	ADDQ      $8, DI
	DECQ      CX
	JMP       d64tail

d64end:
	TESTL BX, BX
	JZ    d64done
	DECQ  R10
	JMP   d64period

d64done:
	VZEROUPPER
	RET

//go:build gc && !purego

#include "textflag.h"

// Registers in both functions:
//   DI param, BX grad, SI sum: pointers to the next element
//   CX elements left
//   Y15 lr, Y14 epsOut, Y13 wd, Y12 sign bit to flip (neg),
//   Y11 all ones where weight decay is on, Y10 epsIn
//
// Per vector of lanes (P param, G grad, S sum, T scratch):
//   g   = grad ^ neg
//   g   = wdMask ? fma(wd, p, g) : g
//   s   = fma(g, g, sum)
//   std = sqrt(s + epsIn) + epsOut
//   p   = p - (lr*g)/std
// Every operation is IEEE-754 correctly rounded (VSQRT, VDIV, and the FMAs
// rounded once), so each lane gives exactly the generic path's bits.

// ARITH32 computes the step on G (gradient loaded), P (param loaded) and S
// (sum loaded), leaving the new param in P and the new sum in S.
#define ARITH32(P, G, S, T) \
	VXORPS      Y12, G, G \
	VMOVAPS     P, T      \
	VFMADD213PS G, Y13, T \ // T = wd*p + g
	VBLENDVPS   Y11, T, G, G \
	VFMADD231PS G, G, S   \ // S = g*g + S
	VADDPS      Y10, S, T \
	VSQRTPS     T, T      \
	VADDPS      Y14, T, T \
	VMULPS      Y15, G, G \
	VDIVPS      T, G, G   \ // G = (lr*g)/std
	VSUBPS      G, P, P

// SCALAR32 is ARITH32 on lane 0 of X registers, for the last elements.
#define SCALAR32(P, G, S, T) \
	VXORPS      X12, G, G \
	VMOVAPS     P, T      \
	VFMADD213SS G, X13, T \
	VBLENDVPS   X11, T, G, G \
	VFMADD231SS G, G, S   \
	VADDSS      X10, S, T \
	VSQRTSS     T, T, T   \
	VADDSS      X14, T, T \
	VMULSS      X15, G, G \
	VDIVSS      T, G, G   \
	VSUBSS      G, P, P

#define VEC32(off, P, G, S, T) \
	VMOVUPS off(DI), P \
	VMOVUPS off(BX), G \
	VMOVUPS off(SI), S \
	ARITH32(P, G, S, T) \
	VMOVUPS P, off(DI) \
	VMOVUPS S, off(SI)

#define ARITH64(P, G, S, T) \
	VXORPD      Y12, G, G \
	VMOVAPD     P, T      \
	VFMADD213PD G, Y13, T \
	VBLENDVPD   Y11, T, G, G \
	VFMADD231PD G, G, S   \
	VADDPD      Y10, S, T \
	VSQRTPD     T, T      \
	VADDPD      Y14, T, T \
	VMULPD      Y15, G, G \
	VDIVPD      T, G, G   \
	VSUBPD      G, P, P

#define SCALAR64(P, G, S, T) \
	VXORPD      X12, G, G \
	VMOVAPD     P, T      \
	VFMADD213SD G, X13, T \
	VBLENDVPD   X11, T, G, G \
	VFMADD231SD G, G, S   \
	VADDSD      X10, S, T \
	VSQRTSD     T, T, T   \
	VADDSD      X14, T, T \
	VMULSD      X15, G, G \
	VDIVSD      T, G, G   \
	VSUBSD      G, P, P

#define VEC64(off, P, G, S, T) \
	VMOVUPD off(DI), P \
	VMOVUPD off(BX), G \
	VMOVUPD off(SI), S \
	ARITH64(P, G, S, T) \
	VMOVUPD P, off(DI) \
	VMOVUPD S, off(SI)

// func step32AVX2(param, grad, sum []float32, lr, epsIn, epsOut, wd float32, neg, wdMask uint32)
TEXT ·step32AVX2(SB), NOSPLIT, $0-96
	MOVQ param_base+0(FP), DI
	MOVQ param_len+8(FP), CX
	MOVQ grad_base+24(FP), BX
	MOVQ sum_base+48(FP), SI
	VBROADCASTSS lr+72(FP), Y15
	VBROADCASTSS epsIn+76(FP), Y10
	VBROADCASTSS epsOut+80(FP), Y14
	VBROADCASTSS wd+84(FP), Y13
	VBROADCASTSS neg+88(FP), Y12
	VBROADCASTSS wdMask+92(FP), Y11

loop32:
	CMPQ CX, $32
	JB   loop8
	VEC32(0, Y0, Y1, Y2, Y3)
	VEC32(32, Y4, Y5, Y6, Y7)
	VEC32(64, Y0, Y1, Y2, Y3)
	VEC32(96, Y4, Y5, Y6, Y7)
	ADDQ $128, DI
	ADDQ $128, BX
	ADDQ $128, SI
	SUBQ $32, CX
	JMP  loop32

loop8:
	CMPQ CX, $8
	JB   tail
	VEC32(0, Y0, Y1, Y2, Y3)
	ADDQ $32, DI
	ADDQ $32, BX
	ADDQ $32, SI
	SUBQ $8, CX
	JMP  loop8

tail:
	// 0 to 7 elements left, one at a time. (Masked vector loads would be
	// shorter, but emulators do not all honour their fault suppression.)
	TESTQ CX, CX
	JZ    done
	VMOVSS (DI), X0
	VMOVSS (BX), X1
	VMOVSS (SI), X2
	SCALAR32(X0, X1, X2, X3)
	VMOVSS X0, (DI)
	VMOVSS X2, (SI)
	ADDQ   $4, DI
	ADDQ   $4, BX
	ADDQ   $4, SI
	DECQ   CX
	JMP    tail

done:
	VZEROUPPER
	RET

// func step64AVX2(param, grad, sum []float64, lr, epsIn, epsOut, wd float64, neg, wdMask uint64)
TEXT ·step64AVX2(SB), NOSPLIT, $0-120
	MOVQ param_base+0(FP), DI
	MOVQ param_len+8(FP), CX
	MOVQ grad_base+24(FP), BX
	MOVQ sum_base+48(FP), SI
	VBROADCASTSD lr+72(FP), Y15
	VBROADCASTSD epsIn+80(FP), Y10
	VBROADCASTSD epsOut+88(FP), Y14
	VBROADCASTSD wd+96(FP), Y13
	VPBROADCASTQ neg+104(FP), Y12
	VPBROADCASTQ wdMask+112(FP), Y11

loop16:
	CMPQ CX, $16
	JB   loop4
	VEC64(0, Y0, Y1, Y2, Y3)
	VEC64(32, Y4, Y5, Y6, Y7)
	VEC64(64, Y0, Y1, Y2, Y3)
	VEC64(96, Y4, Y5, Y6, Y7)
	ADDQ $128, DI
	ADDQ $128, BX
	ADDQ $128, SI
	SUBQ $16, CX
	JMP  loop16

loop4:
	CMPQ CX, $4
	JB   tail
	VEC64(0, Y0, Y1, Y2, Y3)
	ADDQ $32, DI
	ADDQ $32, BX
	ADDQ $32, SI
	SUBQ $4, CX
	JMP  loop4

tail:
	// 0 to 3 elements left, one at a time.
	TESTQ CX, CX
	JZ    done
	VMOVSD (DI), X0
	VMOVSD (BX), X1
	VMOVSD (SI), X2
	SCALAR64(X0, X1, X2, X3)
	VMOVSD X0, (DI)
	VMOVSD X2, (SI)
	ADDQ   $8, DI
	ADDQ   $8, BX
	ADDQ   $8, SI
	DECQ   CX
	JMP    tail

done:
	VZEROUPPER
	RET

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

// lanes32 and lanes64 are lane numbers; comparing the count of elements
// left against them gives the mask of lanes that hold elements.
DATA lanes32<>+0(SB)/4, $0
DATA lanes32<>+4(SB)/4, $1
DATA lanes32<>+8(SB)/4, $2
DATA lanes32<>+12(SB)/4, $3
DATA lanes32<>+16(SB)/4, $4
DATA lanes32<>+20(SB)/4, $5
DATA lanes32<>+24(SB)/4, $6
DATA lanes32<>+28(SB)/4, $7
GLOBL lanes32<>(SB), RODATA|NOPTR, $32

DATA lanes64<>+0(SB)/8, $0
DATA lanes64<>+8(SB)/8, $1
DATA lanes64<>+16(SB)/8, $2
DATA lanes64<>+24(SB)/8, $3
GLOBL lanes64<>(SB), RODATA|NOPTR, $32

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
	// 0 to 7 elements left: masked loads and stores touch only those.
	TESTQ CX, CX
	JZ    done
	MOVQ  CX, X8
	VPBROADCASTD X8, Y8
	VPCMPGTD lanes32<>(SB), Y8, Y8 // lane i: i < CX
	VMASKMOVPS (DI), Y8, Y0
	VMASKMOVPS (BX), Y8, Y1
	VMASKMOVPS (SI), Y8, Y2
	ARITH32(Y0, Y1, Y2, Y3)
	VMASKMOVPS Y0, Y8, (DI)
	VMASKMOVPS Y2, Y8, (SI)

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
	// 0 to 3 elements left.
	TESTQ CX, CX
	JZ    done
	MOVQ  CX, X8
	VPBROADCASTQ X8, Y8
	VPCMPGTQ lanes64<>(SB), Y8, Y8
	VMASKMOVPD (DI), Y8, Y0
	VMASKMOVPD (BX), Y8, Y1
	VMASKMOVPD (SI), Y8, Y2
	ARITH64(Y0, Y1, Y2, Y3)
	VMASKMOVPD Y0, Y8, (DI)
	VMASKMOVPD Y2, Y8, (SI)

done:
	VZEROUPPER
	RET

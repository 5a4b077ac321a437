//go:build gc && !purego

#include "textflag.h"
#include "go_asm.h"
#include "step_amd64.h"

// The dense step (step_amd64.h holds its arithmetic and the coefficient
// registers). Registers in both functions:
//   DI param, BX grad, SI sum: pointers to the next element
//   CX elements left, AX the coefficients

#define VEC32(off, P, G, S, T) \
	VMOVUPS off(DI), P \
	VMOVUPS off(BX), G \
	VMOVUPS off(SI), S \
	STEP32Y(P, G, S, T) \
	VMOVUPS P, off(DI) \
	VMOVUPS S, off(SI)

#define VEC64(off, P, G, S, T) \
	VMOVUPD off(DI), P \
	VMOVUPD off(BX), G \
	VMOVUPD off(SI), S \
	STEP64Y(P, G, S, T) \
	VMOVUPD P, off(DI) \
	VMOVUPD S, off(SI)

// SCALAR32 and SCALAR64 step the element at DI, BX, SI in lane 0 with the
// step macro STEP, move the pointers on and count CX down (leaving the
// flags of the count for a JNZ).
#define SCALAR32(STEP) \
	VMOVSS (DI), X0 \
	VMOVSS (BX), X1 \
	VMOVSS (SI), X2 \
	STEP(X0, X1, X2, X3) \
	VMOVSS X0, (DI) \
	VMOVSS X2, (SI) \
	ADDQ   $4, DI \
	ADDQ   $4, BX \
	ADDQ   $4, SI \
	DECQ   CX

#define SCALAR64(STEP) \
	VMOVSD (DI), X0 \
	VMOVSD (BX), X1 \
	VMOVSD (SI), X2 \
	STEP(X0, X1, X2, X3) \
	VMOVSD X0, (DI) \
	VMOVSD X2, (SI) \
	ADDQ   $8, DI \
	ADDQ   $8, BX \
	ADDQ   $8, SI \
	DECQ   CX

// REF loads the slices of a step32Ref or step64Ref call into DI, BX, SI
// and CX, or jumps to the function's fallback label (a jump to the Go
// function with the same arguments, step32Checked or step64Checked) when
// the lengths differ or the path is not the assembly one.
#define REF(asmFlag) \
	MOVQ c+0(FP), AX \
	MOVQ param+8(FP), DI \
	MOVQ grad+16(FP), BX \
	MOVQ sum+24(FP), SI \
	MOVQ 8(DI), CX \
	CMPQ CX, 8(BX) \
	JNE  fallback \
	CMPQ CX, 8(SI) \
	JNE  fallback \
	CMPB asmFlag(AX), $0 \
	JEQ  fallback \
	MOVQ (DI), DI \
	MOVQ (BX), BX \
	MOVQ (SI), SI

// func step32Ref(c *coeffs32, param, grad, sum *[]float32)
TEXT ·step32Ref(SB), NOSPLIT, $0-32
	REF(coeffs32_asm)
	CMPQ CX, $8
	JB   short
	COEFFS32(AX)

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
	// 0 to 7 elements left, one at a time in lane 0. (Masked vector loads
	// would be shorter, but emulators do not all honour their fault
	// suppression.) Without weight decay the tail skips the blend by a
	// branch (STEP32XND): a call of a few elements is then not one chain
	// from the old param to the new one.
	TESTQ CX, CX
	JZ    done
	CMPL  coeffs32_wdMask(AX), $0
	JEQ   tailnd32

tail32:
	SCALAR32(STEP32X)
	JNZ tail32
	JMP done

tailnd32:
	SCALAR32(STEP32XND)
	JNZ tailnd32

done:
	VZEROUPPER
	RET

short:
	// Fewer than 8 elements: the tail alone, with the coefficients loaded
	// into lane 0 only.
	COEFFS32X(AX)
	JMP tail

fallback:
	JMP ·step32Checked(SB)

// func step64Ref(c *coeffs64, param, grad, sum *[]float64)
TEXT ·step64Ref(SB), NOSPLIT, $0-32
	REF(coeffs64_asm)
	CMPQ CX, $4
	JB   short
	COEFFS64(AX)

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
	// 0 to 3 elements left, one at a time in lane 0, as in step32Ref.
	TESTQ CX, CX
	JZ    done64
	CMPQ  coeffs64_wdMask(AX), $0
	JEQ   tailnd64

tail64:
	SCALAR64(STEP64X)
	JNZ tail64
	JMP done64

tailnd64:
	SCALAR64(STEP64XND)
	JNZ tailnd64

done64:
	VZEROUPPER
	RET

short:
	// Fewer than 4 elements, as in step32Ref.
	COEFFS64X(AX)
	JMP tail

fallback:
	JMP ·step64Checked(SB)

//go:build gc && !purego

#include "textflag.h"

// The memory reference loops: per element, three loads (param, grad, sum)
// and two stores (param, sum), as in a step, with trivial arithmetic:
//   param += c*grad   (product rounded, then the sum)
//   sum   += grad*grad
// Four 32-byte vectors per iteration; the count of elements is a multiple
// of 32 (float32) or 16 (float64). Registers: DI param, BX grad, SI sum,
// CX iterations left, Y15 c.

#define BLOCK32(off) \
	VMOVUPS off(BX), Y0       \
	VMULPS  Y15, Y0, Y1       \
	VADDPS  off(DI), Y1, Y1   \
	VMOVUPS Y1, off(DI)       \
	VMULPS  Y0, Y0, Y2        \
	VADDPS  off(SI), Y2, Y2   \
	VMOVUPS Y2, off(SI)

#define BLOCK64(off) \
	VMOVUPD off(BX), Y0       \
	VMULPD  Y15, Y0, Y1       \
	VADDPD  off(DI), Y1, Y1   \
	VMOVUPD Y1, off(DI)       \
	VMULPD  Y0, Y0, Y2        \
	VADDPD  off(SI), Y2, Y2   \
	VMOVUPD Y2, off(SI)

// func memRef32AVX(param, grad, sum []float32, c float32)
TEXT ·memRef32AVX(SB), NOSPLIT, $0-76
	MOVQ param_base+0(FP), DI
	MOVQ param_len+8(FP), CX
	MOVQ grad_base+24(FP), BX
	MOVQ sum_base+48(FP), SI
	VBROADCASTSS c+72(FP), Y15
	SHRQ $5, CX
	JZ   done32

loop32:
	BLOCK32(0)
	BLOCK32(32)
	BLOCK32(64)
	BLOCK32(96)
	ADDQ $128, DI
	ADDQ $128, BX
	ADDQ $128, SI
	DECQ CX
	JNZ  loop32

done32:
	VZEROUPPER
	RET

// func memRef64AVX(param, grad, sum []float64, c float64)
TEXT ·memRef64AVX(SB), NOSPLIT, $0-80
	MOVQ param_base+0(FP), DI
	MOVQ param_len+8(FP), CX
	MOVQ grad_base+24(FP), BX
	MOVQ sum_base+48(FP), SI
	VBROADCASTSD c+72(FP), Y15
	SHRQ $4, CX
	JZ   done64

loop64:
	BLOCK64(0)
	BLOCK64(32)
	BLOCK64(64)
	BLOCK64(96)
	ADDQ $128, DI
	ADDQ $128, BX
	ADDQ $128, SI
	DECQ CX
	JNZ  loop64

done64:
	VZEROUPPER
	RET

// The step's arithmetic on lanes, written once for kernel_amd64.s (the
// dense step) and rows_amd64.s (the row kernels), which include this file
// after go_asm.h.
//
// The coefficients stay in registers 10 to 15 for a whole call, each in
// every lane: Y15 lr, Y14 epsOut, Y13 wd, Y12 the sign bit to flip (neg),
// Y11 all ones where weight decay is on (wdMask), Y10 epsIn.
//
// Per lane (p param, g grad, s sum, t scratch):
//   g   = grad ^ neg
//   g   = wdMask ? fma(wd, p, g) : g
//   s   = fma(g, g, s)
//   std = sqrt(s + epsIn) + epsOut
//   p   = p - (lr*g)/std
// Every operation is IEEE-754 correctly rounded (VSQRT, VDIV, and the FMAs
// rounded once), so each lane gives exactly the generic path's bits. The
// macros act on whole registers: the Y forms on 8 float32 or 4 float64
// lanes, the X forms on the lanes of an X register, of which the scalar
// tails use lane 0 (loaded by VMOVSS or VMOVSD, which clear the others).

// COEFFS32 and COEFFS64 broadcast the coefficients at c (a *coeffs32 or a
// *coeffs64) into registers 10 to 15.
#define COEFFS32(c) \
	VBROADCASTSS coeffs32_lr(c), Y15 \
	VBROADCASTSS coeffs32_epsIn(c), Y10 \
	VBROADCASTSS coeffs32_epsOut(c), Y14 \
	VBROADCASTSS coeffs32_wd(c), Y13 \
	VBROADCASTSS coeffs32_neg(c), Y12 \
	VBROADCASTSS coeffs32_wdMask(c), Y11

// COEFFS32X and COEFFS64X load them into lane 0 only, for the scalar
// forms, leaving the upper halves of the YMM registers untouched.
#define COEFFS32X(c) \
	VMOVSS coeffs32_lr(c), X15 \
	VMOVSS coeffs32_epsIn(c), X10 \
	VMOVSS coeffs32_epsOut(c), X14 \
	VMOVSS coeffs32_wd(c), X13 \
	VMOVSS coeffs32_neg(c), X12 \
	VMOVSS coeffs32_wdMask(c), X11

#define COEFFS64X(c) \
	VMOVSD coeffs64_lr(c), X15 \
	VMOVSD coeffs64_epsIn(c), X10 \
	VMOVSD coeffs64_epsOut(c), X14 \
	VMOVSD coeffs64_wd(c), X13 \
	VMOVSD coeffs64_neg(c), X12 \
	VMOVSD coeffs64_wdMask(c), X11

#define COEFFS64(c) \
	VBROADCASTSD coeffs64_lr(c), Y15 \
	VBROADCASTSD coeffs64_epsIn(c), Y10 \
	VBROADCASTSD coeffs64_epsOut(c), Y14 \
	VBROADCASTSD coeffs64_wd(c), Y13 \
	VPBROADCASTQ coeffs64_neg(c), Y12 \
	VPBROADCASTQ coeffs64_wdMask(c), Y11

// GRAD32 turns the gradient G into the step's g, given the param P; T is
// scratch and may be P itself when P is not needed afterwards. NEG, WD and
// WDMASK are the coefficient registers of the width of P, G and T.
//   g = grad ^ neg;  g = wdMask ? fma(wd, p, g) : g
#define GRAD32(P, G, T, NEG, WD, WDMASK) \
	VXORPS      NEG, G, G \
	VMOVAPS     P, T \
	VFMADD213PS G, WD, T \
	VBLENDVPS   WDMASK, T, G, G

// STEP32 is the step on P (param), G (gradient) and S (sum), leaving the
// new param in P and the new sum in S; T is scratch.
#define STEP32(P, G, S, T, NEG, WD, WDMASK, EPSIN, EPSOUT, LR) \
	GRAD32(P, G, T, NEG, WD, WDMASK) \
	UPDATE32(P, G, S, T, EPSIN, EPSOUT, LR)

// UPDATE32 is the rest of the step once G holds g.
#define UPDATE32(P, G, S, T, EPSIN, EPSOUT, LR) \
	VFMADD231PS G, G, S \
	VADDPS      EPSIN, S, T \
	VSQRTPS     T, T \
	VADDPS      EPSOUT, T, T \
	VMULPS      LR, G, G \
	VDIVPS      T, G, G \
	VSUBPS      G, P, P

#define GRAD64(P, G, T, NEG, WD, WDMASK) \
	VXORPD      NEG, G, G \
	VMOVAPD     P, T \
	VFMADD213PD G, WD, T \
	VBLENDVPD   WDMASK, T, G, G

#define STEP64(P, G, S, T, NEG, WD, WDMASK, EPSIN, EPSOUT, LR) \
	GRAD64(P, G, T, NEG, WD, WDMASK) \
	UPDATE64(P, G, S, T, EPSIN, EPSOUT, LR)

#define UPDATE64(P, G, S, T, EPSIN, EPSOUT, LR) \
	VFMADD231PD G, G, S \
	VADDPD      EPSIN, S, T \
	VSQRTPD     T, T \
	VADDPD      EPSOUT, T, T \
	VMULPD      LR, G, G \
	VDIVPD      T, G, G \
	VSUBPD      G, P, P

// The Y and X forms, with the coefficient registers of their width.
#define GRAD32Y(P, G, T) GRAD32(P, G, T, Y12, Y13, Y11)
#define STEP32Y(P, G, S, T) STEP32(P, G, S, T, Y12, Y13, Y11, Y10, Y14, Y15)
#define STEP32X(P, G, S, T) STEP32(P, G, S, T, X12, X13, X11, X10, X14, X15)
#define STEP64Y(P, G, S, T) STEP64(P, G, S, T, Y12, Y13, Y11, Y10, Y14, Y15)
#define STEP64X(P, G, S, T) STEP64(P, G, S, T, X12, X13, X11, X10, X14, X15)

// STEP32XND and STEP64XND are the X forms for a call without weight decay
// (wdMask all zeros), where g does not depend on p. The scalar tails pick
// them by a branch, so that the new param and sum of a call of a few
// elements do not wait on the old param, as they do through the blend.
#define STEP32XND(P, G, S, T) \
	VXORPS X12, G, G \
	UPDATE32(P, G, S, T, X10, X14, X15)

#define STEP64XND(P, G, S, T) \
	VXORPD X12, G, G \
	UPDATE64(P, G, S, T, X10, X14, X15)

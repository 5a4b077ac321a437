// The _gen command writes kernel_arm64.s, the NEON path of package kernel.
//
// Go's arm64 assembler lacks many vector instructions (FADD, FSUB, FMUL,
// FDIV, FSQRT, the comparisons, the conversions, integer MUL), so the file
// carries them as WORD directives. Their encodings live here, in one
// table (vectorOps); every WORD gets the instruction it encodes, in Arm
// syntax, as a comment beside it. A test in package kernel assembles the
// file and checks with go tool objdump that each WORD decodes to the
// instruction its comment names, and that the file is this command's output.
// With -rows it writes rows_arm64.s, the row kernels (rows.go), from the
// same table and the same step body; with -online online_arm64.s, the
// online row kernels (online.go); with -half half_arm64.s, the 16-bit row
// kernels (half.go).
//
// Run it from the kernel directory, or with go generate ./... from the
// module root, on any host (the go:generate lines sit in generate.go):
//
//	go run ./_gen -o kernel_arm64.s
//	go run ./_gen -rows -o rows_arm64.s
//	go run ./_gen -online -o online_arm64.s
//	go run ./_gen -half -o half_arm64.s
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"strings"
)

// vectorOp is an ASIMD instruction the assembler lacks: its encodings
// with Q=1 (all 128 bits) for 4 float32 (or int32) lanes and for 2
// float64 lanes, register fields cleared (Rd bits 0-4, Rn bits 5-9, Rm
// bits 16-20). An instruction with no 2-lane float64 form has d2 0.
type vectorOp struct {
	s4, d2  uint32
	sources int // 2 for Vd = Vn op Vm, 1 for Vd = op(Vn)
	// byElem: Vd = Vn op Vm.S[index], the index in H:L (bits 11 and 21).
	byElem bool
	// dArr and nArr are the arrangements of Vd and Vn when they are not
	// the lanes' (the conversions between 4S and 4H or 8H).
	dArr, nArr string
}

// vectorOps is the one table of the WORD encodings (Arm ARM, "Advanced
// SIMD three same", "two-register miscellaneous" and "vector x indexed
// element", sz selecting the precision).
var vectorOps = map[string]vectorOp{
	"FADD":  {s4: 0x4e20d400, d2: 0x4e60d400, sources: 2},
	"FSUB":  {s4: 0x4ea0d400, d2: 0x4ee0d400, sources: 2},
	"FMUL":  {s4: 0x6e20dc00, d2: 0x6e60dc00, sources: 2},
	"FDIV":  {s4: 0x6e20fc00, d2: 0x6e60fc00, sources: 2},
	"FSQRT": {s4: 0x6ea1f800, d2: 0x6ee1f800, sources: 1},
	"FMAX":  {s4: 0x4e20f400, d2: 0x4e60f400, sources: 2},
	"FCMGT": {s4: 0x6ea0e400, d2: 0x6ee0e400, sources: 2},
	"FCMEQ": {s4: 0x4e20e400, d2: 0x4e60e400, sources: 2},
	// Conversions between float32 and int32 lanes, toward zero (FCVTZS).
	"FCVTZS": {s4: 0x4ea1b800, d2: 0x4ee1b800, sources: 1},
	"SCVTF":  {s4: 0x4e21d800, d2: 0x4e61d800, sources: 1},
	// Integer multiplication of 32-bit lanes, by a vector and by a lane.
	"MUL":      {s4: 0x4ea09c00, sources: 2},
	"MUL.elem": {s4: 0x4f808000, sources: 2, byElem: true},
	// FMUL by a lane.
	"FMUL.elem": {s4: 0x4f809000, sources: 2, byElem: true},
	// float16 to float32, the low (FCVTL) or high (FCVTL2) 4 lanes of Vn;
	// float32 to float16 (round to nearest, ties to even, per FPCR), into
	// the low 4 lanes of Vd (FCVTN, clearing the high ones) or the high 4
	// (FCVTN2, keeping the low ones).
	"FCVTL":  {s4: 0x0e217800, sources: 1, dArr: "4S", nArr: "4H"},
	"FCVTL2": {s4: 0x4e217800, sources: 1, dArr: "4S", nArr: "8H"},
	"FCVTN":  {s4: 0x0e216800, sources: 1, dArr: "4H", nArr: "4S"},
	"FCVTN2": {s4: 0x4e216800, sources: 1, dArr: "8H", nArr: "4S"},
}

// elem describes one element type.
type elem struct {
	name    string // "32" or "64"
	goType  string // "float32"
	arm     string // Arm arrangement: "4S"
	goArr   string // Go arrangement: "S4"
	size    int    // bytes per element
	lanes   int    // elements per register
	sfx     string // scalar instruction suffix: "S" or "D"
	loadArg string // load of a 4- or 8-byte argument into a general register
	coeffs  string // the Go type of the coefficients: "coeffs32"
}

var elems = []elem{
	{name: "32", goType: "float32", arm: "4S", goArr: "S4", size: 4, lanes: 4, sfx: "S", loadArg: "MOVWU", coeffs: "coeffs32"},
	{name: "64", goType: "float64", arm: "2D", goArr: "D2", size: 8, lanes: 2, sfx: "D", loadArg: "MOVD", coeffs: "coeffs64"},
}

// group is the registers of one vector of lanes: param, grad, sum and a
// scratch register.
type group struct{ p, g, s, t int }

// Registers holding the step's coefficients, one per lane.
const (
	rLR     = 31
	rEpsIn  = 30
	rEpsOut = 29
	rWD     = 28
	rNeg    = 27
	rWDMask = 26
)

type gen struct {
	b strings.Builder
	e elem
}

func (w *gen) printf(format string, args ...any) { fmt.Fprintf(&w.b, format, args...) }

// ins writes one instruction with an optional comment.
func (w *gen) ins(text, comment string) {
	if comment == "" {
		w.printf("\t%s\n", text)
		return
	}
	w.printf("\t%-40s // %s\n", text, comment)
}

func (w *gen) label(name string) { w.printf("\n%s:\n", name) }

func (w *gen) note(text string) { w.printf("\t// %s\n", text) }

// word writes a vector instruction the assembler lacks: Vd = Vn op Vm, or
// Vd = op(Vn).
func (w *gen) word(op string, d, n, m int) { w.wordIdx(op, d, n, m, 0) }

// wordIdx is word with a lane index for the by-element forms (op
// "MUL.elem", "FMUL.elem"): Vd = Vn op Vm.S[idx].
func (w *gen) wordIdx(op string, d, n, m, idx int) {
	v, ok := vectorOps[op]
	if !ok {
		log.Fatalf("no encoding for %s", op)
	}
	enc := v.s4
	if w.e.size == 8 {
		if v.d2 == 0 {
			log.Fatalf("no 2D encoding for %s", op)
		}
		enc = v.d2
	}
	name, _, _ := strings.Cut(op, ".")
	dArr, nArr := w.e.arm, w.e.arm
	if v.dArr != "" {
		dArr, nArr = v.dArr, v.nArr
	}
	enc |= uint32(d) | uint32(n)<<5
	text := fmt.Sprintf("%s V%d.%s, V%d.%s", name, d, dArr, n, nArr)
	switch {
	case v.byElem:
		enc |= uint32(m)<<16 | uint32(idx&1)<<21 | uint32(idx>>1)<<11
		text += fmt.Sprintf(", V%d.S[%d]", m, idx)
	case v.sources == 2:
		enc |= uint32(m) << 16
		text += fmt.Sprintf(", V%d.%s", m, w.e.arm)
	}
	w.ins(fmt.Sprintf("WORD $0x%08x", enc), text)
}

func (w *gen) vreg(r int) string { return fmt.Sprintf("V%d.%s", r, w.e.goArr) }

func b16(r int) string { return fmt.Sprintf("V%d.B16", r) }

// vectorGrad writes the gradient as the step uses it, on whole registers:
// g = grad ^ neg, then g = wdMask ? fma(wd, p, g) : g, with t as scratch.
func (w *gen) vectorGrad(gs []group) {
	each := func(f func(g group)) {
		for _, g := range gs {
			f(g)
		}
	}
	w.note("g = grad ^ neg")
	each(func(g group) { w.ins(fmt.Sprintf("VEOR %s, %s, %s", b16(rNeg), b16(g.g), b16(g.g)), "") })
	w.note("t = fma(wd, p, g)")
	each(func(g group) { w.ins(fmt.Sprintf("VMOV %s, %s", b16(g.g), b16(g.t)), "") })
	each(func(g group) { w.ins(fmt.Sprintf("VFMLA %s, %s, %s", w.vreg(rWD), w.vreg(g.p), w.vreg(g.t)), "") })
	w.note("g = wdMask ? t : g")
	each(func(g group) { w.ins(fmt.Sprintf("VBIT %s, %s, %s", b16(rWDMask), b16(g.t), b16(g.g)), "") })
}

// vectorArith writes the step on whole registers, each instruction for
// every group before the next instruction, so that the groups' dependency
// chains overlap.
func (w *gen) vectorArith(gs []group) {
	each := func(f func(g group)) {
		for _, g := range gs {
			f(g)
		}
	}
	w.vectorGrad(gs)
	w.note("s = fma(g, g, s)")
	each(func(g group) { w.ins(fmt.Sprintf("VFMLA %s, %s, %s", w.vreg(g.g), w.vreg(g.g), w.vreg(g.s)), "") })
	w.note("t = sqrt(s + epsIn) + epsOut")
	each(func(g group) { w.word("FADD", g.t, g.s, rEpsIn) })
	each(func(g group) { w.word("FSQRT", g.t, g.t, 0) })
	each(func(g group) { w.word("FADD", g.t, g.t, rEpsOut) })
	w.note("g = (lr*g) / t")
	each(func(g group) { w.word("FMUL", g.g, g.g, rLR) })
	each(func(g group) { w.word("FDIV", g.g, g.g, g.t) })
	w.note("p = p - g")
	each(func(g group) { w.word("FSUB", g.p, g.p, g.g) })
}

// scalarArith writes the step on lane 0 of the group's registers, with
// scalar instructions (the bitwise ones act on the whole register, of
// which only lane 0 is used).
func (w *gen) scalarArith(g group) {
	s := w.e.sfx
	f := func(r int) string { return fmt.Sprintf("F%d", r) }
	w.ins(fmt.Sprintf("VEOR %s, %s, %s", b16(rNeg), b16(g.g), b16(g.g)), "g = grad ^ neg")
	w.ins(fmt.Sprintf("VMOV %s, %s", b16(g.g), b16(g.t)), "")
	w.ins(fmt.Sprintf("FMADD%s %s, %s, %s, %s", s, f(rWD), f(g.t), f(g.p), f(g.t)), "t = p*wd + t, rounded once")
	w.ins(fmt.Sprintf("VBIT %s, %s, %s", b16(rWDMask), b16(g.t), b16(g.g)), "g = wdMask ? t : g")
	w.ins(fmt.Sprintf("FMADD%s %s, %s, %s, %s", s, f(g.g), f(g.s), f(g.g), f(g.s)), "s = g*g + s, rounded once")
	w.ins(fmt.Sprintf("FADD%s %s, %s, %s", s, f(rEpsIn), f(g.s), f(g.t)), "t = s + epsIn")
	w.ins(fmt.Sprintf("FSQRT%s %s, %s", s, f(g.t), f(g.t)), "")
	w.ins(fmt.Sprintf("FADD%s %s, %s, %s", s, f(rEpsOut), f(g.t), f(g.t)), "t += epsOut")
	w.ins(fmt.Sprintf("FMUL%s %s, %s, %s", s, f(rLR), f(g.g), f(g.g)), "g = g*lr")
	w.ins(fmt.Sprintf("FDIV%s %s, %s, %s", s, f(g.t), f(g.g), f(g.g)), "g = g/t")
	w.ins(fmt.Sprintf("FSUB%s %s, %s, %s", s, f(g.g), f(g.p), f(g.p)), "p = p - g")
}

// regList is a Go register list of n consecutive registers from r.
func (w *gen) regList(r, n int) string {
	var regs []string
	for i := range n {
		regs = append(regs, w.vreg(r+i))
	}
	return "[" + strings.Join(regs, ", ") + "]"
}

// loadCoeffs loads the coefficients from the struct at c, at the offsets
// of go_asm.h, each into every lane of its register, through the general
// register r.
func (w *gen) loadCoeffs(c, r string) {
	for _, a := range []struct {
		field string
		reg   int
	}{{"lr", rLR}, {"epsIn", rEpsIn}, {"epsOut", rEpsOut}, {"wd", rWD}, {"neg", rNeg}, {"wdMask", rWDMask}} {
		w.ins(fmt.Sprintf("%s %s_%s(%s), %s", w.e.loadArg, w.e.coeffs, a.field, c, r), "")
		w.ins(fmt.Sprintf("VDUP %s, %s", r, w.vreg(a.reg)), "")
	}
}

func (w *gen) function() {
	e := w.e
	fn := "step" + e.name + "Asm"
	w.printf("\n// func %s(c *%s, param, grad, sum []%s)\n", fn, e.coeffs, e.goType)
	w.printf("TEXT ·%s(SB), NOSPLIT, $0-80\n", fn)
	w.ins("MOVD c+0(FP), R5", "")
	w.ins("MOVD param_base+8(FP), R0", "")
	w.ins("MOVD param_len+16(FP), R3", "")
	w.ins("MOVD grad_base+32(FP), R1", "")
	w.ins("MOVD sum_base+56(FP), R2", "")
	w.loadCoeffs("R5", "R4")

	w.stepBody(stepRegs{p: "R0", g: "R1", s: "R2", n: "R3"}, e.name)
	w.label("done" + e.name)
	w.ins("RET", "")
}

// stepRegs names the general registers of the step's loops: pointers to
// the next param, grad and sum element, and the count of elements left.
type stepRegs struct{ p, g, s, n string }

// stepBody writes the element-wise step on the n elements at p, g and s,
// 4 registers at a time, then one register at a time, then one element at
// a time; it ends by jumping to (or falling into) label "done"+sfx, which
// the caller writes.
func (w *gen) stepBody(r stepRegs, sfx string) {
	e := w.e
	const unroll = 4
	block := unroll * e.lanes // elements per main-loop iteration
	vbytes := 16
	w.printf("\n\t// %d elements (%d registers) per iteration.\n", block, unroll)
	w.ins(fmt.Sprintf("SUBS $%d, %s", block, r.n), r.n+" = elements left - block")
	w.ins("BLT vector"+sfx, "")
	w.label("loop" + sfx)
	gs := []group{{0, 4, 8, 12}, {1, 5, 9, 13}, {2, 6, 10, 14}, {3, 7, 11, 15}}
	w.ins(fmt.Sprintf("VLD1 (%s), %s", r.p, w.regList(0, unroll)), "")
	w.ins(fmt.Sprintf("VLD1.P %d(%s), %s", unroll*vbytes, r.g, w.regList(4, unroll)), "")
	w.ins(fmt.Sprintf("VLD1 (%s), %s", r.s, w.regList(8, unroll)), "")
	w.vectorArith(gs)
	w.ins(fmt.Sprintf("VST1.P %s, %d(%s)", w.regList(0, unroll), unroll*vbytes, r.p), "")
	w.ins(fmt.Sprintf("VST1.P %s, %d(%s)", w.regList(8, unroll), unroll*vbytes, r.s), "")
	w.ins(fmt.Sprintf("SUBS $%d, %s", block, r.n), "")
	w.ins("BGE loop"+sfx, "")

	w.label("vector" + sfx)
	w.note(fmt.Sprintf("One register (%d elements) at a time.", e.lanes))
	w.ins(fmt.Sprintf("ADDS $%d, %s", block-e.lanes, r.n), r.n+" = elements left - lanes")
	w.ins("BLT scalar"+sfx, "")
	w.label("vloop" + sfx)
	w.ins(fmt.Sprintf("VLD1 (%s), %s", r.p, w.regList(0, 1)), "")
	w.ins(fmt.Sprintf("VLD1.P %d(%s), %s", vbytes, r.g, w.regList(4, 1)), "")
	w.ins(fmt.Sprintf("VLD1 (%s), %s", r.s, w.regList(8, 1)), "")
	w.vectorArith(gs[:1])
	w.ins(fmt.Sprintf("VST1.P %s, %d(%s)", w.regList(0, 1), vbytes, r.p), "")
	w.ins(fmt.Sprintf("VST1.P %s, %d(%s)", w.regList(8, 1), vbytes, r.s), "")
	w.ins(fmt.Sprintf("SUBS $%d, %s", e.lanes, r.n), "")
	w.ins("BGE vloop"+sfx, "")

	w.label("scalar" + sfx)
	if e.lanes == 2 {
		w.note("0 or 1 element left.")
	} else {
		w.note(fmt.Sprintf("0 to %d elements left, one at a time.", e.lanes-1))
	}
	w.ins(fmt.Sprintf("ADDS $%d, %s", e.lanes, r.n), r.n+" = elements left")
	w.ins("BEQ done"+sfx, "")
	w.label("sloop" + sfx)
	mov := "FMOV" + e.sfx
	w.ins(fmt.Sprintf("%s (%s), F0", mov, r.p), "")
	w.ins(fmt.Sprintf("%s.P %d(%s), F4", mov, e.size, r.g), "")
	w.ins(fmt.Sprintf("%s (%s), F8", mov, r.s), "")
	w.scalarArith(gs[0])
	w.ins(fmt.Sprintf("%s.P F0, %d(%s)", mov, e.size, r.p), "")
	w.ins(fmt.Sprintf("%s.P F8, %d(%s)", mov, e.size, r.s), "")
	w.ins("SUBS $1, "+r.n, "")
	w.ins("BNE sloop"+sfx, "")
}

const header = `// Code generated by go run ./_gen; DO NOT EDIT.

//go:build gc && !purego

#include "textflag.h"
#include "go_asm.h"

// Registers in both functions:
//   R0 param, R1 grad, R2 sum: pointers to the next element
//   R3 elements left (minus the block size inside the loops)
//   R5 the coefficients (c), read at the offsets of go_asm.h
//   V31 lr, V30 epsIn, V29 epsOut, V28 wd, V27 sign bit to flip (neg),
//   V26 all ones where weight decay is on (wdMask), each in every lane
//
// Per register of lanes (p param, g grad, s sum, t scratch):
//   g   = grad ^ neg
//   g   = wdMask ? fma(wd, p, g) : g
//   s   = fma(g, g, sum)
//   std = sqrt(s + epsIn) + epsOut
//   p   = p - (lr*g)/std
// Every operation is IEEE-754 correctly rounded (FSQRT, FDIV, and FMLA
// rounded once; Go leaves FPCR at round-to-nearest without flush-to-zero),
// so each lane gives exactly the generic path's bits. Fewer elements than a
// register holds are done one at a time with the scalar forms of the same
// instructions: no element is read or written twice, and nothing outside
// the slices is touched.
//
// The assembler has no vector FADD, FSUB, FMUL, FDIV or FSQRT: they are
// WORDs, each with the instruction it encodes beside it in Arm syntax
// (destination first). Go syntax lists operands the other way round:
// VFMLA Vm, Vn, Vd is Vd += Vn*Vm, VBIT Vm, Vn, Vd inserts the bits of Vn
// into Vd where Vm is set.
`

func main() {
	out := flag.String("o", "", "output file (default standard output)")
	rows := flag.Bool("rows", false, "write rows_arm64.s, the row kernels, instead of kernel_arm64.s")
	online := flag.Bool("online", false, "write online_arm64.s, the online row kernels, instead of kernel_arm64.s")
	half := flag.Bool("half", false, "write half_arm64.s, the 16-bit row kernels, instead of kernel_arm64.s")
	flag.Parse()
	var all strings.Builder
	switch {
	case countTrue(*rows, *online, *half) > 1:
		log.Fatal("-rows, -online and -half each name a file: give one")
	case *rows:
		all.WriteString(rowsFile())
	case *online:
		all.WriteString(onlineFile())
	case *half:
		all.WriteString(halfFile())
	default:
		all.WriteString(header)
		for _, e := range elems {
			w := &gen{e: e}
			w.function()
			all.WriteString(w.b.String())
		}
	}
	if *out == "" {
		fmt.Print(all.String())
		return
	}
	if err := os.WriteFile(*out, []byte(all.String()), 0o644); err != nil {
		log.Fatal(err)
	}
}

func countTrue(bs ...bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

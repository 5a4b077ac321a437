package fuzz

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/adagrad-go/adagrad/kernel"
)

// stepInput turns fuzzer bytes into a step: n elements, the three slices
// at start offsets 0..3 inside larger buffers (so the assembly sees every
// alignment), and options.
type stepInput struct {
	n                int
	offP, offG, offS int
	o                kernel.Options
	data             []byte
}

func newStepInput(data []byte, n uint16, offs, flags uint8, lr, eps, wd float64) stepInput {
	in := stepInput{
		n:    int(n % 1200),
		offP: int(offs & 3), offG: int(offs >> 2 & 3), offS: int(offs >> 4 & 3),
		o:    kernel.Options{LR: lr, Eps: eps, Maximize: flags&1 != 0, EpsInside: flags&2 != 0},
		data: data,
	}
	if flags&4 != 0 {
		in.o.WeightDecay = wd
	}
	return in
}

// word returns the i-th 8 bytes of data, cycling, mixed with i so that a
// short input still gives varied values.
func (in stepInput) word(i int) uint64 {
	if len(in.data) == 0 {
		return uint64(i) * 0x9e3779b97f4a7c15
	}
	var b [8]byte
	for k := range b {
		b[k] = in.data[(i*8+k)%len(in.data)]
	}
	w := binary.LittleEndian.Uint64(b[:])
	if (i*8)/len(in.data) > 0 { // past the fuzzer's bytes: vary the cycle
		w ^= uint64(i/len(in.data)+1) * 0x9e3779b97f4a7c15
	}
	return w
}

func sameBits32(a, b float32) bool {
	return a != a && b != b || math.Float32bits(a) == math.Float32bits(b)
}

func sameBits64(a, b float64) bool {
	return a != a && b != b || math.Float64bits(a) == math.Float64bits(b)
}

func seeds(f *testing.F) {
	f.Add([]byte{}, uint16(0), uint8(0), uint8(0), 0.01, 1e-10, 0.0)
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9}, uint16(37), uint8(0x1b), uint8(7), 0.1, 1e-6, 0.05)
	f.Add([]byte{0, 0, 0x80, 0x7f, 0, 0, 0xc0, 0x7f, 1, 0, 0, 0, 0, 0, 0x80, 0xff}, uint16(131), uint8(0x39), uint8(5), 1.0, 0.0, -2.0)
	f.Add([]byte{0xff, 0xff, 0x7f, 0x00, 0x01, 0x00, 0x00, 0x80}, uint16(1023), uint8(0x2d), uint8(3), 1e30, 1e-45, 1e-30)
	// Tame values (flag 8) in every mode, at lengths that end in a tail.
	for flags := uint8(8); flags < 16; flags++ {
		f.Add([]byte("adagrad tame values, every mode"), uint16(29+int(flags)), flags*3, flags, 0.05, 0.01*float64(flags), 0.1)
	}
}

// FuzzStep32 holds every available path to the generic one on Step32.
func FuzzStep32(f *testing.F) {
	seeds(f)
	paths := kernel.Paths()
	f.Fuzz(func(t *testing.T, data []byte, n uint16, offs, flags uint8, lr, eps, wd float64) {
		in := newStepInput(data, n, offs, flags, lr, eps, wd)
		mk := func(off, salt int) []float32 {
			s := make([]float32, off+in.n)
			for i := range in.n {
				w := in.word(i*3 + salt)
				s[off+i] = math.Float32frombits(uint32(w))
				if flags&8 != 0 { // tame values: moderate magnitudes with the fuzzer's bits
					s[off+i] = float32(int32(w>>32)) * 0x1p-24
				}
			}
			return s[off:]
		}
		param0, grad, sum0 := mk(in.offP, 0), mk(in.offG, 1), mk(in.offS, 2)
		wantP := append([]float32(nil), param0...)
		wantS := append([]float32(nil), sum0...)
		kernel.Generic().Step32(wantP, grad, wantS, in.o)
		for k, p := range paths {
			param := append(make([]float32, 0, in.n), param0...)
			sum := append(make([]float32, 0, in.n), sum0...)
			if (k+int(flags))%2 == 0 {
				p.Step32(param, grad, sum, in.o)
			} else { // through a Prepared
				pr := p.Prepare(in.o)
				pr.Step32(param, grad, sum)
			}
			for i := range in.n {
				if !sameBits32(param[i], wantP[i]) || !sameBits32(sum[i], wantS[i]) {
					t.Fatalf("%s n=%d %+v element %d: param %08x sum %08x, generic %08x %08x (param0 %08x grad %08x sum0 %08x)",
						p.Name(), in.n, in.o, i, math.Float32bits(param[i]), math.Float32bits(sum[i]),
						math.Float32bits(wantP[i]), math.Float32bits(wantS[i]),
						math.Float32bits(param0[i]), math.Float32bits(grad[i]), math.Float32bits(sum0[i]))
				}
			}
		}
	})
}

// FuzzStep64 holds every available path to the generic one on Step64.
func FuzzStep64(f *testing.F) {
	seeds(f)
	paths := kernel.Paths()
	f.Fuzz(func(t *testing.T, data []byte, n uint16, offs, flags uint8, lr, eps, wd float64) {
		in := newStepInput(data, n, offs, flags, lr, eps, wd)
		mk := func(off, salt int) []float64 {
			s := make([]float64, off+in.n)
			for i := range in.n {
				w := in.word(i*3 + salt)
				s[off+i] = math.Float64frombits(w)
				if flags&8 != 0 {
					s[off+i] = float64(int64(w)) * 0x1p-53
				}
			}
			return s[off:]
		}
		param0, grad, sum0 := mk(in.offP, 0), mk(in.offG, 1), mk(in.offS, 2)
		wantP := append([]float64(nil), param0...)
		wantS := append([]float64(nil), sum0...)
		kernel.Generic().Step64(wantP, grad, wantS, in.o)
		for k, p := range paths {
			param := append(make([]float64, 0, in.n), param0...)
			sum := append(make([]float64, 0, in.n), sum0...)
			if (k+int(flags))%2 == 0 {
				p.Step64(param, grad, sum, in.o)
			} else { // through a Prepared
				pr := p.Prepare(in.o)
				pr.Step64(param, grad, sum)
			}
			for i := range in.n {
				if !sameBits64(param[i], wantP[i]) || !sameBits64(sum[i], wantS[i]) {
					t.Fatalf("%s n=%d %+v element %d: param %016x sum %016x, generic %016x %016x",
						p.Name(), in.n, in.o, i, math.Float64bits(param[i]), math.Float64bits(sum[i]),
						math.Float64bits(wantP[i]), math.Float64bits(wantS[i]))
				}
			}
		}
	})
}

package optim

import (
	"cmp"
	"fmt"
	"slices"
	"unsafe"
)

// span is the memory of a parameter's Value or Grad: bytes [lo, hi).
type span struct {
	lo, hi uintptr
	p      *pstate
	grad   bool
}

func (s span) String() string {
	if s.grad {
		return fmt.Sprintf("the Grad of %q", s.p.name)
	}
	return fmt.Sprintf("the Value of %q", s.p.name)
}

func appendSpan[T float32 | float64](spans []span, s []T, p *pstate, grad bool) []span {
	if len(s) == 0 {
		return spans // no memory, no overlap
	}
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	return append(spans, span{lo, lo + uintptr(len(s))*unsafe.Sizeof(s[0]), p, grad})
}

// appendSpans appends the spans of p's Value and Grad as Step would use
// them, recording their addresses in p.
func appendSpans(spans []span, p *pstate) []span {
	if p.p32 != nil {
		p.seenV, p.seenG = unsafe.Pointer(unsafe.SliceData(p.p32.Value)), unsafe.Pointer(unsafe.SliceData(p.p32.Grad))
		return appendSpan(appendSpan(spans, p.p32.Value, p, false), p.p32.Grad, p, true)
	}
	p.seenV, p.seenG = unsafe.Pointer(unsafe.SliceData(p.p64.Value)), unsafe.Pointer(unsafe.SliceData(p.p64.Grad))
	return appendSpan(appendSpan(spans, p.p64.Value, p, false), p.p64.Grad, p, true)
}

// moved reports whether p's Value or Grad is not where appendSpans last
// saw it.
func (p *pstate) moved() bool {
	if p.p32 != nil {
		return p.seenV != unsafe.Pointer(unsafe.SliceData(p.p32.Value)) || p.seenG != unsafe.Pointer(unsafe.SliceData(p.p32.Grad))
	}
	return p.seenV != unsafe.Pointer(unsafe.SliceData(p.p64.Value)) || p.seenG != unsafe.Pointer(unsafe.SliceData(p.p64.Grad))
}

// checkOverlap returns an error naming two of the spans that share memory
// where one of them is a Value: a step writes every Value, so a Value may
// share its memory with nothing else, not even its own Grad; Grads are
// only read and may share theirs. It sorts spans, in O(n log n).
func checkOverlap(spans []span) error {
	slices.SortFunc(spans, func(a, b span) int { return cmp.Compare(a.lo, b.lo) })
	var lastAny, lastValue span // of the spans so far, the ones reaching furthest
	for _, s := range spans {
		if lastAny.hi > s.lo && !s.grad || lastValue.hi > s.lo {
			other := lastValue
			if !s.grad && lastAny.hi > s.lo {
				other = lastAny
			}
			return fmt.Errorf("%v and %v share memory; a parameter's Value must not overlap another's, nor any Grad (tie weights by giving one parameter both uses)", other, s)
		}
		if s.hi > lastAny.hi {
			lastAny = s
		}
		if !s.grad && s.hi > lastValue.hi {
			lastValue = s
		}
	}
	return nil
}

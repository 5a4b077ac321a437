package checkpoint

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"unicode/utf8"
)

// DType names an element type as the safetensors header spells it.
type DType string

// The element types this package reads and writes.
const (
	F32  DType = "F32"  // float32
	F64  DType = "F64"  // float64
	I64  DType = "I64"  // int64
	BF16 DType = "BF16" // bfloat16, held as its bits in a BFloat16
	F16  DType = "F16"  // IEEE binary16, held as its bits in a Float16
)

// BFloat16 is the bits of a bfloat16 value (the upper half of a float32's
// bits); a []BFloat16 is a tensor of dtype BF16. This package moves the
// bits and does no arithmetic on them.
type BFloat16 uint16

// Float16 is the bits of an IEEE binary16 value; a []Float16 is a tensor
// of dtype F16.
type Float16 uint16

// Size returns the size of one element in bytes, or 0 for a dtype this
// package does not handle.
func (d DType) Size() int {
	switch d {
	case BF16, F16:
		return 2
	case F32:
		return 4
	case F64, I64:
		return 8
	}
	return 0
}

// MaxHeaderSize is the largest header accepted, in bytes (the limit of the
// reference implementation).
const MaxHeaderSize = 100_000_000

// MetadataKey is the header key that holds the file's string metadata; no
// tensor may have this name.
const MetadataKey = "__metadata__"

// ErrFormat is wrapped by every error that reports a malformed file or a
// tensor that cannot be written.
var ErrFormat = errors.New("checkpoint: bad safetensors data")

// Tensor is one named tensor. Data is a []float32, []float64, []int64,
// []BFloat16 or []Float16 holding the elements in row-major order; its length is the product of
// Shape (1 for the empty shape of a scalar).
type Tensor struct {
	Name  string
	Shape []int
	Data  any
}

// DType returns the dtype that Data's type maps to, or "" for an
// unsupported type.
func (t *Tensor) DType() DType {
	switch t.Data.(type) {
	case []float32:
		return F32
	case []float64:
		return F64
	case []int64:
		return I64
	case []BFloat16:
		return BF16
	case []Float16:
		return F16
	}
	return ""
}

func (t *Tensor) dataLen() int {
	switch d := t.Data.(type) {
	case []float32:
		return len(d)
	case []float64:
		return len(d)
	case []int64:
		return len(d)
	case []BFloat16:
		return len(d)
	case []Float16:
		return len(d)
	}
	return 0
}

// File is the content of a safetensors file: its tensors and the string
// metadata of the header's "__metadata__" entry (nil when there is none).
type File struct {
	Metadata map[string]string
	Tensors  []Tensor
}

// Tensor returns the tensor called name.
func (f *File) Tensor(name string) (*Tensor, bool) {
	for i := range f.Tensors {
		if f.Tensors[i].Name == name {
			return &f.Tensors[i], true
		}
	}
	return nil, false
}

func formatErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrFormat}, args...)...)
}

// numel returns the number of elements of shape, or false if a dimension
// is negative or the product overflows an int.
func numel(shape []int) (int, bool) {
	n := 1
	for _, d := range shape {
		if d < 0 {
			return 0, false
		}
		hi, lo := bits.Mul64(uint64(n), uint64(d))
		if hi != 0 || lo > math.MaxInt {
			return 0, false
		}
		n = int(lo)
	}
	return n, true
}

// check validates f for writing and returns the order in which the tensors
// are laid out: by element size, largest first, then by name, as the
// reference implementation orders them, so that every tensor's data stays
// aligned to its element size.
func (f *File) check() ([]int, error) {
	for k, v := range f.Metadata {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return nil, formatErr("metadata %q: not valid UTF-8", k)
		}
	}
	seen := make(map[string]bool, len(f.Tensors))
	order := make([]int, len(f.Tensors))
	for i := range f.Tensors {
		t := &f.Tensors[i]
		order[i] = i
		switch {
		case t.Name == MetadataKey:
			return nil, formatErr("tensor name %q is reserved", t.Name)
		case !utf8.ValidString(t.Name):
			return nil, formatErr("tensor name %q: not valid UTF-8", t.Name)
		case seen[t.Name]:
			return nil, formatErr("tensor %q appears twice", t.Name)
		case t.DType() == "":
			return nil, formatErr("tensor %q: unsupported data type %T (want []float32, []float64, []int64, []BFloat16 or []Float16)", t.Name, t.Data)
		}
		seen[t.Name] = true
		if len(t.Shape) > MaxRank {
			return nil, errRank(t.Name)
		}
		n, ok := numel(t.Shape)
		if !ok {
			return nil, formatErr("tensor %q: bad shape %v", t.Name, t.Shape)
		}
		if n != t.dataLen() {
			return nil, formatErr("tensor %q: shape %v holds %d elements, data has %d", t.Name, t.Shape, n, t.dataLen())
		}
	}
	slices.SortStableFunc(order, func(a, b int) int {
		ta, tb := &f.Tensors[a], &f.Tensors[b]
		if sa, sb := ta.DType().Size(), tb.DType().Size(); sa != sb {
			return sb - sa
		}
		if ta.Name < tb.Name {
			return -1
		}
		if ta.Name > tb.Name {
			return 1
		}
		return 0
	})
	return order, nil
}

func jsonString(buf *bytes.Buffer, s string) {
	b, _ := json.Marshal(s) // s is valid UTF-8: cannot fail
	buf.Write(b)
}

// header returns the padded header for the tensors in order, and the size
// of the data buffer.
func (f *File) header(order []int) ([]byte, uint64) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	first := true
	comma := func() {
		if !first {
			buf.WriteByte(',')
		}
		first = false
	}
	if len(f.Metadata) > 0 {
		comma()
		jsonString(&buf, MetadataKey)
		buf.WriteString(":{")
		keys := make([]string, 0, len(f.Metadata))
		for k := range f.Metadata {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			jsonString(&buf, k)
			buf.WriteByte(':')
			jsonString(&buf, f.Metadata[k])
		}
		buf.WriteByte('}')
	}
	var off uint64
	for _, i := range order {
		t := &f.Tensors[i]
		comma()
		jsonString(&buf, t.Name)
		buf.WriteString(`:{"dtype":"`)
		buf.WriteString(string(t.DType()))
		buf.WriteString(`","shape":[`)
		for j, d := range t.Shape {
			if j > 0 {
				buf.WriteByte(',')
			}
			buf.WriteString(strconv.Itoa(d))
		}
		size := uint64(t.dataLen()) * uint64(t.DType().Size())
		fmt.Fprintf(&buf, `],"data_offsets":[%d,%d]}`, off, off+size)
		off += size
	}
	buf.WriteByte('}')
	for (8+buf.Len())%8 != 0 {
		buf.WriteByte(' ')
	}
	return buf.Bytes(), off
}

// prepare checks f and returns the tensors' layout order and the header.
// It refuses what a reader of this package would refuse: the header goes
// through the reader's own checks, so the rules exist once.
func (f *File) prepare() ([]int, []byte, error) {
	order, err := f.check()
	if err != nil {
		return nil, nil, err
	}
	hdr, dataLen := f.header(order)
	if uint64(len(hdr)) > MaxHeaderSize {
		return nil, nil, errHeaderSize(uint64(len(hdr)))
	}
	_, entries, _, err := parseHeader(hdr)
	if err == nil {
		_, err = layout(entries, 8+int64(len(hdr)), dataLen)
	}
	if err != nil {
		return nil, nil, err
	}
	return order, hdr, nil
}

// Marshal returns f in the safetensors format, as Encode writes it.
func Marshal(f *File) ([]byte, error) {
	var buf bytes.Buffer
	if err := Encode(&buf, f); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Encode writes f to w in the safetensors format. It checks f first (names
// unique, valid UTF-8 and not "__metadata__"; supported data types; at
// most [MaxRank] dimensions; shapes that match the data; a header of at
// most [MaxHeaderSize] bytes) and writes nothing if f is invalid: what
// Encode writes, [Decode] reads, and what Decode would refuse, Encode
// refuses with the same error. Tensors are laid
// out by element size, largest first, then by name; metadata keys are
// sorted, so the same File always gives the same bytes.
func Encode(w io.Writer, f *File) error {
	order, hdr, err := f.prepare()
	if err != nil {
		return err
	}
	return writeFile(w, f, order, hdr)
}

func writeFile(w io.Writer, f *File, order []int, hdr []byte) error {
	buf := make([]byte, 1<<16)
	binary.LittleEndian.PutUint64(buf, uint64(len(hdr)))
	if _, err := w.Write(buf[:8]); err != nil {
		return err
	}
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	for _, i := range order {
		var err error
		switch d := f.Tensors[i].Data.(type) {
		case []float32:
			err = writeLE(w, buf, d, 4, func(b []byte, v float32) { binary.LittleEndian.PutUint32(b, math.Float32bits(v)) })
		case []float64:
			err = writeLE(w, buf, d, 8, func(b []byte, v float64) { binary.LittleEndian.PutUint64(b, math.Float64bits(v)) })
		case []int64:
			err = writeLE(w, buf, d, 8, func(b []byte, v int64) { binary.LittleEndian.PutUint64(b, uint64(v)) })
		case []BFloat16:
			err = writeLE(w, buf, d, 2, func(b []byte, v BFloat16) { binary.LittleEndian.PutUint16(b, uint16(v)) })
		case []Float16:
			err = writeLE(w, buf, d, 2, func(b []byte, v Float16) { binary.LittleEndian.PutUint16(b, uint16(v)) })
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// writeLE writes the elements of d, size bytes each, through buf.
func writeLE[T any](w io.Writer, buf []byte, d []T, size int, put func([]byte, T)) error {
	per := len(buf) / size
	for len(d) > 0 {
		n := min(per, len(d))
		for j, v := range d[:n] {
			put(buf[j*size:], v)
		}
		if _, err := w.Write(buf[:n*size]); err != nil {
			return err
		}
		d = d[n:]
	}
	return nil
}

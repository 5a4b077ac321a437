package checkpoint

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"unicode/utf8"
)

// ErrNotRegular is wrapped by the error of [Open] and [Load] for a path
// that is not a regular file (a directory, FIFO, device or socket), which
// they refuse rather than read from.
var ErrNotRegular = errors.New("checkpoint: not a regular file")

// TensorInfo describes one tensor of a file without its data.
type TensorInfo struct {
	Name  string
	DType DType
	Shape []int // shared with the Reader: do not modify
	// Offset is the position of the tensor's first byte in the file, Size
	// its number of bytes (the product of Shape times the dtype's size).
	Offset, Size int64
}

// Len returns the number of elements, the product of Shape.
func (t *TensorInfo) Len() int {
	n, _ := numel(t.Shape) // checked when the header was read
	return n
}

// Reader reads a safetensors file tensor by tensor. [Open] and
// [NewReader] read and check the header and the layout of the data
// (everything [Decode] checks except the tensors' bytes, which are
// arbitrary), so that a loader can check every name, dtype and shape it
// needs before it reads or changes anything, and then read each tensor
// straight into its own memory with [Reader.ReadInto].
//
// The header costs time linear in its length and memory of a small
// multiple of it (a few times its size at worst, for a header of many
// empty tensors); a Reader never allocates memory proportional to the data.
//
// The methods may be called from several goroutines at once if the
// underlying [io.ReaderAt] allows it, as *os.File and *bytes.Reader do.
type Reader struct {
	ra    io.ReaderAt
	mem   []byte   // the whole file, when it is in memory ([Decode])
	file  *os.File // the file to close, when opened by [Open]
	meta  map[string]string
	infos []TensorInfo   // in the order of their data
	index map[string]int // name to position in infos
}

// readBufSize is the size of the buffer ReadInto reads through.
const readBufSize = 64 << 10

// Open opens the safetensors file at path and reads its header (see
// [Reader]). It refuses a path that is not a regular file, with an error
// wrapping [ErrNotRegular] (a FIFO is refused without blocking on it), and
// a file whose size is not exactly what its header describes, with an
// error wrapping [ErrFormat]. The caller must Close the Reader.
func Open(path string) (*Reader, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: load: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is a %v", ErrNotRegular, path, st.Mode().Type())
	}
	// Non-blocking, so that a FIFO put in place since the Stat is refused
	// below rather than waited on.
	fh, err := os.OpenFile(path, os.O_RDONLY|openNonblock, 0)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: load: %w", err)
	}
	if st, err = fh.Stat(); err != nil || !st.Mode().IsRegular() {
		fh.Close()
		if err != nil {
			return nil, fmt.Errorf("checkpoint: load: %w", err)
		}
		return nil, fmt.Errorf("%w: %s is a %v", ErrNotRegular, path, st.Mode().Type())
	}
	r, err := newReader(fh, st.Size(), nil)
	if err != nil {
		fh.Close()
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	r.file = fh
	return r, nil
}

// NewReader reads the header of the safetensors file held in the first
// size bytes of ra (see [Reader]). The file must be exactly size bytes
// long: data before or after the tensors' is an error.
func NewReader(ra io.ReaderAt, size int64) (*Reader, error) {
	return newReader(ra, size, nil)
}

// readFull reads len(b) bytes at off, reporting a short read as a
// truncated file.
func readFull(ra io.ReaderAt, b []byte, off int64, what string) error {
	n, err := ra.ReadAt(b, off)
	if n == len(b) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return formatErr("%s: the file ends %d bytes early (truncated while reading?)", what, len(b)-n)
	}
	return fmt.Errorf("checkpoint: reading %s: %w", what, err)
}

func newReader(ra io.ReaderAt, size int64, mem []byte) (*Reader, error) {
	if size < 8 {
		return nil, formatErr("file is %d bytes long, shorter than the 8-byte header length", size)
	}
	var lenBuf [8]byte
	if err := readFull(ra, lenBuf[:], 0, "the header length"); err != nil {
		return nil, err
	}
	n := binary.LittleEndian.Uint64(lenBuf[:])
	if n > MaxHeaderSize {
		return nil, errHeaderSize(n)
	}
	if n > uint64(size-8) {
		return nil, formatErr("header length %d exceeds the %d bytes after the length (truncated file?)", n, size-8)
	}
	var hdr []byte
	if mem != nil {
		hdr = mem[8 : 8+n]
	} else {
		hdr = make([]byte, n)
		if err := readFull(ra, hdr, 8, "the header"); err != nil {
			return nil, err
		}
	}
	if !utf8.Valid(hdr) {
		return nil, formatErr("header is not valid UTF-8")
	}
	if len(hdr) == 0 || hdr[0] != '{' {
		return nil, formatErr("header does not start with '{'")
	}
	meta, entries, index, err := parseHeader(hdr)
	if err != nil {
		return nil, err
	}
	infos, err := layout(entries, 8+int64(n), uint64(size)-8-n)
	if err != nil {
		return nil, err
	}
	for i := range infos {
		index[infos[i].Name] = i
	}
	return &Reader{ra: ra, mem: mem, meta: meta, infos: infos, index: index}, nil
}

// layout checks that the entries' data tile the data buffer of dataLen
// bytes, which starts at byte start of the file, and returns them in the
// order of their data with absolute offsets.
func layout(entries []entry, start int64, dataLen uint64) ([]TensorInfo, error) {
	slices.SortStableFunc(entries, func(a, b entry) int {
		if a.begin != b.begin {
			if a.begin < b.begin {
				return -1
			}
			return 1
		}
		if a.end < b.end {
			return -1
		}
		if a.end > b.end {
			return 1
		}
		return 0
	})
	infos := make([]TensorInfo, len(entries))
	var off uint64
	for i := range entries {
		e := &entries[i]
		if e.end < e.begin {
			return nil, formatErr("tensor %q: data_offsets [%d, %d] end before they begin", e.info.Name, e.begin, e.end)
		}
		if e.begin != off {
			return nil, formatErr("tensor %q: data starts at byte %d of the data buffer, want %d (gap or overlap)", e.info.Name, e.begin, off)
		}
		cnt, ok := numel(e.info.Shape)
		if !ok {
			return nil, formatErr("tensor %q: shape %v has too many elements", e.info.Name, e.info.Shape)
		}
		size := uint64(e.info.DType.Size())
		if uint64(cnt) > math.MaxUint64/size || uint64(cnt)*size != e.end-e.begin {
			return nil, formatErr("tensor %q: shape %v of %s needs %d elements of %d bytes, data_offsets [%d, %d] hold %d bytes",
				e.info.Name, e.info.Shape, e.info.DType, cnt, size, e.begin, e.end, e.end-e.begin)
		}
		if e.end > dataLen {
			return nil, formatErr("tensor %q: data_offsets [%d, %d] reach past the %d-byte data buffer (truncated file?)", e.info.Name, e.begin, e.end, dataLen)
		}
		off = e.end
		infos[i] = e.info
		infos[i].Offset = start + int64(e.begin)
		infos[i].Size = int64(e.end - e.begin)
	}
	if off != dataLen {
		return nil, formatErr("data buffer is %d bytes, the tensors cover %d (trailing bytes)", dataLen, off)
	}
	return infos, nil
}

// Metadata returns the header's "__metadata__" strings (nil when there
// are none). The map belongs to the Reader: do not modify it.
func (r *Reader) Metadata() map[string]string { return r.meta }

// Tensors returns the file's tensors, in the order of their data.
func (r *Reader) Tensors() []TensorInfo { return slices.Clone(r.infos) }

// Info returns the tensor called name.
func (r *Reader) Info(name string) (TensorInfo, bool) {
	i, ok := r.index[name]
	if !ok {
		return TensorInfo{}, false
	}
	return r.infos[i], true
}

// ReadInto reads the tensor called name into dst, which must be a
// []float32, []float64, []int64, []BFloat16 or []Float16 matching the
// tensor's dtype, of exactly
// the tensor's length. It reads through a buffer of at most 64 KiB and
// allocates nothing else. On error dst may hold part of the data.
func (r *Reader) ReadInto(name string, dst any) error {
	i, ok := r.index[name]
	if !ok {
		return fmt.Errorf("checkpoint: no tensor %q", name)
	}
	t := &r.infos[i]
	var n int
	var dt DType
	switch d := dst.(type) {
	case []float32:
		n, dt = len(d), F32
	case []float64:
		n, dt = len(d), F64
	case []int64:
		n, dt = len(d), I64
	case []BFloat16:
		n, dt = len(d), BF16
	case []Float16:
		n, dt = len(d), F16
	default:
		return fmt.Errorf("checkpoint: tensor %q: cannot read into %T (want []float32, []float64, []int64, []BFloat16 or []Float16)", name, dst)
	}
	if dt != t.DType || n != t.Len() {
		return fmt.Errorf("checkpoint: tensor %q is %s %v (%d elements), cannot read it into %T of length %d", name, t.DType, t.Shape, t.Len(), dst, n)
	}
	if r.mem != nil {
		decodeLE(dst, 0, r.mem[t.Offset:t.Offset+t.Size])
		return nil
	}
	size := int64(t.DType.Size())
	buf := make([]byte, min(t.Size, readBufSize))
	for done := int64(0); done < t.Size; {
		b := buf[:min(int64(len(buf)), t.Size-done)]
		if err := readFull(r.ra, b, t.Offset+done, fmt.Sprintf("tensor %q", name)); err != nil {
			return err
		}
		decodeLE(dst, int(done/size), b)
		done += int64(len(b))
	}
	return nil
}

// decodeLE decodes the little-endian elements in raw into dst from
// element at on.
func decodeLE(dst any, at int, raw []byte) {
	switch d := dst.(type) {
	case []float32:
		d = d[at : at+len(raw)/4]
		for j := range d {
			d[j] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*j:]))
		}
	case []float64:
		d = d[at : at+len(raw)/8]
		for j := range d {
			d[j] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*j:]))
		}
	case []int64:
		d = d[at : at+len(raw)/8]
		for j := range d {
			d[j] = int64(binary.LittleEndian.Uint64(raw[8*j:]))
		}
	case []BFloat16:
		d = d[at : at+len(raw)/2]
		for j := range d {
			d[j] = BFloat16(binary.LittleEndian.Uint16(raw[2*j:]))
		}
	case []Float16:
		d = d[at : at+len(raw)/2]
		for j := range d {
			d[j] = Float16(binary.LittleEndian.Uint16(raw[2*j:]))
		}
	}
}

// ReadTensor reads the tensor called name into newly allocated memory.
func (r *Reader) ReadTensor(name string) (*Tensor, error) {
	t, ok := r.Info(name)
	if !ok {
		return nil, fmt.Errorf("checkpoint: no tensor %q", name)
	}
	out := &Tensor{Name: t.Name, Shape: slices.Clone(t.Shape)}
	if err := r.readTensor(&t, out); err != nil {
		return nil, err
	}
	return out, nil
}

func (r *Reader) readTensor(t *TensorInfo, out *Tensor) error {
	switch t.DType {
	case F32:
		out.Data = make([]float32, t.Len())
	case F64:
		out.Data = make([]float64, t.Len())
	case I64:
		out.Data = make([]int64, t.Len())
	case BF16:
		out.Data = make([]BFloat16, t.Len())
	case F16:
		out.Data = make([]Float16, t.Len())
	}
	return r.ReadInto(t.Name, out.Data)
}

// readAll reads every tensor, in the order of their data.
func (r *Reader) readAll() (*File, error) {
	f := &File{Metadata: r.meta, Tensors: make([]Tensor, len(r.infos))}
	for i := range r.infos {
		t := &r.infos[i]
		f.Tensors[i] = Tensor{Name: t.Name, Shape: t.Shape}
		if err := r.readTensor(t, &f.Tensors[i]); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// Close closes the file opened by [Open]; for a Reader from [NewReader]
// it does nothing.
func (r *Reader) Close() error {
	if r.file == nil {
		return nil
	}
	err := r.file.Close()
	r.file = nil
	return err
}

// Decode parses a whole safetensors file held in b and returns its tensors,
// in the order of their data in the file, with their data copied out of b.
// It is [NewReader] followed by a read of every tensor.
//
// Everything is checked before anything is returned: the 8-byte header
// length (at most [MaxHeaderSize] and within b), the header (valid UTF-8, a
// single JSON object, nothing but whitespace after it, no key given twice,
// strings without lone surrogate escapes, each tensor with exactly "dtype",
// "shape" and "data_offsets", each number a non-negative integer, at most
// [MaxRank] dimensions), each dtype (F32, F64, I64, BF16 or F16), each
// shape against
// its byte size, and the offsets, which must tile the data buffer from its
// first byte to its last with no gap and no overlap. Errors wrap
// [ErrFormat] and say what is wrong and where.
func Decode(b []byte) (*File, error) {
	r, err := newReader(bytes.NewReader(b), int64(len(b)), b)
	if err != nil {
		return nil, err
	}
	return r.readAll()
}

// Load reads and decodes the file at path: [Open], then a read of every
// tensor. It checks what [Decode] checks, and refuses what [Open] refuses
// (a path that is not a regular file; a size other than the header
// describes); it reads the length and the header first, and then only the
// bytes the checked offsets name.
func Load(path string) (*File, error) {
	r, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	f, err := r.readAll()
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	return f, nil
}

package checkpoint

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// entry is one tensor of the header, before its data is read.
type entry struct {
	name       string
	dtype      DType
	shape      []int
	begin, end uint64
}

// Decode parses a whole safetensors file held in b and returns its tensors,
// in the order of their data in the file, with their data copied out of b.
//
// Everything is checked before anything is returned: the 8-byte header
// length (at most [MaxHeaderSize] and within b), the header (valid UTF-8, a
// single JSON object, nothing but whitespace after it, no key given twice, each
// tensor with exactly "dtype", "shape" and "data_offsets", each number a
// non-negative integer), each dtype (F32, F64 or I64), each shape against
// its byte size, and the offsets, which must tile the data buffer from its
// first byte to its last with no gap and no overlap. Errors wrap
// [ErrFormat] and say what is wrong and where.
func Decode(b []byte) (*File, error) {
	if len(b) < 8 {
		return nil, formatErr("file is %d bytes long, shorter than the 8-byte header length", len(b))
	}
	n := binary.LittleEndian.Uint64(b)
	if n > MaxHeaderSize {
		return nil, formatErr("header length %d exceeds the limit of %d bytes", n, MaxHeaderSize)
	}
	if n > uint64(len(b)-8) {
		return nil, formatErr("header length %d exceeds the %d bytes after the length (truncated file?)", n, len(b)-8)
	}
	hdr := b[8 : 8+n]
	data := b[8+n:]
	if !utf8.Valid(hdr) {
		return nil, formatErr("header is not valid UTF-8")
	}
	if len(hdr) == 0 || hdr[0] != '{' {
		return nil, formatErr("header does not start with '{'")
	}
	meta, entries, err := parseHeader(hdr)
	if err != nil {
		return nil, err
	}
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
	var off uint64
	for i := range entries {
		e := &entries[i]
		if e.begin != off {
			return nil, formatErr("tensor %q: data starts at byte %d of the data buffer, want %d (gap or overlap)", e.name, e.begin, off)
		}
		if e.end < e.begin {
			return nil, formatErr("tensor %q: data_offsets [%d, %d] end before they begin", e.name, e.begin, e.end)
		}
		cnt, ok := numel(e.shape)
		if !ok {
			return nil, formatErr("tensor %q: shape %v has too many elements", e.name, e.shape)
		}
		size := uint64(e.dtype.Size())
		if uint64(cnt) > math.MaxUint64/size || uint64(cnt)*size != e.end-e.begin {
			return nil, formatErr("tensor %q: shape %v of %s needs %d elements of %d bytes, data_offsets [%d, %d] hold %d bytes",
				e.name, e.shape, e.dtype, cnt, size, e.begin, e.end, e.end-e.begin)
		}
		if e.end > uint64(len(data)) {
			return nil, formatErr("tensor %q: data_offsets [%d, %d] reach past the %d-byte data buffer (truncated file?)", e.name, e.begin, e.end, len(data))
		}
		off = e.end
	}
	if off != uint64(len(data)) {
		return nil, formatErr("data buffer is %d bytes, the tensors cover %d (trailing bytes)", len(data), off)
	}
	f := &File{Metadata: meta, Tensors: make([]Tensor, len(entries))}
	for i, e := range entries {
		raw := data[e.begin:e.end]
		t := Tensor{Name: e.name, Shape: e.shape}
		switch e.dtype {
		case F32:
			d := make([]float32, len(raw)/4)
			for j := range d {
				d[j] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*j:]))
			}
			t.Data = d
		case F64:
			d := make([]float64, len(raw)/8)
			for j := range d {
				d[j] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*j:]))
			}
			t.Data = d
		case I64:
			d := make([]int64, len(raw)/8)
			for j := range d {
				d[j] = int64(binary.LittleEndian.Uint64(raw[8*j:]))
			}
			t.Data = d
		}
		f.Tensors[i] = t
	}
	return f, nil
}

// parser walks the header's JSON tokens, so that duplicate keys and
// malformed values are seen rather than silently merged.
type parser struct {
	dec *json.Decoder
}

func (p *parser) token(what string) (json.Token, error) {
	tok, err := p.dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, formatErr("header: JSON ends early, in %s", what)
		}
		return nil, formatErr("header: bad JSON in %s: %v", what, err)
	}
	return tok, nil
}

func (p *parser) delim(what string, want json.Delim) error {
	tok, err := p.token(what)
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return formatErr("header: %s: want %q, found %s", what, string(want), describe(tok))
	}
	return nil
}

func (p *parser) str(what string) (string, error) {
	tok, err := p.token(what)
	if err != nil {
		return "", err
	}
	s, ok := tok.(string)
	if !ok {
		return "", formatErr("header: %s: want a string, found %s", what, describe(tok))
	}
	return s, nil
}

// uints reads an array of non-negative integers.
func (p *parser) uints(what string) ([]uint64, error) {
	if err := p.delim(what, '['); err != nil {
		return nil, err
	}
	out := []uint64{}
	for p.dec.More() {
		tok, err := p.token(what)
		if err != nil {
			return nil, err
		}
		num, ok := tok.(json.Number)
		if !ok {
			return nil, formatErr("header: %s: want a non-negative integer, found %s", what, describe(tok))
		}
		v, err := strconv.ParseUint(string(num), 10, 64)
		if err != nil {
			return nil, formatErr("header: %s: want a non-negative integer, found %s", what, num)
		}
		out = append(out, v)
	}
	if err := p.delim(what, ']'); err != nil {
		return nil, err
	}
	return out, nil
}

func describe(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		return strconv.Quote(string(v))
	case string:
		return "string " + strconv.Quote(v)
	case json.Number:
		return "number " + string(v)
	case bool:
		return strconv.FormatBool(v)
	case nil:
		return "null"
	}
	return "an unexpected token"
}

func parseHeader(hdr []byte) (map[string]string, []entry, error) {
	p := &parser{dec: json.NewDecoder(bytes.NewReader(hdr))}
	p.dec.UseNumber()
	if err := p.delim("header", '{'); err != nil {
		return nil, nil, err
	}
	var meta map[string]string
	var entries []entry
	seen := map[string]bool{}
	for p.dec.More() {
		name, err := p.str("header key")
		if err != nil {
			return nil, nil, err
		}
		if seen[name] {
			return nil, nil, formatErr("header: key %q appears twice", name)
		}
		seen[name] = true
		if name == MetadataKey {
			if meta, err = p.metadata(); err != nil {
				return nil, nil, err
			}
			continue
		}
		e, err := p.tensor(name)
		if err != nil {
			return nil, nil, err
		}
		entries = append(entries, e)
	}
	if err := p.delim("header", '}'); err != nil {
		return nil, nil, err
	}
	rest := hdr[p.dec.InputOffset():]
	if len(bytes.TrimRight(rest, " \t\r\n")) != 0 {
		return nil, nil, formatErr("header: unexpected bytes after the JSON object (only whitespace may pad it)")
	}
	return meta, entries, nil
}

func (p *parser) metadata() (map[string]string, error) {
	const what = MetadataKey
	tok, err := p.token(what)
	if err != nil {
		return nil, err
	}
	if tok == nil {
		return nil, nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, formatErr("header: %s: want an object of strings, found %s", what, describe(tok))
	}
	meta := map[string]string{}
	for p.dec.More() {
		k, err := p.str(what + " key")
		if err != nil {
			return nil, err
		}
		if _, dup := meta[k]; dup {
			return nil, formatErr("header: %s: key %q appears twice", what, k)
		}
		v, err := p.str(what + " value of " + strconv.Quote(k))
		if err != nil {
			return nil, err
		}
		meta[k] = v
	}
	if err := p.delim(what, '}'); err != nil {
		return nil, err
	}
	return meta, nil
}

func (p *parser) tensor(name string) (entry, error) {
	e := entry{name: name}
	what := "tensor " + strconv.Quote(name)
	if err := p.delim(what, '{'); err != nil {
		return e, err
	}
	var haveDType, haveShape, haveOffsets bool
	for p.dec.More() {
		field, err := p.str(what + " field")
		if err != nil {
			return e, err
		}
		fw := what + " " + strconv.Quote(field)
		switch field {
		case "dtype":
			if haveDType {
				return e, formatErr("header: %s: field \"dtype\" appears twice", what)
			}
			haveDType = true
			s, err := p.str(fw)
			if err != nil {
				return e, err
			}
			e.dtype = DType(s)
			if e.dtype.Size() == 0 {
				return e, formatErr("header: %s: unsupported dtype %q (this reader handles F32, F64 and I64)", what, s)
			}
		case "shape":
			if haveShape {
				return e, formatErr("header: %s: field \"shape\" appears twice", what)
			}
			haveShape = true
			dims, err := p.uints(fw)
			if err != nil {
				return e, err
			}
			e.shape = make([]int, len(dims))
			for i, d := range dims {
				if d > math.MaxInt {
					return e, formatErr("header: %s: dimension %d too large", what, d)
				}
				e.shape[i] = int(d)
			}
		case "data_offsets":
			if haveOffsets {
				return e, formatErr("header: %s: field \"data_offsets\" appears twice", what)
			}
			haveOffsets = true
			offs, err := p.uints(fw)
			if err != nil {
				return e, err
			}
			if len(offs) != 2 {
				return e, formatErr("header: %s: data_offsets has %d numbers, want 2", what, len(offs))
			}
			e.begin, e.end = offs[0], offs[1]
		default:
			return e, formatErr("header: %s: unknown field %q", what, field)
		}
	}
	if err := p.delim(what, '}'); err != nil {
		return e, err
	}
	switch {
	case !haveDType:
		return e, formatErr("header: %s: no dtype", what)
	case !haveShape:
		return e, formatErr("header: %s: no shape", what)
	case !haveOffsets:
		return e, formatErr("header: %s: no data_offsets", what)
	}
	return e, nil
}

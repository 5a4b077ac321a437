package checkpoint

import (
	"bytes"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxRank is the largest number of dimensions a shape may have. Reader and
// writer both refuse more, so that a header cannot make the reader hold
// millions of dimensions for one tensor.
const MaxRank = 64

// minEntrySize is the fewest header bytes a tensor entry can take:
// `"":{"dtype":"F32","shape":[],"data_offsets":[0,0]}` is 48 bytes, and a
// second one needs a comma and a name of its own. A header of n bytes thus
// describes at most n/minEntrySize+1 tensors.
const minEntrySize = 48

func errHeaderSize(n uint64) error {
	return formatErr("header length %d exceeds the limit of %d bytes", n, MaxHeaderSize)
}

func errRank(name string) error {
	return formatErr("tensor %q: shape has more than %d dimensions", name, MaxRank)
}

// entry is one tensor of the header as written there, before the offsets
// are checked against each other and the data buffer.
type entry struct {
	info       TensorInfo
	begin, end uint64
}

// ctx names the part of the header being read, for error messages; it is
// formatted only when there is an error.
type ctx struct {
	obj, name, field string
	named            bool // name is set (a tensor may be called "")
}

func (c ctx) with(field string) ctx { c.field = field; return c }

func (c ctx) String() string {
	s := c.obj
	if c.named {
		s += " " + strconv.Quote(c.name)
	}
	if c.field != "" {
		s += " " + c.field
	}
	return s
}

// hparser reads the header: a strict, allocation-lean JSON reader for the
// subset a safetensors header uses (objects, strings, arrays of
// non-negative integers, null for an absent metadata object). It costs
// time linear in the header and allocates only what it returns: one string
// per name, key and value, one exactly sized slice per shape.
type hparser struct {
	b       []byte
	i       int
	scratch []byte // the unescaped form of the last string that had escapes
}

func (p *hparser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *hparser) early(what ctx) error {
	return formatErr("header: JSON ends early, in %s", what)
}

func (p *hparser) bad(what ctx, msg string) error {
	return formatErr("header: bad JSON in %s at byte %d: %s", what, p.i, msg)
}

// peek skips whitespace and returns the next byte.
func (p *hparser) peek(what ctx) (byte, error) {
	p.ws()
	if p.i >= len(p.b) {
		return 0, p.early(what)
	}
	return p.b[p.i], nil
}

// punct consumes the structural character c (':' or ',').
func (p *hparser) punct(what ctx, c byte) error {
	got, err := p.peek(what)
	if err != nil {
		return err
	}
	if got != c {
		return p.bad(what, "want "+strconv.QuoteRune(rune(c))+", found "+strconv.QuoteRune(rune(got)))
	}
	p.i++
	return nil
}

// open consumes the opening delimiter of a value that must be an object
// or an array, or reports what was found instead.
func (p *hparser) open(what ctx, c byte) error {
	got, err := p.peek(what)
	if err != nil {
		return err
	}
	if got != c {
		return p.wrongValue(what, strconv.Quote(string(c)))
	}
	p.i++
	return nil
}

// wrongValue reports that the value at p.i is not the wanted one, naming
// the value found, or a syntax error if there is no value there.
func (p *hparser) wrongValue(what ctx, want string) error {
	found, err := p.describe(what)
	if err != nil {
		return err
	}
	return formatErr("header: %s: want %s, found %s", what, want, found)
}

// describe reads the value at p.i and says what it is.
func (p *hparser) describe(what ctx) (string, error) {
	switch c := p.b[p.i]; {
	case c == '{' || c == '[':
		return strconv.Quote(string(c)), nil
	case c == '"':
		s, err := p.str(what)
		if err != nil {
			return "", err
		}
		if len(s) > 40 {
			return "a string", nil
		}
		return "string " + strconv.Quote(string(s)), nil
	case c == '-' || c >= '0' && c <= '9':
		start := p.i
		if _, _, err := p.number(what); err != nil {
			return "", err
		}
		if p.i-start > 40 {
			return "a number", nil
		}
		return "number " + string(p.b[start:p.i]), nil
	}
	for _, lit := range [...]string{"true", "false", "null"} {
		if bytes.HasPrefix(p.b[p.i:], []byte(lit)) {
			return lit, nil
		}
	}
	return "", p.bad(what, "invalid character "+strconv.QuoteRune(rune(p.b[p.i]))+" looking for a value")
}

// number scans a JSON number at p.i. It returns its value and true if it
// is a non-negative integer that fits a uint64.
func (p *hparser) number(what ctx) (uint64, bool, error) {
	b, i := p.b, p.i
	ok := true
	if i < len(b) && b[i] == '-' {
		ok = false
		i++
	}
	digits := func() int {
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i - start
	}
	var v uint64
	start := i
	switch n := digits(); {
	case n == 0:
		p.i = i
		return 0, false, p.bad(what, "malformed number")
	case n > 1 && b[start] == '0':
		p.i = start + 1
		return 0, false, p.bad(what, "leading zero in number")
	default:
		for _, c := range b[start:i] {
			d := uint64(c - '0')
			if v > (math.MaxUint64-d)/10 {
				ok = false
			}
			v = v*10 + d
		}
	}
	if i < len(b) && b[i] == '.' {
		ok = false
		i++
		if digits() == 0 {
			p.i = i
			return 0, false, p.bad(what, "malformed number")
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		ok = false
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			p.i = i
			return 0, false, p.bad(what, "malformed number")
		}
	}
	p.i = i
	return v, ok, nil
}

// uint reads a value that must be a non-negative integer.
func (p *hparser) uint(what ctx) (uint64, error) {
	c, err := p.peek(what)
	if err != nil {
		return 0, err
	}
	if c != '-' && (c < '0' || c > '9') {
		return 0, p.wrongValue(what, "a non-negative integer")
	}
	start := p.i
	v, ok, err := p.number(what)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, formatErr("header: %s: want a non-negative integer, found number %.40s", what, p.b[start:p.i])
	}
	return v, nil
}

// str reads the string at p.i (which is '"') and returns its unescaped
// bytes: a part of the header, or p.scratch, valid until the next call.
// Control characters, bad escapes and escaped surrogates that do not form
// a pair are errors: the header's strings must be Unicode text.
func (p *hparser) str(what ctx) ([]byte, error) {
	p.i++ // the opening quote
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		if c == '"' {
			p.i++
			return p.b[start : p.i-1], nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return nil, p.bad(what, "control character in string")
		}
		p.i++
	}
	buf := append(p.scratch[:0], p.b[start:p.i]...)
	for {
		if p.i >= len(p.b) {
			return nil, p.early(what)
		}
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			p.scratch = buf
			return buf, nil
		case c < 0x20:
			return nil, p.bad(what, "control character in string")
		case c != '\\':
			buf = append(buf, c)
			p.i++
			continue
		}
		if p.i+1 >= len(p.b) {
			return nil, p.early(what)
		}
		e := p.b[p.i+1]
		p.i += 2
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := hex4(p.b[p.i:])
			if !ok {
				return nil, p.bad(what, `malformed \u escape`)
			}
			p.i += 4
			if utf16.IsSurrogate(r) {
				var lo rune = -1
				if r < 0xdc00 && p.i+6 <= len(p.b) && p.b[p.i] == '\\' && p.b[p.i+1] == 'u' {
					lo, _ = hex4(p.b[p.i+2:])
				}
				if lo < 0xdc00 || lo > 0xdfff {
					return nil, formatErr(`header: %s: lone surrogate escape \u%04x at byte %d (not a Unicode character)`, what, r, p.i-6)
				}
				r = utf16.DecodeRune(r, lo)
				p.i += 6
			}
			buf = utf8.AppendRune(buf, r)
		default:
			p.i -= 2
			return nil, p.bad(what, "invalid escape "+strconv.Quote(string(p.b[p.i:p.i+2])))
		}
	}
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// strValue reads a value that must be a string.
func (p *hparser) strValue(what ctx) ([]byte, error) {
	c, err := p.peek(what)
	if err != nil {
		return nil, err
	}
	if c != '"' {
		return nil, p.wrongValue(what, "a string")
	}
	return p.str(what)
}

// key reads the next member's key of an object whose '{' has been read,
// and the colon after it; ok is false at the object's end. first says
// whether this is the first member.
func (p *hparser) key(what ctx, first bool) (key []byte, ok bool, err error) {
	c, err := p.peek(what)
	if err != nil {
		return nil, false, err
	}
	if c == '}' && first {
		p.i++
		return nil, false, nil
	}
	if !first {
		switch c {
		case '}':
			p.i++
			return nil, false, nil
		case ',':
			p.i++
		default:
			return nil, false, p.bad(what, "want ',' or '}' after a member, found "+strconv.QuoteRune(rune(c)))
		}
		if c, err = p.peek(what); err != nil {
			return nil, false, err
		}
	}
	if c != '"' {
		return nil, false, p.bad(what, "invalid character "+strconv.QuoteRune(rune(c))+" looking for the beginning of a key string")
	}
	if key, err = p.str(what.with("key")); err != nil {
		return nil, false, err
	}
	if err := p.punct(what, ':'); err != nil {
		return nil, false, err
	}
	return key, true, nil
}

// elem moves to the next element of an array whose '[' has been read; ok
// is false at the array's end.
func (p *hparser) elem(what ctx, first bool) (ok bool, err error) {
	c, err := p.peek(what)
	if err != nil {
		return false, err
	}
	if c == ']' {
		p.i++
		return false, nil
	}
	if first {
		return true, nil
	}
	if c != ',' {
		return false, p.bad(what, "want ',' or ']' after an element, found "+strconv.QuoteRune(rune(c)))
	}
	p.i++
	return true, nil
}

// parseHeader reads the header. It returns the metadata and the tensors in
// the header's order, with each tensor's offsets as written there.
func parseHeader(hdr []byte) (map[string]string, []entry, map[string]int, error) {
	p := &hparser{b: hdr}
	if err := p.open(ctx{obj: "header"}, '{'); err != nil {
		return nil, nil, nil, err
	}
	var meta map[string]string
	// Each tensor takes at least minEntrySize bytes of the header.
	maxTensors := len(hdr)/minEntrySize + 1
	entries := make([]entry, 0, min(maxTensors, 1024))
	index := make(map[string]int, min(maxTensors, 1024))
	haveMeta := false
	for first := true; ; first = false {
		k, ok, err := p.key(ctx{obj: "header"}, first)
		if err != nil {
			return nil, nil, nil, err
		}
		if !ok {
			break
		}
		if string(k) == MetadataKey {
			if haveMeta {
				return nil, nil, nil, formatErr("header: key %q appears twice", MetadataKey)
			}
			haveMeta = true
			if meta, err = p.metadata(); err != nil {
				return nil, nil, nil, err
			}
			continue
		}
		if _, dup := index[string(k)]; dup {
			return nil, nil, nil, formatErr("header: key %q appears twice", k)
		}
		name := string(k)
		e, err := p.tensor(name)
		if err != nil {
			return nil, nil, nil, err
		}
		index[name] = len(entries)
		entries = append(entries, e)
	}
	p.ws()
	if p.i != len(hdr) {
		return nil, nil, nil, formatErr("header: unexpected bytes after the JSON object (only whitespace may pad it)")
	}
	return meta, entries, index, nil
}

func (p *hparser) metadata() (map[string]string, error) {
	what := ctx{obj: MetadataKey}
	c, err := p.peek(what)
	if err != nil {
		return nil, err
	}
	if c == 'n' && bytes.HasPrefix(p.b[p.i:], []byte("null")) {
		p.i += 4
		return nil, nil
	}
	if c != '{' {
		return nil, p.wrongValue(what, "an object of strings")
	}
	p.i++
	meta := map[string]string{}
	for first := true; ; first = false {
		kb, ok, err := p.key(what, first)
		if err != nil {
			return nil, err
		}
		if !ok {
			return meta, nil
		}
		if _, dup := meta[string(kb)]; dup {
			return nil, formatErr("header: %s: key %q appears twice", what, kb)
		}
		k := string(kb)
		v, err := p.strValue(ctx{obj: MetadataKey + " value of", name: k, named: true})
		if err != nil {
			return nil, err
		}
		meta[k] = string(v)
	}
}

func (p *hparser) tensor(name string) (entry, error) {
	e := entry{info: TensorInfo{Name: name}}
	what := ctx{obj: "tensor", name: name, named: true}
	if err := p.open(what, '{'); err != nil {
		return e, err
	}
	var haveDType, haveShape, haveOffsets bool
	for first := true; ; first = false {
		field, ok, err := p.key(what, first)
		if err != nil {
			return e, err
		}
		if !ok {
			break
		}
		switch string(field) {
		case "dtype":
			if haveDType {
				return e, formatErr("header: %s: field \"dtype\" appears twice", what)
			}
			haveDType = true
			s, err := p.strValue(what.with(`"dtype"`))
			if err != nil {
				return e, err
			}
			switch DType(s) {
			case F32:
				e.info.DType = F32
			case F64:
				e.info.DType = F64
			case I64:
				e.info.DType = I64
			case BF16:
				e.info.DType = BF16
			case F16:
				e.info.DType = F16
			default:
				return e, formatErr("header: %s: unsupported dtype %q (this reader handles F32, F64, I64, BF16 and F16)", what, s)
			}
		case "shape":
			if haveShape {
				return e, formatErr("header: %s: field \"shape\" appears twice", what)
			}
			haveShape = true
			if e.info.Shape, err = p.shape(what.with(`"shape"`), name); err != nil {
				return e, err
			}
		case "data_offsets":
			if haveOffsets {
				return e, formatErr("header: %s: field \"data_offsets\" appears twice", what)
			}
			haveOffsets = true
			fw := what.with(`"data_offsets"`)
			if err := p.open(fw, '['); err != nil {
				return e, err
			}
			var offs [2]uint64
			n := 0
			for first := true; ; first = false {
				ok, err := p.elem(fw, first)
				if err != nil {
					return e, err
				}
				if !ok {
					break
				}
				v, err := p.uint(fw)
				if err != nil {
					return e, err
				}
				if n < 2 {
					offs[n] = v
				}
				n++
			}
			if n != 2 {
				return e, formatErr("header: %s: data_offsets has %d numbers, want 2", what, n)
			}
			e.begin, e.end = offs[0], offs[1]
		default:
			return e, formatErr("header: %s: unknown field %q", what, field)
		}
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

// shape reads an array of at most MaxRank dimensions straight into an
// exactly sized []int.
func (p *hparser) shape(what ctx, name string) ([]int, error) {
	if err := p.open(what, '['); err != nil {
		return nil, err
	}
	var dims [MaxRank]int
	n := 0
	for first := true; ; first = false {
		ok, err := p.elem(what, first)
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		if n == MaxRank {
			return nil, errRank(name)
		}
		v, err := p.uint(what)
		if err != nil {
			return nil, err
		}
		if v > math.MaxInt {
			return nil, formatErr("header: %s: dimension %d too large", what, v)
		}
		dims[n] = int(v)
		n++
	}
	return append(make([]int, 0, n), dims[:n]...), nil
}

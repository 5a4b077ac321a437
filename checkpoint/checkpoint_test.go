package checkpoint

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func sample() *File {
	return &File{
		Metadata: map[string]string{"format": "pt", "note": "<&> é"},
		Tensors: []Tensor{
			{Name: "w.sum", Shape: []int{2, 3}, Data: []float32{1, -2, 3.5, float32(math.Inf(1)), 0, -0.0}},
			{Name: "w.step", Shape: []int{}, Data: []int64{7}},
			{Name: "b.sum", Shape: []int{3}, Data: []float64{math.Pi, -1e-310, math.MaxFloat64}},
			{Name: "odd", Shape: []int{1}, Data: []float32{42}},
			{Name: "empty", Shape: []int{0, 4}, Data: []float64{}},
			{Name: "neg", Shape: []int{2}, Data: []int64{-1, math.MinInt64}},
			{Name: "h.f16", Shape: []int{2, 1}, Data: []Float16{0x3C00, 0xFC00}},
			{Name: "h.bf", Shape: []int{3}, Data: []BFloat16{0x3F80, 0x7FC1, 0x8001}},
		},
	}
}

func encode(t *testing.T, f *File) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, f); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sameTensor(a, b *Tensor) bool {
	if a.Name != b.Name || len(a.Shape) != len(b.Shape) || a.DType() != b.DType() {
		return false
	}
	for i := range a.Shape {
		if a.Shape[i] != b.Shape[i] {
			return false
		}
	}
	switch x := a.Data.(type) {
	case []float32:
		y := b.Data.([]float32)
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
				return false
			}
		}
	case []float64:
		y := b.Data.([]float64)
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if math.Float64bits(x[i]) != math.Float64bits(y[i]) {
				return false
			}
		}
	case []int64:
		return reflect.DeepEqual(x, b.Data.([]int64))
	case []BFloat16:
		return reflect.DeepEqual(x, b.Data.([]BFloat16))
	case []Float16:
		return reflect.DeepEqual(x, b.Data.([]Float16))
	}
	return true
}

func TestRoundTrip(t *testing.T) {
	f := sample()
	b := encode(t, f)
	g, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g.Metadata, f.Metadata) {
		t.Errorf("metadata %v, want %v", g.Metadata, f.Metadata)
	}
	if len(g.Tensors) != len(f.Tensors) {
		t.Fatalf("%d tensors, want %d", len(g.Tensors), len(f.Tensors))
	}
	for i := range f.Tensors {
		want := &f.Tensors[i]
		got, ok := g.Tensor(want.Name)
		if !ok {
			t.Fatalf("tensor %q missing", want.Name)
		}
		if !sameTensor(got, want) {
			t.Errorf("tensor %q: got %+v, want %+v", want.Name, got, want)
		}
	}
	// The same File gives the same bytes (no map order in the output).
	for range 5 {
		if !bytes.Equal(encode(t, sample()), b) {
			t.Fatal("encoding is not deterministic")
		}
	}
}

// TestLayout checks the bytes against the safetensors specification,
// independently of Decode.
func TestLayout(t *testing.T) {
	f := sample()
	b := encode(t, f)
	n := binary.LittleEndian.Uint64(b)
	if (8+n)%8 != 0 {
		t.Errorf("header length %d: data does not start at a multiple of 8", n)
	}
	hdr := b[8 : 8+n]
	trimmed := bytes.TrimRight(hdr, " ")
	if len(hdr)-len(trimmed) >= 8 {
		t.Errorf("header padded with %d spaces", len(hdr)-len(trimmed))
	}
	var h map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &h); err != nil {
		t.Fatalf("header is not a JSON object: %v\n%s", err, hdr)
	}
	var meta map[string]string
	if err := json.Unmarshal(h["__metadata__"], &meta); err != nil || !reflect.DeepEqual(meta, f.Metadata) {
		t.Errorf("__metadata__ = %s (%v)", h["__metadata__"], err)
	}
	data := b[8+n:]
	type info struct {
		DType       string   `json:"dtype"`
		Shape       []int    `json:"shape"`
		DataOffsets []uint64 `json:"data_offsets"`
	}
	covered := 0
	prevSize := 8
	var prevEnd uint64
	// Offsets in layout order: by element size descending, then by name.
	order := []string{"b.sum", "empty", "neg", "w.step", "odd", "w.sum", "h.bf", "h.f16"}
	for _, name := range order {
		var in info
		if err := json.Unmarshal(h[name], &in); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		tt, _ := f.Tensor(name)
		if in.DType != string(tt.DType()) || !reflect.DeepEqual(in.Shape, tt.Shape) {
			t.Errorf("%s: header %+v", name, in)
		}
		if in.DataOffsets[0] != prevEnd {
			t.Errorf("%s: offsets %v, previous ended at %d (order by size then name)", name, in.DataOffsets, prevEnd)
		}
		size := tt.DType().Size()
		if size > prevSize || in.DataOffsets[0]%uint64(size) != 0 {
			t.Errorf("%s: misaligned at %d", name, in.DataOffsets[0])
		}
		prevSize, prevEnd = size, in.DataOffsets[1]
		raw := data[in.DataOffsets[0]:in.DataOffsets[1]]
		covered += len(raw)
		switch d := tt.Data.(type) {
		case []float32:
			for i, v := range d {
				if binary.LittleEndian.Uint32(raw[4*i:]) != math.Float32bits(v) {
					t.Errorf("%s[%d] bytes differ", name, i)
				}
			}
		case []float64:
			for i, v := range d {
				if binary.LittleEndian.Uint64(raw[8*i:]) != math.Float64bits(v) {
					t.Errorf("%s[%d] bytes differ", name, i)
				}
			}
		case []int64:
			for i, v := range d {
				if int64(binary.LittleEndian.Uint64(raw[8*i:])) != v {
					t.Errorf("%s[%d] bytes differ", name, i)
				}
			}
		case []BFloat16:
			for i, v := range d {
				if binary.LittleEndian.Uint16(raw[2*i:]) != uint16(v) {
					t.Errorf("%s[%d] bytes differ", name, i)
				}
			}
		case []Float16:
			for i, v := range d {
				if binary.LittleEndian.Uint16(raw[2*i:]) != uint16(v) {
					t.Errorf("%s[%d] bytes differ", name, i)
				}
			}
		default:
			t.Fatalf("%s: %T", name, d)
		}
	}
	if covered != len(data) || len(h) != len(order)+1 {
		t.Errorf("data buffer %d bytes, tensors cover %d; %d header keys", len(data), covered, len(h))
	}
}

// TestDecodeForeign reads a file laid out as another writer might: keys
// in any order, no metadata, newline padding, a scalar.
func TestDecodeForeign(t *testing.T) {
	hdr := `{"b":{"data_offsets":[8,16],"shape":[],"dtype":"F64"}, "a" : {"dtype":"I64","shape":[1],"data_offsets":[0,8]}}` + "\n"
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(hdr)))
	b = append(b, hdr...)
	b = binary.LittleEndian.AppendUint64(b, 5)
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(-2.5))
	f, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if f.Metadata != nil || len(f.Tensors) != 2 || f.Tensors[0].Name != "a" || f.Tensors[1].Name != "b" {
		t.Fatalf("%+v", f)
	}
	if v := f.Tensors[0].Data.([]int64); v[0] != 5 {
		t.Errorf("a = %v", v)
	}
	if v := f.Tensors[1].Data.([]float64); len(f.Tensors[1].Shape) != 0 || v[0] != -2.5 {
		t.Errorf("b = %v shape %v", v, f.Tensors[1].Shape)
	}
}

func file(hdr string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(hdr)))
	return append(append(b, hdr...), data...)
}

func TestDecodeErrors(t *testing.T) {
	eight := make([]byte, 8)
	ok := `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`
	if _, err := Decode(file(ok, eight)); err != nil {
		t.Fatalf("valid base case: %v", err)
	}
	huge := binary.LittleEndian.AppendUint64(nil, MaxHeaderSize+1)
	cases := []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "shorter than the 8-byte"},
		{"seven", make([]byte, 7), "shorter than the 8-byte"},
		{"header too large", append(huge, "{}"...), "exceeds the limit"},
		{"header past end", file(ok, eight)[:20], "truncated file"},
		{"not utf8", file("{\"\xff\":1}", nil), "UTF-8"},
		{"not object", file(`[1]`, nil), "does not start with '{'"},
		{"empty header", file(``, nil), "does not start with '{'"},
		{"bad json", file(`{"a":}`, nil), "bad JSON"},
		{"unterminated", file(`{"a":{"dtype":"F32"`, nil), "ends early"},
		{"trailing garbage", file(`{} x`, nil), "after the JSON object"},
		{"two objects", file(`{}{}`, nil), "after the JSON object"},
		{"duplicate tensor", file(`{"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[],"data_offsets":[4,8]}}`, eight), `key "a" appears twice`},
		{"duplicate field", file(`{"a":{"dtype":"F32","dtype":"F64","shape":[2],"data_offsets":[0,8]}}`, eight), `"dtype" appears twice`},
		{"unknown field", file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"x":1}}`, eight), `unknown field "x"`},
		{"missing dtype", file(`{"a":{"shape":[2],"data_offsets":[0,8]}}`, eight), "no dtype"},
		{"missing shape", file(`{"a":{"dtype":"F32","data_offsets":[0,8]}}`, eight), "no shape"},
		{"missing offsets", file(`{"a":{"dtype":"F32","shape":[2]}}`, eight), "no data_offsets"},
		{"tensor not object", file(`{"a":[1]}`, nil), `want "{"`},
		{"unsupported dtype", file(`{"a":{"dtype":"F8_E4M3","shape":[4],"data_offsets":[0,4]}}`, eight[:4]), `unsupported dtype "F8_E4M3"`},
		{"16-bit size", file(`{"a":{"dtype":"BF16","shape":[4],"data_offsets":[0,4]}}`, eight[:4]), `needs 4 elements of 2 bytes`},
		{"dtype not string", file(`{"a":{"dtype":4,"shape":[2],"data_offsets":[0,8]}}`, eight), "want a string"},
		{"negative dim", file(`{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}`, eight), "non-negative integer"},
		{"fractional dim", file(`{"a":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}}`, eight), "non-negative integer"},
		{"exponent dim", file(`{"a":{"dtype":"F32","shape":[2e0],"data_offsets":[0,8]}}`, eight), "non-negative integer"},
		{"string dim", file(`{"a":{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}}`, eight), "non-negative integer"},
		{"shape null", file(`{"a":{"dtype":"F32","shape":null,"data_offsets":[0,8]}}`, eight), `want "["`},
		{"huge dim", file(`{"a":{"dtype":"F32","shape":[18446744073709551615],"data_offsets":[0,8]}}`, eight), "too large"},
		{"overflowing shape", file(`{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}`, eight), wideOr("too many elements")},
		{"bytes overflow", file(`{"a":{"dtype":"F64","shape":[4611686018427387904],"data_offsets":[0,8]}}`, eight), wideOr("hold 8 bytes")},
		{"three offsets", file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8,8]}}`, eight), "has 3 numbers"},
		{"one offset", file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[8]}}`, eight), "has 1 numbers"},
		{"size mismatch", file(`{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, eight), "hold 8 bytes"},
		{"reversed offsets", file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}`, eight), "end before they begin"},
		{"gap", file(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, eight), "gap or overlap"},
		{"overlap", file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, eight), "gap or overlap"},
		{"truncated data", file(ok, eight[:5]), "reach past the 5-byte data buffer"},
		{"trailing data", file(ok, make([]byte, 12)), "trailing bytes"},
		{"no tensors, data", file(`{}`, eight), "trailing bytes"},
		{"metadata not object", file(`{"__metadata__":[]}`, nil), "object of strings"},
		{"metadata number", file(`{"__metadata__":{"a":1}}`, nil), "want a string"},
		{"metadata duplicate", file(`{"__metadata__":{"a":"x","a":"y"}}`, nil), `key "a" appears twice`},
		{"metadata twice", file(`{"__metadata__":{},"__metadata__":{}}`, nil), "appears twice"},
	}
	for _, c := range cases {
		f, err := Decode(c.b)
		if err == nil {
			t.Errorf("%s: no error, got %+v", c.name, f)
			continue
		}
		if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q, want it to wrap ErrFormat and mention %q", c.name, err, c.want)
		}
	}
}

// wideOr returns want where an int has 64 bits; where it has 32, a
// dimension beyond an int is refused first, as too large.
func wideOr(want string) string {
	if strconv.IntSize == 32 {
		return "too large"
	}
	return want
}

func TestEveryTruncationFails(t *testing.T) {
	b := encode(t, sample())
	for n := 0; n < len(b); n++ {
		if _, err := Decode(b[:n]); err == nil {
			t.Fatalf("truncated to %d of %d bytes: no error", n, len(b))
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	cases := []struct {
		name string
		f    File
		want string
	}{
		{"duplicate", File{Tensors: []Tensor{{Name: "a", Shape: []int{}, Data: []int64{1}}, {Name: "a", Shape: []int{}, Data: []int64{1}}}}, "appears twice"},
		{"reserved", File{Tensors: []Tensor{{Name: MetadataKey, Shape: []int{}, Data: []int64{1}}}}, "reserved"},
		{"bad utf8 name", File{Tensors: []Tensor{{Name: "\xff", Shape: []int{}, Data: []int64{1}}}}, "UTF-8"},
		{"bad utf8 metadata", File{Metadata: map[string]string{"k": "\xfe"}}, "UTF-8"},
		{"unsupported", File{Tensors: []Tensor{{Name: "a", Shape: []int{1}, Data: []int32{1}}}}, "unsupported data type []int32"},
		{"nil data", File{Tensors: []Tensor{{Name: "a", Shape: []int{0}}}}, "unsupported data type"},
		{"negative dim", File{Tensors: []Tensor{{Name: "a", Shape: []int{-1}, Data: []float32{}}}}, "bad shape"},
		{"shape mismatch", File{Tensors: []Tensor{{Name: "a", Shape: []int{2, 2}, Data: []float32{1, 2, 3}}}}, "holds 4 elements, data has 3"},
		{"scalar mismatch", File{Tensors: []Tensor{{Name: "a", Shape: nil, Data: []float64{}}}}, "holds 1 elements, data has 0"},
	}
	for _, c := range cases {
		var buf bytes.Buffer
		err := Encode(&buf, &c.f)
		if err == nil || !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
		if buf.Len() != 0 {
			t.Errorf("%s: %d bytes written despite the error", c.name, buf.Len())
		}
	}
}

func TestSaveLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.safetensors")
	if _, err := Load(path); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	f := sample()
	if err := Save(path, f); err != nil {
		t.Fatal(err)
	}
	g, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Tensors) != len(f.Tensors) {
		t.Fatalf("%d tensors", len(g.Tensors))
	}
	first, _ := os.ReadFile(path)

	// Overwrite with another content.
	f2 := &File{Tensors: []Tensor{{Name: "x", Shape: []int{1}, Data: []float32{9}}}}
	if err := Save(path, f2); err != nil {
		t.Fatal(err)
	}
	g2, err := Load(path)
	if err != nil || len(g2.Tensors) != 1 || g2.Tensors[0].Data.([]float32)[0] != 9 {
		t.Fatalf("after overwrite: %+v, %v", g2, err)
	}
	second, _ := os.ReadFile(path)

	// A failing save leaves the existing file as it was.
	bad := &File{Tensors: []Tensor{{Name: "x", Shape: []int{2}, Data: []float32{9}}}}
	if err := Save(path, bad); err == nil {
		t.Fatal("invalid file saved")
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, second) || bytes.Equal(now, first) {
		t.Error("file changed by a failed save")
	}
	if err := Save(filepath.Join(dir, "no", "such", "dir"), f); err == nil {
		t.Error("save into a missing directory: no error")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want only the checkpoint (temporary file left behind?)", names)
	}

	// A corrupted file is reported with its path.
	os.WriteFile(path, second[:len(second)-1], 0o644)
	if _, err := Load(path); err == nil || !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), path) {
		t.Errorf("truncated file: %v", err)
	}
}

func TestLargeTensor(t *testing.T) {
	// More than one scratch buffer of data per tensor.
	d := make([]float64, 3*8192+5)
	for i := range d {
		d[i] = float64(i) * 1.5
	}
	f := &File{Tensors: []Tensor{{Name: "big", Shape: []int{len(d)}, Data: d}}}
	g, err := Decode(encode(t, f))
	if err != nil {
		t.Fatal(err)
	}
	if !sameTensor(&g.Tensors[0], &f.Tensors[0]) {
		t.Error("large tensor differs after a round trip")
	}
}

// TestWriterRefusesWhatReaderRefuses: Encode, Marshal and Save apply the
// reader's rules, with the reader's errors, and write nothing.
func TestWriterRefusesWhatReaderRefuses(t *testing.T) {
	deep := make([]int, MaxRank+1)
	for i := range deep {
		deep[i] = 1
	}
	cases := []struct {
		name string
		f    *File
		hdr  string // the header a writer without the checks would write
		want string
	}{
		{"rank", &File{Tensors: []Tensor{{Name: "a", Shape: deep, Data: []float32{1}}}},
			`{"a":{"dtype":"F32","shape":[1` + strings.Repeat(",1", MaxRank) + `],"data_offsets":[0,4]}}`,
			"more than 64 dimensions"},
		{"header size", &File{Metadata: map[string]string{"k": strings.Repeat("x", MaxHeaderSize)}},
			"", "exceeds the limit of 100000000 bytes"},
	}
	dir := t.TempDir()
	for _, c := range cases {
		var buf bytes.Buffer
		err := Encode(&buf, c.f)
		if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), c.want) || buf.Len() != 0 {
			t.Errorf("%s: Encode: %v (%d bytes written), want an error mentioning %q", c.name, err, buf.Len(), c.want)
		}
		if b, err := Marshal(c.f); err == nil || b != nil {
			t.Errorf("%s: Marshal: no error", c.name)
		}
		path := filepath.Join(dir, c.name)
		if err := Save(path, c.f); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Save: %v", c.name, err)
		}
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: Save left a file: %v", c.name, err)
		}
		if c.hdr != "" {
			_, rerr := Decode(file(c.hdr, make([]byte, 4)))
			if rerr == nil || err == nil || rerr.Error() != Encode(io.Discard, c.f).Error() {
				t.Errorf("%s: reader says %v, writer %v: want the same error", c.name, rerr, err)
			}
		}
	}
}

// TestTorchFile reads a file PyTorch's tensors were written to by
// testdata/torch_safetensors.py, laid out as the reference writer lays it
// out, and writes the same bytes back.
func TestTorchFile(t *testing.T) {
	b, err := os.ReadFile("testdata/torch.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if f.Metadata["format"] != "pt" || len(f.Tensors) != 7 {
		t.Errorf("metadata %v, %d tensors", f.Metadata, len(f.Tensors))
	}
	ids, _ := f.Tensor("ids")
	step, _ := f.Tensor("w.step")
	sp, _ := f.Tensor("specials")
	e, _ := f.Tensor("empty")
	if !reflect.DeepEqual(ids.Data, []int64{-3, -2, -1, 0, 1, 2}) || !reflect.DeepEqual(ids.Shape, []int{2, 3}) ||
		!reflect.DeepEqual(step.Data, []int64{1}) || len(step.Shape) != 0 ||
		!reflect.DeepEqual(e.Shape, []int{0, 3}) {
		t.Errorf("ids %v, step %v, empty %v", ids, step, e)
	}
	s := sp.Data.([]float32)
	if s[0] != 0 || !math.Signbit(float64(s[1])) || !math.IsInf(float64(s[2]), 1) || !math.IsInf(float64(s[3]), -1) || s[4] == 0 {
		t.Errorf("specials %v", s)
	}
	if out := encode(t, f); !bytes.Equal(out, b) {
		t.Errorf("re-encoded file differs from the reference layout:\n%q\n%q", out[:min(len(out), 300)], b[:300])
	}
}

package checkpoint

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// hostileHeader returns a file whose header is about size bytes of one
// kind of hostile content.
func hostileHeader(kind string, size int) []byte {
	var h bytes.Buffer
	switch kind {
	case "dims": // one tensor with a huge number of empty dimensions
		h.WriteString(`{"a":{"dtype":"F32","data_offsets":[0,0],"shape":[`)
		for h.Len() < size-4 {
			h.WriteString("0,")
		}
		h.WriteString("0]}}")
	case "tensors": // as many empty tensors as fit
		h.WriteString("{")
		for i := 0; h.Len() < size-60; i++ {
			if i > 0 {
				h.WriteByte(',')
			}
			h.WriteString(`"` + strconv.FormatInt(int64(i), 36) + `":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`)
		}
		h.WriteString("}")
	case "metadata": // as many short metadata entries as fit
		h.WriteString(`{"__metadata__":{`)
		for i := 0; h.Len() < size-60; i++ {
			if i > 0 {
				h.WriteByte(',')
			}
			h.WriteString(`"` + strconv.FormatInt(int64(i), 36) + `":""`)
		}
		h.WriteString("}}")
	}
	return file(h.String(), nil)
}

// TestHostileHeaderCost holds decoding a hostile header to time linear in
// its size and allocation of a small multiple of it. Time is judged
// against a clock that slows with the machine: json.Valid on the same
// bytes, a linear scan, timed in turns with Decode, the fastest of three
// each. Decode may take at most 50 times as long (it takes 5 to 15 times
// here; work quadratic in a 3 MB header would take thousands of times).
func TestHostileHeaderCost(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation and time bounds do not hold under the race detector")
	}
	const size = 3 << 20
	for _, c := range []struct {
		kind   string
		ok     bool
		factor float64 // bytes allocated per header byte, at most
	}{
		{"dims", false, 0.1},
		{"tensors", true, 20},
		{"metadata", true, 24},
	} {
		b := hostileHeader(c.kind, size)
		runtime.GC()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		_, err := Decode(b)
		runtime.ReadMemStats(&m1)
		alloc := float64(m1.TotalAlloc - m0.TotalAlloc)
		if (err == nil) != c.ok {
			t.Errorf("%s: error %v, want ok=%v", c.kind, err, c.ok)
		}
		if alloc > c.factor*float64(len(b))+1<<20 {
			t.Errorf("%s: %.1f MB allocated for a %.1f MB header, want at most %.0f times its size", c.kind, alloc/1e6, float64(len(b))/1e6, c.factor)
		}
		header := b[8:] // the JSON text, after its length
		tScan, tDecode := time.Duration(1<<62), time.Duration(1<<62)
		for range 3 {
			start := time.Now()
			json.Valid(header)
			tScan = min(tScan, time.Since(start))
			runtime.GC()
			start = time.Now()
			Decode(b)
			tDecode = min(tDecode, time.Since(start))
		}
		ratio := float64(tDecode) / float64(tScan)
		t.Logf("%s: %d-byte header: %v (json.Valid %v, %.1fx), %.1f MB allocated (%.1f per byte), err %.60v",
			c.kind, len(b), tDecode, tScan, ratio, alloc/1e6, alloc/float64(len(b)), err)
		// Below 10 ms the ratio is mostly noise, and no harm is done.
		if tDecode > 10*time.Millisecond && ratio > 50 {
			t.Errorf("%s: decoding took %.1f times as long as json.Valid (%v, %v): not linear", c.kind, ratio, tDecode, tScan)
		}
	}
}

func TestRank(t *testing.T) {
	shape := func(n int) string {
		return "[" + strings.TrimSuffix(strings.Repeat("1,", n), ",") + "]"
	}
	if _, err := Decode(file(`{"a":{"dtype":"F32","shape":`+shape(MaxRank)+`,"data_offsets":[0,4]}}`, make([]byte, 4))); err != nil {
		t.Errorf("rank %d: %v", MaxRank, err)
	}
	_, err := Decode(file(`{"a":{"dtype":"F32","shape":`+shape(MaxRank+1)+`,"data_offsets":[0,4]}}`, make([]byte, 4)))
	if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "more than 64 dimensions") {
		t.Errorf("rank %d: %v", MaxRank+1, err)
	}
}

// TestLoneSurrogates: escaped UTF-16 surrogates that do not form a pair are
// not Unicode text; the reference parser refuses them, and so must this one
// (encoding/json would read them as U+FFFD).
func TestLoneSurrogates(t *testing.T) {
	tensor := func(name string) string {
		return `"` + name + `":{"dtype":"F32","shape":[],"data_offsets":[0,4]}`
	}
	for _, hdr := range []string{
		"{" + tensor(`\ud800x`) + "}",
		"{" + tensor(`\ud800`) + "}",
		"{" + tensor(`\udc00`) + "}",
		"{" + tensor(`a\ud83d\u0041`) + "}",
		"{" + tensor(`\ude00\ud83d`) + "}",
		"{" + tensor(`\ud83d\\ude00`) + "}",
		`{"__metadata__":{"\ud800":"v"},` + tensor("a") + "}",
		`{"__metadata__":{"k":"x\udfff"},` + tensor("a") + "}",
		`{"a":{"dtype":"F3\ud800","shape":[],"data_offsets":[0,4]}}`,
	} {
		_, err := Decode(file(hdr, make([]byte, 4)))
		if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "surrogate") {
			t.Errorf("%s: error %v, want a lone surrogate refused", hdr, err)
		}
	}
	f, err := Decode(file(`{"__metadata__":{"\u00e9\/":"\ud83d\ude00\n"},`+tensor(`\ud83d\ude00\"\u0000`)+"}", make([]byte, 4)))
	if err != nil {
		t.Fatal(err)
	}
	if f.Tensors[0].Name != "😀\"\x00" || f.Metadata["é/"] != "😀\n" {
		t.Errorf("escapes decoded as %q, %q", f.Tensors[0].Name, f.Metadata)
	}
}

// countingReaderAt counts the bytes read through it.
type countingReaderAt struct {
	r io.ReaderAt
	n int64
}

func (c *countingReaderAt) ReadAt(b []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(b, off)
	c.n += int64(n)
	return n, err
}

// TestReaderReadsOnlyWhatTheHeaderNames: the length is checked before the
// header is read, the header and the size before any data.
func TestReaderReadsOnlyWhatTheHeaderNames(t *testing.T) {
	good := encode(t, sample())
	hdrEnd := 8 + int64(binary.LittleEndian.Uint64(good))
	huge := binary.LittleEndian.AppendUint64(nil, MaxHeaderSize+1)
	for _, c := range []struct {
		name string
		b    []byte
		size int64 // as claimed to NewReader
		read int64 // bytes read, at most
		want string
	}{
		{"header too large", append(huge, make([]byte, 1000)...), 1 << 40, 8, "exceeds the limit"},
		{"file longer than described", append(good, 0), int64(len(good)) + 1, hdrEnd, "trailing bytes"},
		{"file claims more", good, 1 << 40, hdrEnd, "trailing bytes"},
		{"file shorter than described", good[:len(good)-1], int64(len(good)) - 1, hdrEnd, "truncated"},
	} {
		cr := &countingReaderAt{r: bytes.NewReader(c.b)}
		_, err := NewReader(cr, c.size)
		if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
		if cr.n > c.read {
			t.Errorf("%s: read %d bytes, want at most %d", c.name, cr.n, c.read)
		}
	}
}

// TestOpenRefusesNonRegular: Load and Open read regular files only; a FIFO
// is refused without waiting for a writer, a device without reading it.
func TestOpenRefusesNonRegular(t *testing.T) {
	dir := t.TempDir()
	paths := []string{dir, os.DevNull}
	if fifo := filepath.Join(dir, "fifo"); mkfifo(fifo) == nil {
		paths = append(paths, fifo)
	}
	for _, p := range paths {
		done := make(chan error, 1)
		go func() {
			_, err := Load(p)
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, ErrNotRegular) {
				t.Errorf("Load(%s): %v, want an error wrapping ErrNotRegular", p, err)
			}
		case <-time.After(3 * time.Second):
			t.Fatalf("Load(%s) blocks", p)
		}
		if r, err := Open(p); !errors.Is(err, ErrNotRegular) {
			t.Errorf("Open(%s): %v, want an error wrapping ErrNotRegular", p, err)
			if err == nil {
				r.Close()
			}
		}
	}
}

// TestReader reads a saved file tensor by tensor into the caller's memory.
func TestReader(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.safetensors")
	big := make([]float32, 300_000)
	for i := range big {
		big[i] = float32(i) / 3
	}
	f := sample()
	f.Tensors = append(f.Tensors, Tensor{Name: "big", Shape: []int{1000, 300}, Data: big})
	if err := Save(path, f); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if !reflect.DeepEqual(r.Metadata(), f.Metadata) {
		t.Errorf("metadata %v", r.Metadata())
	}
	infos := r.Tensors()
	if len(infos) != len(f.Tensors) {
		t.Fatalf("%d tensors", len(infos))
	}
	for i, in := range infos {
		want, _ := f.Tensor(in.Name)
		if in.DType != want.DType() || !reflect.DeepEqual(in.Shape, want.Shape) || in.Len() != want.dataLen() || in.Size != int64(in.Len()*in.DType.Size()) {
			t.Errorf("%s: info %+v", in.Name, in)
		}
		if i > 0 && in.Offset != infos[i-1].Offset+infos[i-1].Size {
			t.Errorf("%s: offset %d", in.Name, in.Offset)
		}
		got := &Tensor{Name: in.Name, Shape: in.Shape}
		switch in.DType {
		case F32:
			got.Data = make([]float32, in.Len())
		case F64:
			got.Data = make([]float64, in.Len())
		case I64:
			got.Data = make([]int64, in.Len())
		case BF16:
			got.Data = make([]BFloat16, in.Len())
		case F16:
			got.Data = make([]Float16, in.Len())
		}
		if err := r.ReadInto(in.Name, got.Data); err != nil {
			t.Fatal(err)
		}
		if !sameTensor(got, want) {
			t.Errorf("%s: read %v", in.Name, got.Data)
		}
		rt, err := r.ReadTensor(in.Name)
		if err != nil || !sameTensor(rt, want) {
			t.Errorf("%s: ReadTensor %v, %v", in.Name, rt, err)
		}
	}
	if in, ok := r.Info("big"); !ok || in.Len() != len(big) {
		t.Errorf("Info(big) = %+v, %v", in, ok)
	}
	if _, ok := r.Info("nope"); ok {
		t.Error("Info of a missing tensor")
	}

	// Reading a tensor allocates a fixed buffer, nothing proportional to it.
	dst := make([]float32, len(big))
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	if err := r.ReadInto("big", dst); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&m1)
	if a := m1.TotalAlloc - m0.TotalAlloc; a > 2*readBufSize {
		t.Errorf("ReadInto of a %d-byte tensor allocated %d bytes", 4*len(big), a)
	}
	if !reflect.DeepEqual(dst, big) {
		t.Error("big tensor differs")
	}

	// Concurrent reads (the race detector checks them).
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := make([]float32, len(big))
			if err := r.ReadInto("big", d); err != nil || d[len(d)-1] != big[len(big)-1] {
				t.Errorf("concurrent read: %v", err)
			}
		}()
	}
	wg.Wait()

	for _, c := range []struct {
		name string
		dst  any
		want string
	}{
		{"nope", []float32{}, `no tensor "nope"`},
		{"big", make([]float64, len(big)), "cannot read it into []float64"},
		{"big", make([]float32, len(big)-1), "of length 299999"},
		{"w.step", []int64{}, "of length 0"},
		{"w.step", []int32{1}, "cannot read into []int32"},
		{"w.step", nil, "cannot read into <nil>"},
	} {
		if err := r.ReadInto(c.name, c.dst); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ReadInto(%s, %T): %v, want an error mentioning %q", c.name, c.dst, err, c.want)
		}
	}
	if err := r.Close(); err != nil {
		t.Error(err)
	}
}

// TestReaderFileShrinks: data that disappears after Open is an error, not
// zeros.
func TestReaderFileShrinks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.safetensors")
	if err := Save(path, sample()); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := os.Truncate(path, 100); err != nil {
		t.Fatal(err)
	}
	err = r.ReadInto("b.sum", make([]float64, 3))
	if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "ends") {
		t.Errorf("read after truncation: %v", err)
	}
}

func ExampleReader() {
	var buf bytes.Buffer
	Encode(&buf, &File{Tensors: []Tensor{{Name: "w", Shape: []int{2}, Data: []float32{1.5, -2}}}})
	r, err := NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		fmt.Println(err)
		return
	}
	// Check what the header says first, then read into memory of our own.
	info, ok := r.Info("w")
	if !ok || info.DType != F32 || info.Len() != 2 {
		fmt.Println("unexpected tensor")
		return
	}
	dst := make([]float32, info.Len())
	if err := r.ReadInto("w", dst); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(dst, math.Signbit(float64(dst[1])))
	// Output: [1.5 -2] true
}

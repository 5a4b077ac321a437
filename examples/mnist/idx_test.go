package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// idxFile builds an IDX file: the magic number, the dimensions, the data,
// gzip-compressed if gz.
func idxFile(t testing.TB, magic uint32, dims []int, data []byte, gz bool) []byte {
	t.Helper()
	var raw bytes.Buffer
	binary.Write(&raw, binary.BigEndian, magic)
	for _, d := range dims {
		binary.Write(&raw, binary.BigEndian, uint32(d))
	}
	raw.Write(data)
	if !gz {
		return raw.Bytes()
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	if _, err := zw.Write(raw.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return z.Bytes()
}

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

func TestReadIDX(t *testing.T) {
	for _, gz := range []bool{false, true} {
		data := pattern(3 * side * side)
		got, n, err := readIDX(bytes.NewReader(idxFile(t, imagesMagic, []int{3, side, side}, data, gz)), imagesMagic, []int{-1, side, side})
		if err != nil || n != 3 || !bytes.Equal(got, data) {
			t.Errorf("gzip %v: images: n = %d, err = %v, data equal: %v", gz, n, err, bytes.Equal(got, data))
		}
		labels := []byte{9, 0, 4, 4, 2}
		got, n, err = readIDX(bytes.NewReader(idxFile(t, labelsMagic, []int{5}, labels, gz)), labelsMagic, []int{-1})
		if err != nil || n != 5 || !bytes.Equal(got, labels) {
			t.Errorf("gzip %v: labels: got %v, n = %d, err = %v", gz, got, n, err)
		}
		// Zero items is a valid, empty file.
		got, n, err = readIDX(bytes.NewReader(idxFile(t, labelsMagic, []int{0}, nil, gz)), labelsMagic, []int{-1})
		if err != nil || n != 0 || len(got) != 0 {
			t.Errorf("gzip %v: empty: got %v, n = %d, err = %v", gz, got, n, err)
		}
	}
}

func TestReadIDXBad(t *testing.T) {
	img := func(n int, dims []int, gz bool) []byte {
		return idxFile(t, imagesMagic, dims, pattern(n), gz)
	}
	good := img(2*side*side, []int{2, side, side}, false)
	goodGz := img(2*side*side, []int{2, side, side}, true)
	damaged := bytes.Clone(goodGz)
	damaged[len(damaged)-6] ^= 0xff // the CRC-32 in gzip's trailer
	corrupt := bytes.Clone(goodGz)
	for i := 12; i < 40; i++ {
		corrupt[i] ^= 0x5a // the deflate stream
	}
	for _, c := range []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "reading the magic number: unexpected end of file"},
		{"labels as images", idxFile(t, labelsMagic, []int{2}, []byte{1, 2}, false), "magic number 0x00000801, want 0x00000803 (images"},
		{"float images", idxFile(t, 0x00000D03, []int{1, 1, 1}, make([]byte, 4), true), "magic number 0x00000d03"},
		{"short header", good[:10], "reading dimension 1: unexpected end of file"},
		{"short header gz", idxFile(t, imagesMagic, []int{2, side}, nil, true), "reading dimension 2: unexpected end of file"},
		{"32x32", img(32*32, []int{1, 32, 32}, false), "dimensions [1 32], want [n 28 28]"},
		{"28x27", img(28*27, []int{1, 28, 27}, true), "dimensions [1 28 27], want [n 28 28]"},
		{"truncated", good[:len(good)-1], "truncated: dimensions [2 28 28] need 1568 bytes of data, the file has 1567"},
		{"truncated gz", goodGz[:len(goodGz)-20], "unexpected end of file"},
		{"one image short", img(side*side, []int{2, side, side}, true), "truncated: dimensions [2 28 28] need 1568 bytes of data, the file has 784"},
		{"huge count", img(side*side, []int{1 << 30, side, side}, false), "more than 4294967296 bytes"},
		{"trailing data", append(bytes.Clone(good), 0), "more data than dimensions [2 28 28] announce"},
		{"trailing data gz", img(3*side*side, []int{2, side, side}, true), "more data than dimensions [2 28 28] announce"},
		{"gzip checksum", damaged, "gzip: invalid checksum"},
		{"gzip corrupt", corrupt, ""},
	} {
		_, _, err := readIDX(bytes.NewReader(c.file), imagesMagic, []int{-1, side, side})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
}

// writeSet writes <prefix>-images-idx3-ubyte.gz and
// <prefix>-labels-idx1-ubyte.gz into dir.
func writeSet(t testing.TB, dir, prefix string, images, labels []byte) {
	t.Helper()
	n := len(images) / (side * side)
	files := map[string][]byte{
		prefix + "-images-idx3-ubyte.gz": idxFile(t, imagesMagic, []int{n, side, side}, images, true),
		prefix + "-labels-idx1-ubyte.gz": idxFile(t, labelsMagic, []int{len(labels)}, labels, true),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadSet(t *testing.T) {
	dir := t.TempDir()
	images := pattern(4 * side * side)
	writeSet(t, dir, "train", images, []byte{3, 1, 4, 1})
	d, err := loadSet(dir, "train")
	if err != nil || d.len() != 4 || !bytes.Equal(d.images, images) || !bytes.Equal(d.labels, []byte{3, 1, 4, 1}) {
		t.Fatalf("loadSet: %v", err)
	}
	// Uncompressed files are read too.
	raw := t.TempDir()
	os.WriteFile(filepath.Join(raw, "x-images-idx3-ubyte"), idxFile(t, imagesMagic, []int{4, side, side}, images, false), 0o644)
	os.WriteFile(filepath.Join(raw, "x-labels-idx1-ubyte"), idxFile(t, labelsMagic, []int{4}, []byte{0, 9, 0, 9}, false), 0o644)
	if d, err := loadSet(raw, "x"); err != nil || d.len() != 4 {
		t.Errorf("uncompressed: %v", err)
	}

	writeSet(t, dir, "count", images, []byte{3, 1, 4})
	if _, err := loadSet(dir, "count"); err == nil || !strings.Contains(err.Error(), "4 images but 3 labels") {
		t.Errorf("count mismatch: %v", err)
	}
	writeSet(t, dir, "label", images, []byte{3, 1, 10, 1})
	if _, err := loadSet(dir, "label"); err == nil || !strings.Contains(err.Error(), "label 10 at position 2 is not a class 0 to 9") {
		t.Errorf("bad label: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "bad-images-idx3-ubyte.gz"), idxFile(t, labelsMagic, []int{1}, []byte{1}, true), 0o644)
	_, err = loadSet(dir, "bad")
	if err == nil || !strings.Contains(err.Error(), "bad-images-idx3-ubyte.gz: magic number") {
		t.Errorf("bad magic: %v", err)
	}
	if _, err := loadSet(dir, "none"); !os.IsNotExist(err) {
		t.Errorf("missing: %v", err)
	}
}

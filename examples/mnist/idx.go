package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// The IDX format (yann.lecun.com/exdb/mnist): a big-endian header, then the
// data. The magic number's third byte is the element type (0x08: unsigned
// byte), its fourth the number of dimensions; each dimension follows as a
// uint32. MNIST and Fashion-MNIST ship gzip-compressed IDX files.
const (
	imagesMagic = 0x00000803 // unsigned bytes, 3 dimensions: count, rows, columns
	labelsMagic = 0x00000801 // unsigned bytes, 1 dimension: count
	side        = 28         // rows and columns of an image
	classes     = 10
	maxElements = 1 << 32 // a sanity bound on what a header may announce
)

// dataset is a set of images (side*side bytes each, row-major, 0 = white
// background) and their labels (0 to 9).
type dataset struct {
	images []byte
	labels []byte
}

func (d *dataset) len() int { return len(d.labels) }

// loadSet reads <dir>/<prefix>-images-idx3-ubyte.gz and
// <dir>/<prefix>-labels-idx1-ubyte.gz (or the same names without .gz) and
// checks that they hold the same number of 28x28 images and labels.
func loadSet(dir, prefix string) (*dataset, error) {
	images, n, err := readIDXFile(filepath.Join(dir, prefix+"-images-idx3-ubyte"), imagesMagic, []int{-1, side, side})
	if err != nil {
		return nil, err
	}
	labels, m, err := readIDXFile(filepath.Join(dir, prefix+"-labels-idx1-ubyte"), labelsMagic, []int{-1})
	if err != nil {
		return nil, err
	}
	if n != m {
		return nil, fmt.Errorf("%s: %d images but %d labels", filepath.Join(dir, prefix), n, m)
	}
	for i, l := range labels {
		if l >= classes {
			return nil, fmt.Errorf("%s: label %d at position %d is not a class 0 to %d", filepath.Join(dir, prefix+"-labels-idx1-ubyte"), l, i, classes-1)
		}
	}
	return &dataset{images: images, labels: labels}, nil
}

// readIDXFile opens name+".gz", or name if that does not exist, and reads
// it with readIDX. Errors name the file.
func readIDXFile(name string, magic uint32, dims []int) ([]byte, int, error) {
	f, err := os.Open(name + ".gz")
	if errors.Is(err, fs.ErrNotExist) {
		if g, err2 := os.Open(name); err2 == nil {
			f, err = g, nil
		}
	}
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	data, n, err := readIDX(f, magic, dims)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", f.Name(), err)
	}
	return data, n, nil
}

// readIDX reads an IDX file, gzip-compressed or not, whose magic number
// must be magic and whose dimensions must be dims (-1: any). It returns the
// data and the first dimension, the number of items. A file that is shorter
// or longer than its header says, or whose gzip stream is damaged, is an
// error.
func readIDX(r io.Reader, magic uint32, dims []int) ([]byte, int, error) {
	br := bufio.NewReader(r)
	if head, err := br.Peek(2); err == nil && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, 0, err
		}
		zr.Multistream(false)
		r = zr
	} else {
		r = br
	}
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, 0, fmt.Errorf("reading the magic number: %w", noEOF(err))
	}
	if got := binary.BigEndian.Uint32(hdr[:]); got != magic {
		return nil, 0, fmt.Errorf("magic number %#08x, want %#08x (%s)", got, magic, describe(magic))
	}
	size := int64(1)
	first := 0
	shape := make([]int, len(dims))
	for i, want := range dims {
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return nil, 0, fmt.Errorf("reading dimension %d: %w", i, noEOF(err))
		}
		d := int(binary.BigEndian.Uint32(hdr[:]))
		shape[i] = d
		if want >= 0 && d != want {
			return nil, 0, fmt.Errorf("dimensions %v, want %s", shape[:i+1], describeDims(dims))
		}
		if i == 0 {
			first = d
		}
		size *= int64(d)
		if size > maxElements {
			return nil, 0, fmt.Errorf("dimensions %v: more than %d bytes", shape[:i+1], int64(maxElements))
		}
	}
	// Read what the header announces, plus one byte to detect trailing
	// data; the buffer grows with what is really there, not with what a
	// damaged header claims.
	var buf bytes.Buffer
	got, err := io.Copy(&buf, io.LimitReader(r, size+1))
	if err != nil {
		return nil, 0, fmt.Errorf("reading the data: %w", noEOF(err))
	}
	if got < size {
		return nil, 0, fmt.Errorf("truncated: dimensions %v need %d bytes of data, the file has %d", shape, size, got)
	}
	if got > size {
		return nil, 0, fmt.Errorf("more data than dimensions %v announce (%d bytes)", shape, size)
	}
	if zr, ok := r.(*gzip.Reader); ok {
		// Reach the end of the gzip stream, which checks its CRC and length.
		if n, err := io.Copy(io.Discard, zr); err != nil {
			return nil, 0, fmt.Errorf("gzip: %w", noEOF(err))
		} else if n > 0 {
			return nil, 0, fmt.Errorf("more data than dimensions %v announce (%d bytes)", shape, size)
		}
	}
	return buf.Bytes(), first, nil
}

// noEOF turns an end of file in the middle of a read into a clearer error.
func noEOF(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return errors.New("unexpected end of file (truncated?)")
	}
	return err
}

func describe(magic uint32) string {
	switch magic {
	case imagesMagic:
		return "images: unsigned bytes, 3 dimensions"
	case labelsMagic:
		return "labels: unsigned bytes, 1 dimension"
	}
	return "IDX"
}

func describeDims(dims []int) string {
	s := "["
	for i, d := range dims {
		if i > 0 {
			s += " "
		}
		if d < 0 {
			s += "n"
		} else {
			s += fmt.Sprint(d)
		}
	}
	return s + "]"
}

// slice returns the first n examples of d.
func (d *dataset) slice(n int) *dataset {
	return &dataset{images: d.images[:n*side*side], labels: d.labels[:n]}
}

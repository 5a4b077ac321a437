// Package checkpoint reads and writes named tensors in the safetensors
// format, the file format of Hugging Face's safetensors library, so that
// Python (safetensors.numpy, safetensors.torch) reads what Go writes and the
// other way round.
//
// A file is, byte for byte:
//
//	8 bytes    N, the header's length, unsigned little-endian
//	N bytes    the header: a JSON object, UTF-8, padded with spaces so that
//	           8+N is a multiple of 8
//	the rest   the data buffer: every tensor's elements, little-endian,
//	           row-major, one tensor after the other with no gap
//
// The header maps each tensor's name to {"dtype", "shape", "data_offsets"}
// (offsets into the data buffer, [begin, end)); the optional key
// "__metadata__" maps to an object of strings. This package handles the
// dtypes F32, F64 and I64; a file holding another dtype is rejected with an
// error naming it.
//
// [Save] is atomic: it writes a temporary file in the destination's
// directory, syncs it to disk, renames it over the destination and syncs the
// directory, so that a crash leaves either the old file or the new one.
//
// [Decode] (and [Load]) check everything before returning anything: the
// header length against the file size and [MaxHeaderSize], the header's
// UTF-8 and JSON (duplicate keys, unknown fields, negative or fractional
// numbers and bytes other than whitespace after it are errors), each dtype, each shape against its
// byte size, and the data offsets, which must tile the data buffer exactly.
// Every error wraps [ErrFormat]; no input makes them panic, which a fuzz
// target (package fuzz, FuzzCheckpointLoad) checks.
//
// Why the format is written here rather than taken from a Go safetensors
// library: the one candidate, github.com/nlpodyssey/safetensors, decodes the
// header through Go maps, so a tensor name or field given twice silently
// keeps its last value, and it writes the header from a map, so the same
// tensors give files whose bytes differ from run to run. It takes tensor data
// as byte slices only (a float32 tensor must be converted or copied first),
// has no atomic save, and brings a test-only dependency tree into go.sum.
// The format is small, and owning it lets the reader be as strict as a
// checkpoint loader must be.
package checkpoint

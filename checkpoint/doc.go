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
// dtypes F32, F64, I64, BF16 and F16 (the 16-bit ones as their bits, in
// the types [BFloat16] and [Float16]); a file holding another dtype is
// rejected with an error naming it.
//
// [Save] is atomic: it writes a temporary file in the destination's
// directory, syncs it to disk, syncs the directory, renames the file over
// the destination and syncs the directory again, so that a crash leaves
// either the old file or the new one. What can fail is tried before the
// rename; a failed sync after it is reported as [ErrDirSync]. Save writes
// through a symbolic link to the file it names, keeps an existing file's
// mode, refuses a read-only file, and gives a new file 0666 minus the
// umask. Its temporary files are named ".<name>.<hash>.ckpt-tmp-<n>"; the
// next Save of the same destination removes those a crash left behind.
//
// [Open] and [NewReader] give a [Reader]: the header is read and checked
// first, then each tensor is read on request, straight into the caller's
// slice with [Reader.ReadInto], so that a loader can check every name,
// dtype and shape before it reads or changes anything. [Load] and [Decode]
// are the Reader reading every tensor. Open refuses what is not a regular
// file ([ErrNotRegular]) and a file whose size is not what its header
// describes, and reads only the bytes the checked offsets name.
//
// The reader checks everything before returning anything: the header
// length against the file size and [MaxHeaderSize], the header's UTF-8 and
// JSON (duplicate keys, unknown fields, negative or fractional numbers,
// escaped lone surrogates, and bytes other than whitespace after it are
// errors), each dtype, each shape (at most [MaxRank] dimensions) against
// its byte size, and the data offsets, which must tile the data buffer
// exactly. Every such error wraps [ErrFormat]; no input makes the reader
// panic, which a fuzz target (package fuzz, FuzzCheckpointLoad) checks.
// The writer ([Encode], [Marshal], [Save]) refuses what the reader would
// refuse, with the same error.
//
// A hostile header costs time linear in its size and memory of a small
// multiple of it: the header is read by a JSON reader of this package
// that allocates only what it returns (one string per name, one exactly
// sized slice per shape of at most 64 dimensions), and a tensor entry
// takes at least 48 header bytes, which bounds the number of tensors.
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

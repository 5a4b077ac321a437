"""Read 16-bit sparse tables' checkpoints in PyTorch.

Used by sparse's TestPyTorchHalf:

    python3 torch_half.py DIR

DIR/bf16.safetensors and DIR/f16.safetensors are checkpoints of tables of
bfloat16 and float16 weights that Go saved; DIR/inputs.safetensors holds
float32 values "x". The script reads the checkpoints, checks that their
weights are torch.bfloat16 and torch.float16 tensors and their state
torch.float32, and writes DIR/out.safetensors with, for each table T:
"T.weight" (the weights as PyTorch holds them, written back from their
bytes), "T.wide" (the weights converted to float32 by PyTorch) and "T.sum";
and "x.bf16" and "x.f16", x converted by PyTorch (round to nearest even),
for the Go test to compare bit for bit.

The files are read with the safetensors library when it is installed, and
otherwise with the small reader below, written from the format's
specification.
"""

import json
import struct
import sys

import torch

DTYPES = {
    "F32": (torch.float32, 4),
    "F64": (torch.float64, 8),
    "I64": (torch.int64, 8),
    "BF16": (torch.bfloat16, 2),
    "F16": (torch.float16, 2),
}


def read(path):
    """Returns (tensors, metadata) of a safetensors file."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    assert (8 + n) % 8 == 0, "header not padded to a multiple of 8"
    header = json.loads(data[8 : 8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {}) or {}
    buf = data[8 + n :]
    tensors, end = {}, 0
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        dtype, size = DTYPES[info["dtype"]]
        b, e = info["data_offsets"]
        assert b == end, "gap or overlap before " + name
        count = 1
        for d in info["shape"]:
            count *= d
        assert e - b == count * size, "size of " + name
        raw = bytearray(buf[b:e])
        t = torch.frombuffer(raw, dtype=dtype) if raw else torch.empty(0, dtype=dtype)
        tensors[name] = t.reshape(info["shape"]).clone()
        end = e
    assert end == len(buf), "trailing bytes"
    return tensors, meta


def raw_bytes(t):
    """The little-endian bytes of t (numpy has no bfloat16: 16-bit tensors go as int16)."""
    t = t.contiguous()
    if t.element_size() == 2:
        t = t.view(torch.int16)
    return t.numpy().tobytes() if t.numel() else b""


def write(path, tensors, meta):
    """Writes a safetensors file: tensors by element size, then name."""
    names = sorted(tensors, key=lambda k: (-tensors[k].element_size(), k))
    header, chunks, off = {}, [], 0
    if meta:
        header["__metadata__"] = meta
    inv = {v[0]: k for k, v in DTYPES.items()}
    for k in names:
        t = tensors[k]
        raw = raw_bytes(t)
        header[k] = {"dtype": inv[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + len(raw)]}
        chunks.append(raw)
        off += len(raw)
    h = json.dumps(header).encode("utf-8")
    h += b" " * ((8 - (8 + len(h)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(chunks))


try:
    from safetensors import safe_open
    from safetensors.torch import load_file, save_file

    def read(path):  # noqa: F811 (the library, when installed)
        with safe_open(path, "pt") as f:
            meta = f.metadata() or {}
        return load_file(path), meta

    def write(path, tensors, meta):  # noqa: F811
        save_file({k: v.contiguous() for k, v in tensors.items()}, path, metadata=meta)

    READER = "safetensors " + __import__("safetensors").__version__
except ImportError:
    READER = "specification reader"


def main(d):
    out = {}
    for name, dtype in (("bf16", torch.bfloat16), ("f16", torch.float16)):
        tensors, meta = read(d + "/" + name + ".safetensors")
        w, s = tensors["weight"], tensors["sum"]
        assert meta["optimizer"] == "SparseAdagrad", meta
        assert meta["weights"] == {"bf16": "bfloat16", "f16": "float16"}[name], meta
        assert w.dtype == dtype, (name, w.dtype)
        assert s.dtype == torch.float32, (name, s.dtype)
        out[name + ".weight"] = w
        out[name + ".wide"] = w.to(torch.float32)
        out[name + ".sum"] = s
    inputs, _ = read(d + "/inputs.safetensors")
    x = inputs["x"]
    out["x.bf16"] = x.to(torch.bfloat16)
    out["x.f16"] = x.to(torch.float16)
    write(d + "/out.safetensors", out, {})
    print("torch", torch.__version__, "files read and written with the", READER)


if __name__ == "__main__":
    main(sys.argv[1])

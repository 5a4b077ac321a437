"""Safetensors files in PyTorch, for the interop tests' scripts.

optim/testdata/torch_interop.py and sparse/testdata/torch_half.py import
read, write and READER from here. The files are read and written with the
safetensors library when it is installed, and otherwise with the small
reader and writer below, written from the format's specification (so that
Go's files are also checked by a second reader).
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
    assert all(isinstance(v, str) for v in meta.values())
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

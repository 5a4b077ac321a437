"""Continue in PyTorch a training run that package optim checkpointed.

Used by optim's TestPyTorchInterop:

    python3 torch_interop.py DIR

DIR/state.safetensors is the optimizer state Go saved, DIR/inputs.safetensors
the parameter values at that point ("<name>") and the gradients of the steps
to take ("grad.<k>.<name>", k = 0, 1, ...). The script builds a
torch.optim.Adagrad with the checkpoint's param_groups, loads the state as
optim's package documentation says, takes the steps, and writes
DIR/params_out.safetensors (the parameters afterwards) and
DIR/state_out.safetensors (the optimizer state, converted back to optim's
layout), for the Go test to compare bit for bit.

The files are read with the safetensors library when it is installed, and
otherwise with the small reader below, written from the format's
specification (so that Go's files are also checked by a second reader).
"""

import json
import struct
import sys

import torch

DTYPES = {"F32": (torch.float32, 4), "F64": (torch.float64, 8), "I64": (torch.int64, 8)}


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


def write(path, tensors, meta):
    """Writes a safetensors file: tensors by element size, then name."""
    names = sorted(tensors, key=lambda k: (-tensors[k].element_size(), k))
    header, chunks, off = {}, [], 0
    if meta:
        header["__metadata__"] = meta
    inv = {v[0]: k for k, v in DTYPES.items()}
    for k in names:
        t = tensors[k].contiguous()
        raw = t.numpy().tobytes() if t.numel() else b""
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
    state, meta = read(d + "/state.safetensors")
    inputs, _ = read(d + "/inputs.safetensors")
    assert meta["optimizer"] == "Adagrad"
    groups = json.loads(meta["param_groups"])
    for g in groups:
        assert not g.get("eps_inside"), "PyTorch has no eps_inside"

    names = [n for g in groups for n in g["params"]]
    params = {n: inputs[n].clone().requires_grad_(True) for n in names}
    opt = torch.optim.Adagrad(
        [{"params": [params[n] for n in g["params"]]} for g in groups]
    )

    # File -> PyTorch, as optim's documentation says.
    sd = opt.state_dict()
    for g, gj in zip(sd["param_groups"], groups):
        g.update({k: v for k, v in gj.items() if k not in ("params", "eps_inside")})
        for i, n in zip(g["params"], gj["params"]):
            sd["state"][i] = {"step": state[n + ".step"].to(torch.float32), "sum": state[n + ".sum"]}
    opt.load_state_dict(sd)

    k = 0
    while "grad.%d.%s" % (k, names[0]) in inputs:
        for n in names:
            g = inputs.get("grad.%d.%s" % (k, n))
            params[n].grad = g.clone() if g is not None else None
        opt.step()
        k += 1

    write(d + "/params_out.safetensors", {n: p.detach() for n, p in params.items()}, {})

    # PyTorch -> file.
    sd = opt.state_dict()
    out, gout = {}, []
    for g in sd["param_groups"]:
        keys = ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps", "maximize")
        gj = {key: g[key] for key in keys}
        gj["eps_inside"] = False  # every key is required; PyTorch's eps is outside the root
        gj["params"] = [names[i] for i in g["params"]]
        gout.append(gj)
        for i in g["params"]:
            st = sd["state"][i]
            out[names[i] + ".sum"] = st["sum"].contiguous()
            out[names[i] + ".step"] = st["step"].to(torch.int64).reshape(())
    write(d + "/state_out.safetensors", out, {"optimizer": "Adagrad", "param_groups": json.dumps(gout)})
    print("torch", torch.__version__, "steps", k, "files read and written with the", READER)


if __name__ == "__main__":
    main(sys.argv[1])

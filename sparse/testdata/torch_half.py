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

The files are read and written by testdata/safetensors_torch.py.
"""

import os
import sys

import torch

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "testdata"))
from safetensors_torch import READER, read, write  # noqa: E402


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

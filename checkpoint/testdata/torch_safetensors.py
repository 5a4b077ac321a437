# Writes torch.safetensors: tensors made by PyTorch, laid out by hand as
# the safetensors format says (8-byte little-endian header length, JSON
# header padded with spaces to a multiple of 8, then the data), in the
# order of the reference writer (by dtype size, largest first, then by
# name). Run with a Python that has torch:
#
#	python3 torch_safetensors.py
import json
import struct

import torch

torch.manual_seed(0)
w = torch.randn(4, 5, dtype=torch.float32)
opt = torch.optim.Adagrad([w], lr=0.1, lr_decay=0.01, eps=1e-10)
w.grad = torch.randn(4, 5)
opt.step()
st = opt.state[w]
tensors = {
    "w": w.detach(),
    "w.sum": st["sum"],
    "w.step": torch.tensor(int(st["step"].item()), dtype=torch.int64),
    "b": torch.linspace(-1, 1, 7, dtype=torch.float64),
    "specials": torch.tensor([0.0, -0.0, float("inf"), -float("inf"), 1e-40], dtype=torch.float32),
    "ids": torch.arange(-3, 3, dtype=torch.int64).reshape(2, 3),
    "empty": torch.zeros(0, 3, dtype=torch.float64),
}
names = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64"}
order = sorted(tensors, key=lambda k: (-tensors[k].element_size(), k))
header, data, off = {"__metadata__": {"format": "pt", "source": "torch " + torch.__version__}}, b"", 0
for k in order:
    t = tensors[k].contiguous()
    raw = t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()
    header[k] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + len(raw)]}
    data += raw
    off += len(raw)
h = json.dumps(header, separators=(",", ":")).encode()
h += b" " * (-(8 + len(h)) % 8)
with open("torch.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h + data)

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

The files are read and written by testdata/safetensors_torch.py.
"""

import json
import os
import sys

import torch

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "testdata"))
from safetensors_torch import READER, read, write  # noqa: E402


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

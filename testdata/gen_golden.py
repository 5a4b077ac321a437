#!/usr/bin/python3
"""Golden vectors for the Adagrad kernels, from torch.optim.Adagrad on the CPU.

Run with the python3 that has PyTorch (Debian: apt-get install python3-torch,
then /usr/bin/python3).

  gen_golden.py --check torch_adagrad_golden.json.gz
      Replays every case of the file through PyTorch, from its inputs (param0,
      hyperparameters, gradients), and compares every parameter and state
      `sum` after every step with the file, bit for bit. Exit status 1 on any
      difference.

  gen_golden.py --out new.json.gz [--seed N]
      Writes a new file of the same layout (see README.md) with fresh inputs.

  gen_golden.py --online-out online.json.gz [--seed N]
  gen_golden.py --online-check online_golden.json.gz
      The same for ProximalAdagrad and FTRL-Proximal (with accumulator decay):
      TensorFlow is not used; the cases come from TensorFlow's formulas
      (ApplyProximalAdagrad, ApplyFtrlV2 with learning_rate_power -0.5, Keras'
      beta, DeepRec's AdagradDecay) written below in PyTorch tensor operations
      of the case's dtype, in the order TensorFlow's kernels write them.

Floats are stored as IEEE-754 bit patterns in hex (8 digits for float32, 16
for float64).
"""
import argparse
import gzip
import json
import struct
import sys

import numpy as np
import torch

CONFIGS = [  # lr, lr_decay, weight_decay, initial_accumulator_value, eps, maximize
    dict(lr=0.01, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10, maximize=False),
    dict(lr=0.1, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.1, eps=1e-10, maximize=False),
    dict(lr=0.037, lr_decay=0.013, weight_decay=0.05, initial_accumulator_value=0.1, eps=1e-06, maximize=True),
    dict(lr=1.0, lr_decay=0.5, weight_decay=0.0, initial_accumulator_value=0.3, eps=0.001, maximize=False),
    dict(lr=0.003, lr_decay=0.0, weight_decay=0.2, initial_accumulator_value=0.0, eps=1e-08, maximize=False),
]
LENGTHS = [1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 1000]
KINDS = ["wide", "tiny", "normal"]
STEPS = 4
SPARSE_SHAPES = [(50, 8), (60, 33), (64, 1)]
SPARSE_CONFIGS = [0, 1, 3]  # PyTorch refuses weight decay with sparse gradients

NP = {"float32": np.float32, "float64": np.float64}
TORCH = {"float32": torch.float32, "float64": torch.float64}
UINT = {"float32": np.uint32, "float64": np.uint64}


def to_hex(arr, dtype):
    width = 8 if dtype == "float32" else 16
    bits = np.ascontiguousarray(arr, dtype=NP[dtype]).view(UINT[dtype]).ravel()
    return ["%0*x" % (width, int(b)) for b in bits]


def from_hex(strs, dtype):
    return np.array([int(s, 16) for s in strs], dtype=UINT[dtype]).view(NP[dtype])


def values(rng, kind, n, dtype):
    if kind == "normal":
        v = rng.standard_normal(n)
    elif kind == "wide":
        v = rng.choice([-1.0, 1.0], n) * 10.0 ** rng.uniform(-30, 10, n)
        v[rng.random(n) < 0.15] = 0.0
    else:  # tiny: subnormal and near-subnormal magnitudes for the type
        tiny = np.finfo(NP[dtype]).tiny
        v = rng.choice([-1.0, 1.0], n) * tiny * 2.0 ** rng.uniform(-20, 2, n)
    return v.astype(NP[dtype])


def run_dense(case, grads):
    dtype = case["dtype"]
    p = torch.tensor(from_hex(case["param0"], dtype), dtype=TORCH[dtype])
    p.requires_grad_(False)
    opt = torch.optim.Adagrad([p], lr=case["lr"], lr_decay=case["lr_decay"], weight_decay=case["weight_decay"],
                              initial_accumulator_value=case["initial_accumulator_value"], eps=case["eps"],
                              maximize=case["maximize"], foreach=False)
    params, sums = [], []
    for g in grads:
        p.grad = torch.tensor(g, dtype=TORCH[dtype])
        opt.step()
        params.append(to_hex(p.detach().numpy(), dtype))
        sums.append(to_hex(opt.state[p]["sum"].numpy(), dtype))
    return params, sums


def run_sparse(case, steps_in):
    rows, dim = case["rows"], case["dim"]
    p = torch.tensor(from_hex(case["param0"], "float32").reshape(rows, dim))
    opt = torch.optim.Adagrad([p], lr=case["lr"], lr_decay=case["lr_decay"], weight_decay=0.0,
                              initial_accumulator_value=case["initial_accumulator_value"], eps=case["eps"],
                              maximize=case["maximize"], foreach=False)
    out = []
    for idx, vals in steps_in:
        i = torch.tensor([idx], dtype=torch.int64)
        v = torch.tensor(vals.reshape(len(idx), dim))
        p.grad = torch.sparse_coo_tensor(i, v, (rows, dim))
        opt.step()
        out.append(dict(indices=list(idx), values=to_hex(vals, "float32"),
                        param=to_hex(p.detach().numpy(), "float32"),
                        sum=to_hex(opt.state[p]["sum"].numpy(), "float32")))
    return out


def generate(seed):
    rng = np.random.default_rng(seed)
    dense = []
    for dtype in ["float32", "float64"]:
        for ci, cfg in enumerate(CONFIGS):
            for ni, n in enumerate(LENGTHS):
                kind = KINDS[(ci + ni) % 3]
                case = dict(name="%s/cfg%d/n%d/%s" % (dtype, ci, n, kind), dtype=dtype, **cfg)
                case["param0"] = to_hex(rng.standard_normal(n).astype(NP[dtype]), dtype)
                grads = [values(rng, kind, n, dtype) for _ in range(STEPS)]
                case["grads"] = [to_hex(g, dtype) for g in grads]
                case["params"], case["sums"] = run_dense(case, grads)
                dense.append(case)
    sparse = []
    for ci in SPARSE_CONFIGS:
        for rows, dim in SPARSE_SHAPES:
            case = dict(name="sparse/cfg%d/%dx%d" % (ci, rows, dim), dtype="float32", rows=rows, dim=dim, **CONFIGS[ci])
            case["param0"] = to_hex(rng.standard_normal(rows * dim).astype(np.float32), "float32")
            steps_in = []
            for _ in range(STEPS):
                k = int(rng.integers(1, rows + 1))
                idx = [int(x) for x in rng.permutation(rows)[:k]]
                steps_in.append((idx, values(rng, "normal", k * dim, "float32")))
            case["steps"] = run_sparse(case, steps_in)
            sparse.append(case)
    return dict(generator="torch %s torch.optim.Adagrad (CPU, foreach=False)" % torch.__version__,
                note="float values are IEEE-754 bit patterns in hex; sparse steps have unique row indices",
                dense=dense, sparse=sparse)


def check(path):
    with gzip.open(path, "rt") as f:
        data = json.load(f)
    bad = 0
    for case in data["dense"]:
        grads = [from_hex(g, case["dtype"]) for g in case["grads"]]
        params, sums = run_dense(case, grads)
        if params != case["params"] or sums != case["sums"]:
            bad += 1
            print("differs:", case["name"])
    for case in data["sparse"]:
        steps_in = [(s["indices"], from_hex(s["values"], "float32")) for s in case["steps"]]
        got = run_sparse(case, steps_in)
        if [(s["param"], s["sum"]) for s in got] != [(s["param"], s["sum"]) for s in case["steps"]]:
            bad += 1
            print("differs:", case["name"])
    n = len(data["dense"]) + len(data["sparse"])
    print("torch %s: %d of %d cases reproduced bit for bit" % (torch.__version__, n - bad, n))
    return bad == 0


ONLINE_CONFIGS = [  # kind, lr, l1, l2, l2_shrinkage, beta, initial_accumulator_value, decay_steps, decay_rate, decay_floor
    dict(kind="proximal_adagrad", lr=0.1, l1=0.0, l2=0.0, l2_shrinkage=0.0, beta=0.0, initial_accumulator_value=0.1,
         decay_steps=0, decay_rate=0.0, decay_floor=0.0),
    dict(kind="proximal_adagrad", lr=0.05, l1=0.01, l2=0.02, l2_shrinkage=0.0, beta=0.0, initial_accumulator_value=0.1,
         decay_steps=2, decay_rate=0.5, decay_floor=0.01),
    dict(kind="proximal_adagrad", lr=1.0, l1=0.3, l2=0.0, l2_shrinkage=0.0, beta=0.0, initial_accumulator_value=0.5,
         decay_steps=0, decay_rate=0.0, decay_floor=0.0),
    dict(kind="ftrl", lr=0.1, l1=0.0, l2=0.0, l2_shrinkage=0.0, beta=0.0, initial_accumulator_value=0.1,
         decay_steps=0, decay_rate=0.0, decay_floor=0.0),
    dict(kind="ftrl", lr=0.05, l1=0.5, l2=0.1, l2_shrinkage=0.0, beta=1.0, initial_accumulator_value=0.1,
         decay_steps=0, decay_rate=0.0, decay_floor=0.0),
    dict(kind="ftrl", lr=0.2, l1=0.01, l2=0.01, l2_shrinkage=0.05, beta=0.5, initial_accumulator_value=0.0,
         decay_steps=3, decay_rate=0.9, decay_floor=0.001),
]
ONLINE_LENGTHS = [1, 7, 16, 33, 100]
ONLINE_STEPS = 6


def tf_proximal(var, accum, grad, c):
    """TensorFlow's ApplyProximalAdagrad, in its operations' order."""
    accum = accum + grad * grad
    lr_t = c["lr"] * torch.rsqrt(accum)
    prox = var - grad * lr_t
    if c["l1"] > 0:
        var = torch.sign(prox) * torch.clamp(torch.abs(prox) - lr_t * c["l1"], min=0) / (lr_t * c["l2"] + 1)
    else:
        var = prox / (lr_t * c["l2"] + 1)
    return var, accum


def tf_ftrl(var, accum, linear, grad, c, dt):
    """TensorFlow's ApplyFtrlV2 with learning_rate_power -0.5 and Keras'
    beta folded into l2 (l2 + beta / (2 * lr), in the variable's dtype)."""
    lr = torch.tensor(c["lr"], dtype=dt)
    l2 = torch.tensor(c["l2"], dtype=dt) + torch.tensor(c["beta"], dtype=dt) / (2 * lr)
    shrunk = grad + 2 * torch.tensor(c["l2_shrinkage"], dtype=dt) * var
    new_accum = accum + grad * grad
    linear = linear + (shrunk - (torch.sqrt(new_accum) - torch.sqrt(accum)) / lr * var)
    x = c["l1"] * torch.sign(linear) - linear
    y = torch.sqrt(new_accum) / lr + 2 * l2
    var = torch.where(torch.abs(linear) > c["l1"], x / y, torch.zeros_like(var))
    return var, new_accum, linear


def run_online(case, grads):
    dt = TORCH[case["dtype"]]
    var = torch.tensor(from_hex(case["param0"], case["dtype"]), dtype=dt)
    accum = torch.full_like(var, case["initial_accumulator_value"])
    linear = torch.zeros_like(var)
    out = dict(params=[], sums=[], linears=[])
    for t, g in enumerate(grads, 1):
        g = torch.tensor(g, dtype=dt)
        if case["decay_steps"] > 0 and t % case["decay_steps"] == 0:
            accum = torch.maximum(accum * case["decay_rate"], torch.full_like(accum, case["decay_floor"]))
        if case["kind"] == "ftrl":
            var, accum, linear = tf_ftrl(var, accum, linear, g, case, dt)
        else:
            var, accum = tf_proximal(var, accum, g, case)
        for key, v in (("params", var), ("sums", accum), ("linears", linear)):
            out[key].append(to_hex(v.numpy(), case["dtype"]))
    return out


def generate_online(seed):
    rng = np.random.default_rng(seed)
    cases = []
    for dtype in ["float32", "float64"]:
        for ci, cfg in enumerate(ONLINE_CONFIGS):
            for n in ONLINE_LENGTHS:
                case = dict(name="%s/%s%d/n%d" % (dtype, cfg["kind"], ci, n), dtype=dtype, **cfg)
                case["param0"] = to_hex(rng.standard_normal(n).astype(NP[dtype]) * 0.1, dtype)
                grads = [values(rng, "normal", n, dtype) for _ in range(ONLINE_STEPS)]
                case["grads"] = [to_hex(g, dtype) for g in grads]
                case.update(run_online(case, grads))
                cases.append(case)
    return dict(generator="torch %s tensor operations in TensorFlow's formulas (CPU)" % torch.__version__,
                note="float values are IEEE-754 bit patterns in hex; decay before step t when t %% decay_steps == 0",
                online=cases)


def check_online(path):
    with gzip.open(path, "rt") as f:
        data = json.load(f)
    bad = 0
    for case in data["online"]:
        got = run_online(case, [from_hex(g, case["dtype"]) for g in case["grads"]])
        if any(got[k] != case[k] for k in ("params", "sums", "linears")):
            bad += 1
            print("differs:", case["name"])
    n = len(data["online"])
    print("torch %s: %d of %d online cases reproduced bit for bit" % (torch.__version__, n - bad, n))
    return bad == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", metavar="FILE")
    ap.add_argument("--out", metavar="FILE")
    ap.add_argument("--online-check", metavar="FILE")
    ap.add_argument("--online-out", metavar="FILE")
    ap.add_argument("--seed", type=int, default=20260101)
    args = ap.parse_args()
    torch.set_num_threads(1)
    if args.online_check:
        sys.exit(0 if check_online(args.online_check) else 1)
    if args.online_out:
        with gzip.open(args.online_out, "wt") as f:
            json.dump(generate_online(args.seed), f)
        return
    if args.check:
        sys.exit(0 if check(args.check) else 1)
    if args.out:
        with gzip.open(args.out, "wt") as f:
            json.dump(generate(args.seed), f)
        return
    ap.print_help()


if __name__ == "__main__":
    main()

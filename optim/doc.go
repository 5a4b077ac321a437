// Package optim is torch.optim.Adagrad for Go: dense float32 and float64
// parameters, parameter groups, PyTorch's defaults, checks and numbers (bit
// for bit, through package kernel), steps split across goroutines, and
// checkpoints that Python can read.
//
// # From PyTorch
//
//	opt = torch.optim.Adagrad(model.parameters(), lr=0.1)
//	...
//	opt.zero_grad(); loss.backward(); opt.step()
//
// becomes
//
//	o := adagrad.Defaults() // lr 0.01, eps 1e-10, the rest 0
//	o.LR = 0.1
//	w := &optim.Param32{Name: "w", Value: weights, Grad: grads}
//	opt, err := optim.New(o, w)
//	...
//	opt.ZeroGrad() // then fill w.Grad
//	err = opt.Step()
//
// The hyperparameters are package adagrad's [adagrad.Options], the type
// package sparse takes too. There is no optim.Options alias: one type under
// one name keeps the documentation, the errors and the checkpoints
// speaking of one thing, and a program that holds an optimizer and a table
// sets both with the same value.
//
// Each parameter keeps its own step counter t, and step t uses the learning
// rate lr/(1+(t-1)*lr_decay), computed in float64, as PyTorch does. A
// parameter whose Grad is nil is skipped (PyTorch's grad is None). Negative
// or NaN hyperparameters are rejected with PyTorch's messages ("Invalid
// learning rate: -1"). Options.EpsInside, not in PyTorch, puts eps inside the
// square root (Keras 3, Optax).
//
// # Steps
//
// Step checks every parameter before it writes anything: a Value or Grad
// whose length changed, Values that share memory with each other or with a
// Grad (New and AddGroup refuse them too), a kernel path that cannot run,
// or a step counter that cannot count another step is an error that names
// the parameter, and no parameter or state is changed. The arithmetic is package kernel's
// (kernel.Step32 and kernel.Step64, on the path the process selected).
//
// Large parameters are cut into chunks that the calling goroutine and the
// optimizer's worker goroutines take in turn (see [Adagrad.SetWorkers]);
// the update is element by element, so the results are the same bits for
// any number of workers. The workers start with the first Step that needs
// them and stop at [Adagrad.Close] or, failing that, once the optimizer is
// garbage collected. After the first Step, Step does not allocate.
//
// # Checkpoints
//
// [Adagrad.Save] writes, and [Adagrad.Load] reads, the optimizer's state
// in the safetensors format (package checkpoint): a file that Python's
// safetensors library reads as it is. For each parameter p it holds
//
//	"p.sum"   the sum of squared gradients: F32 or F64 (the parameter's
//	          type), with the parameter's Shape
//	"p.step"  the step counter: I64, a scalar (shape [])
//
// and two metadata strings: "optimizer" = "Adagrad", and "param_groups", a
// JSON list with one object per group: PyTorch's param_groups entry, with
// the parameters' names instead of their indices, plus our eps_inside
// (package adagrad's checkpoint form of the options, then "params"):
//
//	[{"lr":0.1,"lr_decay":0,"weight_decay":0,"initial_accumulator_value":0,
//	  "eps":1e-10,"maximize":false,"eps_inside":false,"params":["w","b"]}]
//
// Load is PyTorch's load_state_dict: it checks the whole file against the
// optimizer (same groups, same parameter names, element types and shapes,
// no tensor left over) and replaces the groups' hyperparameters and each
// parameter's step and sum, or returns an error naming the first mismatch
// and changes nothing. The parameter values are not in the file, as they
// are not in PyTorch's optimizer state: save them alongside (package
// checkpoint writes any named tensors).
//
// From a PyTorch Adagrad to such a file (names[i] is the name of the i-th
// parameter, in the order the optimizer was given them):
//
//	import json, torch
//	from safetensors.torch import save_file
//	sd = opt.state_dict()
//	tensors, groups = {}, []
//	for g in sd["param_groups"]:
//	    keys = ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps", "maximize")
//	    d = {k: g[k] for k in keys}
//	    d["eps_inside"] = False
//	    d["params"] = [names[i] for i in g["params"]]
//	    groups.append(d)
//	    for i in g["params"]:
//	        st = sd["state"][i]
//	        tensors[names[i] + ".sum"] = st["sum"].contiguous()
//	        tensors[names[i] + ".step"] = st["step"].to(torch.int64).reshape(())
//	save_file(tensors, "adagrad.safetensors",
//	          metadata={"optimizer": "Adagrad", "param_groups": json.dumps(groups)})
//
// (A float step tensor, as PyTorch keeps it, is accepted too, if it holds a
// whole number.) And back, for an optimizer built over the same parameters:
//
//	from safetensors.torch import load_file
//	from safetensors import safe_open
//	t = load_file("adagrad.safetensors")
//	with safe_open("adagrad.safetensors", "pt") as f:
//	    groups = json.loads(f.metadata()["param_groups"])
//	sd = opt.state_dict()
//	for g, gj in zip(sd["param_groups"], groups):
//	    g.update({k: v for k, v in gj.items() if k not in ("params", "eps_inside")})
//	    for i in g["params"]:
//	        sd["state"][i] = {"step": t[names[i] + ".step"].to(torch.float32),
//	                          "sum": t[names[i] + ".sum"]}
//	opt.load_state_dict(sd)
//
// The tests check this mapping against PyTorch itself when Debian's
// python3 with torch is installed: Go saves, PyTorch loads the file and
// continues training, and its numbers and its saved state are compared with
// Go's, bit for bit.
package optim

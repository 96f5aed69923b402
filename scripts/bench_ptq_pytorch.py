#!/usr/bin/python3
"""Time, in PyTorch, the steps QuantLab's PTQ pipeline runs on the trained LeNet-5.

    /usr/bin/python3 scripts/bench_ptq_pytorch.py [--engine qnnpack|onednn|numpy]
                                                  [--batch 256] [--threads 2] [--repeat 3]

Steps (data preloaded as tensors; reading the IDX files is timed and printed
separately, not part of the total):

  calibration  forward over the first 1,000 train images, hooks keep min/max of the
               lab's activation points (input, relu1..relu4, fc2 output)
  fp32         FP32 evaluation over the 10,000 test images
  weightOnly   weights fake-quantized (8-bit symmetric per tensor, S = 2*max|w|/255,
               round half away from zero, clamp [-128, 127]), then evaluation
  fakeQuant    the same weights, and torch.fake_quantize_per_tensor_affine(x, S, 0,
               -128, 127) on the input and every activation point (S = 2*max|r|/255
               from calibration), then evaluation
  integerOnly  --engine qnnpack / onednn (default qnnpack): PyTorch's quantized
               engine, eager mode: QuantStub/DeQuantStub, conv+relu and fc1+relu4
               fused, symmetric min/max observers (quint8 activations with zero point
               128, qint8 weights: the lab's S = 2*max|r|/255), prepare + calibrate on
               the same 1,000 images + convert + evaluate. fbgemm is not built into
               this torch, check torch.backends.quantized.supported_engines.
               --engine numpy: the lab's integer-only numpy simulation that
               test/fixtures/make_trained.py writes into the reference JSON.

The model weights are read from test/fixtures/onnx/lenet5_trained.onnx. The last
line is JSON: {"steps": {...}, "total": ..., "torch": ..., ...} for the Node
benchmark. Every step runs --repeat times (default 3) and the fastest is
reported: on a shared machine single runs are noisy.
"""

import argparse
import json
import os
import sys
import time
import warnings

sys.dont_write_bytecode = True  # importing make_trained must not leave __pycache__ in test/fixtures
warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
from onnx import numpy_helper  # noqa: E402
from torch.ao.quantization import (  # noqa: E402
    DeQuantStub, MinMaxObserver, QConfig, QuantStub, convert, fuse_modules, prepare)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "test", "fixtures"))
import make_trained as mt  # noqa: E402  (LeNet5, IDX reader, transform, integer simulation)

MODEL = os.path.join(ROOT, "test", "fixtures", "onnx", "lenet5_trained.onnx")
CALIB_IMAGES = 1000
POINTS = ["input", "relu1", "relu2", "relu3", "relu4", "fc2"]
LAYERS = ["conv1", "conv2", "conv3", "fc1", "fc2"]
LAYER_OUT = {"conv1": "relu1", "conv2": "relu2", "conv3": "relu3", "fc1": "relu4", "fc2": "fc2"}


def load_onnx_weights(path):
    """LeNet5 with the weights of the ONNX file (Conv weights as stored, MatMul ones transposed back)."""
    m = onnx.load(path)
    inits = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    model = mt.LeNet5()
    done = set()
    with torch.no_grad():
        for node in m.graph.node:
            layer = node.name.split("/")[1] if node.name.startswith("/") else None
            if layer in LAYERS and node.op_type in ("Conv", "MatMul"):
                w = inits[node.input[1]]
                w = w if node.op_type == "Conv" else w.T
                getattr(model, layer).weight.copy_(torch.from_numpy(np.ascontiguousarray(w)))
                done.add(layer)
    assert done == set(LAYERS), done
    return model.eval()


def sym_scale(max_abs):
    return 2.0 * float(max_abs) / 255.0


def round_half_away(t):
    return torch.sign(t) * torch.floor(torch.abs(t) + 0.5)


@torch.no_grad()
def evaluate(model, x, y, batch):
    correct = 0
    for i in range(0, len(x), batch):
        correct += int((model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum())
    return correct / len(x)


# --------------------------------------------------------------------------- steps


@torch.no_grad()
def step_calibration(model, calib, batch):
    lo = {p: float("inf") for p in POINTS}
    hi = {p: float("-inf") for p in POINTS}

    def record(name, t):
        a, b = torch.aminmax(t)
        lo[name] = min(lo[name], float(a))
        hi[name] = max(hi[name], float(b))

    hooks = [getattr(model, p).register_forward_hook(lambda m, i, o, p=p: record(p, o)) for p in POINTS[1:]]
    for i in range(0, len(calib), batch):
        xb = calib[i:i + batch]
        record("input", xb)
        model(xb)
    for h in hooks:
        h.remove()
    return {p: (lo[p], hi[p]) for p in POINTS}


def quantized_weights_model(model):
    wq = mt.LeNet5()
    wq.load_state_dict(model.state_dict())
    with torch.no_grad():
        for layer in LAYERS:
            w = getattr(wq, layer).weight
            s = sym_scale(w.abs().max())
            w.copy_((torch.clamp(round_half_away(w.double() / s), -128, 127) * s).float())
    return wq.eval()


def step_weight_only(model, xte, yte, batch):
    return evaluate(quantized_weights_model(model), xte, yte, batch)


def step_fake_quant(model, ranges, xte, yte, batch):
    fq = quantized_weights_model(model)
    scales = {p: sym_scale(max(abs(a), abs(b))) for p, (a, b) in ranges.items()}
    hooks = [getattr(fq, p).register_forward_hook(
        lambda m, i, o, s=scales[p]: torch.fake_quantize_per_tensor_affine(o, s, 0, -128, 127)) for p in POINTS[1:]]
    hooks.append(fq.conv1.register_forward_pre_hook(
        lambda m, i, s=scales["input"]: (torch.fake_quantize_per_tensor_affine(i[0], s, 0, -128, 127),)))
    acc = evaluate(fq, xte, yte, batch)
    for h in hooks:
        h.remove()
    return acc


class QuantLeNet(nn.Module):
    def __init__(self, fp):
        super().__init__()
        self.quant = QuantStub()
        self.net = fp
        self.dequant = DeQuantStub()

    def forward(self, x):
        return self.dequant(self.net(self.quant(x)))


def step_integer_engine(model, engine, calib, xte, yte, batch):
    torch.backends.quantized.engine = engine
    t0 = time.perf_counter()
    fp = mt.LeNet5()
    fp.load_state_dict(model.state_dict())
    fp.eval()
    fp = fuse_modules(fp, [["conv1", "relu1"], ["conv2", "relu2"], ["conv3", "relu3"], ["fc1", "relu4"]])
    qm = QuantLeNet(fp).eval()
    qm.qconfig = QConfig(
        activation=MinMaxObserver.with_args(dtype=torch.quint8, qscheme=torch.per_tensor_symmetric),
        weight=MinMaxObserver.with_args(dtype=torch.qint8, qscheme=torch.per_tensor_symmetric))
    prepare(qm, inplace=True)
    with torch.no_grad():
        for i in range(0, len(calib), batch):
            qm(calib[i:i + batch])
    t1 = time.perf_counter()
    convert(qm, inplace=True)
    t2 = time.perf_counter()
    acc = evaluate(qm, xte, yte, batch)
    t3 = time.perf_counter()
    scales = {"input": float(qm.quant.scale)}
    for layer in LAYERS:
        scales[layer] = float(getattr(qm.net, layer).scale)
    return acc, {"prepareCalibrate": t1 - t0, "convert": t2 - t1, "eval": t3 - t2}, scales


def step_integer_numpy(model, ranges, xte, yte, batch):
    weights = {layer: getattr(model, layer).weight.detach().numpy() for layer in LAYERS}
    qw, plan = {}, {}
    s_in = plan_in = sym_scale(max(abs(v) for v in ranges["input"]))
    for layer in LAYERS:
        s_w = sym_scale(np.abs(weights[layer]).max())
        qw[layer] = mt.quantize(weights[layer], s_w)
        s_out = sym_scale(max(abs(v) for v in ranges[LAYER_OUT[layer]]))
        plan[layer] = {"M": s_w * s_in / s_out}
        s_in = s_out
    plan["input"] = {"scale": plan_in}
    out = mt.integer_forward(xte.numpy(), qw, plan, batch=batch)
    pred = out.argmax(1)
    return float((pred == yte.numpy()).mean()), plan


# --------------------------------------------------------------------------- main


def timed(repeat, fn):
    best, result = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        r = fn()
        dt = time.perf_counter() - t
        if dt < best:
            best, result = dt, r  # keep the fastest run's result (its breakdown)
    return best, result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--engine", default="qnnpack", choices=["qnnpack", "onednn", "fbgemm", "numpy"])
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--model", default=MODEL)
    args = ap.parse_args()

    torch.manual_seed(0)
    torch.set_num_threads(args.threads)
    if args.engine != "numpy" and args.engine not in torch.backends.quantized.supported_engines:
        sys.exit(f"quantized engine {args.engine!r} is not in this torch build: "
                 f"{torch.backends.quantized.supported_engines}")

    t = time.perf_counter()
    xtr, _, xte, yte = mt.load_mnist()
    calib = xtr[:CALIB_IMAGES].contiguous()
    del xtr
    load_s = time.perf_counter() - t
    model = load_onnx_weights(args.model)
    with torch.no_grad():
        model(xte[:args.batch])  # warm-up, not timed
    print(f"load     {load_s:8.3f} s  (read + transform the MNIST IDX files; not in the total)")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, batch {args.batch}, "
          f"quantized engines {torch.backends.quantized.supported_engines}, integer step: {args.engine}")

    steps, acc = {}, {}
    steps["calibration"], ranges = timed(args.repeat, lambda: step_calibration(model, calib, args.batch))
    print(f"calibration {steps['calibration']:8.3f} s  ({CALIB_IMAGES} train images, "
          + ", ".join(f"{p} [{a:.4g}, {b:.4g}]" for p, (a, b) in ranges.items()) + ")")
    steps["fp32"], acc["fp32"] = timed(args.repeat, lambda: evaluate(model, xte, yte, args.batch))
    print(f"fp32        {steps['fp32']:8.3f} s  accuracy {acc['fp32']:.4f}")
    steps["weightOnly"], acc["weightOnly"] = timed(
        args.repeat, lambda: step_weight_only(model, xte, yte, args.batch))
    print(f"weightOnly  {steps['weightOnly']:8.3f} s  accuracy {acc['weightOnly']:.4f}")
    steps["fakeQuant"], acc["fakeQuant"] = timed(
        args.repeat, lambda: step_fake_quant(model, ranges, xte, yte, args.batch))
    print(f"fakeQuant   {steps['fakeQuant']:8.3f} s  accuracy {acc['fakeQuant']:.4f}  "
          "(torch fake-quant rounds half to even)")
    extra = {}
    if args.engine == "numpy":
        steps["integerOnly"], (acc["integerOnly"], plan) = timed(
            args.repeat, lambda: step_integer_numpy(model, ranges, xte, yte, args.batch))
        extra["M"] = {layer: plan[layer]["M"] for layer in LAYERS}
        print(f"integerOnly {steps['integerOnly']:8.3f} s  accuracy {acc['integerOnly']:.4f}  (numpy simulation)")
    else:
        steps["integerOnly"], (acc["integerOnly"], detail, scales) = timed(
            args.repeat, lambda: step_integer_engine(model, args.engine, calib, xte, yte, args.batch))
        extra["integerDetail"] = detail
        extra["outputScales"] = scales
        print(f"integerOnly {steps['integerOnly']:8.3f} s  accuracy {acc['integerOnly']:.4f}  "
              f"(torch quantized engine {args.engine}: "
              + ", ".join(f"{k} {v:.3f} s" for k, v in detail.items()) + ")")
    total = sum(steps.values())
    print(f"total       {total:8.3f} s")
    print(json.dumps({"steps": steps, "total": total, "torch": torch.__version__, "threads": args.threads,
                      "batch": args.batch, "integerEngine": args.engine, "repeat": args.repeat,
                      "load": load_s, "accuracy": acc, **extra}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

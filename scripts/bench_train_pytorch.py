#!/usr/bin/python3
"""Time, in PyTorch eager mode on the CPU, what `quantlab train` and `quantlab qat`
do in one epoch on the lab's LeNet-5 (scripts/bench-train.mjs prints both).

    /usr/bin/python3 scripts/bench_train_pytorch.py [--images 60000] [--batch 64] [--threads N]

  train  Adam (lr 1e-3), batch 64, CrossEntropyLoss, over --images shuffled train
         images (torch.randperm with a seeded generator), from the weights of
         test/fixtures/onnx/lenet5_trained.onnx.
  qat    the same after fuse_modules_qat (conv+relu, fc1+relu4), QuantStub /
         DeQuantStub and prepare_qat with QuantLab's default W8A8 settings:
         FakeQuantize on weights (MinMaxObserver, qint8, per-tensor symmetric) and
         activations (MovingAverageMinMaxObserver, averaging constant 0.01, qint8,
         per-tensor symmetric), Adam lr 1e-4.

Data is preloaded as tensors (Pad(2), ToTensor(), Normalize((0.5,), (0.5,)),
make_trained.py's bit-identical transform); loading is timed separately and not
part of the epoch. Wall and CPU (process) seconds are scaled to a 60,000-image epoch when --images is
smaller. --threads defaults to torch's own choice (the number of cores). The last
line is JSON for the Node script.
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
    DeQuantStub, FakeQuantize, MinMaxObserver, MovingAverageMinMaxObserver, QConfig, QuantStub, fuse_modules_qat,
    prepare_qat)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "test", "fixtures"))
import make_trained as mt  # noqa: E402  (LeNet5, IDX reader, transform)

MODEL = os.path.join(ROOT, "test", "fixtures", "onnx", "lenet5_trained.onnx")
LAYERS = ["conv1", "conv2", "conv3", "fc1", "fc2"]


def lenet_from_onnx():
    m = onnx.load(MODEL)
    inits = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    model = mt.LeNet5()
    with torch.no_grad():
        for node in m.graph.node:
            layer = node.name.split("/")[1] if node.name.startswith("/") else None
            if layer in LAYERS and node.op_type in ("Conv", "MatMul"):
                w = inits[node.input[1]]
                getattr(model, layer).weight.copy_(torch.from_numpy(np.ascontiguousarray(w if node.op_type == "Conv" else w.T)))
    return model


class QuantLeNet(nn.Module):
    def __init__(self, fp):
        super().__init__()
        self.quant = QuantStub()
        self.net = fp
        self.dequant = DeQuantStub()

    def forward(self, x):
        return self.dequant(self.net(self.quant(x)))


def qat_model():
    fp = lenet_from_onnx().train()
    fp = fuse_modules_qat(fp, [["conv1", "relu1"], ["conv2", "relu2"], ["conv3", "relu3"], ["fc1", "relu4"]])
    qm = QuantLeNet(fp).train()
    sym = dict(quant_min=-128, quant_max=127, dtype=torch.qint8, qscheme=torch.per_tensor_symmetric)
    qm.qconfig = QConfig(
        activation=FakeQuantize.with_args(observer=MovingAverageMinMaxObserver, averaging_constant=0.01, **sym),
        weight=FakeQuantize.with_args(observer=MinMaxObserver, **sym))
    return prepare_qat(qm, inplace=True)


def epoch(model, lr, x, y, images, batch):
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    perm = torch.randperm(len(x), generator=torch.Generator().manual_seed(1))[:images]
    model.train()
    total = 0.0
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(0, images, batch):
        idx = perm[i:i + batch]
        opt.zero_grad()
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
        total += loss.item() * len(idx)
    return time.perf_counter() - t0, time.process_time() - c0, total / images


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", type=int, default=60000)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=0)
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    t0 = time.perf_counter()
    xtr, ytr, _, _ = mt.load_mnist()
    load = time.perf_counter() - t0
    scale = 60000 / a.images
    s_train, c_train, l_train = epoch(lenet_from_onnx(), 1e-3, xtr, ytr, a.images, a.batch)
    s_qat, c_qat, l_qat = epoch(qat_model(), 1e-4, xtr, ytr, a.images, a.batch)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {a.images} images, batch {a.batch}")
    print(f"train: {s_train * scale:.2f} s per 60,000-image epoch, CPU {c_train * scale:.2f} s (loss {l_train:.4f})")
    print(f"qat:   {s_qat * scale:.2f} s per 60,000-image epoch, CPU {c_qat * scale:.2f} s (loss {l_qat:.4f})")
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "images": a.images, "batch": a.batch,
                      "load": load, "train": s_train * scale, "qat": s_qat * scale, "trainCpu": c_train * scale, "qatCpu": c_qat * scale}))


if __name__ == "__main__":
    main()

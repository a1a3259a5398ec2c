#!/usr/bin/env python3
"""A holdout model graph (graph.json, written by ExampleBenchmark) as a plain PyTorch network.

The network is built from standard torch.nn modules, one per graph node, and trained with the
same loss (MultiBox: Smooth L1 over matched anchors + cross-entropy over matched anchors and
3:1 hard negatives, each divided by the batch's matched anchors) and optimizer as holdout's run, on
the batches ExampleBenchmark cached. It is the "plain PyTorch" side of benchmarks that quote
holdout's speed as a ratio; it needs python3 with torch and numpy, nothing from holdout.

  holdout_graph.py speed --dir DIR [--steps 30] [--warmup 5] [--threads 2] [--optimizer adam] [--lr 0.003]
  holdout_graph.py grads --dir DIR --out FILE [--dtype float64]   one step's gradients as safetensors
"""
import argparse
import json
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32}


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, h in header.items():
        if name == "__metadata__":
            continue
        a, b = h["data_offsets"]
        out[name] = np.frombuffer(data[a:b], dtype=DTYPES[h["dtype"]]).reshape(h["shape"])
    return out


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, a in tensors.items():
        a = np.ascontiguousarray(a)
        code = {np.dtype(np.float32): "F32", np.dtype(np.float64): "F64"}[a.dtype]
        header[name] = {"dtype": code, "shape": list(a.shape), "data_offsets": [offset, offset + a.nbytes]}
        blobs.append(a.tobytes())
        offset += a.nbytes
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


class Anchors(nn.Module):
    """[B, A*units, H, W] -> [B, H*W*A, units]: every cell's anchors in row-major cell order."""

    def __init__(self, units):
        super().__init__()
        self.units = units

    def forward(self, x):
        return x.permute(0, 2, 3, 1).reshape(x.shape[0], -1, self.units)


class GraphNet(nn.Module):
    def __init__(self, graph):
        super().__init__()
        self.graph = graph
        shapes = {"input": graph["input"]}
        for n in graph["nodes"]:
            shapes[n["name"]] = n["shape"]
        self.layers = nn.ModuleDict()
        self.plan = []
        for n in graph["nodes"]:
            op, ins = n["op"], n["inputs"]
            in_shape = shapes[ins[0]]
            module = self.module(op, in_shape)
            key = n["name"].replace(".", "__")
            if module is not None:
                self.layers[key] = module
            self.plan.append((n["name"], key, op["type"], op, ins))
        self.heads = [(h["name"], h["node"]) for h in graph["heads"]]

    @staticmethod
    def module(op, in_shape):
        t = op["type"]
        if t == "conv2d":
            return nn.Conv2d(in_shape[0], op["filters"], op["kernel"], op["stride"], op["padding"],
                             op["dilation"], op["groups"], op["bias"])
        if t == "batchnorm":
            return nn.BatchNorm2d(in_shape[0]) if len(in_shape) == 3 else nn.BatchNorm1d(in_shape[0])
        if t == "dense":
            return nn.Linear(in_shape[0], op["units"])
        if t == "relu":
            return nn.ReLU()
        if t == "activation":
            fn = op["fn"]
            return {"relu6": lambda: nn.ReLU6(), "leaky_relu": lambda: nn.LeakyReLU(op["alpha"]),
                    "sigmoid": lambda: nn.Sigmoid(), "tanh": lambda: nn.Tanh(), "gelu": lambda: nn.GELU(),
                    "silu": lambda: nn.SiLU(), "hard_sigmoid": lambda: nn.Hardsigmoid(),
                    "hard_swish": lambda: nn.Hardswish(), "softmax": lambda: nn.Softmax(dim=1)}[fn]()
        if t == "dropout":
            return nn.Dropout(op["rate"])
        if t == "flatten":
            return nn.Flatten()
        if t == "maxpool":
            return nn.MaxPool2d(op["kernel"], op["stride"], op["padding"], ceil_mode=op["ceil"])
        if t == "avgpool":
            return nn.AvgPool2d(op["kernel"], op["stride"], op["padding"], ceil_mode=op["ceil"],
                                count_include_pad=False)
        if t == "globalavgpool":
            return nn.AdaptiveAvgPool2d(1)
        if t == "anchors":
            return Anchors(op["units"])
        if t in ("add", "mul", "concat"):
            return None
        raise ValueError("no PyTorch module for op " + t)

    def forward(self, x):
        values = {"input": x}
        for name, key, t, op, ins in self.plan:
            if t == "add":
                y = values[ins[0]]
                for i in ins[1:]:
                    y = y + values[i]
            elif t == "mul":
                y = values[ins[0]]
                for i in ins[1:]:
                    y = y * values[i]
            elif t == "concat":
                y = torch.cat([values[i] for i in ins], dim=op["axis"] + 1)
            else:
                y = self.layers[key](values[ins[0]])
            values[name] = y
        return {h: values[node] for h, node in self.heads}

    def load(self, weights):
        """Copies holdout's tensors (same names, node name + .weight/.bias/.running_mean/.running_var)."""
        state = {}
        for name, _, t, _, _ in self.plan:
            key = name.replace(".", "__")
            for p in ("weight", "bias", "running_mean", "running_var"):
                if name + "." + p in weights:
                    state["layers." + key + "." + p] = torch.from_numpy(weights[name + "." + p].copy())
        own = self.state_dict()
        for k, v in own.items():
            if k.endswith("num_batches_tracked"):
                state[k] = v
            elif k not in state:
                raise ValueError("no holdout tensor for " + k)
            elif tuple(state[k].shape) != tuple(v.shape):
                raise ValueError("%s: holdout shape %s, torch %s" % (k, tuple(state[k].shape), tuple(v.shape)))
        self.load_state_dict(state)


def multibox(outputs, boxes, labels, neg_pos_ratio=3.0):
    """(localisation, confidence): each a sum over the batch divided by its matched anchors."""
    loc, conf = outputs["loc"], outputs["conf"]
    b, a = labels.shape
    loc = loc.reshape(b, a, 4)
    conf = conf.reshape(b, a, -1)
    pos = labels > 0
    n = pos.sum()
    l1 = F.smooth_l1_loss(loc, boxes.reshape(b, a, 4), reduction="none", beta=1.0).sum(2)
    localisation = (l1 * pos).sum()
    lp = F.log_softmax(conf, dim=2)
    with torch.no_grad():
        background = -lp[:, :, 0]
        background = background.masked_fill(pos, -1.0)
        # rank of every anchor by background loss, highest first, ties by lower index (stable sort)
        order = torch.sort(background, dim=1, descending=True, stable=True).indices
        rank = torch.argsort(order, dim=1)
        k = torch.minimum(torch.floor(pos.sum(1, keepdim=True).double() * neg_pos_ratio).long(),
                          (~pos).sum(1, keepdim=True))
        kept = pos | (rank < k)
    ce = -lp.gather(2, labels.unsqueeze(2)).squeeze(2)
    confidence = (ce * kept).sum()
    return localisation / n, confidence / n


def setup(args, dtype):
    graph = json.load(open(args.dir + "/graph.json"))
    net = GraphNet(graph)
    net.load(read_safetensors(args.dir + "/init.safetensors"))
    net = net.to(dtype)
    raw = read_safetensors(args.dir + "/batches.safetensors")
    batches = []
    i = 0
    while "input.%d" % i in raw:
        batches.append((torch.from_numpy(raw["input.%d" % i].copy()).to(dtype),
                        torch.from_numpy(raw["boxes.%d" % i].copy()).to(dtype),
                        torch.from_numpy(raw["labels.%d" % i].copy()).long()))
        i += 1
    return net, batches


def speed(args):
    torch.set_num_threads(args.threads)
    if args.interop_threads > 0:
        torch.set_num_interop_threads(args.interop_threads)
    net, batches = setup(args, torch.float32)
    if args.channels_last:
        net = net.to(memory_format=torch.channels_last)
        batches = [(x.contiguous(memory_format=torch.channels_last), boxes, labels) for x, boxes, labels in batches]
    net.train()
    if args.optimizer == "adam":
        opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    else:
        opt = torch.optim.SGD(net.parameters(), lr=args.lr, momentum=0.9)

    def step(b):
        x, boxes, labels = b
        opt.zero_grad(set_to_none=True)
        loc, conf = multibox(net(x), boxes, labels)
        total = loc + conf
        total.backward()
        opt.step()
        return total.item()

    for i in range(args.warmup):
        step(batches[i])
    prof = None
    if args.profile:
        prof = torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU])
        prof.__enter__()
    t0 = time.perf_counter()
    images = 0
    for i in range(args.steps):
        b = batches[args.warmup + i]
        step(b)
        images += b[0].shape[0]
    seconds = time.perf_counter() - t0
    if prof is not None:
        prof.__exit__(None, None, None)
        prof.export_chrome_trace(args.profile)
    print("torch %s, %d threads" % (torch.__version__, torch.get_num_threads()))
    print("img/s %.3f" % (images / seconds))


def grads(args):
    dtype = torch.float64 if args.dtype == "float64" else torch.float32
    torch.set_num_threads(args.threads)
    net, batches = setup(args, dtype)
    net.train()
    x, boxes, labels = batches[0]
    loc, conf = multibox(net(x), boxes, labels, args.neg_pos_ratio)
    (loc + conf).backward()
    out = {}
    for name, _, _, _, _ in net.plan:
        key = name.replace(".", "__")
        if key in net.layers:
            for p, t in net.layers[key].named_parameters():
                if t.grad is not None:
                    out[name + "." + p] = t.grad.detach().float().numpy()
    write_safetensors(args.out, out)
    print("loss localisation %.9f confidence %.9f" % (loc.item(), conf.item()))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["speed", "grads"])
    p.add_argument("--dir", required=True)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--interop-threads", type=int, default=1, help="0 leaves torch's default")
    p.add_argument("--optimizer", default="adam")
    p.add_argument("--lr", type=float, default=0.003)
    p.add_argument("--out")
    p.add_argument("--profile", help="speed: write a Chrome trace of the timed steps (torch.profiler)")
    p.add_argument("--dtype", default="float64")
    p.add_argument("--neg-pos-ratio", type=float, default=3.0)
    p.add_argument("--channels-last", action="store_true",
                   help="speed: parameters and input batches in torch.channels_last memory format")
    args = p.parse_args()
    speed(args) if args.mode == "speed" else grads(args)


if __name__ == "__main__":
    main()

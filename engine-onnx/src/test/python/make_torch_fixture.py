"""Writes the foreign ONNX files of holdout's ONNX import tests with PyTorch's own exporter.

A small MobileNet-like network with most layers of holdout's catalogue, its random weights and
batch-norm statistics set from a fixed seed, exported by ``torch.onnx.export`` in inference mode,
and, beside it, a fixed input batch with the outputs PyTorch computes for it, so the Java test
compares holdout's import on every engine with PyTorch itself. Run with Debian's python3-torch:

    /usr/bin/python3 engine-onnx/src/test/python/make_torch_fixture.py engine-onnx/src/test/resources/import \
        examples/models

The second folder gets ``iris-mlp.onnx``, a two-output MLP (species logits and petal width) that
``examples/iris-from-onnx.yaml`` fine-tunes. The tests do not need Python: the files are committed.
"""
import json
import os
import sys

import torch
from torch import nn


class SqueezeExcite(nn.Module):
    def __init__(self, c, mid):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.reduce = nn.Conv2d(c, mid, 1)
        self.expand = nn.Conv2d(mid, c, 1)

    def forward(self, x):
        s = self.pool(x)
        s = torch.relu(self.reduce(s))
        s = nn.functional.hardsigmoid(self.expand(s))
        return x * s


class Net(nn.Module):
    def __init__(self, classes=4):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, stride=2, padding=1, bias=False)
        self.stem_bn = nn.BatchNorm2d(8)
        self.dw = nn.Conv2d(8, 8, 3, padding=1, groups=8, bias=False)
        self.dw_bn = nn.BatchNorm2d(8)
        self.pw = nn.Conv2d(8, 8, 1)
        self.se = SqueezeExcite(8, 4)
        self.branch = nn.Conv2d(8, 4, 3, padding=2, dilation=2)
        self.pool = nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)
        self.avg = nn.AvgPool2d(2)
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.deconv = nn.ConvTranspose2d(12, 6, 3, stride=2, padding=1, output_padding=1)
        self.head_conv = nn.Conv2d(6, 16, 3, stride=2, padding=1)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Linear(16, 24)
        self.fc1_bn = nn.BatchNorm1d(24)
        self.drop = nn.Dropout(0.2)
        self.fc2 = nn.Linear(24, classes)

    def forward(self, x):
        x = nn.functional.relu6(self.stem_bn(self.stem(x)))          # 8 x 8 x 8
        y = nn.functional.relu6(self.dw_bn(self.dw(x)))
        y = nn.functional.hardswish(self.pw(y))
        x = x + self.se(y)                                             # residual
        b = nn.functional.leaky_relu(self.branch(x), 0.1)
        x = torch.cat([x, b], dim=1)                                   # 12 x 8 x 8
        x = self.up(self.avg(self.pool(x)))                            # 12 x 4 x 4 -> 2 x 2 -> 4 x 4
        x = torch.tanh(self.deconv(x))                                 # 6 x 8 x 8
        x = nn.functional.silu(self.head_conv(x))                      # 16 x 4 x 4
        x = torch.flatten(self.gap(x), 1)
        x = torch.sigmoid(self.fc1_bn(self.fc1(x)))
        return self.fc2(self.drop(x))


class IrisMlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(3, 16)
        self.norm = nn.LayerNorm(16)
        self.mix = nn.Linear(16, 16)
        self.species = nn.Linear(16, 3)
        self.petal_width = nn.Linear(16, 1)

    def forward(self, x):
        h = self.norm(nn.functional.gelu(self.hidden(x)))
        h = torch.relu(self.mix(h))
        return torch.softmax(self.species(h), dim=1), self.petal_width(h)


def iris(out_dir):
    torch.manual_seed(7)
    net = IrisMlp().eval()
    x = torch.randn(2, 3)
    torch.onnx.export(net, x, os.path.join(out_dir, "iris-mlp.onnx"), input_names=["features"],
                      output_names=["species", "petal_width"],
                      dynamic_axes={"features": {0: "batch"}, "species": {0: "batch"},
                                    "petal_width": {0: "batch"}},
                      opset_version=17, do_constant_folding=False)


def main(out_dir):
    torch.manual_seed(20261207)
    net = Net()
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, (nn.BatchNorm2d, nn.BatchNorm1d)):
                m.running_mean.uniform_(-0.3, 0.3)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.7, 1.3)
                m.bias.uniform_(-0.2, 0.2)
    net.eval()
    x = torch.randn(3, 3, 16, 16)
    with torch.no_grad():
        y = net(x)
    path = os.path.join(out_dir, "torch-net.onnx")
    torch.onnx.export(net, x, path, input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}},
                      opset_version=17, training=torch.onnx.TrainingMode.PRESERVE,
                      do_constant_folding=False)
    with open(os.path.join(out_dir, "torch-net.expected.json"), "w") as f:
        json.dump({"producer": "torch " + torch.__version__, "input_shape": list(x.shape),
                   "input": x.flatten().tolist(), "output_shape": list(y.shape),
                   "output": y.flatten().tolist()}, f)


if __name__ == "__main__":
    main(sys.argv[1])
    iris(sys.argv[2])

"""PyTorch (Debian's python3-torch) runs a classifier exported as safetensors by `hypha model export`.

    python3 torch_safetensors_predict.py MODEL.safetensors IMAGES.f32 COUNT OUT.f32

PyTorch 1.13 has no safetensors loader, so the file is read by the format's spec (8-byte little-endian header length,
JSON header, little-endian data at data_offsets) with nothing but json and torch.frombuffer; the network is rebuilt
from the metadata's layer lines as an nn.Sequential and the tensors are loaded with load_state_dict(strict=True), so
every name and shape must be what PyTorch's own layers expect. Writes the logits as little-endian float32.
"""
import json
import struct
import sys

import torch
from torch import nn

path, images_path, count, out_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
raw = open(path, "rb").read()
(n,) = struct.unpack("<Q", raw[:8])
header = json.loads(raw[8:8 + n])
meta = header.pop("__metadata__")
data = raw[8 + n:]
state = {}
for name, t in header.items():
    assert t["dtype"] == "F32", t
    begin, end = t["data_offsets"]
    state[name] = torch.frombuffer(bytearray(data[begin:end]), dtype=torch.float32).reshape(t["shape"])


class GeluTanh(nn.Module):
    def forward(self, x):
        return nn.functional.gelu(x, approximate="tanh")


def layer(line):
    w = line.split()
    if w[0] == "linear":
        return nn.Linear(int(w[1]), int(w[2]))
    if w[0] == "conv2d":
        return nn.Conv2d(int(w[1]), int(w[2]), int(w[3]), padding=int(w[4]))
    if w[0] == "maxpool":
        return nn.MaxPool2d(int(w[1]))
    if w[0] == "avgpool":
        return nn.AvgPool2d(int(w[1]))
    if w[0] == "relu":
        return nn.ReLU()
    if w[0] == "gelu":
        return GeluTanh()
    if w[0] == "dropout":
        return nn.Dropout(float(w[1]))
    if w[0] == "flatten":
        return nn.Flatten()
    raise ValueError("unknown layer " + line)


model = nn.Module()
model.layers = nn.Sequential(*[layer(l) for l in meta["hypha.layers"].split("\n")])
model.load_state_dict(state, strict=True)
model.eval()
shape = [count] + [int(d) for d in meta["hypha.input_shape"].split(",")]
x = torch.frombuffer(bytearray(open(images_path, "rb").read()), dtype=torch.float32).reshape(shape)
with torch.no_grad():
    logits = model.layers(x).contiguous()
open(out_path, "wb").write(logits.numpy().astype("<f4").tobytes())

"""PyTorch side of bench/training-vs-pytorch.sh: the example MLP or CNN, batch, steps and optimizer on Fashion-MNIST.

    python3 pytorch_train.py mlp|cnn FASHION_MNIST_DIR STEPS BATCH THREADS

Prints one line: 'pytorch samples/s N'. Data loading and batching are inside the timed loop, as in hypha train.
The architectures are those of examples/fashion-mnist-mlp.toml and examples/fashion-mnist-cnn.toml, with their
optimizer settings (AdamW, weight decay 0.01, clipping at global norm 5).
"""
import gzip
import sys
import time

import numpy as np
import torch
from torch import nn

model_kind, folder, steps, batch, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
torch.set_num_threads(threads)
torch.manual_seed(1)


def idx(name, offset):
    with gzip.open(f"{folder}/{name}", "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


images = idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28)
labels = idx("train-labels-idx1-ubyte.gz", 8).astype(np.int64)
if model_kind == "mlp":
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.2), nn.Linear(256, 10))
    lr = 1e-3
else:
    model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Dropout(0.25), nn.Linear(1568, 128), nn.ReLU(), nn.Linear(128, 10))
    lr = 2e-3
opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
loss_fn = nn.CrossEntropyLoss()
rng = np.random.default_rng(1)
per_epoch = len(images) // batch


def run(n):
    order = rng.permutation(len(images))
    for step in range(n):
        if step % per_epoch == 0:
            order = rng.permutation(len(images))
        pick = order[(step % per_epoch) * batch:(step % per_epoch + 1) * batch]
        x = torch.from_numpy(images[pick].astype(np.float32) / 255.0)
        y = torch.from_numpy(labels[pick])
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()


run(min(100, steps))  # warm-up
start = time.perf_counter()
run(steps)
seconds = time.perf_counter() - start
print(f"pytorch samples/s {steps * batch / seconds:.0f}")

"""PyTorch side of bench/training-vs-pytorch.sh: the same MLP, batch, steps and optimizer on Fashion-MNIST.

Prints one line: 'pytorch samples/s N'. Data loading and batching are inside the timed loop, as in hypha train.
"""
import gzip
import sys
import time

import numpy as np
import torch

folder, steps, batch, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
torch.manual_seed(1)


def idx(name, offset):
    with gzip.open(f"{folder}/{name}", "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


images = idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 784)
labels = idx("train-labels-idx1-ubyte.gz", 8).astype(np.int64)
model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Dropout(0.2), torch.nn.Linear(256, 10))
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
loss_fn = torch.nn.CrossEntropyLoss()
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


run(100)  # warm-up
start = time.perf_counter()
run(steps)
seconds = time.perf_counter() - start
print(f"pytorch samples/s {steps * batch / seconds:.0f}")

"""numpy side of bench/training-vs-pytorch.sh: the example MLP or CNN trained in plain numpy (float32, OpenBLAS).

    python3 numpy_train.py mlp|cnn FASHION_MNIST_DIR STEPS BATCH      (threads: OPENBLAS_NUM_THREADS)

Same architectures, batch, dropout, AdamW (weight decay 0.01 on matrices, as hypha's), global-norm clipping at 5 and
batching inside the timed loop. Convolutions are im2col (sliding_window_view) + one matrix product, like hypha's; the
input gradient goes back through nine shifted adds (col2im). Max pooling routes the gradient through a mask of the
maxima (ties share it; throughput is what is measured here). Prints 'numpy samples/s N' and the last loss.
"""
import gzip
import sys
import time

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

kind, folder, steps, batch = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
f32 = np.float32


def idx(name, offset):
    with gzip.open(f"{folder}/{name}", "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


images = idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28)
labels = idx("train-labels-idx1-ubyte.gz", 8).astype(np.int64)
rng = np.random.default_rng(1)


def he(shape, fan_in):
    bound = np.sqrt(6.0 / fan_in)
    return rng.uniform(-bound, bound, shape).astype(f32)


if kind == "mlp":
    params = {"w1": he((256, 784), 784), "b1": np.zeros(256, f32), "w2": he((10, 256), 256), "b2": np.zeros(10, f32)}
    lr = 1e-3
else:
    params = {"c1": he((16, 9), 9), "cb1": np.zeros(16, f32), "c2": he((32, 144), 144), "cb2": np.zeros(32, f32),
              "w1": he((128, 1568), 1568), "b1": np.zeros(128, f32), "w2": he((10, 128), 128), "b2": np.zeros(10, f32)}
    lr = 2e-3
m = {k: np.zeros_like(v) for k, v in params.items()}
v = {k: np.zeros_like(v) for k, v in params.items()}
t = 0


def conv(x, w, b):
    """x [B,C,H,W], w [F, C*9], padding 1 -> [B,F,H,W] and the im2col rows [B*H*W, C*9]."""
    bsz, c, h, wd = x.shape
    cols = sliding_window_view(np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1))), (3, 3), axis=(2, 3))  # [B,C,H,W,3,3]
    cols = cols.transpose(0, 2, 3, 1, 4, 5).reshape(bsz * h * wd, c * 9)
    y = cols @ w.T + b
    return y.reshape(bsz, h, wd, -1).transpose(0, 3, 1, 2), cols


def conv_back(dy, cols, w, x_shape, need_dx):
    bsz, c, h, wd = x_shape
    rows = dy.transpose(0, 2, 3, 1).reshape(bsz * h * wd, -1)
    dw = rows.T @ cols
    db = rows.sum(axis=0)
    if not need_dx:
        return None, dw, db
    dcols = (rows @ w).reshape(bsz, h, wd, c, 3, 3)
    dxp = np.zeros((bsz, c, h + 2, wd + 2), f32)
    for ky in range(3):
        for kx in range(3):
            dxp[:, :, ky:ky + h, kx:kx + wd] += dcols[:, :, :, :, ky, kx].transpose(0, 3, 1, 2)
    return dxp[:, :, 1:-1, 1:-1], dw, db


def pool(x):
    bsz, c, h, w = x.shape
    r = x.reshape(bsz, c, h // 2, 2, w // 2, 2)
    y = r.max(axis=(3, 5))
    mask = r == y[:, :, :, None, :, None]
    return y, mask


def pool_back(dy, mask):
    return (mask * dy[:, :, :, None, :, None]).reshape(mask.shape[0], mask.shape[1], mask.shape[2] * 2, mask.shape[4] * 2)


def dropout(x, p):
    keep = (rng.random(x.shape) >= p).astype(f32) / f32(1 - p)
    return x * keep, keep


def step(x, y):
    g = {}
    if kind == "mlp":
        h0 = x.reshape(len(x), -1)
        h1 = h0 @ params["w1"].T + params["b1"]
        r1 = np.maximum(h1, 0)
        d1, keep = dropout(r1, 0.2)
        z = d1 @ params["w2"].T + params["b2"]
    else:
        a1, cols1 = conv(x, params["c1"], params["cb1"])
        r1 = np.maximum(a1, 0)
        p1, mask1 = pool(r1)
        a2, cols2 = conv(p1, params["c2"], params["cb2"])
        r2 = np.maximum(a2, 0)
        p2, mask2 = pool(r2)
        flat = p2.reshape(len(x), -1)
        dflat, keep = dropout(flat, 0.25)
        h1 = dflat @ params["w1"].T + params["b1"]
        d1 = np.maximum(h1, 0)
        z = d1 @ params["w2"].T + params["b2"]
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(len(y)), y] + 1e-30).mean()
    dz = p
    dz[np.arange(len(y)), y] -= 1
    dz /= len(y)
    g["w2"] = dz.T @ d1
    g["b2"] = dz.sum(axis=0)
    dd1 = dz @ params["w2"]
    if kind == "mlp":
        dh1 = dd1 * keep * (h1 > 0)
        g["w1"] = dh1.T @ h0
        g["b1"] = dh1.sum(axis=0)
    else:
        dh1 = dd1 * (h1 > 0)
        g["w1"] = dh1.T @ dflat
        g["b1"] = dh1.sum(axis=0)
        dflat_in = (dh1 @ params["w1"]) * keep
        dr2 = pool_back(dflat_in.reshape(p2.shape), mask2) * (a2 > 0)
        dp1, g["c2"], g["cb2"] = conv_back(dr2, cols2, params["c2"], p1.shape, True)
        dr1 = pool_back(dp1, mask1) * (a1 > 0)
        _, g["c1"], g["cb1"] = conv_back(dr1, cols1, params["c1"], x.shape, False)
    return loss, g


def adamw(g, lr, wd=0.01, b1=0.9, b2=0.999, eps=1e-8, clip=5.0):
    global t
    t += 1
    norm = np.sqrt(sum(float((gi.astype(np.float64) ** 2).sum()) for gi in g.values()))
    scale = f32(min(1.0, clip / (norm + 1e-6)))
    for k, gi in g.items():
        gi = gi * scale
        m[k] = b1 * m[k] + (1 - b1) * gi
        v[k] = b2 * v[k] + (1 - b2) * gi * gi
        mh = m[k] / (1 - b1 ** t)
        vh = v[k] / (1 - b2 ** t)
        if params[k].ndim > 1:
            params[k] *= f32(1 - lr * wd)
        params[k] -= (lr * mh / (np.sqrt(vh) + eps)).astype(f32)


per_epoch = len(images) // batch


def run(n):
    order = rng.permutation(len(images))
    loss = 0.0
    for s in range(n):
        if s % per_epoch == 0:
            order = rng.permutation(len(images))
        pick = order[(s % per_epoch) * batch:(s % per_epoch + 1) * batch]
        x = images[pick].astype(f32) / f32(255)
        loss, g = step(x, labels[pick])
        adamw(g, lr)
    return loss


run(min(20, steps))  # warm-up
start = time.perf_counter()
last = run(steps)
seconds = time.perf_counter() - start
print(f"numpy samples/s {steps * batch / seconds:.0f} (last loss {last:.3f})")

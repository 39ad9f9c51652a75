"""PyTorch's side of tests/torch_equivalence_test.ts: the lecture's training loop in PyTorch,
from litconv's states, on litconv's batches, with PyTorch's own dropout.

    python3 bench/torch_equivalence.py masks DIR
    python3 bench/torch_equivalence.py train DIR [--variants baseline,eps,...]

DIR holds what the test wrote: `batches.json` (steps, segment length, batch, lr, betas, ε,
litconv's dropout rate p and width, one dropout seed per step, and where in `batches.bin`
the images (float32, [steps, batch, 784]) and labels (int32, [steps, batch]) lie).

`masks` draws each step's dropout mask the way the lecture's model does: nn.Dropout(p) in
train mode, on a [batch, width] tensor of ones, after torch.manual_seed(the step's seed). It
writes which units it kept (uint8 0/1, [steps, batch, width]) to DIR/masks.bin; litconv's
loop scales them by its own dropout layer's factor.

`train` needs `seg0/checkpoint.bin` … `segN/checkpoint.bin` too: litconv's weights and Adam
state at the start of each segment of steps and at its end (training/checkpoint.ts). For
each variant and segment it loads the segment's start into the lecture model and
torch.optim.Adam and runs the lecture's loop,

    model.train(); for each batch: zero_grad; loss = CrossEntropyLoss()(model(x), y);
    loss.backward(); Adam.step()

re-seeding torch before each forward pass, so the model's own nn.Dropout draws the mask
`masks` drew (the baseline checks it does, step by step). Variants put one deliberate
difference in, so the test can show it notices: `eps` (Adam's ε ten times smaller),
`dropout-scale` (nn.Dropout's output times 1 − p: PyTorch's dropout without its scaling),
`dropout-mask` (another seed, so another mask), `loss-sum` (the loss summed over the batch).

Writes DIR/torch.json: {"torch": version, "variants": {variant: [per segment: {"losses":
[loss of each step], "tensors": [per parameter, litconv's order: {"name", "maxDiff",
"diffNorm", "movedNorm"}]}]}}, where maxDiff and diffNorm are the largest and the Euclidean
norm of |PyTorch's weights − litconv's| at the segment's end, and movedNorm the norm of
litconv's own move over the segment.
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

VARIANTS = ["baseline", "eps", "dropout-scale", "dropout-mask", "loss-sum"]


def lecture_dropout(model: nn.Sequential, config: dict) -> int:
    """The index of the lecture model's nn.Dropout, after checking that its p and the width
    of the layer it drops match litconv's model."""
    index = next(i for i, m in enumerate(model) if isinstance(m, nn.Dropout))
    fc1 = next(m for m in reversed(model[:index]) if isinstance(m, nn.Linear))
    if model[index].p != config["p"] or fc1.out_features != config["width"]:
        raise ValueError(f"the lecture's dropout (p {model[index].p}, width "
                         f"{fc1.out_features}) is not litconv's (p {config['p']}, width "
                         f"{config['width']})")
    return index


def drawn_mask(config: dict, seed: int) -> torch.Tensor:
    """nn.Dropout(p)'s output on ones after torch.manual_seed(seed): 0 or its scale."""
    torch.manual_seed(seed)
    return nn.Dropout(config["p"]).train()(torch.ones(config["batch"], config["width"]))


class Unscaled(nn.Module):
    """The `dropout-scale` variant: nn.Dropout without its 1/(1 − p) scaling."""

    def __init__(self, dropout: nn.Dropout):
        super().__init__()
        self.dropout = dropout

    def forward(self, x):
        return self.dropout(x) * (1 - self.dropout.p)


def load_batches(config: dict, data: bytes):
    steps, batch = config["steps"], config["batch"]

    def array(key, dtype, shape):
        start, count = config[key]["offset"], int(np.prod(shape))
        return np.frombuffer(data, dtype=dtype, count=count, offset=start).reshape(shape)

    x = torch.from_numpy(array("images", np.float32, (steps, batch, 1, 28, 28)).copy())
    y = torch.from_numpy(array("labels", np.int32, (steps, batch)).astype(np.int64))
    return x, y


def segment(directory: str, config: dict, batches, variant: str, j: int) -> dict:
    """Segment j of the variant: from litconv's state at its start, compared at its end."""
    x, y = batches
    length, batch, seeds = config["segment"], config["batch"], config["seeds"]
    first = j * length
    torch.manual_seed(0)
    model = lecture_model()
    index = lecture_dropout(model, config)
    if variant == "dropout-scale":
        model[index] = Unscaled(model[index])
    eps = config["eps"] / 10 if variant == "eps" else config["eps"]
    optimizer = torch.optim.Adam(model.parameters(), lr=config["lr"],
                                 betas=(config["beta1"], config["beta2"]), eps=eps)
    load_litconv_state(model, optimizer, os.path.join(directory, f"seg{j}", "checkpoint.bin"))
    loss_fn = nn.CrossEntropyLoss(reduction="sum" if variant == "loss-sum" else "mean")
    if variant == "baseline":  # the forward pass's dropout uses exactly the drawn mask
        def same_mask(module, inputs, output):
            assert torch.equal(output, inputs[0] * expected), f"step {s}: another mask"
        model[index].register_forward_hook(same_mask)
    model.train()
    losses = []
    for s in range(first, first + length):
        seed = seeds[s] + (1 if variant == "dropout-mask" else 0)
        expected = drawn_mask(config, seed)
        optimizer.zero_grad()
        torch.manual_seed(seed)
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


def write_masks(directory: str, config: dict) -> None:
    lecture_dropout(lecture_model(), config)
    kept = np.stack([(drawn_mask(config, seed) != 0).numpy().astype(np.uint8)
                     for seed in config["seeds"]])
    with open(os.path.join(directory, "masks.bin"), "wb") as f:
        f.write(kept.tobytes())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["masks", "train"])
    parser.add_argument("dir")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    with open(os.path.join(args.dir, "batches.json")) as f:
        config = json.load(f)
    if args.command == "masks":
        return write_masks(args.dir, config)
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

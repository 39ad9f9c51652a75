"""PyTorch twin of bench.ts's training step: the lecture CNN (section 15.10), NCHW; a step is
forward with dropout, cross-entropy on the logits (mean), backward, one Adam(1e-3) update.
Fresh weights on a random batch by default; --state starts from a litconv checkpoint
(converted by torch_lecture.py) on MNIST batches; --epoch times a whole epoch; --probe says
which BLAS and OpenBLAS core runs and checks its float32 product. Prints one JSON line.

    OPENBLAS_NUM_THREADS=1 python3 bench/torch_step.py --steps 10 --batch 64 --threads 2
        [--state CHECKPOINT --mnist DIR] [--epoch --mnist DIR] [--probe]
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_lecture import (blas_libraries, lecture_model, load_litconv_state,  # noqa: E402
                           mnist_train, openblas_core)


def loaded_blas() -> str:
    """The BLAS libraries this process loaded (Debian's reference BLAS is ~5x slower for fc1)."""
    paths = blas_libraries()
    return ", ".join(p.rsplit("/", 2)[-2] + "/" + p.rsplit("/", 1)[-1] for p in paths) or "unknown"


def product_check() -> float:
    """max |float32 product − float64| / float32's bound 2·K·2⁻²⁴·Σ|a·b| (≤ 1: right)."""
    g = torch.Generator().manual_seed(3)
    a = torch.rand(64, 3136, generator=g) - 0.5
    b = torch.rand(3136, 1024, generator=g) - 0.5
    exact = a.double() @ b.double()
    bound = 2 * 3136 * 2.0 ** -24 * (a.double().abs() @ b.double().abs())
    return float(((a @ b).double() - exact).abs().div(bound).max())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--eval-batch", type=int, default=1000)
    parser.add_argument("--state")
    parser.add_argument("--mnist")
    parser.add_argument("--epoch", action="store_true")
    parser.add_argument("--eps", type=float, default=1e-7)  # TF.js's, as litconv's Adam
    parser.add_argument("--probe", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    info = {"torch": torch.__version__, "blas": loaded_blas(), "core": openblas_core(),
            "threads": torch.get_num_threads()}
    if args.probe:
        print(json.dumps({**info, "product_check": product_check()}))
        return

    torch.manual_seed(1)
    model = lecture_model().train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=args.eps)
    if args.state:
        load_litconv_state(model, optimizer, args.state)
    loss_fn = nn.CrossEntropyLoss()
    if args.mnist:
        images, labels = mnist_train(args.mnist)
    else:
        images, labels = torch.rand(args.batch, 1, 28, 28), torch.randint(0, 10, (args.batch,))

    def step(x, y) -> float:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    if args.epoch:
        order = torch.randperm(len(images), generator=torch.Generator().manual_seed(1))
        times = []
        start = time.perf_counter()
        for b in range(0, len(images), args.batch):
            idx = order[b:b + args.batch]
            t = time.perf_counter()
            step(images[idx], labels[idx])
            times.append(time.perf_counter() - t)
        seconds = time.perf_counter() - start
        print(json.dumps({**info, "epoch_seconds": seconds, "steps": len(times),
                          "images_per_s": len(images) / seconds,
                          "first100_images_per_s": 100 * args.batch / sum(times[:100]),
                          "last100_images_per_s": 100 * args.batch / sum(times[-100:]),
                          "median_ms": 1000 * statistics.median(times)}))
        return

    def batch(i):
        if not args.mnist:
            return images, labels
        return images[i * args.batch:(i + 1) * args.batch], labels[i * args.batch:(i + 1) * args.batch]

    for i in range(args.warmup):
        step(*batch(i))
    times, cpu_times = [], []
    for i in range(args.warmup, args.warmup + args.steps):
        x, y = batch(i)
        start, cpu_start = time.perf_counter(), time.process_time()
        step(x, y)
        times.append((time.perf_counter() - start) * 1000)
        cpu_times.append((time.process_time() - cpu_start) * 1000)
    out = {**info, "batch": args.batch, "steps": args.steps, "ms": times,
           "median_ms": statistics.median(times),
           "median_cpu_ms": statistics.median(cpu_times)}
    if not args.state:
        model.eval()
        x = torch.rand(args.eval_batch, 1, 28, 28)
        eval_times = []
        with torch.no_grad():
            for i in range(4):
                start = time.perf_counter()
                model(x)
                if i > 0:
                    eval_times.append(time.perf_counter() - start)
        out["eval_batch"] = args.eval_batch
        out["eval_images_per_s"] = args.eval_batch / statistics.median(eval_times)
    print(json.dumps(out))


if __name__ == "__main__":
    main()

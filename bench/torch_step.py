"""PyTorch twin of bench.ts's training step: the lecture CNN (section 15.10), NCHW.

One step = forward with dropout on, cross-entropy on the logits (mean over the batch),
backward, one Adam(1e-3) update: what bench.ts times on the TF.js backends.
Then evaluation: images/s of a forward pass in eval mode without gradients at --eval-batch
(median of 3 after one warm-up), as bench.ts times it on TF.js.
Prints one JSON line: {"torch", "blas", "threads", "batch", "steps", "ms": [...], "median_ms",
"median_cpu_ms", "eval_batch", "eval_images_per_s"}.

    OPENBLAS_NUM_THREADS=1 python3 bench/torch_step.py --steps 10 --batch 64 --threads 2
"""
import argparse
import json
import statistics
import time

import torch
from torch import nn


def lecture_model() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, 32, kernel_size=5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, kernel_size=5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(3136, 1024), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(1024, 10),
    )


def loaded_blas() -> str:
    """The BLAS library this process loaded (Debian's reference BLAS is ~5x slower for fc1)."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "blas" in line.lower()}
        return ", ".join(sorted(p.rsplit("/", 2)[-2] + "/" + p.rsplit("/", 1)[-1] for p in paths))
    except OSError:
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--eval-batch", type=int, default=1000)
    args = parser.parse_args()

    torch.manual_seed(1)
    torch.set_num_threads(args.threads)
    model = lecture_model().train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.rand(args.batch, 1, 28, 28)
    y = torch.randint(0, 10, (args.batch,))

    def step() -> float:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    for _ in range(args.warmup):
        step()
    times, cpu_times = [], []
    for _ in range(args.steps):
        start, cpu_start = time.perf_counter(), time.process_time()
        step()
        times.append((time.perf_counter() - start) * 1000)
        cpu_times.append((time.process_time() - cpu_start) * 1000)
    model.eval()
    images = torch.rand(args.eval_batch, 1, 28, 28)
    eval_times = []
    with torch.no_grad():
        for i in range(4):
            start = time.perf_counter()
            model(images)
            if i > 0:
                eval_times.append(time.perf_counter() - start)
    print(json.dumps({
        "torch": torch.__version__,
        "blas": loaded_blas(),
        "threads": torch.get_num_threads(),
        "batch": args.batch,
        "steps": args.steps,
        "ms": times,
        "median_ms": statistics.median(times),
        "median_cpu_ms": statistics.median(cpu_times),
        "eval_batch": args.eval_batch,
        "eval_images_per_s": args.eval_batch / statistics.median(eval_times),
    }))


if __name__ == "__main__":
    main()

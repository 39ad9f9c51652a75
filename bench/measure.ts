/**
 * The bench's measurements, one row each (`bench.ts` is the command that picks and prints
 * them), each beside PyTorch's row of the same kind:
 *
 * - fresh: a step from fresh weights on a random batch (speed does not depend on the
 *   pixels), and evaluation images/s of a forward pass, median of 3 after a warm-up;
 * - trained: a step from a trained state on real MNIST batches, the state made by our own
 *   loop or read from a checkpoint; PyTorch loads the same weights and Adam moments;
 * - epoch: one epoch of the lecture from the same initial weights on both sides.
 *
 * Each row also gives the process's CPU time per step: with one thread everywhere it is the
 * fairer number on a loaded machine. PyTorch runs `torch_step.py` in a child process, on
 * its best OpenBLAS core (as `accel/native/blas.ts` picks our own).
 *
 * @module
 */
import process from "node:process";
import { type BackendName, tf, useBackend } from "../accel/backend.ts";
import { adam } from "../accel/adam.ts";
import { buildModel } from "../training/model.ts";
import { makeBatch, trainEpoch } from "../training/loop.ts";
import { Rng } from "../kernels/rng.ts";
import { loadCheckpoint, saveCheckpoint } from "../training/checkpoint.ts";
import { mnistDataDir, type MnistSplit } from "../data/mnist.ts";
import { randomBatch, trainStep } from "./step.ts";
import { betterCore, cpuFlags } from "../accel/native/blas.ts";
import { initParams, trainStep as naiveTrainStep } from "../kernels/cnn.ts";
import { Adam } from "../kernels/adam.ts";
import type { TrainingBatch } from "../kernels/types.ts";

/** Which rows compare with which: fresh weights, a trained state, a whole epoch. */
export type Kind = "fresh" | "trained" | "epoch";

/** One row of the table: a backend and kind, its step time, CPU time and evaluation rate. */
export interface Row {
  kind: Kind;
  backend: string;
  device: string;
  timed: string;
  ms?: number;
  /** CPU time of the process per step (median), ms: the quiet-machine time when single-threaded. */
  cpuMs?: number;
  /** Evaluation throughput, images/s. */
  evalRate?: number;
  /** Training images/s where not batch / ms (an epoch's last batch is smaller). */
  imagesPerS?: number;
  note?: string;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Images/s of `model.predict` on a batch of `n` (median of `runs` after one warm-up). */
async function evalRate(model: tf.LayersModel, n: number, runs: number): Promise<number> {
  const { x, y } = randomBatch(n, 3);
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const start = performance.now();
    const logits = model.predict(x, { batchSize: n }) as tf.Tensor; // one pass, as PyTorch's
    await logits.data();
    logits.dispose();
    if (i > 0) times.push(performance.now() - start);
  }
  tf.dispose([x, y]);
  return 1000 * n / median(times);
}

const inOrder = new Map<MnistSplit, Uint32Array>();

/** Batch `i` of the training split in order: images i·n … (i+1)·n − 1, labels one-hot. */
function mnistBatch(train: MnistSplit, i: number, n: number) {
  let order = inOrder.get(train);
  if (!order) inOrder.set(train, order = Uint32Array.from({ length: train.count }, (_, k) => k));
  const from = (i * n) % (train.count - n + 1);
  const { x, y } = makeBatch(train, order, from, from + n);
  const oneHot = tf.oneHot(y, 10).toFloat() as tf.Tensor2D;
  y.dispose();
  return { x, y: oneHot };
}

/** Where the timed steps start from and what they train on. */
interface StepPlan {
  /** A litconv checkpoint to load first (a trained state); fresh weights when absent. */
  checkpoint?: string;
  /** Training images to take batches from in order; one random batch when absent. */
  train?: MnistSplit;
}

/** Times `steps` training steps on `name` after `warmup` untimed ones, then evaluation. */
export async function benchBackend(
  name: BackendName,
  batch: number,
  warmup: number,
  steps: number,
  evalBatch: number,
  evalRuns: number,
  plan: StepPlan = {},
): Promise<Row> {
  const { device } = await useBackend(name);
  const model = buildModel("lecture", 1);
  const optimizer = adam(1e-3);
  if (plan.checkpoint) await loadCheckpoint(plan.checkpoint, model, optimizer);
  const fixed = plan.train ? null : randomBatch(batch);
  const batchAt = (i: number) => fixed ?? mnistBatch(plan.train!, i, batch);
  const step = async (i: number) => {
    const { x, y } = batchAt(i);
    const value = await trainStep(model, optimizer, x, y);
    if (!fixed) tf.dispose([x, y]);
    return value;
  };
  try {
    for (let i = 0; i < warmup; i++) await step(i);
    const times: number[] = [], cpu: number[] = [];
    for (let i = warmup; i < warmup + steps; i++) {
      const start = performance.now(), cpuStart = process.cpuUsage();
      await step(i);
      times.push(performance.now() - start);
      const used = process.cpuUsage(cpuStart);
      cpu.push((used.user + used.system) / 1000);
    }
    const timed = `${steps} step${steps > 1 ? "s" : ""}${
      warmup ? ` after ${warmup} warm-up` : ", no warm-up"
    }`;
    const rate = evalRuns > 0 ? await evalRate(model, evalBatch, evalRuns) : undefined;
    return {
      kind: plan.checkpoint ? "trained" : "fresh",
      backend: name,
      device,
      timed,
      ms: median(times),
      cpuMs: median(cpu),
      evalRate: rate,
    };
  } finally {
    if (fixed) tf.dispose([fixed.x, fixed.y]);
    optimizer.dispose();
    model.dispose();
  }
}

/** `n` random 28×28 images in [0, 1) with random labels, as the naive kernels take them. */
function naiveRandomBatch(n: number, seed = 1): TrainingBatch {
  const rng = new Rng(seed);
  const image =
    () => [Array.from({ length: 28 }, () => Array.from({ length: 28 }, () => rng.next()))];
  return {
    x: Array.from({ length: n }, image),
    labels: Array.from({ length: n }, () => rng.int(10)),
  };
}

/**
 * Times the naive step (the course's kernels, float64, Adam in TypeScript) on fresh weights
 * and a random batch: 1 warm-up step, then `steps` timed.
 */
export function benchNaive(batch: number, steps: number): Row {
  const params = initParams(1);
  const optimizer = new Adam(1e-3);
  const data = naiveRandomBatch(batch);
  const step = (i: number) => naiveTrainStep(params, optimizer, data, i);
  step(0);
  const times: number[] = [], cpu: number[] = [];
  for (let i = 1; i <= steps; i++) {
    const start = performance.now(), cpuStart = process.cpuUsage();
    step(i);
    times.push(performance.now() - start);
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / 1000);
  }
  return {
    kind: "fresh",
    backend: "naive",
    device: "the course's naive kernels: float64 loops over nested arrays, one thread, no TF.js",
    timed: `${steps} step${steps > 1 ? "s" : ""} after 1 warm-up`,
    ms: median(times),
    cpuMs: median(cpu),
  };
}

/** Per-step times of an epoch → its row's figures and note. */
export function epochRow(backend: string, device: string, stepMs: number[], images: number): Row {
  const seconds = stepMs.reduce((a, b) => a + b, 0) / 1000;
  const rate = (ms: number[]) => (1000 * 64 * ms.length / ms.reduce((a, b) => a + b, 0));
  return {
    kind: "epoch",
    backend,
    device,
    timed: `1 epoch, ${images.toLocaleString("en")} images in ${seconds.toFixed(1)} s; ` +
      `steps 1–100 ${rate(stepMs.slice(0, 100)).toFixed(0)} img/s, last 100 ${
        rate(stepMs.slice(-100)).toFixed(0)
      } img/s`,
    ms: 1000 * seconds / stepMs.length,
    imagesPerS: images / seconds,
  };
}

/**
 * Our epoch of the lecture from `deno task train`'s initial weights (seed 1): `trainEpoch`
 * over `train`, batch 64. Returns its per-step times; leaves the trained state (weights and
 * Adam) in `dir/checkpoint.bin` and the initial one in `dir/init/checkpoint.bin`.
 */
export async function trainOurEpoch(train: MnistSplit, dir: string): Promise<number[]> {
  await useBackend("wasm");
  const model = buildModel("lecture", 1);
  const optimizer = adam(1e-3);
  await Deno.mkdir(`${dir}/init`, { recursive: true });
  await saveCheckpoint(`${dir}/init`, model, optimizer, {});
  const stepMs: number[] = [];
  let last = performance.now();
  await trainEpoch(model, optimizer, train, new Rng(1), 64, () => {
    const now = performance.now();
    stepMs.push(now - last);
    last = now;
  });
  await saveCheckpoint(dir, model, optimizer, {});
  optimizer.dispose();
  model.dispose();
  return stepMs;
}

/** The first of these Pythons that imports torch, or null. */
export async function findTorchPython(explicit?: string): Promise<string | null> {
  const candidates = explicit ? [explicit] : ["python3", "/usr/bin/python3"];
  for (const python of candidates) {
    try {
      const { success } = await new Deno.Command(python, {
        args: ["-c", "import torch"],
        stdout: "null",
        stderr: "null",
      }).output();
      if (success) return python;
    } catch { /* not installed */ }
  }
  return null;
}

/** Runs `torch_step.py` with `args` as a child process and returns its JSON line. */
export async function torchStep(
  python: string,
  args: string[],
  env: Record<string, string>,
  // deno-lint-ignore no-explicit-any
): Promise<any> {
  const script = new URL("./torch_step.py", import.meta.url).pathname;
  const out = await new Deno.Command(python, {
    args: [script, ...args],
    env: { OPENBLAS_NUM_THREADS: "1", ...env },
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`torch_step.py exited with ${out.code}`);
  return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
}

/** PyTorch's best OpenBLAS core: the environment to run it with, and what to say about it. */
export async function torchBlasSetup(
  python: string,
): Promise<{ env: Record<string, string>; note: string }> {
  const own = await torchStep(python, ["--probe"], {});
  if (!own.core) return { env: {}, note: `BLAS ${own.blas}` };
  // As for our own OpenBLAS (blas.ts): a generic core is replaced, whatever chose it, unless
  // LITCONV_BLAS_CORE=keep.
  const keep = Deno.env.get("LITCONV_BLAS_CORE") === "keep";
  const wanted = keep ? null : betterCore(own.core, cpuFlags());
  if (!wanted) return { env: {}, note: `OpenBLAS core ${own.core}` };
  const env = { OPENBLAS_CORETYPE: wanted };
  const picked = await torchStep(python, ["--probe"], env);
  const ok = picked.core.toLowerCase() === wanted.toLowerCase() && picked.product_check <= 1;
  return ok
    ? {
      env,
      note: `OpenBLAS core ${picked.core} (OpenBLAS chose ${own.core}; the bench set ` +
        `OPENBLAS_CORETYPE=${wanted} from the CPU's flags, product checked)`,
    }
    : { env: {}, note: `OpenBLAS core ${own.core} (${wanted} failed its check)` };
}

/** Times PyTorch's steps (fresh, or from `state` on MNIST batches) as a row. */
export async function benchTorch(
  python: string,
  batch: number,
  steps: number,
  threads: number,
  evalBatch: number,
  blas: { env: Record<string, string>; note: string },
  state?: string,
): Promise<Row> {
  const args = ["--steps", `${steps}`, "--batch", `${batch}`, "--threads", `${threads}`];
  if (state) args.push("--state", state, "--mnist", mnistDataDir());
  else args.push("--eval-batch", `${evalBatch}`);
  const r = await torchStep(python, args, blas.env);
  return {
    kind: state ? "trained" : "fresh",
    backend: "torch",
    device: `PyTorch ${r.torch}, ${r.threads} thread(s), ${blas.note}`,
    timed: `${r.steps} steps after 2 warm-up`,
    ms: r.median_ms,
    cpuMs: r.median_cpu_ms,
    evalRate: r.eval_images_per_s,
  };
}

/** The CPU's model name from /proc/cpuinfo. */
export function cpuModel(): string {
  try {
    const info = Deno.readTextFileSync("/proc/cpuinfo");
    return info.match(/^model name\s*:\s*(.*)$/m)?.[1] ?? "unknown CPU";
  } catch {
    return "unknown CPU";
  }
}

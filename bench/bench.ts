/**
 * `deno task bench`: how fast the lecture CNN trains on each TF.js backend, next to the same
 * in PyTorch, in one run: one step on fresh weights, one step on a *trained* state, and with
 * `--epoch` a whole epoch.
 *
 * A step (see `step.ts`) is forward with dropout, softmax cross-entropy, backward and one
 * Adam update.
 *
 * ```text
 * deno task bench [--steps 10] [--batch 64] [--backends wasm,webgpu,cpu,torch,naive]
 *                 [--torch-threads 2] [--python /usr/bin/python3] [--eval-batch 1000]
 *                 [--trained-steps 782 | --checkpoint RUN_DIR] [--epoch]
 * ```
 *
 * Rows, each beside PyTorch's row of the same kind (the "vs torch" ratios):
 *
 * - fresh: a step from freshly initialized weights on a random batch (speed does not
 *   depend on the pixel values), and evaluation throughput: images/s of a forward pass
 *   (no dropout, no gradient) at `--eval-batch`, median of 3 after one warm-up, as every
 *   epoch's validation and the rotation curve run it.
 * - trained: a step from a trained state, on real MNIST batches (the same for both): what
 *   `deno task train` runs after its first steps. Issue 17: a trained state held 0.73M
 *   subnormal Adam moments that Intel cores compute on ~100× slower, and training ran at
 *   0.44× its first epoch's speed while fresh-weight steps looked fine. The state is made
 *   here by `--trained-steps` steps of litconv's own training loop (default 782, one
 *   epoch of the lecture, as `deno task train --epochs 1`), or read from
 *   `RUN_DIR/checkpoint.bin` with `--checkpoint`; PyTorch loads the very same weights and
 *   Adam moments (converted to its layouts by `torch_lecture.py`).
 * - epoch (`--epoch`): one epoch of the lecture (50,000 digits in shuffled batches of 64,
 *   seed 1) from the same initial weights, ours by `trainEpoch`, PyTorch's by its loop on
 *   the same IDX files: seconds, images/s, and the rate of its first and last 100 steps
 *   (a slowdown as training goes on shows there). Our epoch then is the trained state.
 *
 * Each row also gives the process's CPU time per step (median): with one thread everywhere
 * (`LITCONV_WASM_THREADS=1 LITCONV_BLAS_THREADS=1 … --torch-threads 1`) it is close to the
 * step's time on a quiet machine, a fairer comparison when others load the cores (with
 * more threads it also counts threads spinning while they wait).
 *
 * - wasm: 2 warm-up steps, then `--steps` timed; the median is reported. Where OpenBLAS
 *   runs the GEMM kernels (`accel/native/`), more rows time the same backend
 *   without oneDNN ("wasm, no oneDNN") and without any native kernel ("wasm, no BLAS"),
 *   so the native path's gain is measured in the same run.
 * - webgpu: 1 warm-up step, then at most 2 timed (the software adapter takes ~16 s each).
 * - naive: the course's own kernels (`kernels/cnn.ts`, as `deno task train --kernels naive`
 *   runs them): plain float64 loops over nested arrays and Adam in TypeScript, one thread, no
 *   TF.js; 1 warm-up step, then at most 2 timed (seconds each at batch 64).
 * - cpu: ~100 s a step at batch 64 (measured 98.6 s here), so it runs only when named in `--backends`, and then
 *   times a single step with no warm-up (said so in the table).
 * - torch: `bench/torch_step.py` in a child process with `OPENBLAS_NUM_THREADS=1`, the same
 *   model, batch and step count, where some python3 imports torch. Debian's torch uses
 *   whatever `libblas.so.3` the system has; the reference BLAS is ~5× slower than OpenBLAS
 *   at the dense layers, so the BLAS is printed with the result.
 *
 * OpenBLAS's core. OpenBLAS 0.3.21 runs a generic "Prescott" core on CPUs it does not know
 * (a Xeon of model 207: PyTorch's step 115.5 → 64.5 ms with `OPENBLAS_CORETYPE=SkylakeX`).
 * So PyTorch gets its best configuration: the bench asks torch's process which core its
 * OpenBLAS runs and, where that is a generic one and the CPU's flags offer more
 * (`betterCore` in `accel/native/blas.ts`), runs PyTorch with `OPENBLAS_CORETYPE`
 * set to it, after checking that core's float32 product; the table says so. Our own
 * OpenBLAS gets the same treatment as it loads (`blas.ts`), also said in the table.
 *
 * @module
 */
import { parseArgs } from "node:util";
import process from "node:process";
import { type BackendName, probeBackends, tf, useBackend } from "../accel/backend.ts";
import { adam } from "../accel/adam.ts";
import { buildModel } from "../training/model.ts";
import { makeBatch, trainEpoch } from "../training/loop.ts";
import { Rng } from "../kernels/rng.ts";
import { CHECKPOINT_FILE, loadCheckpoint, saveCheckpoint } from "../training/checkpoint.ts";
import { loadMnist, mnistDataDir, type MnistSplit, take } from "../data/mnist.ts";
import { randomBatch, trainStep } from "./step.ts";
import { initParams, trainStep as naiveTrainStep } from "../kernels/cnn.ts";
import { Adam } from "../kernels/adam.ts";
import type { TrainingBatch } from "../kernels/types.ts";
import {
  blasStatus,
  dnnlActive,
  nativeKernelsActive,
  setDnnl,
  setNativeKernels,
} from "../accel/native/index.ts";
import { betterCore, cpuFlags } from "../accel/native/blas.ts";

/** Which rows compare with which: fresh weights, a trained state, a whole epoch. */
type Kind = "fresh" | "trained" | "epoch";

interface Row {
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
async function benchBackend(
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
function benchNaive(batch: number, steps: number): Row {
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
function epochRow(backend: string, device: string, stepMs: number[], images: number): Row {
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
async function trainOurEpoch(train: MnistSplit, dir: string): Promise<number[]> {
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
async function findTorchPython(explicit?: string): Promise<string | null> {
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
async function torchStep(
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
async function torchBlasSetup(
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
async function benchTorch(
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

function cpuModel(): string {
  try {
    const info = Deno.readTextFileSync("/proc/cpuinfo");
    return info.match(/^model name\s*:\s*(.*)$/m)?.[1] ?? "unknown CPU";
  } catch {
    return "unknown CPU";
  }
}

const KIND_LABEL: Record<Kind, string> = {
  fresh: "",
  trained: ", trained",
  epoch: ", epoch",
};

function printTable(rows: Row[], batch: number, evalBatch: number) {
  const torchOf = (r: Row) =>
    rows.find((t) => t.backend === "torch" && t.kind === r.kind && t.ms !== undefined);
  const cells = rows.map((r) => {
    const torch = torchOf(r);
    return [
      `${r.backend}${KIND_LABEL[r.kind]}`,
      r.ms === undefined ? "-" : r.ms.toFixed(1),
      r.ms === undefined ? "-" : (r.imagesPerS ?? 1000 * batch / r.ms).toFixed(0),
      r.ms === undefined || !torch ? "-" : `${(r.ms / torch.ms!).toFixed(2)}×`,
      r.cpuMs === undefined ? "-" : r.cpuMs.toFixed(1),
      r.cpuMs === undefined || torch?.cpuMs === undefined
        ? "-"
        : `${(r.cpuMs / torch.cpuMs).toFixed(2)}×`,
      r.evalRate === undefined ? "-" : r.evalRate.toFixed(0),
      r.evalRate === undefined || torch?.evalRate === undefined
        ? "-"
        : `${(torch.evalRate / r.evalRate).toFixed(2)}×`, // a time ratio, like the step's
      r.note ?? r.timed,
      r.device,
    ];
  });
  const head = [
    "row",
    "ms/step",
    "images/s",
    "vs torch",
    "cpu ms/step",
    "vs torch",
    `eval img/s @${evalBatch}`,
    "vs torch",
    "timed",
    "device",
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) =>
    c.map((s, i) => (i >= 1 && i <= 7 ? s.padStart(widths[i]) : s.padEnd(widths[i]))).join("  ")
      .trimEnd();
  console.log(line(head));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const c of cells) console.log(line(c));
}

const USAGE = `deno task bench [--steps 10] [--batch 64] [--backends wasm,webgpu,cpu,torch,naive]
                [--torch-threads 2] [--python /usr/bin/python3] [--eval-batch 1000]
                [--trained-steps 782 | --checkpoint RUN_DIR] [--epoch]

Times the lecture CNN's training on each TF.js backend and, where python3 can import torch,
in PyTorch, in one run, with the ratio: a step on fresh weights (and evaluation: images/s of
a forward pass at --eval-batch); a step on a trained state (made by --trained-steps steps
of our training loop, one epoch by default, or read from RUN_DIR/checkpoint.bin; PyTorch
loads the same weights and Adam moments; 0 leaves these rows out); with --epoch, a whole
epoch of the lecture each (our epoch is then the trained state). Where native kernels
run, "wasm, no oneDNN" times convolutions as im2col + OpenBLAS instead of oneDNN, and
"wasm, no BLAS" the wasm kernels alone; "naive" is the course's own kernels (float64 loops,
as deno task train --kernels naive trains). PyTorch runs on its best OpenBLAS core (see the
table's device column).`;

function parseBenchArgs() {
  try {
    return parseArgs({
      args: Deno.args,
      options: {
        steps: { type: "string", default: "10" },
        batch: { type: "string", default: "64" },
        backends: { type: "string" },
        "torch-threads": { type: "string", default: "2" },
        python: { type: "string" },
        "eval-batch": { type: "string", default: "1000" },
        "trained-steps": { type: "string", default: "782" },
        checkpoint: { type: "string" },
        epoch: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
    }).values;
  } catch (e) {
    console.error(`bench: ${(e as Error).message}\n\n${USAGE}`);
    Deno.exit(2);
  }
}

if (import.meta.main) {
  const values = parseBenchArgs();
  if (values.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  const steps = Number(values.steps), batch = Number(values.batch);
  const torchThreads = Number(values["torch-threads"]);
  const evalBatch = Number(values["eval-batch"]);
  const trainedSteps = Number(values["trained-steps"]);
  for (
    const [flag, v] of [
      ["--steps", steps],
      ["--batch", batch],
      ["--torch-threads", torchThreads],
      ["--eval-batch", evalBatch],
    ]
  ) {
    if (!Number.isInteger(v) || (v as number) < 1) {
      console.error(`bench: ${flag} must be a positive integer`);
      Deno.exit(2);
    }
  }
  if (!Number.isInteger(trainedSteps) || trainedSteps < 0) {
    console.error("bench: --trained-steps must be a whole number");
    Deno.exit(2);
  }
  if (values.checkpoint) {
    try {
      Deno.statSync(`${values.checkpoint}/${CHECKPOINT_FILE}`);
    } catch {
      console.error(`bench: --checkpoint ${values.checkpoint}: no ${CHECKPOINT_FILE} in it`);
      Deno.exit(2);
    }
  }
  const asked = values.backends?.split(",").map((s) => s.trim()).filter(Boolean);
  const known = ["cpu", "wasm", "webgpu", "tensorflow", "torch", "naive"];
  const unknown = asked?.filter((b) => !known.includes(b)) ?? [];
  if (unknown.length) {
    console.error(`bench: unknown backend(s) ${unknown.join(", ")}; known: ${known.join(", ")}`);
    Deno.exit(2);
  }
  const wanted = (b: string) => asked === undefined || asked.includes(b);

  console.log(
    `litconv bench: lecture CNN, one training step (forward, backward, Adam 1e-3), batch ${batch}`,
  );
  console.log(
    `machine: ${cpuModel()}, ${navigator.hardwareConcurrency} cores; Deno ${Deno.version.deno}, ` +
      `TF.js ${tf.version.tfjs}`,
  );
  const blas = blasStatus();
  if (blas.available) {
    console.log(`our OpenBLAS: core ${blas.core}${blas.coreNote ? ` (${blas.coreNote})` : ""}`);
  }
  const rows: Row[] = [];
  const python = wanted("torch") ? await findTorchPython(values.python) : null;
  const torchBlas = python ? await torchBlasSetup(python) : null;
  if (torchBlas) console.log(`PyTorch: ${torchBlas.note}`);

  // The trained state (and our epoch), first: the longest part, on a machine still cool.
  const workDir = await Deno.makeTempDir({ prefix: "litconv-bench-" });
  let trainedState: string | undefined;
  let initialState: string | undefined;
  const trained = wanted("wasm") && (values.epoch || values.checkpoint || trainedSteps > 0);
  const train = trained ? loadMnist().train : undefined;
  if (trained && values.checkpoint) {
    trainedState = `${values.checkpoint}/${CHECKPOINT_FILE}`;
  }
  if (trained && (values.epoch || !values.checkpoint)) {
    const images = values.epoch ? train!.count : Math.min(trainedSteps * 64, train!.count);
    console.log(
      values.epoch
        ? `… wasm: one epoch of the lecture (${images.toLocaleString("en")} images), timed`
        : `… wasm: ${Math.ceil(images / 64)} training steps to make the trained state`,
    );
    const stepMs = await trainOurEpoch(take(train!, images), workDir);
    initialState = `${workDir}/init/${CHECKPOINT_FILE}`;
    trainedState ??= `${workDir}/${CHECKPOINT_FILE}`;
    if (values.epoch) {
      const { device } = await useBackend("wasm");
      rows.push(epochRow("wasm", device, stepMs, images));
    }
  }

  for (const report of await probeBackends()) {
    const name = report.name;
    if (!wanted(name)) continue;
    if (!report.available) {
      if (asked !== undefined || name !== "tensorflow") {
        rows.push({
          kind: "fresh",
          backend: name,
          device: "-",
          timed: "",
          note: `unavailable: ${report.detail}`,
        });
      }
      continue;
    }
    if (name === "cpu" && asked === undefined) {
      rows.push({
        kind: "fresh",
        backend: "cpu",
        device: report.detail,
        timed: "",
        note: "skipped: ~100 s a step at batch 64; name it in --backends to time 1 step",
      });
      continue;
    }
    const plan = name === "wasm"
      ? { warmup: 2, steps }
      : name === "webgpu"
      ? { warmup: 1, steps: Math.min(steps, 2) }
      : name === "cpu"
      ? { warmup: 0, steps: 1 }
      : { warmup: 1, steps };
    console.log(`… ${name}: ${plan.warmup} warm-up, ${plan.steps} timed`);
    // Evaluation: 3 timed forward passes, 1 on the slow backends.
    const evalRuns = name === "cpu" ? 0 : name === "webgpu" ? 1 : 3;
    try {
      rows.push(await benchBackend(name, batch, plan.warmup, plan.steps, evalBatch, evalRuns));
      if (name === "wasm" && dnnlActive()) {
        console.log(
          `… wasm, no oneDNN (convolutions as im2col + OpenBLAS): ${plan.warmup} warm-up, ${plan.steps} timed`,
        );
        setDnnl(false);
        const row = await benchBackend(name, batch, plan.warmup, plan.steps, evalBatch, evalRuns)
          .finally(() => setDnnl(true));
        const device = row.device.replace(
          /; convolutions on .*$/,
          "; convolutions as im2col + OpenBLAS",
        );
        rows.push({ ...row, backend: "wasm, no oneDNN", device });
      }
      if (name === "wasm" && nativeKernelsActive()) {
        console.log(
          `… wasm, no BLAS (native kernels off): ${plan.warmup} warm-up, ${plan.steps} timed`,
        );
        setNativeKernels(false);
        const row = await benchBackend(name, batch, plan.warmup, plan.steps, evalBatch, evalRuns)
          .finally(() => setNativeKernels(true));
        const device = row.device.replace(/; GEMM kernels .*$/, "; GEMM kernels in wasm");
        rows.push({ ...row, backend: "wasm, no BLAS", device });
      }
      if (name === "wasm" && trainedState) {
        console.log(`… wasm, trained state (${trainedState}): 2 warm-up, ${steps} timed`);
        rows.push(
          await benchBackend(name, batch, 2, steps, evalBatch, 0, {
            checkpoint: trainedState.replace(new RegExp(`/${CHECKPOINT_FILE}$`), ""),
            train,
          }),
        );
      }
    } catch (e) {
      rows.push({
        kind: "fresh",
        backend: name,
        device: report.detail,
        timed: "",
        note: `failed: ${e}`,
      });
    }
  }
  if (wanted("naive")) {
    const naiveSteps = Math.min(steps, 2);
    console.log(`… naive (the course's kernels): 1 warm-up, ${naiveSteps} timed`);
    rows.push(benchNaive(batch, naiveSteps));
  }
  if (wanted("torch")) {
    if (python === null) {
      rows.push({
        kind: "fresh",
        backend: "torch",
        device: "-",
        timed: "",
        note: "skipped: no python3 imports torch",
      });
    } else {
      const kinds: [Kind, () => Promise<Row>][] = [
        ["fresh", () => benchTorch(python, batch, steps, torchThreads, evalBatch, torchBlas!)],
      ];
      if (trainedState) {
        kinds.push([
          "trained",
          () => benchTorch(python, batch, steps, torchThreads, evalBatch, torchBlas!, trainedState),
        ]);
      }
      if (values.epoch && initialState) {
        kinds.push(["epoch", async () => {
          const r = await torchStep(python, [
            "--epoch",
            "--state",
            initialState!,
            "--mnist",
            mnistDataDir(),
            "--threads",
            `${torchThreads}`,
          ], torchBlas!.env);
          const row = epochRow(
            "torch",
            `PyTorch ${r.torch}, ${r.threads} thread(s), ${torchBlas!.note}`,
            [],
            50_000,
          );
          return {
            ...row,
            ms: 1000 * r.epoch_seconds / r.steps,
            imagesPerS: r.images_per_s,
            timed: `1 epoch, 50,000 images in ${r.epoch_seconds.toFixed(1)} s; steps 1–100 ${
              r.first100_images_per_s.toFixed(0)
            } img/s, last 100 ${r.last100_images_per_s.toFixed(0)} img/s`,
          };
        }]);
      }
      for (const [kind, run] of kinds) {
        console.log(`… torch (${python}), ${kind}`);
        try {
          rows.push(await run());
        } catch (e) {
          rows.push({ kind, backend: "torch", device: python, timed: "", note: `failed: ${e}` });
        }
      }
    }
  }
  await Deno.remove(workDir, { recursive: true });
  console.log();
  const order: Kind[] = ["fresh", "trained", "epoch"];
  rows.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind)); // stable: backends kept
  printTable(rows, batch, evalBatch);
  const ratio = (kind: Kind, what: string) => {
    const ours = rows.find((r) => r.backend === "wasm" && r.kind === kind);
    const torch = rows.find((r) => r.backend === "torch" && r.kind === kind);
    if (ours?.ms !== undefined && torch?.ms !== undefined) {
      console.log(`${what}: wasm / PyTorch = ${(ours.ms / torch.ms).toFixed(2)}`);
    }
  };
  console.log();
  ratio("fresh", "training step, fresh weights");
  ratio("trained", "training step, trained state");
  ratio("epoch", "one epoch");
  const naive = rows.find((r) => r.backend === "naive");
  const wasmFresh = rows.find((r) => r.backend === "wasm" && r.kind === "fresh");
  if (naive?.ms !== undefined && wasmFresh?.ms !== undefined) {
    console.log(
      `training step, fresh weights: naive / wasm = ${(naive.ms / wasmFresh.ms).toFixed(0)} ` +
        `(CPU time: ${(naive.cpuMs! / wasmFresh.cpuMs!).toFixed(0)})`,
    );
  }
  const wasm = rows.find((r) => r.backend === "wasm" && r.kind === "fresh");
  const torch = rows.find((r) => r.backend === "torch" && r.kind === "fresh");
  if (wasm?.evalRate !== undefined && torch?.evalRate !== undefined) {
    console.log(
      `evaluation at batch ${evalBatch}: wasm / PyTorch time = ${
        (wasm.evalRate === 0 ? Infinity : torch.evalRate / wasm.evalRate).toFixed(2)
      }`,
    );
  }
  if (rows.find((r) => r.backend === "torch")?.device.includes("blas/libblas")) {
    console.log(
      "note: this PyTorch uses the reference BLAS (Debian's libblas3), several times slower " +
        "than OpenBLAS at the dense layers; to compare with OpenBLAS, put the directory of " +
        "its libblas.so.3 (package libopenblas0-pthread) in LD_LIBRARY_PATH.",
    );
  }
}

/**
 * `deno task bench`: how fast one training step of the lecture CNN runs on each TF.js
 * backend, next to the same step in PyTorch.
 *
 * A step (see `step.ts`) is forward with dropout, softmax cross-entropy, backward and one
 * Adam update, on a random batch (speed does not depend on the pixel values).
 *
 * ```text
 * deno task bench [--steps 10] [--batch 64] [--backends wasm,webgpu,cpu,torch]
 *                 [--torch-threads 2] [--python /usr/bin/python3] [--eval-batch 1000]
 * ```
 *
 * Each row also gives the process's CPU time per step (median): with one thread everywhere
 * (`LITCONV_WASM_THREADS=1 LITCONV_BLAS_THREADS=1 … --torch-threads 1`) it is close to the
 * step's time on a quiet machine, a fairer comparison when others load the cores (with
 * more threads it also counts threads spinning while they wait). Each row also gives
 * evaluation throughput: images/s of a forward pass (no dropout, no
 * gradient) at `--eval-batch`, median of 3 after one warm-up, as every epoch's validation
 * and the rotation curve run it.
 *
 * - wasm: 2 warm-up steps, then `--steps` timed; the median is reported. Where OpenBLAS
 *   runs the GEMM kernels (`accel/native/`), a second row times the same backend
 *   with them switched off ("wasm, no BLAS"), so the native path's gain is measured in
 *   the same run.
 * - webgpu: 1 warm-up step, then at most 2 timed (the software adapter takes ~16 s each).
 * - cpu: ~100 s a step at batch 64 (measured 98.6 s here), so it runs only when named in `--backends`, and then
 *   times a single step with no warm-up (said so in the table).
 * - torch: `bench/torch_step.py` in a child process with `OPENBLAS_NUM_THREADS=1`, the same
 *   model, batch and step count, where some python3 imports torch. Debian's torch uses
 *   whatever `libblas.so.3` the system has; the reference BLAS is ~5× slower than OpenBLAS
 *   at the dense layers, so the BLAS is printed with the result.
 *
 * @module
 */
import { parseArgs } from "node:util";
import process from "node:process";
import { type BackendName, probeBackends, tf, useBackend } from "../accel/backend.ts";
import { adam } from "../accel/adam.ts";
import { buildModel } from "../training/model.ts";
import { randomBatch, trainStep } from "./step.ts";
import {
  dnnlActive,
  nativeKernelsActive,
  setDnnl,
  setNativeKernels,
} from "../accel/native/index.ts";

interface Row {
  backend: string;
  device: string;
  timed: string;
  ms?: number;
  /** CPU time of the process per step (median), ms: the quiet-machine time when single-threaded. */
  cpuMs?: number;
  /** Evaluation throughput, images/s. */
  evalRate?: number;
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

/** Times `steps` training steps on `name` after `warmup` untimed ones, then evaluation. */
async function benchBackend(
  name: BackendName,
  batch: number,
  warmup: number,
  steps: number,
  evalBatch: number,
  evalRuns: number,
): Promise<Row> {
  const { device } = await useBackend(name);
  const model = buildModel("lecture", 1);
  const optimizer = adam(1e-3);
  const { x, y } = randomBatch(batch);
  try {
    for (let i = 0; i < warmup; i++) await trainStep(model, optimizer, x, y);
    const times: number[] = [], cpu: number[] = [];
    for (let i = 0; i < steps; i++) {
      const start = performance.now(), cpuStart = process.cpuUsage();
      await trainStep(model, optimizer, x, y);
      times.push(performance.now() - start);
      const used = process.cpuUsage(cpuStart);
      cpu.push((used.user + used.system) / 1000);
    }
    const timed = `${steps} step${steps > 1 ? "s" : ""}${
      warmup ? ` after ${warmup} warm-up` : ", no warm-up"
    }`;
    const rate = evalRuns > 0 ? await evalRate(model, evalBatch, evalRuns) : undefined;
    return { backend: name, device, timed, ms: median(times), cpuMs: median(cpu), evalRate: rate };
  } finally {
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  }
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

/** Runs `torch_step.py` as a child process and reads its JSON line. */
async function benchTorch(
  python: string,
  batch: number,
  steps: number,
  threads: number,
  evalBatch: number,
): Promise<Row> {
  const script = new URL("./torch_step.py", import.meta.url).pathname;
  const out = await new Deno.Command(python, {
    args: [
      script,
      "--steps",
      `${steps}`,
      "--batch",
      `${batch}`,
      "--threads",
      `${threads}`,
      "--eval-batch",
      `${evalBatch}`,
    ],
    env: { OPENBLAS_NUM_THREADS: "1" },
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`torch_step.py exited with ${out.code}`);
  const r = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
  return {
    backend: "torch",
    device: `PyTorch ${r.torch}, ${r.threads} thread(s), BLAS ${r.blas}`,
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

function printTable(rows: Row[], batch: number, evalBatch: number) {
  const torch = rows.find((r) => r.backend === "torch" && r.ms !== undefined);
  const cells = rows.map((r) => [
    r.backend,
    r.ms === undefined ? "-" : r.ms.toFixed(1),
    r.ms === undefined ? "-" : (1000 * batch / r.ms).toFixed(0),
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
  ]);
  const head = [
    "backend",
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

const USAGE = `deno task bench [--steps 10] [--batch 64] [--backends wasm,webgpu,cpu,torch]
                [--torch-threads 2] [--python /usr/bin/python3] [--eval-batch 1000]

Times one training step of the lecture CNN on each TF.js backend and, where python3 can
import torch, the same step in PyTorch, and prints the table with the ratio; also the
evaluation throughput (images/s of a forward pass at --eval-batch). Where native kernels
run, "wasm, no oneDNN" times convolutions as im2col + OpenBLAS instead of oneDNN, and
"wasm, no BLAS" the wasm kernels alone.`;

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
  const asked = values.backends?.split(",").map((s) => s.trim()).filter(Boolean);
  const known = ["cpu", "wasm", "webgpu", "tensorflow", "torch"];
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
  const rows: Row[] = [];
  for (const report of await probeBackends()) {
    const name = report.name;
    if (!wanted(name)) continue;
    if (!report.available) {
      if (asked !== undefined || name !== "tensorflow") {
        rows.push({ backend: name, device: "-", timed: "", note: `unavailable: ${report.detail}` });
      }
      continue;
    }
    if (name === "cpu" && asked === undefined) {
      rows.push({
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
    } catch (e) {
      rows.push({ backend: name, device: report.detail, timed: "", note: `failed: ${e}` });
    }
  }
  if (wanted("torch")) {
    const python = await findTorchPython(values.python);
    if (python === null) {
      rows.push({
        backend: "torch",
        device: "-",
        timed: "",
        note: "skipped: no python3 imports torch",
      });
    } else {
      console.log(`… torch (${python}): 2 warm-up, ${steps} timed`);
      try {
        rows.push(await benchTorch(python, batch, steps, torchThreads, evalBatch));
      } catch (e) {
        rows.push({ backend: "torch", device: python, timed: "", note: `failed: ${e}` });
      }
    }
  }
  console.log();
  printTable(rows, batch, evalBatch);
  const wasm = rows.find((r) => r.backend === "wasm");
  const torch = rows.find((r) => r.backend === "torch");
  if (wasm?.ms !== undefined && torch?.ms !== undefined) {
    console.log(
      `\ntraining step: wasm / PyTorch = ${(wasm.ms / torch.ms).toFixed(2)} (goal: ≤ 1.5)`,
    );
  }
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

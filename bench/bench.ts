/**
 * `deno task bench`: how fast the lecture CNN trains on each TF.js backend, next to the same
 * in PyTorch, in one run: a step on fresh weights, a step on a trained state (the case where
 * subnormal Adam moments once slowed training), and with `--epoch` a whole epoch. The rows
 * and how each is timed are in `measure.ts`; `USAGE` below lists the flags.
 *
 * ```text
 * deno task bench [--steps 10] [--batch 64] [--backends wasm,webgpu,cpu,torch,naive]
 *                 [--torch-threads 2] [--python /usr/bin/python3] [--eval-batch 1000]
 *                 [--trained-steps 782 | --checkpoint RUN_DIR] [--epoch]
 * ```
 *
 * @module
 */
import { flagHelp, type Flags, parseFlags, usageLine } from "../cli/flags.ts";
import { UsageError } from "../kernels/errors.ts";
import { probeBackends, tf, useBackend } from "../accel/backend.ts";
import { CHECKPOINT_FILE } from "../training/checkpoint.ts";
import { loadMnist, mnistDataDir, take } from "../data/mnist.ts";
import {
  blasStatus,
  dnnlActive,
  nativeKernelsActive,
  setDnnl,
  setNativeKernels,
} from "../accel/native/index.ts";
import {
  benchBackend,
  benchNaive,
  benchTorch,
  cpuModel,
  epochRow,
  findTorchPython,
  type Kind,
  type Row,
  torchBlasSetup,
  torchStep,
  trainOurEpoch,
} from "./measure.ts";

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

const FLAGS = {
  steps: { type: "string", value: "N", help: "timed steps per row (default 10)" },
  batch: { type: "string", value: "N", help: "images per step (default 64, the lecture's)" },
  backends: {
    type: "string",
    value: "LIST",
    help: "rows to run, of wasm,webgpu,cpu,tensorflow,torch (default: all that run here)",
  },
  "torch-threads": { type: "string", value: "N", help: "PyTorch's threads (default 2)" },
  python: {
    type: "string",
    value: "PATH",
    help: "the python3 that imports torch (default: found)",
  },
  "eval-batch": {
    type: "string",
    value: "N",
    help: "images per forward pass when timing evaluation (default 1000)",
  },
  "trained-steps": {
    type: "string",
    value: "N",
    help: "steps of our loop that make the trained state (default 782, one epoch; 0: none)",
  },
  checkpoint: {
    type: "string",
    value: "RUN_DIR",
    help: "read the trained state from RUN_DIR/checkpoint.bin instead",
  },
  epoch: { type: "boolean", help: "also time a whole epoch of the lecture on each" },
} as const satisfies Flags;

const USAGE = `deno task bench [flags]

Times the lecture CNN's training on each TF.js backend and, where python3 can import torch,
in PyTorch, in one run, with the ratio: a step on fresh weights (and evaluation: images/s of
a forward pass at --eval-batch); a step on a trained state (made by --trained-steps steps
of our training loop, one epoch by default, or read from RUN_DIR/checkpoint.bin; PyTorch
loads the same weights and Adam moments; 0 leaves these rows out); with --epoch, a whole
epoch of the lecture each (our epoch is then the trained state). Where native kernels
run, "wasm, no oneDNN" times convolutions as im2col + OpenBLAS instead of oneDNN, and
"wasm, no BLAS" the wasm kernels alone; "naive" is the course's own kernels (float64 loops,
as deno task train --kernels naive trains). PyTorch runs on its best OpenBLAS core (see the
table's device column).

${flagHelp(FLAGS)}
`;

function parseBenchArgs() {
  try {
    const { values: v } = parseFlags(Deno.args, FLAGS);
    return {
      ...v,
      steps: v.steps ?? "10",
      batch: v.batch ?? "64",
      "torch-threads": v["torch-threads"] ?? "2",
      "eval-batch": v["eval-batch"] ?? "1000",
      "trained-steps": v["trained-steps"] ?? "782",
      epoch: v.epoch ?? false,
      help: v.help ?? false,
    };
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(usageLine("deno task bench", e));
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
  const wasm = rows.find((r) => r.backend === "wasm" && r.kind === "fresh");
  const torch = rows.find((r) => r.backend === "torch" && r.kind === "fresh");
  if (wasm?.evalRate !== undefined && torch?.evalRate !== undefined) {
    console.log(
      `evaluation at batch ${evalBatch}: wasm / PyTorch time = ${
        (wasm.evalRate === 0 ? Infinity : torch.evalRate / wasm.evalRate).toFixed(2)
      }`,
    );
  }
  const naive = rows.find((r) => r.backend === "naive");
  if (naive?.ms !== undefined && wasm?.ms !== undefined) {
    console.log(
      `training step, fresh weights: naive / wasm = ${(naive.ms / wasm.ms).toFixed(0)} ` +
        `(CPU time: ${(naive.cpuMs! / wasm.cpuMs!).toFixed(0)})`,
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

/**
 * Where a training step's time goes on the wasm backend, kernel by kernel.
 *
 * Every wasm kernel function is wrapped with a timer (wasm kernels run synchronously, so
 * the wall time of the call is the kernel's time). Kernels that call other kernels (ours
 * do) are charged only their own time: "self" excludes the kernels they called.
 *
 * ```text
 * deno run -A bench/profile.ts [--steps 5] [--batch 64] [--plain] [--by-shape]
 * ```
 * `--plain` profiles TF.js's own kernels (no litconv overrides; Conv2DBackpropFilter then
 * is the minimal one litconv adds, since without it training cannot run at all);
 * `--by-shape` tallies each kernel per input shapes and attributes.
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  getKernelsForBackend,
  registerKernel,
  unregisterKernel,
} from "npm:@tensorflow/tfjs-core@4.22.0";
import { tf, useBackend } from "../accel/backend.ts";
import { buildModel } from "../training/model.ts";
import { adam } from "../accel/adam.ts";
import { randomBatch, trainStep } from "./step.ts";

interface Tally {
  calls: number;
  self: number;
}

/** Wraps every registered wasm kernel with a timer; returns the tallies by kernel name. */
export function instrumentWasmKernels(byShape = false): Map<string, Tally> {
  const tallies = new Map<string, Tally>();
  const childTime: number[] = []; // a stack: time spent in kernels called by the current one
  for (const config of getKernelsForBackend("wasm")) {
    const inner = config.kernelFunc;
    const kernelFunc: typeof inner = (args) => {
      const key = byShape
        ? `${config.kernelName} ${
          Object.values(args.inputs).map((t) => `[${t?.shape}]`).join(" ")
        } ${JSON.stringify(args.attrs ?? {})}`
        : config.kernelName;
      let tally = tallies.get(key);
      if (!tally) tallies.set(key, tally = { calls: 0, self: 0 });
      childTime.push(0);
      const start = performance.now();
      const out = inner(args);
      const total = performance.now() - start;
      const children = childTime.pop()!;
      tally.calls++;
      tally.self += total - children;
      if (childTime.length > 0) childTime[childTime.length - 1] += total;
      return out;
    };
    unregisterKernel(config.kernelName, "wasm");
    registerKernel({ ...config, kernelFunc });
  }
  return tallies;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      steps: { type: "string", default: "5" },
      batch: { type: "string", default: "64" },
      plain: { type: "boolean", default: false },
      "by-shape": { type: "boolean", default: false },
    },
  });
  const steps = Number(values.steps), batch = Number(values.batch);
  if (values.plain) {
    // Only the missing kernel, so that training runs at all.
    const { conv2dBackpropFilter } = await import("../accel/wasm/conv2d_backprop_filter.ts");
    registerKernel({
      kernelName: "Conv2DBackpropFilter",
      backendName: "wasm",
      kernelFunc: conv2dBackpropFilter as never,
    });
    await tf.setBackend("wasm");
  } else {
    await useBackend("wasm");
  }
  const model = buildModel("lecture", 1);
  // Training's optimizer: the fused Adam (stock TF.js Adam under --plain).
  const optimizer = values.plain ? tf.train.adam(1e-3) : adam(1e-3);
  const { x, y } = randomBatch(batch);
  await trainStep(model, optimizer, x, y); // warm-up: XNNPACK sets up its operators
  const tallies = instrumentWasmKernels(values["by-shape"]);
  const start = performance.now();
  for (let i = 0; i < steps; i++) await trainStep(model, optimizer, x, y);
  const perStep = (performance.now() - start) / steps;
  const rows = [...tallies].filter(([, t]) => t.calls > 0).sort((a, b) => b[1].self - a[1].self);
  const kernelTotal = rows.reduce((s, [, t]) => s + t.self, 0) / steps;
  console.log(
    `wasm${values.plain ? " (TF.js kernels)" : " (litconv kernels)"}, batch ${batch}, ` +
      `${steps} steps: ${perStep.toFixed(1)} ms/step, ${kernelTotal.toFixed(1)} ms in kernels`,
  );
  console.log("kernel                      calls/step   ms/step   share");
  for (const [name, t] of rows) {
    const ms = t.self / steps;
    if (ms < 0.05) continue;
    console.log(
      `${name.padEnd(28)} ${(t.calls / steps).toFixed(0).padStart(10)}${
        ms.toFixed(2).padStart(10)
      }` +
        `${(100 * ms / perStep).toFixed(1).padStart(7)}%`,
    );
  }
}

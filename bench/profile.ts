/**
 * Where a training step's time goes on the wasm backend, kernel by kernel ("self" time:
 * a kernel that calls others is charged only its own), with Adam's update as a row of its
 * own. `--plain` profiles TF.js's own kernels, `--checkpoint RUN_DIR` a trained state beside
 * a fresh one in turn (`--ieee` adds Adam without subnormal flushing), `--subnormals`
 * counts subnormal values in every kernel's inputs and outputs.
 *
 * ```text
 * deno run -A bench/profile.ts [--steps 5] [--batch 64] [--plain] [--by-shape]
 *                              [--checkpoint RUN_DIR [--ieee]] [--mnist] [--subnormals]
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  getKernelsForBackend,
  registerKernel,
  type TensorInfo,
  unregisterKernel,
} from "../deps/tfjs_core.ts";
import { tf, useBackend } from "../accel/backend.ts";
import { buildModel } from "../training/model.ts";
import { adam, FusedAdam } from "../accel/adam.ts";
import { loadCheckpoint } from "../training/checkpoint.ts";
import { makeBatch } from "../training/loop.ts";
import { loadMnist, type MnistSplit } from "../data/mnist.ts";
import { randomBatch, trainStep } from "./step.ts";

interface Tally {
  calls: number;
  self: number;
}

/** Subnormal counts of one kernel's float32 inputs and outputs. */
export interface Census {
  calls: number;
  valuesIn: number;
  subnormalIn: number;
  valuesOut: number;
  subnormalOut: number;
}

/** How many of `values` are subnormal (0 < |x| < 2⁻¹²⁶), read from the bits. */
export function countSubnormals(values: Float32Array): number {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  let n = 0;
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i];
    if ((b & 0x7f800000) === 0 && (b & 0x7fffff) !== 0) n++;
  }
  return n;
}

/** Where the instrumented kernels report: switch `tallies`/`census` to profile one state. */
export interface Instrument {
  tallies: Map<string, Tally>;
  /** When set, every call's float32 inputs and outputs are counted here (slow). */
  census?: Map<string, Census>;
  /** Charges `fn`'s time, less the kernels it calls, to the row `name`. */
  timed<T>(name: string, fn: () => T): T;
}

/** Wraps every registered wasm kernel with a timer; returns where they report. */
export function instrumentWasmKernels(byShape = false): Instrument {
  const childTime: number[] = []; // a stack: time spent in kernels called by the current one
  const instrument: Instrument = {
    tallies: new Map(),
    timed<T>(key: string, fn: () => T): T {
      let tally = instrument.tallies.get(key);
      if (!tally) instrument.tallies.set(key, tally = { calls: 0, self: 0 });
      childTime.push(0);
      const start = performance.now();
      const out = fn();
      const total = performance.now() - start;
      const children = childTime.pop()!;
      tally.calls++;
      tally.self += total - children;
      if (childTime.length > 0) childTime[childTime.length - 1] += total;
      return out;
    },
  };
  for (const config of getKernelsForBackend("wasm")) {
    const inner = config.kernelFunc;
    const kernelFunc: typeof inner = (args) => {
      const key = byShape
        ? `${config.kernelName} ${
          Object.values(args.inputs).map((t) => `[${t?.shape}]`).join(" ")
        } ${JSON.stringify(args.attrs ?? {})}`
        : config.kernelName;
      const census = instrument.census;
      if (census) {
        const c = census.get(key) ?? { ...EMPTY_CENSUS };
        census.set(key, c);
        c.calls++;
        for (const t of Object.values(args.inputs)) {
          const values = t && floats(args.backend, t as TensorInfo);
          if (values) [c.valuesIn, c.subnormalIn] = add(c.valuesIn, c.subnormalIn, values);
        }
        const out = instrument.timed(key, () => inner(args));
        for (const t of Array.isArray(out) ? out : [out]) {
          const values = floats(args.backend, t);
          if (values) [c.valuesOut, c.subnormalOut] = add(c.valuesOut, c.subnormalOut, values);
        }
        return out;
      }
      return instrument.timed(key, () => inner(args));
    };
    unregisterKernel(config.kernelName, "wasm");
    registerKernel({ ...config, kernelFunc });
  }
  return instrument;
}

const EMPTY_CENSUS: Census = {
  calls: 0,
  valuesIn: 0,
  subnormalIn: 0,
  valuesOut: 0,
  subnormalOut: 0,
};

const add = (n: number, s: number, values: Float32Array) =>
  [n + values.length, s + countSubnormals(values)] as const;

/** A float32 tensor's values (read through the backend), else null. */
function floats(backend: unknown, t: TensorInfo): Float32Array | null {
  if (t.dtype !== "float32") return null;
  const b = backend as { readSync(dataId: unknown): unknown };
  const values = b.readSync(t.dataId);
  return values instanceof Float32Array ? values : null;
}

/** A model, its optimizer and the tallies of its steps. */
interface State {
  label: string;
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  tallies: Map<string, Tally>;
  stepMs: number[];
}

/** Times Adam's update of `optimizer` as the row "Adam update" of whatever is profiled. */
function timeAdam(optimizer: tf.Optimizer, instrument: Instrument): void {
  const apply = optimizer.applyGradients.bind(optimizer);
  optimizer.applyGradients = (g) => instrument.timed("Adam update", () => apply(g));
}

/** Counts subnormals in the weights, both moments and the gradients of one Adam update. */
function adamCensus(optimizer: tf.Optimizer, rows: Map<string, [number, number]>): () => void {
  const apply = optimizer.applyGradients.bind(optimizer);
  optimizer.applyGradients = (grads) => {
    const list = Array.isArray(grads)
      ? grads
      : Object.entries(grads).map(([name, tensor]) => ({ name, tensor }));
    const state = optimizer as unknown as {
      accumulatedFirstMoment: { variable: tf.Variable }[];
      accumulatedSecondMoment: { variable: tf.Variable }[];
    };
    const registered = tf.engine().registeredVariables;
    list.forEach(({ name, tensor }, i) => {
      const count = (what: string, t: tf.Tensor | undefined) => {
        if (!t) return;
        const values = t.dataSync() as Float32Array;
        rows.set(`${name.replace(/_\d+$/, "")} ${what}`, [values.length, countSubnormals(values)]);
      };
      count("weight", registered[name]);
      count("Adam m", state.accumulatedFirstMoment[i]?.variable);
      count("Adam v", state.accumulatedSecondMoment[i]?.variable);
      count("gradient", tensor);
    });
    apply(grads);
  };
  return () => delete (optimizer as { applyGradients?: unknown }).applyGradients;
}

function parse() {
  return parseArgs({
    args: Deno.args,
    options: {
      steps: { type: "string", default: "5" },
      batch: { type: "string", default: "64" },
      plain: { type: "boolean", default: false },
      "by-shape": { type: "boolean", default: false },
      checkpoint: { type: "string" },
      mnist: { type: "boolean", default: false },
      subnormals: { type: "boolean", default: false },
      ieee: { type: "boolean", default: false },
    },
  }).values;
}

if (import.meta.main) {
  const values = parse();
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
  // Training's optimizer: the fused Adam (stock TF.js Adam under --plain).
  const makeOptimizer = () => values.plain ? tf.train.adam(1e-3) : adam(1e-3);
  const states: State[] = [];
  const fresh = (label: string): State => ({
    label,
    model: buildModel("lecture", 1),
    optimizer: makeOptimizer(),
    tallies: new Map(),
    stepMs: [],
  });
  states.push(fresh("fresh"));
  if (values.checkpoint) {
    const trained = fresh("trained");
    await loadCheckpoint(values.checkpoint, trained.model, trained.optimizer);
    states.push(trained);
    if (values.ieee && trained.optimizer instanceof FusedAdam) {
      const ieee = fresh("trained, IEEE");
      await loadCheckpoint(values.checkpoint, ieee.model, ieee.optimizer);
      (ieee.optimizer as FusedAdam).flushSubnormals = false;
      states.push(ieee);
    }
  }
  // Batches: real digits when a trained state is profiled (its gradients depend on them).
  const useMnist = values.mnist || values.checkpoint !== undefined;
  const train: MnistSplit | null = useMnist ? loadMnist().train : null;
  const order = Array.from({ length: train?.count ?? 0 }, (_, i) => i);
  const batchAt = (i: number) => {
    if (!train) return randomBatch(batch);
    const from = (i * batch) % (train.count - batch);
    const { x, y } = makeBatch(train, order, from, from + batch);
    const oneHot = tf.oneHot(y, 10).toFloat() as tf.Tensor2D;
    y.dispose();
    return { x, y: oneHot };
  };
  const step = async (s: State, i: number) => {
    const { x, y } = batchAt(i);
    const start = performance.now();
    await trainStep(s.model, s.optimizer, x, y);
    s.stepMs.push(performance.now() - start);
    tf.dispose([x, y]);
  };
  // Warm-up: XNNPACK and oneDNN set up their operators.
  for (const s of states) await step(s, 0);
  for (const s of states) s.stepMs.length = 0;
  const instrument = instrumentWasmKernels(values["by-shape"]);
  for (const s of states) timeAdam(s.optimizer, instrument);
  for (let i = 1; i <= steps; i++) {
    for (const s of states) {
      instrument.tallies = s.tallies;
      await step(s, i);
    }
  }
  const perStep = (s: State) => s.stepMs.reduce((a, b) => a + b, 0) / steps;
  const kernelMs = (s: State) => [...s.tallies.values()].reduce((a, t) => a + t.self, 0) / steps;
  console.log(
    `wasm${values.plain ? " (TF.js kernels)" : " (litconv kernels)"}, batch ${batch}, ` +
      `${steps} steps${useMnist ? " on MNIST batches" : ""}` +
      (states.length > 1 ? `, fresh and trained (${values.checkpoint}) in turn` : ""),
  );
  for (const s of states) {
    console.log(
      `  ${s.label}: ${perStep(s).toFixed(1)} ms/step, ${kernelMs(s).toFixed(1)} ms in kernels`,
    );
  }
  const names = [...new Set(states.flatMap((s) => [...s.tallies.keys()]))];
  const ms = (s: State, name: string) => (s.tallies.get(name)?.self ?? 0) / steps;
  names.sort((a, b) => ms(states.at(-1)!, b) - ms(states.at(-1)!, a));
  const width = Math.max(28, ...names.map((n) => n.length));
  const col = Math.max(12, ...states.map((s) => s.label.length + 4));
  console.log(
    `${"kernel".padEnd(width)} calls/step` +
      states.map((s) => `${s.label} ms`.padStart(col)).join("") +
      (states.length > 1
        ? states.slice(1).map((s) => `${s.label}/fresh`.padStart(col + 3)).join("")
        : "   share"),
  );
  const row = (name: string, calls: string, at: (s: State) => number) => {
    const cells = states.map((s) => at(s).toFixed(2).padStart(col)).join("");
    const tail = states.length > 1
      ? states.slice(1).map((s) => `${(at(s) / at(states[0])).toFixed(2)}×`.padStart(col + 3))
        .join("")
      : `${(100 * at(states[0]) / perStep(states[0])).toFixed(1)}%`.padStart(8);
    console.log(`${name.padEnd(width)} ${calls.padStart(10)}${cells}${tail}`);
  };
  for (const name of names) {
    if (states.every((s) => ms(s, name) < 0.05)) continue;
    row(name, ((states[0].tallies.get(name)?.calls ?? 0) / steps).toFixed(0), (s) => ms(s, name));
  }
  row("whole step", "", perStep);

  if (values.subnormals) {
    for (const [k, s] of states.entries()) {
      const census = new Map<string, Census>();
      const adamRows = new Map<string, [number, number]>();
      instrument.census = census;
      instrument.tallies = new Map();
      const restore = adamCensus(s.optimizer, adamRows);
      await step(s, steps + 1 + k);
      restore();
      timeAdam(s.optimizer, instrument);
      instrument.census = undefined;
      console.log(`\nsubnormal float32 values in one step, ${s.label} state:`);
      console.log(`${"tensor".padEnd(width)}     values  subnormal`);
      for (const [name, [n, sub]] of adamRows) {
        console.log(`${name.padEnd(width)} ${String(n).padStart(10)} ${String(sub).padStart(10)}`);
      }
      console.log(
        `${"kernel".padEnd(width)} calls  values in  subnormal in  values out  subnormal out`,
      );
      for (const [name, c] of [...census].sort((a, b) => a[0].localeCompare(b[0]))) {
        console.log(
          `${name.padEnd(width)} ${String(c.calls).padStart(5)} ${
            String(c.valuesIn).padStart(10)
          } ${String(c.subnormalIn).padStart(13)} ${String(c.valuesOut).padStart(11)} ${
            String(c.subnormalOut).padStart(14)
          }`,
        );
      }
    }
  }
  for (const s of states) {
    s.optimizer.dispose();
    s.model.dispose();
  }
}

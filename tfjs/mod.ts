/**
 * litconv on TensorFlow.js: the TF.js twin of every naive kernel, the same names and
 * arguments, each `async`, returning the same plain arrays (`tfjs.conv1d(…)`); the backends
 * they run on; and the check that proves a twin agrees with its naive kernel.
 *
 * Importing this loads TF.js. The first twin called, or {@link useBackend}, starts a backend:
 * `--backend`/`TFJS_BACKEND` if given, else a hardware GPU (webgpu), else wasm.
 *
 * ```ts
 * import { tfjs, useBackend } from "./mod.ts";
 * import assert from "node:assert/strict";
 * await useBackend("cpu");
 * const x = [1, 3, 2, 4, 5, 6, 1, 3], w = [1, 0, 3, 1, 2];
 * assert.deepEqual(await tfjs.conv1d(x, w, { padding: 2 }), [5, 14, 16, 26, 24, 34, 19, 22]);
 * ```
 *
 * @module
 */
import { type OpName, type Ops, PAIRS } from "../kernels/registry.ts";
import type { AnyFunction, Pair } from "../kernels/op.ts";
import { runTwin } from "./run.ts";

export {
  availableBackends,
  type BackendInfo,
  type BackendName,
  type BackendReport,
  BACKENDS,
  currentBackend,
  probeBackends,
  useBackend,
} from "../accel/backend.ts";
export { runTwin } from "./run.ts";
export type {
  AnyFunction,
  Arbitrary,
  Cases,
  ContractName,
  Fc,
  Op,
  OpName,
  Ops,
  OpsOf,
  Pair,
  Task,
  Tensor,
  Tf,
} from "../mod.ts";
export { assertClose, type CheckOptions, checkPair, compareOnce } from "./agreement.ts";

/** The twin of a naive kernel of type `F`: the same arguments, the same result, async. */
export type Twin<F extends AnyFunction> = (...args: Parameters<F>) => Promise<ReturnType<F>>;

/** The twins of every operation that has one, by name. */
export type Twins = {
  [K in OpName as Ops[K] extends Pair ? K : never]: Twin<Ops[K]["naive"]>;
};

/**
 * Every TF.js twin, by the naive kernel's name: `await tfjs.conv2d(X, W, { padding: 1 })`.
 * Each frees every tensor it makes.
 */
export const tfjs: Twins = Object.fromEntries(
  PAIRS.map((pair) => [pair.name, (...args: unknown[]) => runTwin(pair, args)]),
) as unknown as Twins;

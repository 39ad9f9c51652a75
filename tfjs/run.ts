/**
 * How a twin runs on TF.js: build its result inside `tf.tidy` (which frees every
 * intermediate tensor, inputs included), read it back asynchronously, free it.
 *
 * Reads are always `await t.array()` / `await t.data()`, never `dataSync`: the webgpu backend
 * can only hand data back asynchronously.
 *
 * @module
 */
import { currentBackend, tf } from "../accel/backend.ts";
import type { AnyFunction, Pair } from "../kernels/op.ts";
import { readResult } from "./read.ts";

/**
 * Runs `pair`'s TF.js twin on `args` on the current backend (litconv's default if none was
 * chosen yet, rather than whichever TF.js would pick), and returns its result as plain
 * numbers, leaving no tensor behind.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { conv1dOp } from "../kernels/conv.ts";
 * import { runTwin } from "./run.ts";
 * assert.deepEqual(await runTwin(conv1dOp, [[1, 2, 3], [1, 1], {}]), [3, 5]);
 * ```
 */
export async function runTwin<F extends AnyFunction>(
  pair: Pair<F>,
  args: Parameters<F>,
): Promise<ReturnType<F>> {
  if (!tf.engine().backendName) await currentBackend();
  const out = tf.tidy(() => pair.twin(tf, ...args) as tf.TensorContainer);
  return await readResult(tf, out) as ReturnType<F>;
}

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
  if (out instanceof tf.Tensor) return await read(out) as ReturnType<F>;
  if (!isTensorRecord(out)) return out as ReturnType<F>;
  // An object of tensors (a backward pass's { dx, dweight, dbias }): read each, same keys.
  const result: Record<string, unknown> = {};
  try {
    for (const [key, t] of Object.entries(out)) result[key] = await read(t);
  } finally {
    tf.dispose(Object.values(out));
  }
  return result as ReturnType<F>;
}

/** Whether `v` is a plain object whose every value is a tensor. */
function isTensorRecord(v: unknown): v is Record<string, tf.Tensor> {
  return v !== null && typeof v === "object" && !Array.isArray(v) &&
    Object.values(v).length > 0 && Object.values(v).every((t) => t instanceof tf.Tensor);
}

/** A tensor's numbers (a number for a scalar), then the tensor freed. */
async function read(t: tf.Tensor): Promise<unknown> {
  try {
    return t.rank === 0 ? (await t.data())[0] : await t.array();
  } finally {
    t.dispose();
  }
}

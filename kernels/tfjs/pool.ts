/**
 * TF.js twins of the naive pooling layers in `../pool.ts`: `tf.maxPool` and
 * `tf.avgPool` with 'valid' windows (no padding), on one image with one channel.
 *
 * @module
 */
import { tf } from "../../accel/backend.ts";
import type { PoolOptions } from "../types.ts";
import { checkPool } from "../checks.ts";
import { readArray } from "./run.ts";

type Pool = (x: tf.Tensor4D, size: [number, number], stride: [number, number]) => tf.Tensor4D;

/** Shared body: reshape X to [1, H, W, 1], pool, reshape back to a matrix. */
function pool2d(fn: "maxPool2d" | "avgPool2d", X: number[][], options: PoolOptions, pool: Pool) {
  const { size, stride } = checkPool(fn, X, options);
  return readArray<number[][]>(() => {
    const out = pool(tf.tensor4d(X.flat(), [1, X.length, X[0].length, 1]), size, stride);
    return out.reshape([out.shape[1], out.shape[2]]);
  });
}

/**
 * Max pooling on TF.js. `stride` defaults to `size`.
 *
 * ```ts
 * import { maxPool2d } from "./pool.ts";
 * import assert from "node:assert/strict";
 * const X = [[1, 2, 0, 1], [3, 4, 1, 0], [0, 0, 5, 6], [1, 1, 7, 8]];
 * assert.deepEqual(await maxPool2d(X, { size: 2 }), [[4, 1], [1, 8]]);
 * ```
 */
export async function maxPool2d(X: number[][], options: PoolOptions): Promise<number[][]> {
  return await pool2d("maxPool2d", X, options, (x, size, s) => tf.maxPool(x, size, s, "valid"));
}

/**
 * Average pooling on TF.js: each window's mean. `stride` defaults to `size`.
 *
 * ```ts
 * import { avgPool2d } from "./pool.ts";
 * import assert from "node:assert/strict";
 * const X = [[1, 2, 0, 1], [3, 4, 1, 0], [0, 0, 5, 6], [1, 1, 7, 8]];
 * assert.deepEqual(await avgPool2d(X, { size: 2 }), [[2.5, 0.5], [0.5, 6.5]]);
 * ```
 */
export async function avgPool2d(X: number[][], options: PoolOptions): Promise<number[][]> {
  return await pool2d("avgPool2d", X, options, (x, size, s) => tf.avgPool(x, size, s, "valid"));
}

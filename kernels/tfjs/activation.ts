/**
 * TF.js twins of the activations in `../activation.ts`. `tf.softmax` and
 * `tf.logSoftmax` subtract each row's maximum before exponentiating, as the naive
 * kernels do, so logits of ±1000 stay finite here too.
 *
 * @module
 */
import { tf } from "../../accel/backend.ts";
import { checkSigmoid, checkSoftmax } from "../checks.ts";
import { readArray } from "./run.ts";

/**
 * The logistic sigmoid, element-wise, on TF.js.
 *
 * ```ts
 * import { sigmoid } from "./activation.ts";
 * import assert from "node:assert/strict";
 * const [a, b] = await sigmoid([0, 0.8]);
 * assert.equal(a, 0.5);
 * assert.equal(b.toFixed(4), "0.6900");
 * ```
 */
export async function sigmoid(x: number[]): Promise<number[]> {
  checkSigmoid(x);
  return await readArray<number[]>(() => tf.sigmoid(tf.tensor1d(x)));
}

/**
 * Row-wise softmax on TF.js.
 *
 * ```ts
 * import { softmax } from "./activation.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(await softmax([[1000, 1000]]), [[0.5, 0.5]]);
 * ```
 */
export async function softmax(x: number[][]): Promise<number[][]> {
  checkSoftmax("softmax", x);
  return await readArray<number[][]>(() => tf.softmax(tf.tensor2d(x)));
}

/**
 * Row-wise log-softmax on TF.js.
 *
 * ```ts
 * import { logSoftmax } from "./activation.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(await logSoftmax([[1000, -1000]]), [[0, -2000]]);
 * ```
 */
export async function logSoftmax(x: number[][]): Promise<number[][]> {
  checkSoftmax("logSoftmax", x);
  return await readArray<number[][]>(() => tf.logSoftmax(tf.tensor2d(x)));
}

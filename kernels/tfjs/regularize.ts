/**
 * TF.js twins of `../regularize.ts`: the L2 penalty and inverted dropout.
 *
 * Dropout's mask comes from TF.js's own seeded generator, not the naive kernel's
 * mulberry32, so the two agree in *structure* (each element is 0 or x/(1 − p)),
 * not element by element.
 *
 * @module
 */
import { tf } from "../../accel/backend.ts";
import type { DropoutOptions, NestedNumberArray } from "../types.ts";
import { checkDropout, checkL2Penalty } from "../checks.ts";
import { readArray, readScalar } from "./run.ts";

/**
 * λ Σ w² over every parameter: `tf.addN` of `tf.sum(tf.square(p))`, times λ.
 *
 * ```ts
 * import { l2Penalty } from "./regularize.ts";
 * import assert from "node:assert/strict";
 * assert.equal(await l2Penalty([[[1, 2], [3, 4]], [1]], 0.5), 0.5 * 31);
 * ```
 */
export async function l2Penalty(params: NestedNumberArray[], lambda: number): Promise<number> {
  checkL2Penalty(params, lambda);
  return await readScalar(() => {
    const sums = params.map((p) => tf.sum(tf.square(tf.tensor(p))));
    return tf.mul(tf.addN(sums), lambda);
  });
}

/** A fresh copy of a nested array (evaluation-mode dropout returns one). */
function copy<T extends NestedNumberArray>(x: T): T {
  return (Array.isArray(x) ? x.map((c) => copy(c)) : x) as T;
}

/**
 * Inverted dropout on TF.js: `tf.dropout` (zero with probability p, scale the rest
 * by 1/(1 − p)) in training; in evaluation, an unchanged copy of `x`.
 *
 * ```ts
 * import { dropout } from "./regularize.ts";
 * import assert from "node:assert/strict";
 * const y = await dropout([[1, 2], [3, 4]], 0.5, { training: true, seed: 7 });
 * assert.ok(y.flat().every((v, i) => v === 0 || v === 2 * [1, 2, 3, 4][i]));
 * assert.deepEqual(await dropout([1, 2], 0.5, { training: false, seed: 7 }), [1, 2]);
 * ```
 */
export async function dropout<T extends NestedNumberArray>(
  x: T,
  p: number,
  options: DropoutOptions,
): Promise<T> {
  checkDropout(x, p, options);
  if (!options.training) return copy(x);
  return await readArray<T>(() => tf.dropout(tf.tensor(x), p, undefined, options.seed));
}

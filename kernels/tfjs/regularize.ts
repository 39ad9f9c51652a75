/**
 * TF.js twins of `../regularize.ts`: the L2 penalty and inverted dropout.
 *
 * Dropout's mask comes from TF.js's own seeded generator, not the naive kernel's
 * mulberry32, so the two agree in *structure* (each element is 0 or x/(1 − p)),
 * not element by element.
 *
 * @module
 */
import { tf } from "../backend.ts";
import type { DropoutOptions, NestedNumberArray } from "../types.ts";
import { assertFiniteNumber, assertInteger, assertTensor, LitconvError } from "./checks.ts";
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
  const fn = "l2Penalty";
  if (!Array.isArray(params) || params.length === 0) {
    throw new LitconvError(fn, "params", `must be a non-empty list of parameter arrays`);
  }
  params.forEach((p, i) => assertTensor(fn, `params[${i}]`, p));
  assertFiniteNumber(fn, "lambda", lambda);
  if (lambda < 0) throw new LitconvError(fn, "lambda", `must be ≥ 0, got ${lambda}`);
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
  const fn = "dropout";
  const shape = assertTensor(fn, "x", x);
  const context = `x of shape [${shape.join(",")}]`;
  if (typeof p !== "number" || !(p >= 0 && p < 1)) {
    throw new LitconvError(fn, "p", `must lie in [0, 1), got ${String(p)} (${context})`);
  }
  if (typeof options?.training !== "boolean") {
    throw new LitconvError(
      fn,
      "training",
      `must be true or false, got ${String(options?.training)}`,
    );
  }
  assertInteger(fn, "seed", options.seed, -(2 ** 31));
  if (options.seed >= 2 ** 32) {
    throw new LitconvError(fn, "seed", `must fit in 32 bits, got ${options.seed}`);
  }
  if (!options.training) return copy(x);
  return await readArray<T>(() => tf.dropout(tf.tensor(x), p, undefined, options.seed));
}

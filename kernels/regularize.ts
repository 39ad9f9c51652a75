/**
 * Regularization: an L2 penalty on the weights, and (inverted) dropout.
 *
 * @module
 */
import { checkDropout, checkL2Penalty } from "./checks.ts";
import type { DropoutOptions, NestedNumberArray } from "./types.ts";

/** Every number in a nested array, in row-major order. */
export function leaves(x: NestedNumberArray): number[] {
  const out: number[] = [];
  const visit = (node: NestedNumberArray) => {
    if (Array.isArray(node)) node.forEach(visit);
    else out.push(node);
  };
  visit(x);
  return out;
}

/**
 * The L2 penalty λ Σ w² over every number of every parameter, as the lecture's
 * `l2_lambda * sum((p**2).sum() for p in layer.parameters())`.
 *
 * ```ts
 * import { l2Penalty } from "./regularize.ts";
 * import assert from "node:assert/strict";
 * const weight = [[1, 2], [3, 4]];
 * const bias = [1];
 * assert.equal(l2Penalty([weight, bias], 0.5), 0.5 * (1 + 4 + 9 + 16 + 1));
 * ```
 */
export function l2Penalty(params: NestedNumberArray[], lambda: number): number {
  checkL2Penalty(params, lambda);
  let sum = 0;
  for (const p of params) for (const w of leaves(p)) sum += w * w;
  return lambda * sum;
}

/**
 * mulberry32: a tiny, well-known 32-bit PRNG. Same seed, same sequence of
 * numbers in [0, 1), so a dropout mask can be reproduced exactly.
 *
 * ```ts
 * import { mulberry32 } from "./regularize.ts";
 * import assert from "node:assert/strict";
 * const a = mulberry32(42), b = mulberry32(42);
 * const u = a();
 * assert.ok(u >= 0 && u < 1);
 * assert.equal(u, b());
 * ```
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A fresh copy of `x` with `f` applied to every number. */
function mapLeaves<T extends NestedNumberArray>(x: T, f: (v: number) => number): T {
  return (Array.isArray(x) ? x.map((c) => mapLeaves(c, f)) : f(x as number)) as T;
}

/**
 * Inverted dropout. In training each element is zeroed with probability `p`
 * and every survivor is scaled by 1/(1 − p), so the expected value of each
 * element is unchanged and evaluation needs no rescaling: with
 * `training: false` it returns a copy of `x`. Elements are visited in row-major
 * order, one draw of a seeded mulberry32 each, so the same seed gives the same mask.
 *
 * ```ts
 * import { dropout } from "./regularize.ts";
 * import assert from "node:assert/strict";
 * const y = dropout([[1, 2], [3, 4]], 0.5, { training: true, seed: 7 });
 * assert.ok(y.flat().every((v, i) => v === 0 || v === 2 * [1, 2, 3, 4][i]));
 * assert.deepEqual(dropout([1, 2], 0.5, { training: false, seed: 7 }), [1, 2]);
 * ```
 */
export function dropout<T extends NestedNumberArray>(x: T, p: number, options: DropoutOptions): T {
  checkDropout(x, p, options);
  if (!options.training) return mapLeaves(x, (v) => v);
  const random = mulberry32(options.seed);
  const keep = 1 - p;
  return mapLeaves(x, (v) => (random() < p ? 0 : v / keep));
}

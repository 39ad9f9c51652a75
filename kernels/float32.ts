/**
 * How far a TF.js twin may honestly differ from its naive kernel: the error analysis every
 * operation's `tolerance` is built from.
 *
 * The naive kernels compute in float64, the twins in float32. Each bound follows the
 * textbook error analysis: with u = 2^-24 the unit roundoff of float32, rounding the inputs
 * costs at most u relative each, one multiply u, and a sum of k terms in *any* order at most
 * about k·u·Σ|term| (Higham, *Accuracy and Stability of Numerical Algorithms*, §3.1). So a
 * k-term dot product is off by at most ≈ (k + 2)·u·Σ|x·w|. Every bound is stated with
 * ε32 = 2^-23 = 2u, twice the analysis, because backends may reorder, fuse or (webgpu) use
 * functions with looser accuracy: WGSL allows `exp` 3 + 2|x| ULP and `log` an absolute 2^-21
 * near 1.
 *
 * A bound is one number for the whole output: the worst case over its elements. A real bug
 * (a wrong window, a missing flip, a wrong divisor) moves an output by an amount of the order
 * of the values themselves, millions of times more than these bounds.
 *
 * @module
 */
import { leaves } from "./nested.ts";

/** Machine epsilon of float32: the gap between 1 and the next float32. */
export const EPS32 = 2 ** -23;

/**
 * Absolute slack per summed term for underflow: a float32 product below 2^-126 may be
 * flushed to zero (webgpu does), and the arbitraries keep every factor ≤ 1000 in magnitude,
 * so each term loses less than 1000·2^-126 < 2^-100.
 */
export const UNDERFLOW = 2 ** -100;

/** The largest |v| in a nested array (0 for an empty one). */
export function maxAbs(x: unknown): number {
  return leaves(x).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

/** Σ|v| over a nested array. */
export function sumAbs(x: unknown): number {
  return leaves(x).reduce((s, v) => s + Math.abs(v), 0);
}

/**
 * A convolution-like sum of `k` products per output, each window's Σ|x·w| at most
 * `windowMass` (max|x| · Σ|w| bounds every window at once).
 *
 * @example A 5-tap kernel on inputs of size ≤ 6
 * ```ts
 * import assert from "node:assert/strict";
 * import { dotBound, EPS32 } from "./float32.ts";
 * assert.ok(dotBound(5, 6 * 7) < 300 * EPS32);
 * ```
 */
export function dotBound(k: number, windowMass: number): number {
  return (k + 2) * EPS32 * windowMass + k * UNDERFLOW;
}

/** The mean over a batch of `n` per-example values of magnitude ≤ `magnitude`. */
export function meanBound(n: number, magnitude: number): number {
  return (n + 4) * EPS32 * magnitude;
}

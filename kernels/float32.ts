/**
 * How far a TF.js twin may honestly differ from its naive kernel (float64 against float32):
 * the error analysis every operation's `tolerance` is built from. A k-term sum in any order
 * is off by at most about k·u·Σ|term| (u = 2⁻²⁴; Higham §3.1); every bound here uses
 * ε32 = 2⁻²³ = 2u, twice the analysis, since backends may reorder, fuse or (webgpu) use
 * looser `exp` and `log`. A bound is the worst case over the output; a real bug moves an
 * output by the order of the values themselves, millions of times more.
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

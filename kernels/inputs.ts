/**
 * Inputs the operations' graded cases share: the lecture's own examples, and small
 * deterministic arrays of whole numbers for edge cases (easy to read in feedback, exact in
 * float64).
 *
 * @module
 */

/** The lecture's 1-D input and kernel (`np.convolve` and `conv1d` give [5 14 16 26 24 34 19 22]). */
export const LECTURE_X = [1, 3, 2, 4, 5, 6, 1, 3];
/** The lecture's 1-D kernel. */
export const LECTURE_W = [1, 0, 3, 1, 2];

/** The lecture's 4×4 input of the 2-D example (`scipy.signal.convolve2d`). */
export const LECTURE_X2 = [[1, 3, 2, 4], [5, 6, 1, 3], [1, 2, 0, 2], [3, 4, 3, 2]];
/** The lecture's 3×3 kernel of the 2-D example. */
export const LECTURE_W2 = [[1, 0, 3], [1, 2, 1], [0, 1, 1]];

/** The lecture's logits for the cross-entropy example (target class 2, CE 0.5996). */
export const LECTURE_LOGITS = [1.5, 0.8, 2.1];

/** Lesson 05's 6×6 input to pool (its figure, its island and the tests use it). */
export const POOL_INPUT: number[][] = [
  [1, 3, 2, 9, 0, 1],
  [4, 6, 1, 3, 2, 2],
  [0, 2, 7, 1, 5, 3],
  [3, 1, 4, 8, 0, 6],
  [5, 0, 2, 2, 9, 1],
  [1, 8, 3, 0, 4, 4],
];

/**
 * `n` small whole numbers in [−4, 4], the same for the same `n` and `k`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ramp } from "./inputs.ts";
 * assert.deepEqual(ramp(4), [-1, -3, 4, 2]);
 * ```
 */
export function ramp(n: number, k = 1): number[] {
  return Array.from({ length: n }, (_, i) => ((i * 7 + k * 3) % 9) - 4);
}

/** An `h × w` matrix of small whole numbers, row r being `ramp(w, k + r)`. */
export function grid(h: number, w: number, k = 1): number[][] {
  return Array.from({ length: h }, (_, r) => ramp(w, k + r));
}

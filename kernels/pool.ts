/**
 * Subsampling (pooling) layers: slide a window over the input, no padding, and
 * keep one number per window: the largest (max pooling) or the mean (average
 * pooling). Pooling has no weights to learn.
 *
 * The window positions follow the convolution rule: output (i, j) reads the
 * window whose top-left corner is input (i·sr, j·sc), so the output has
 * `convOutputSize(n, size, 0, stride)` entries per axis.
 *
 * @module
 */
import { checkPool } from "./checks.ts";
import { convOutputSize } from "./conv.ts";
import type { PoolOptions } from "./types.ts";

/** Check the arguments and apply `reduce` to every window of `X`. */
function pool2d(
  fn: "maxPool2d" | "avgPool2d",
  X: number[][],
  options: PoolOptions,
  reduce: (window: number[]) => number,
): number[][] {
  const { size: [kh, kw], stride: [sr, sc] } = checkPool(fn, X, options);
  const [h, w] = [X.length, X[0].length];
  const outH = convOutputSize(h, kh, 0, sr);
  const outW = convOutputSize(w, kw, 0, sc);
  const out: number[][] = [];
  for (let i = 0; i < outH; i++) {
    const row: number[] = [];
    for (let j = 0; j < outW; j++) {
      const window: number[] = [];
      for (let a = 0; a < kh; a++) {
        for (let b = 0; b < kw; b++) window.push(X[i * sr + a][j * sc + b]);
      }
      row.push(reduce(window));
    }
    out.push(row);
  }
  return out;
}

/**
 * Max pooling: the largest value in each window. `size` and `stride` are a
 * number or `[rows, cols]`; `stride` defaults to `size`.
 *
 * ```ts
 * import { maxPool2d } from "./pool.ts";
 * import assert from "node:assert/strict";
 * const X = [[1, 2, 0, 1], [3, 4, 1, 0], [0, 0, 5, 6], [1, 1, 7, 8]];
 * assert.deepEqual(maxPool2d(X, { size: 2 }), [[4, 1], [1, 8]]);
 * ```
 */
export function maxPool2d(X: number[][], options: PoolOptions): number[][] {
  return pool2d("maxPool2d", X, options, (window) => Math.max(...window));
}

/**
 * Average pooling: the mean of each window, i.e. its sum divided by the
 * window's element count (rows × cols). `stride` defaults to `size`.
 *
 * ```ts
 * import { avgPool2d } from "./pool.ts";
 * import assert from "node:assert/strict";
 * const X = [[1, 2, 0, 1], [3, 4, 1, 0], [0, 0, 5, 6], [1, 1, 7, 8]];
 * assert.deepEqual(avgPool2d(X, { size: 2 }), [[2.5, 0.5], [0.5, 6.5]]);
 * ```
 */
export function avgPool2d(X: number[][], options: PoolOptions): number[][] {
  return pool2d("avgPool2d", X, options, (window) => {
    let sum = 0;
    for (const v of window) sum += v;
    return sum / window.length;
  });
}

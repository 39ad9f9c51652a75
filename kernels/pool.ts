/**
 * Subsampling (pooling) layers: slide a window over the input, no padding, and keep one
 * number per window: the largest (max pooling) or the mean (average pooling). Pooling has
 * no weights to learn.
 *
 * The window positions follow the convolution rule: output (i, j) reads the window whose
 * top-left corner is input (i·sr, j·sc), so the output has `convOutputSize(n, size, 0,
 * stride)` entries per axis.
 *
 * After the loops come their argument check and each operation's definition (see `op.ts`).
 *
 * @module
 */
import { assertMatrix, type PoolPlan, poolPlan } from "./errors.ts";
import { convOutputSize } from "./conv.ts";
import { EPS32, maxAbs, UNDERFLOW } from "./float32.ts";
import { grid, LECTURE_X2 } from "./inputs.ts";
import { type Fc, type Op, type Pair, scaleOfSums, type Tf } from "./op.ts";
import { matrixOf, pairOption } from "./arbitraries.ts";
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
 * Max pooling: the largest value in each window. `size` and `stride` are a number or
 * `[rows, cols]`; `stride` defaults to `size`.
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
 * Average pooling: the mean of each window, i.e. its sum divided by the window's element
 * count (rows × cols). `stride` defaults to `size`.
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

// ─── Argument check ───────────────────────────────────────────────────────────

/** maxPool2d / avgPool2d: a matrix, a window size that fits, a stride (default: the size). */
function checkPool(fn: "maxPool2d" | "avgPool2d", X: number[][], options: PoolOptions): PoolPlan {
  return poolPlan(fn, "X", X, assertMatrix(fn, "X", X), options);
}

// ─── Definitions: TF.js twins, random arguments, tolerances, graded tasks ─────
// The twins are tf.maxPool and tf.avgPool with 'valid' windows (no padding), on one image
// with one channel: X becomes [1, H, W, 1] and the result a matrix again.

/** X as one image of one channel for TF.js, pooled by `pool`, back to a matrix. */
function pool2dTwin(
  tf: Tf,
  fn: "maxPool2d" | "avgPool2d",
  X: number[][],
  options: PoolOptions,
) {
  const { size, stride } = checkPool(fn, X, options);
  const image = tf.tensor4d(X.flat(), [1, X.length, X[0].length, 1]);
  const out = fn === "maxPool2d"
    ? tf.maxPool(image, size, stride, "valid")
    : tf.avgPool(image, size, stride, "valid");
  return tf.reshape(out, [out.shape[1], out.shape[2]]);
}

/**
 * The pooling bound. Max: float32 rounding of the inputs is monotone, so the max is off only
 * by its own rounding, ≤ u·max|x|. Average: a k-term sum, then one division.
 */
function poolTolerance(X: number[][], windowSize: number, average: boolean): number {
  const k = average ? windowSize + 1 : 0;
  return (k + 1) * EPS32 * maxAbs(X) + windowSize * UNDERFLOW;
}

/** Random pooling arguments: a window that fits X; the stride sometimes left out. */
function poolArgs(fc: Fc) {
  return fc.record({ h: fc.integer({ min: 1, max: 8 }), w: fc.integer({ min: 1, max: 8 }) })
    .chain(({ h, w }) =>
      fc.tuple(
        matrixOf(fc, h, w),
        fc.record({ kh: fc.integer({ min: 1, max: h }), kw: fc.integer({ min: 1, max: w }) })
          .chain(({ kh, kw }) =>
            fc.record(
              {
                size: pairOption(fc, [kh, kw]),
                stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }))
                  .chain((s) => pairOption(fc, s)),
              },
              { requiredKeys: ["size"] },
            )
          ),
      )
    );
}

/** The visible cases of both pooling tasks: the same windows, strides and remainders. */
const poolCases = {
  examples: [["2×2 windows of the 4×4 example", [[LECTURE_X2, { size: 2 }]]]],
  edges: [
    ["stride 2 with a remainder", [[grid(5, 7), { size: 2 }], [grid(5, 5), {
      size: 3,
      stride: 2,
    }]]],
    ["1×1 windows", [[grid(2, 3), { size: 1 }]]],
    ["a [rows, cols] window", [[grid(4, 6), { size: [2, 3], stride: [1, 2] }]]],
  ],
} satisfies Pick<Op<typeof maxPool2d>["task"], "examples" | "edges">;

/** maxPool2d and its twin, `tf.maxPool`. */
export const maxPool2dOp: Pair<typeof maxPool2d> = {
  name: "maxPool2d",
  summary: "max pooling, no padding, stride defaults to the window",
  naive: maxPool2d,
  twin: (tf: Tf, X, options) => pool2dTwin(tf, "maxPool2d", X, options),
  tolerance: ([X]) => poolTolerance(X, 1, false),
  arbitrary: poolArgs,
  task: { id: "05.1", lesson: "05-pooling", title: "max pooling", ...poolCases, scale: () => 0 },
};

/** avgPool2d and its twin, `tf.avgPool`. */
export const avgPool2dOp: Pair<typeof avgPool2d> = {
  name: "avgPool2d",
  summary: "average pooling, no padding, stride defaults to the window",
  naive: avgPool2d,
  twin: (tf: Tf, X, options) => pool2dTwin(tf, "avgPool2d", X, options),
  tolerance: ([X, { size }]) => {
    const [r, c] = typeof size === "number" ? [size, size] : size;
    return poolTolerance(X, r * c, true);
  },
  arbitrary: poolArgs,
  task: {
    id: "05.2",
    lesson: "05-pooling",
    title: "mean pooling",
    ...poolCases,
    scale: scaleOfSums(avgPool2d),
  },
};

/**
 * Max pooling as a layer (`nn.MaxPool2d`): every channel of every image of an NCHW batch
 * pooled on its own, and the backward pass.
 *
 * Max pooling has no weights, and its backward pass is a router: each output was a copy of
 * one input cell, the window's maximum, so that cell alone receives the output's gradient;
 * the other cells of the window did not change the output and receive nothing. Where a
 * window holds its maximum twice, PyTorch (and TF.js) send the gradient to the *first* one in
 * row-major order, and so do we. Where windows overlap (stride < size), a cell can be the
 * maximum of several and collects each of their gradients.
 *
 * After the functions come their argument check and each operation's definition (see
 * `op.ts`).
 *
 * @module
 */
import { assertTensor, describeShape, LitconvError, type PoolPlan, poolPlan } from "./errors.ts";
import { dotBound, EPS32, maxAbs, UNDERFLOW } from "./float32.ts";
import { grid, LECTURE_X2 } from "./inputs.ts";
import { maxPool2d } from "./pool.ts";
import type { Fc, Pair, Tensor, Tf } from "./op.ts";
import { pairOption, tensorOf } from "./arbitraries.ts";
import type { PoolOptions } from "./types.ts";

/**
 * Max pooling of an NCHW batch, as `nn.MaxPool2d(size, stride)`: each channel of each image
 * pooled as `maxPool2d` pools a matrix (no padding; `stride` defaults to `size`).
 *
 * ```ts
 * import { maxPool2dLayer } from "./pool_layer.ts";
 * import assert from "node:assert/strict";
 * const x = [[[[1, 2, 0, 1], [3, 4, 1, 0], [0, 0, 5, 6], [1, 1, 7, 8]]]];
 * assert.deepEqual(maxPool2dLayer(x, { size: 2 }), [[[[4, 1], [1, 8]]]]);
 * ```
 */
export function maxPool2dLayer(x: number[][][][], options: PoolOptions): number[][][][] {
  checkPoolLayer("maxPool2dLayer", x, undefined, options);
  return x.map((image) => image.map((channel) => maxPool2d(channel, options)));
}

/**
 * The backward pass of `maxPool2dLayer(x, { size, stride })`: each entry of
 * dy = ∂L/∂y `[N, C, Ho, Wo]` goes to the cell of x that was its window's maximum (the
 * first one in row-major order where the maximum repeats); every other cell gets 0, and a
 * cell that is the maximum of several overlapping windows gets the sum.
 *
 * ```ts
 * import { maxPool2dLayerBackward } from "./pool_layer.ts";
 * import assert from "node:assert/strict";
 * const x = [[[[1, 2], [2, 0]]]]; // the maximum 2 twice: the first one gets dy
 * assert.deepEqual(maxPool2dLayerBackward(x, [[[[5]]]], { size: 2 }), [[[[0, 5], [0, 0]]]]);
 * ```
 */
export function maxPool2dLayerBackward(
  x: number[][][][],
  dy: number[][][][],
  options: PoolOptions,
): number[][][][] {
  const { size: [kh, kw], stride: [sr, sc] } = checkPoolLayer(
    "maxPool2dLayerBackward",
    x,
    dy,
    options,
  );
  const [outH, outW] = [dy[0][0].length, dy[0][0][0].length];
  const dx: number[][][][] = [];
  for (let n = 0; n < x.length; n++) {
    const image: number[][][] = [];
    for (let c = 0; c < x[n].length; c++) {
      const X = x[n][c];
      const grad = X.map((row) => row.map(() => 0));
      for (let i = 0; i < outH; i++) {
        for (let j = 0; j < outW; j++) {
          // Find the window's first maximum: scan row by row, and move only on a strictly
          // larger value, so a repeated maximum keeps the first place it was seen.
          let [bestR, bestC] = [i * sr, j * sc];
          for (let a = 0; a < kh; a++) {
            for (let b = 0; b < kw; b++) {
              const [r, q] = [i * sr + a, j * sc + b];
              if (X[r][q] > X[bestR][bestC]) [bestR, bestC] = [r, q];
            }
          }
          // Only that cell made the output, so only it receives the output's gradient.
          grad[bestR][bestC] += dy[n][c][i][j];
        }
      }
      image.push(grad);
    }
    dx.push(image);
  }
  return dx;
}

// ─── Argument check ───────────────────────────────────────────────────────────

/**
 * maxPool2dLayer and its backward pass: an NCHW x, a window that fits it, a stride (default:
 * the size), and for the backward pass a dy of the output's shape.
 */
function checkPoolLayer(
  fn: string,
  x: number[][][][],
  dy: number[][][][] | undefined,
  options: PoolOptions,
): PoolPlan {
  const [n, c, h, w] = assertTensor(fn, "x", x, 4);
  const { size, stride } = poolPlan(fn, "x", x, [h, w], options);
  if (dy !== undefined) {
    const got = assertTensor(fn, "dy", dy, 4);
    const want = [
      n,
      c,
      Math.floor((h - size[0]) / stride[0]) + 1,
      Math.floor((w - size[1]) / stride[1]) + 1,
    ];
    if (got.join() !== want.join()) {
      throw new LitconvError(
        fn,
        "dy",
        `has shape ${describeShape(dy)} but the pooled output is [${want.join(",")}] (x ${
          describeShape(x)
        }, ` +
          `size [${size.join(",")}], stride [${stride.join(",")}])`,
      );
    }
  }
  return { size, stride };
}

// ─── Definitions: TF.js twins, random arguments, tolerances, graded tasks ─────

/** The layer in TF.js: NCHW → NHWC, `tf.maxPool` ('valid'), back to NCHW. */
function maxPoolTf(tf: Tf, x: Tensor, { size, stride }: PoolPlan): Tensor {
  const nhwc = tf.transpose(x, [0, 2, 3, 1]) as ReturnType<Tf["tensor4d"]>;
  return tf.transpose(tf.maxPool(nhwc, size, stride, "valid"), [0, 3, 1, 2]);
}

/**
 * `maxPoolTf` for the webgpu backend, whose gradient of `tf.maxPool` (TF.js 4.22) sends a
 * tied maximum's gradient to the *last* one in row-major order, unlike PyTorch, TF.js's cpu
 * and wasm, and us (`tests/finite_difference_test.ts` keeps that fact checked). Turning the
 * part of x the windows cover by 180° first, and the output back after, maps each window
 * onto a window and its last cell onto its first, so the same autograd routes as PyTorch.
 * (In training a tie is almost always between zeros that ReLU produced and whose gradient
 * ReLU discards anyway, so the TF.js loop on webgpu learns the same.)
 */
function maxPoolTfFirstOnWebgpu(tf: Tf, x: Tensor, plan: PoolPlan): Tensor {
  const [, , h, w] = x.shape as number[];
  const [outH, outW] = pooledSize(h, w, plan.size, plan.stride);
  const coveredH = (outH - 1) * plan.stride[0] + plan.size[0];
  const coveredW = (outW - 1) * plan.stride[1] + plan.size[1];
  const covered = tf.slice(x, [0, 0, 0, 0], [-1, -1, coveredH, coveredW]);
  return tf.reverse(maxPoolTf(tf, tf.reverse(covered, [2, 3]), plan), [2, 3]);
}

/** The output shape of pooling `[h, w]` with this window and stride. */
function pooledSize(h: number, w: number, [kh, kw]: number[], [sr, sc]: number[]) {
  return [Math.floor((h - kh) / sr) + 1, Math.floor((w - kw) / sc) + 1];
}

/** Random NCHW x (N 1–2, C 1–3, 1–7 × 1–7), a window that fits, the stride sometimes left out. */
function poolLayerArgs(fc: Fc) {
  return fc.record({
    n: fc.integer({ min: 1, max: 2 }),
    c: fc.integer({ min: 1, max: 3 }),
    h: fc.integer({ min: 1, max: 7 }),
    w: fc.integer({ min: 1, max: 7 }),
  }).chain(({ n, c, h, w }) =>
    fc.record({
      kh: fc.integer({ min: 1, max: Math.min(h, 3) }),
      kw: fc.integer({ min: 1, max: Math.min(w, 3) }),
      sr: fc.integer({ min: 1, max: 3 }),
      sc: fc.integer({ min: 1, max: 3 }),
      strideGiven: fc.boolean(),
    }).chain(({ kh, kw, sr, sc, strideGiven }) =>
      fc.tuple(
        tensorOf(fc, [n, c, h, w]).map((t) => t as number[][][][]),
        strideGiven
          ? fc.record<PoolOptions>({
            size: pairOption(fc, [kh, kw]),
            stride: pairOption(fc, [sr, sc]),
          })
          : fc.record<PoolOptions>({ size: pairOption(fc, [kh, kw]) }),
      )
    )
  );
}

/** `[rows, cols]` of a size or stride option. */
const pairOf = (v: number | [number, number]): [number, number] =>
  typeof v === "number" ? [v, v] : v;

/**
 * maxPool2dLayer and its twin. The maximum is one of the inputs, so it is exact up to the
 * rounding of that input to float32 (rounding is monotone and keeps the maximum maximal).
 */
export const maxPool2dLayerOp: Pair<typeof maxPool2dLayer> = {
  name: "maxPool2dLayer",
  summary: "nn.MaxPool2d on an NCHW batch",
  naive: maxPool2dLayer,
  twin: (tf: Tf, x, options) => {
    const plan = checkPoolLayer("maxPool2dLayer", x, undefined, options);
    return maxPoolTf(tf, tf.tensor4d(x), plan);
  },
  tolerance: ([x]) => EPS32 * maxAbs(x) + UNDERFLOW,
  arbitrary: poolLayerArgs,
  task: {
    id: "11.6",
    lesson: "11-backprop",
    title: "max pooling as a layer (NCHW, as nn.MaxPool2d)",
    examples: [["2×2 windows of the 4×4 example, two channels", [[[[LECTURE_X2, grid(4, 4)]], {
      size: 2,
    }]]]],
    edges: [
      ["stride 2 with a remainder, a batch of two", [[[[grid(5, 5)], [grid(5, 5, 3)]], {
        size: 2,
      }]]],
      ["overlapping windows", [[[[grid(4, 5)]], { size: 3, stride: 1 }]]],
    ],
    scale: () => 0,
  },
};

/**
 * maxPool2dLayerBackward and its twin, TF.js's own gradient of `tf.maxPool` with dy as the
 * upstream gradient. Both send each dy to its window's first maximum, and a cell sums the dy
 * of the windows it wins: at most ⌈kH/sr⌉·⌈kW/sc⌉ of them, so that many terms' rounding.
 * One more honest difference: two inputs that differ in float64 may round to the same
 * float32, and then TF.js sees a tie where float64 does not; each window where the float32
 * first maximum is another cell moves its |dy| elsewhere, and the bound allows their sum.
 */
export const maxPool2dLayerBackwardOp: Pair<typeof maxPool2dLayerBackward> = {
  name: "maxPool2dLayerBackward",
  summary: "max pooling's backward pass: each dy to its window's first maximum",
  naive: maxPool2dLayerBackward,
  twin: (tf: Tf, x, dy, options) => {
    const plan = checkPoolLayer("maxPool2dLayerBackward", x, dy, options);
    const pool = tf.getBackend() === "webgpu" ? maxPoolTfFirstOnWebgpu : maxPoolTf;
    return tf.grad((t) => pool(tf, t, plan))(tf.tensor4d(x), tf.tensor4d(dy));
  },
  tolerance: ([x, dy, options]) => {
    const [kh, kw] = pairOf(options.size);
    const [sr, sc] = pairOf(options.stride ?? options.size);
    const overlaps = Math.ceil(kh / sr) * Math.ceil(kw / sc);
    return dotBound(overlaps, overlaps * maxAbs(dy)) + misroutedByRounding(x, dy, [kh, kw], [
      sr,
      sc,
    ]);
  },
  arbitrary: (fc) =>
    poolLayerArgs(fc).chain(([x, options]) => {
      const size = pairOf(options.size);
      const [outH, outW] = pooledSize(
        x[0][0].length,
        x[0][0][0].length,
        size,
        pairOf(options.stride ?? options.size),
      );
      return fc.tuple(
        fc.constant(x),
        tensorOf(fc, [x.length, x[0].length, outH, outW]).map((t) => t as number[][][][]),
        fc.constant(options),
      );
    }),
  task: {
    id: "11.7",
    lesson: "11-backprop",
    title: "max pooling's backward pass (to the first maximum)",
    examples: [["2×2 windows of the 4×4 example", [[[[LECTURE_X2]], [[[[1, 2], [3, 4]]]], {
      size: 2,
    }]]]],
    edges: [
      ["ties: the first maximum in row-major order", [[
        [[[[1, 1, 0, 2], [1, 0, 2, 2], [3, 3, 3, 3], [3, 3, 3, 3]]]],
        [[[[5, 6], [7, 8]]]],
        { size: 2 },
      ]]],
      ["overlapping windows add up", [[[[grid(4, 5)]], [[grid(2, 3, 2)]], {
        size: 3,
        stride: 1,
      }]]],
      ["stride 2 with a remainder: the last row gets nothing", [[[[grid(5, 5)]], [[grid(2, 2)]], {
        size: 2,
      }]]],
    ],
    scale: () => 0,
  },
};

/** `v` as float32 holds it, subnormals flushed to 0 as webgpu may. */
function toFloat32(v: number): number {
  const f = Math.fround(v);
  return Math.abs(f) < 2 ** -126 ? 0 : f;
}

/**
 * The Σ|dy| of the windows whose first maximum moves when x is rounded to float32 (two
 * values that differ in float64 but round, or flush, to the same float32: a tie TF.js
 * resolves to the first). Zero for the inputs of every graded case and almost every random one.
 */
function misroutedByRounding(
  x: number[][][][],
  dy: number[][][][],
  [kh, kw]: [number, number],
  [sr, sc]: [number, number],
): number {
  const firstMax = (X: number[][], i: number, j: number, round: (v: number) => number) => {
    let best = [i * sr, j * sc];
    for (let a = 0; a < kh; a++) {
      for (let b = 0; b < kw; b++) {
        const [r, q] = [i * sr + a, j * sc + b];
        if (round(X[r][q]) > round(X[best[0]][best[1]])) best = [r, q];
      }
    }
    return best.join();
  };
  let moved = 0;
  dy.forEach((image, n) =>
    image.forEach((map, c) =>
      map.forEach((row, i) =>
        row.forEach((g, j) => {
          const X = x[n][c];
          if (firstMax(X, i, j, (v) => v) !== firstMax(X, i, j, toFloat32)) moved += Math.abs(g);
        })
      )
    )
  );
  return moved;
}

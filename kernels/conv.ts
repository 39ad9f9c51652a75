/**
 * Discrete convolution, written as plainly as the lecture's loops: pad the input with zeros,
 * flip the kernel (for a *true* convolution), slide the window and sum the products; float64,
 * fresh arrays. Then each operation's argument checks and its definition (`op.ts`): TF.js
 * twin, random arguments, float32 tolerance and graded task.
 *
 * The four operations stay in one file (about 560 lines) on purpose: they share the padding,
 * the sliding window and the output-size check, and a student reads conv1d beside conv2d.
 *
 * Stride: output `i` reads the window starting at input index `i·s`. The lecture's `conv1d`
 * loops over `range(0, ⌊(n+2p−m)/s⌋+1, s)`, right only for s = 1 (its `conv2d` is right).
 *
 * @module
 */
import {
  assertInteger,
  assertMatrix,
  assertVector,
  describeShape,
  LitconvError,
  optionPair,
} from "./errors.ts";
import { dotBound, maxAbs, sumAbs } from "./float32.ts";
import {
  checkConv2dLayer,
  conv2dLayerTf,
  type Conv2dPlan,
  conv2dShape,
  convOptions,
  pad1d,
  pad2d,
} from "./conv_layer.ts";
import { grid, LECTURE_W, LECTURE_W2, LECTURE_X, LECTURE_X2, ramp } from "./inputs.ts";
import { leaves } from "./nested.ts";
import { type Fc, type Op, type Pair, scaleOfSums, type Tf } from "./op.ts";
import { matrixOf, tensorOf, value, vectorOf } from "./arbitraries.ts";
import type { ConvOptions } from "./types.ts";

/**
 * Length of a convolution's output: ⌊(n + 2p − m)/s⌋ + 1.
 *
 * @param n input length
 * @param m kernel length (at most n + 2p)
 * @param padding zeros added on each side
 * @param stride step between windows
 *
 * ```ts
 * import { convOutputSize } from "./conv.ts";
 * import assert from "node:assert/strict";
 * assert.equal(convOutputSize(8, 5, 2, 1), 8); // "same" padding
 * assert.equal(convOutputSize(8, 5, 2, 2), 4);
 * ```
 */
export function convOutputSize(n: number, m: number, padding = 0, stride = 1): number {
  checkConvOutputSize(n, m, padding, stride);
  return Math.floor((n + 2 * padding - m) / stride) + 1;
}

/**
 * The kernel reversed: `w[::-1]` in the lecture. A true convolution uses it.
 *
 * ```ts
 * import { flipKernel1d } from "./conv.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(flipKernel1d([1, 0, 3, 1, 2]), [2, 1, 3, 0, 1]);
 * ```
 */
export function flipKernel1d(w: number[]): number[] {
  return [...w].reverse();
}

/**
 * The kernel reversed along both axes: `W[::-1, ::-1]` in the lecture.
 *
 * ```ts
 * import { flipKernel2d } from "./conv.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(flipKernel2d([[1, 0, 3], [1, 2, 1], [0, 1, 1]]), [[1, 1, 0], [1, 2, 1], [3, 0, 1]]);
 * ```
 */
export function flipKernel2d(W: number[][]): number[][] {
  return W.map((row) => [...row].reverse()).reverse();
}

/**
 * Slide `K` over an already padded 2-D input, step `[sr, sc]`, summing products.
 * This is cross-correlation: the window is *not* flipped here.
 */
function slide2d(Xp: number[][], K: number[][], sr: number, sc: number): number[][] {
  const kh = K.length;
  const kw = K[0].length;
  const outH = Math.floor((Xp.length - kh) / sr) + 1;
  const outW = Math.floor((Xp[0].length - kw) / sc) + 1;
  const out: number[][] = [];
  for (let i = 0; i < outH; i++) {
    const row: number[] = [];
    for (let j = 0; j < outW; j++) {
      // The window for output (i, j) starts at input (i·sr, j·sc).
      let sum = 0;
      for (let a = 0; a < kh; a++) {
        for (let b = 0; b < kw; b++) sum += Xp[i * sr + a][j * sc + b] * K[a][b];
      }
      row.push(sum);
    }
    out.push(row);
  }
  return out;
}

/**
 * True 1-D convolution with zero padding and a stride, as `np.convolve`:
 * pad `x`, flip `w`, slide it along.
 *
 * ```ts
 * import { conv1d } from "./conv.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(
 *   conv1d([1, 3, 2, 4, 5, 6, 1, 3], [1, 0, 3, 1, 2], { padding: 2 }),
 *   [5, 14, 16, 26, 24, 34, 19, 22],
 * );
 * ```
 */
export function conv1d(x: number[], w: number[], options: ConvOptions = {}): number[] {
  const { padding: p, stride: s } = checkConv1d(x, w, options);
  const xPadded = pad1d(x, p);
  const wFlipped = flipKernel1d(w);
  const m = wFlipped.length;
  const outLength = convOutputSize(x.length, m, p, s);
  const out: number[] = [];
  for (let i = 0; i < outLength; i++) {
    // Output i reads the window starting at i·s (not i, as the lecture's loop does).
    let sum = 0;
    for (let k = 0; k < m; k++) sum += xPadded[i * s + k] * wFlipped[k];
    out.push(sum);
  }
  return out;
}

/**
 * True 2-D convolution with zero padding and a stride, as `scipy.signal.convolve2d`: pad
 * `X`, flip `W` along both axes, slide it. `padding` and `stride` are a number or
 * `[rows, cols]`.
 *
 * ```ts
 * import { conv2d } from "./conv.ts";
 * import assert from "node:assert/strict";
 * const X = [[1, 3, 2, 4], [5, 6, 1, 3], [1, 2, 0, 2], [3, 4, 3, 2]];
 * const W = [[1, 0, 3], [1, 2, 1], [0, 1, 1]];
 * assert.deepEqual(conv2d(X, W, { padding: 1 }), [
 *   [11, 25, 32, 13],
 *   [19, 25, 24, 13],
 *   [13, 28, 25, 17],
 *   [11, 17, 14, 9],
 * ]);
 * ```
 */
export function conv2d(X: number[][], W: number[][], options: ConvOptions = {}): number[][] {
  const { padding: [pr, pc], stride: [sr, sc] } = checkConv2d(X, W, options);
  return slide2d(pad2d(X, pr, pc), flipKernel2d(W), sr, sc);
}

/**
 * A convolutional layer exactly as PyTorch's `nn.Conv2d` computes it: NCHW input, weights
 * `[Cout, Cin, kH, kW]`, optional bias `[Cout]`.
 *
 * Note: deep-learning "convolution" is cross-correlation, the kernel is *not* flipped (a
 * learned kernel does not care). Each output channel is the sum, over input channels, of
 * one 2-D cross-correlation, plus that channel's bias.
 *
 * ```ts
 * import { conv2dLayer } from "./conv.ts";
 * import assert from "node:assert/strict";
 * const x = [[[[1, 2], [3, 4]]]]; // N=1, C=1, 2×2
 * const weight = [[[[1, 0], [0, 1]]]]; // Cout=1, Cin=1, 2×2
 * assert.deepEqual(conv2dLayer(x, weight, [10]), [[[[15]]]]); // 1·1 + 4·1 + 10
 * ```
 */
export function conv2dLayer(
  x: number[][][][],
  weight: number[][][][],
  bias?: number[],
  options: ConvOptions = {},
): number[][][][] {
  const { padding: [pr, pc], stride: [sr, sc] } = checkConv2dLayer(
    "conv2dLayer",
    x,
    weight,
    bias,
    options,
  );
  const [n, cOut, cIn] = [x.length, weight.length, weight[0].length];
  const out: number[][][][] = [];
  for (let s = 0; s < n; s++) {
    const padded = x[s].map((channel) => pad2d(channel, pr, pc));
    const sample: number[][][] = [];
    for (let o = 0; o < cOut; o++) {
      // Sum the cross-correlations of every input channel with its slice of the kernel.
      let map = slide2d(padded[0], weight[o][0], sr, sc);
      for (let i = 1; i < cIn; i++) {
        const part = slide2d(padded[i], weight[o][i], sr, sc);
        map = map.map((row, r) => row.map((v, q) => v + part[r][q]));
      }
      const b = bias?.[o] ?? 0;
      sample.push(map.map((row) => row.map((v) => v + b)));
    }
    out.push(sample);
  }
  return out;
}

// ─── Argument checks ──────────────────────────────────────────────────────────
// A naive kernel and its twin both call these first, so a bad call fails the same way on
// either side, naming the function, the argument and the shapes.

/** convOutputSize: whole-number sizes, and a kernel of length m that fits n + 2p. */
function checkConvOutputSize(n: number, m: number, padding: number, stride: number): void {
  const fn = "convOutputSize";
  assertInteger(fn, "n", n, 1);
  assertInteger(fn, "m", m, 1);
  assertInteger(fn, "padding", padding, 0);
  assertInteger(fn, "stride", stride, 1);
  if (m > n + 2 * padding) {
    throw new LitconvError(
      fn,
      "m",
      `(${m}) is larger than the padded input n + 2·padding = ${
        n + 2 * padding
      } (n ${n}, padding ${padding})`,
    );
  }
}

/** conv1d: two vectors, whole-number padding ≥ 0 and stride ≥ 1, a kernel that fits. */
function checkConv1d(
  x: number[],
  w: number[],
  options: ConvOptions,
): { padding: number; stride: number } {
  const fn = "conv1d";
  assertVector(fn, "x", x);
  assertVector(fn, "w", w);
  const context = `x of length ${x.length}, w of length ${w.length}`;
  const { padding = 0, stride = 1 } = options ?? {};
  // conv1d has one axis, so padding and stride are plain numbers, not pairs.
  if (Array.isArray(padding) || Array.isArray(stride)) {
    const arg = Array.isArray(padding) ? "padding" : "stride";
    throw new LitconvError(fn, arg, `must be a single number for 1-D input (${context})`);
  }
  const [p] = optionPair(fn, "padding", padding, 0, context);
  const [s] = optionPair(fn, "stride", stride, 1, context);
  if (w.length > x.length + 2 * p) {
    throw new LitconvError(
      fn,
      "w",
      `of length ${w.length} is larger than the padded input of length ${
        x.length + 2 * p
      } (x of length ${x.length} with padding ${p})`,
    );
  }
  return { padding: p, stride: s };
}

/** conv2d: two matrices, padding/stride as number or pair, a kernel that fits. */
function checkConv2d(X: number[][], W: number[][], options: ConvOptions): Conv2dPlan {
  const fn = "conv2d";
  const [h, w] = assertMatrix(fn, "X", X);
  const [kh, kw] = assertMatrix(fn, "W", W);
  const context = `X ${describeShape(X)}, W ${describeShape(W)}`;
  const { padding: [pr, pc], stride } = convOptions(fn, options, context);
  if (kh > h + 2 * pr || kw > w + 2 * pc) {
    throw new LitconvError(
      fn,
      "W",
      `of shape [${kh},${kw}] is larger than the padded input [${h + 2 * pr},${
        w + 2 * pc
      }] (X [${h},${w}] with padding [${pr},${pc}])`,
    );
  }
  return { padding: [pr, pc], stride };
}

// ─── Definitions: TF.js twins, random arguments, tolerances, graded tasks ─────
// TF.js differs from the loops above in two ways, both handled in the twins:
// - Flip. tf.conv1d/tf.conv2d compute cross-correlation, so a *true* convolution reverses
//   the kernel first; conv2dLayer, like nn.Conv2d, does not.
// - Layout. TF.js wants channels last (NHWC input, [kH, kW, Cin, Cout] filters; the wasm
//   backend supports nothing else), PyTorch and our layer keep channels first (NCHW,
//   [Cout, Cin, kH, kW]), so the layer's twin transposes on the way in and out.
// Zero padding is added with tf.pad and the convolution itself is 'valid', so the output
// size is ⌊(n + 2p − m)/s⌋ + 1 exactly as in the loops.

/** The convolution bound: k = kernel size, every window's Σ|x·w| ≤ max|x| · Σ|w|. */
function convTolerance(x: unknown, w: unknown): number {
  return dotBound(leaves(w).length, maxAbs(x) * sumAbs(w));
}

/** Random conv1d arguments: 1 ≤ m ≤ n + 2p, stride 1 to 4. */
function conv1dArgs(fc: Fc) {
  return fc.record({
    n: fc.integer({ min: 1, max: 12 }),
    padding: fc.integer({ min: 0, max: 3 }),
    stride: fc.integer({ min: 1, max: 4 }),
  }).chain(({ n, padding, stride }) =>
    fc.tuple(
      vectorOf(fc, n),
      fc.integer({ min: 1, max: n + 2 * padding }).chain((m) => vectorOf(fc, m)),
      fc.constant<ConvOptions>({ padding, stride }),
    )
  );
}

const strideOf = (options: ConvOptions | undefined) => (options?.stride as number) ?? 1;

/** The output-size formula: no twin (TF.js computes it inside every convolution). */
export const convOutputSizeOp: Op<typeof convOutputSize> = {
  name: "convOutputSize",
  summary: "the output length ⌊(n + 2p − m)/s⌋ + 1 of a convolution",
  naive: convOutputSize,
  // The sizes of random conv1d calls: every one is valid.
  arbitrary: (fc) =>
    conv1dArgs(fc).map(([x, w, o]) => [x.length, w.length, o.padding as number, strideOf(o)]),
  task: {
    id: "03.1",
    lesson: "03-padding",
    title: "the output-size formula",
    examples: [["the lecture's sizes (n 8, m 5, p 2, s 1 and 2)", [[8, 5, 2, 1], [8, 5, 2, 2]]]],
    edges: [
      ["stride 4 with a remainder", [[10, 3, 0, 4], [7, 2, 1, 3]]],
      ["padding larger than the kernel", [[3, 2, 3, 1]]],
      ["1×1", [[1, 1, 0, 1]]],
    ],
    properties: (_fc, arbitrary) => [["random sizes", arbitrary]],
    scale: () => 0,
  },
};

/** conv1d and its twin, `tf.conv1d` with the kernel reversed. */
export const conv1dOp: Pair<typeof conv1d> = {
  name: "conv1d",
  summary: "true 1-D convolution (flipped kernel), zero padding, stride",
  naive: conv1d,
  twin: (tf: Tf, x, w, options = {}) => {
    const { padding, stride } = checkConv1d(x, w, options);
    // tf.conv1d layout: input [batch, width, inChannels], filter [width, in, out].
    const input = tf.pad(tf.tensor3d(x, [1, x.length, 1]), [[0, 0], [padding, padding], [0, 0]]);
    const kernel = tf.reverse(tf.tensor3d(w, [w.length, 1, 1]), 0);
    return tf.reshape(tf.conv1d(input, kernel, stride, "valid"), [-1]);
  },
  tolerance: ([x, w]) => convTolerance(x, w),
  arbitrary: conv1dArgs,
  task: {
    id: "02.1",
    lesson: "02-conv1d",
    title: "1-D convolution with padding and stride",
    examples: [["the lecture's example, padding 2", [[LECTURE_X, LECTURE_W, { padding: 2 }]]]],
    edges: [
      ["stride 2 with a remainder", [
        [ramp(8), [1, 0, 3, 1, 2], { padding: 2, stride: 2 }],
        [ramp(9), [2, -1], { stride: 3 }],
      ]],
      ["padding larger than the kernel", [[ramp(3), [2, 5], { padding: 3 }]]],
      ["a single element", [[[7], [3]], [[7], [3], { padding: 1 }]]],
    ],
    // Split by stride: the textbook's stride bug should cost the stride > 1 runs only.
    properties: (_fc, arbitrary) => [
      ["random inputs, stride 1", arbitrary.filter(([, , o]) => strideOf(o) === 1)],
      ["random inputs, stride 2 to 4", arbitrary.filter(([, , o]) => strideOf(o) > 1)],
    ],
    scale: scaleOfSums(conv1d),
  },
};

/** conv2d and its twin, `tf.conv2d` with the kernel reversed on both axes. */
export const conv2dOp: Pair<typeof conv2d> = {
  name: "conv2d",
  summary: "true 2-D convolution (flipped kernel), zero padding, stride",
  naive: conv2d,
  twin: (tf: Tf, X, W, options = {}) => {
    const { padding: [pr, pc], stride } = checkConv2d(X, W, options);
    const [h, w] = [X.length, X[0].length];
    const [kh, kw] = [W.length, W[0].length];
    // One image with one channel: input [1, H, W, 1], filter [kH, kW, 1, 1].
    const image = tf.tensor4d(X.flat(), [1, h, w, 1]);
    const input = tf.pad(image, [[0, 0], [pr, pr], [pc, pc], [0, 0]]);
    const kernel = tf.reverse(tf.tensor4d(W.flat(), [kh, kw, 1, 1]), [0, 1]);
    const out = tf.conv2d(input, kernel, stride, "valid"); // [1, outH, outW, 1]
    return tf.reshape(out, [out.shape[1], out.shape[2]]);
  },
  tolerance: ([X, W]) => convTolerance(X, W),
  arbitrary: (fc) =>
    conv2dShape(fc).chain((s) =>
      fc.tuple(
        matrixOf(fc, s.h, s.w),
        matrixOf(fc, s.kh, s.kw),
        fc.constant<ConvOptions>({ padding: s.padding, stride: s.stride }),
      )
    ),
  task: {
    id: "04.1",
    lesson: "04-conv2d",
    title: "2-D convolution with padding and stride",
    examples: [["the lecture's 4×4 example, padding 1", [[LECTURE_X2, LECTURE_W2, {
      padding: 1,
    }]]]],
    edges: [
      ["stride 2 with a remainder", [
        [grid(5, 6), LECTURE_W2, { stride: 2 }],
        [LECTURE_X2, LECTURE_W2, { padding: 1, stride: [2, 3] }],
      ]],
      ["padding larger than the kernel", [[grid(2, 3), [[1, 2], [3, 4]], { padding: [3, 2] }]]],
      ["1×1 input and kernel", [[[[4]], [[-2]]], [[[4]], [[-2]], { padding: 1 }]]],
    ],
    scale: scaleOfSums(conv2d),
  },
};

/**
 * conv2dLayer and its twin: NCHW → NHWC, `tf.conv2d` (no flip), plus bias, back to NCHW.
 * Output channel o sums Cin·kH·kW products and its bias (one more term), so every window's
 * mass is at most max|x| · max_o Σ|weight[o]| + max|bias|.
 */
export const conv2dLayerOp: Pair<typeof conv2dLayer> = {
  name: "conv2dLayer",
  summary: "nn.Conv2d: NCHW cross-correlation over channels, plus bias",
  naive: conv2dLayer,
  twin: (tf: Tf, x, weight, bias, options = {}) => {
    const plan = checkConv2dLayer("conv2dLayer", x, weight, bias, options);
    const b = bias === undefined ? undefined : tf.tensor1d(bias);
    return conv2dLayerTf(tf, tf.tensor4d(x), tf.tensor4d(weight), b, plan);
  },
  tolerance: ([x, weight, bias]) => {
    const k = leaves(weight[0]).length + 1;
    const perChannel = Math.max(...weight.map(sumAbs));
    return dotBound(k, maxAbs(x) * perChannel + (bias ? maxAbs(bias) : 0));
  },
  // N 1–2, Cin and Cout 1–3, bias sometimes absent.
  arbitrary: (fc) =>
    fc.record({
      s: conv2dShape(fc),
      n: fc.integer({ min: 1, max: 2 }),
      cin: fc.integer({ min: 1, max: 3 }),
      cout: fc.integer({ min: 1, max: 3 }),
    }).chain(({ s, n, cin, cout }) =>
      fc.tuple(
        tensorOf(fc, [n, cin, s.h, s.w]).map((t) => t as number[][][][]),
        tensorOf(fc, [cout, cin, s.kh, s.kw]).map((t) => t as number[][][][]),
        fc.option(vectorOf(fc, cout, value(fc)), { nil: undefined }),
        fc.constant<ConvOptions>({ padding: s.padding, stride: s.stride }),
      )
    ),
  task: {
    id: "06.1",
    lesson: "06-channels",
    title: "a multi-channel convolution layer (NCHW, as nn.Conv2d)",
    examples: [[
      "two channels in, two out, with bias",
      [[[[LECTURE_X2, grid(4, 4, 2)]], [[LECTURE_W2, grid(3, 3, 5)], [grid(3, 3, 1), LECTURE_W2]], [
        1,
        -2,
      ], { padding: 1 }]],
    ]],
    edges: [
      ["no bias, stride 2 with a remainder", [[
        [[grid(5, 5)], [grid(5, 5, 3)]],
        [[LECTURE_W2]],
        undefined,
        {
          stride: 2,
        },
      ]]],
      ["1×1 input and kernel", [[[[[[3]]]], [[[[2]]], [[[-1]]]], [0.5, 0], {}]]],
    ],
    scale: scaleOfSums(conv2dLayer),
  },
};

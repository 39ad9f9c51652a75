/**
 * Discrete convolution, written as plainly as the lecture's loops.
 *
 * Each kernel does the same three steps a student does on paper:
 *
 * 1. pad the input with zeros,
 * 2. (for a *true* convolution) flip the kernel,
 * 3. slide the window over the padded input and sum the element-wise products.
 *
 * Everything is float64 and every call returns fresh arrays.
 *
 * A note on stride: the lecture's `conv1d` loops over start indices
 * `range(0, ⌊(n+2p−m)/s⌋+1, s)`, which is right only for s = 1: for s > 1 it
 * stops too early and returns too few outputs (its `conv2d` multiplies the bound
 * by s and is right). Here output index `i` reads the window that starts at input
 * index `i·s`, for `i = 0 … ⌊(n+2p−m)/s⌋`.
 *
 * @module
 */
import { checkConv1d, checkConv2d, checkConv2dLayer, checkConvOutputSize } from "./checks.ts";
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

/** `x` with `p` zeros before and after it. */
function pad1d(x: number[], p: number): number[] {
  const zeros = new Array<number>(p).fill(0);
  return [...zeros, ...x, ...zeros];
}

/** `X` inside a frame of zeros, `pr` rows above and below, `pc` columns left and right. */
function pad2d(X: number[][], pr: number, pc: number): number[][] {
  const width = X[0].length + 2 * pc;
  const zeroRow = () => new Array<number>(width).fill(0);
  const padded: number[][] = [];
  for (let r = 0; r < pr; r++) padded.push(zeroRow());
  for (const row of X) padded.push(pad1d(row, pc));
  for (let r = 0; r < pr; r++) padded.push(zeroRow());
  return padded;
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
 * True 2-D convolution with zero padding and a stride, as
 * `scipy.signal.convolve2d`: pad `X`, flip `W` along both axes, slide it.
 * `padding` and `stride` are a number or `[rows, cols]`.
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
 * A convolutional layer exactly as PyTorch's `nn.Conv2d` computes it: NCHW
 * input, weights `[Cout, Cin, kH, kW]`, optional bias `[Cout]`.
 *
 * Note: deep-learning "convolution" is cross-correlation, the kernel is *not*
 * flipped (a learned kernel does not care). Each output channel is the sum, over
 * input channels, of one 2-D cross-correlation, plus that channel's bias.
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
  const { padding: [pr, pc], stride: [sr, sc] } = checkConv2dLayer(x, weight, bias, options);
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

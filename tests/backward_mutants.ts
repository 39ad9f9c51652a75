/**
 * Deliberately wrong backward passes, each a bug students really write. The agreement check
 * (`mutants_test.ts`) and the finite-difference check (`finite_difference_test.ts`) must
 * each reject them.
 *
 * Each mutant is written out here on its own (only the part that is right is borrowed from
 * the real kernel), so a change to the kernels cannot quietly fix or break a mutant.
 *
 * @module
 */
import { conv2dLayerBackward } from "../kernels/conv_backward.ts";
import { softmax } from "../kernels/activation.ts";
import type { PoolOptions } from "../kernels/types.ts";

/** `[n, n]` for a number, the pair itself otherwise. */
const both = (v: number | [number, number] | undefined, fallback: number): [number, number] =>
  v === undefined ? [fallback, fallback] : typeof v === "number" ? [v, v] : v;

/** The convolution mutants have the signature of the kernel they get wrong. */
type ConvLayerBackward = typeof conv2dLayerBackward;

const zeros = (h: number, w: number) => Array.from({ length: h }, () => new Array(w).fill(0));

/** x's channel padded by [pr, pc] zeros. */
const padded = (X: number[][], pr: number, pc: number) => {
  const out = zeros(X.length + 2 * pr, X[0].length + 2 * pc);
  X.forEach((row, r) => row.forEach((v, c) => (out[r + pr][c + pc] = v)));
  return out;
};

/**
 * dx as a full convolution of dy with the kernel *as it is* (cross-correlating with the
 * unflipped kernel): the flip of the input gradient forgotten. Right for symmetric kernels.
 */
export const conv2dLayerBackwardNoFlip: ConvLayerBackward = (x, weight, dy, o = {}) => {
  const right = conv2dLayerBackward(x, weight, dy, o);
  const [pr, pc] = both(o.padding, 0);
  const [sr, sc] = both(o.stride, 1);
  const [h, w] = [x[0][0].length, x[0][0][0].length];
  const [kh, kw] = [weight[0][0].length, weight[0][0][0].length];
  const [outH, outW] = [dy[0][0].length, dy[0][0][0].length];
  const dx = x.map((image, n) =>
    image.map((_, c) => {
      const acc = zeros(h + 2 * pr, w + 2 * pc);
      weight.forEach((out, oc) => {
        // dy spread by the stride, framed by kH − 1, kW − 1 zeros.
        const framed = zeros((outH - 1) * sr + 2 * kh - 1, (outW - 1) * sc + 2 * kw - 1);
        dy[n][oc].forEach((row, i) =>
          row.forEach((g, j) => (framed[kh - 1 + i * sr][kw - 1 + j * sc] = g))
        );
        for (let r = 0; r < (outH - 1) * sr + kh; r++) {
          for (let q = 0; q < (outW - 1) * sc + kw; q++) {
            for (let a = 0; a < kh; a++) {
              for (let b = 0; b < kw; b++) acc[r][q] += framed[r + a][q + b] * out[c][a][b];
            }
          }
        }
      });
      return acc.slice(pr, pr + h).map((row) => row.slice(pc, pc + w));
    })
  );
  return { ...right, dx };
};

/** The filter gradient's window stepped by 1 instead of the stride. Right for stride 1. */
export const conv2dLayerBackwardStrideIgnored: ConvLayerBackward = (x, weight, dy, o = {}) => {
  const right = conv2dLayerBackward(x, weight, dy, o);
  const [pr, pc] = both(o.padding, 0);
  const xp = x.map((image) => image.map((channel) => padded(channel, pr, pc)));
  const dweight = weight.map((out, oc) =>
    out.map((taps, c) =>
      taps.map((row, a) =>
        row.map((_, b) => {
          let sum = 0;
          dy.forEach((image, n) =>
            image[oc].forEach((dyRow, i) =>
              dyRow.forEach((g, j) => (sum += g * xp[n][c][i + a][j + b]))
            )
          );
          return sum;
        })
      )
    )
  );
  return { ...right, dweight };
};

/** Every cell equal to its window's maximum gets the gradient, not only the first. */
export function maxPool2dLayerBackwardEveryMax(
  x: number[][][][],
  dy: number[][][][],
  o: PoolOptions,
): number[][][][] {
  const [kh, kw] = both(o.size, 1);
  const [sr, sc] = o.stride === undefined ? [kh, kw] : both(o.stride, 1);
  return x.map((image, n) =>
    image.map((X, c) => {
      const grad = X.map((row) => row.map(() => 0));
      dy[n][c].forEach((row, i) =>
        row.forEach((g, j) => {
          let max = -Infinity;
          for (let a = 0; a < kh; a++) {
            for (let b = 0; b < kw; b++) max = Math.max(max, X[i * sr + a][j * sc + b]);
          }
          for (let a = 0; a < kh; a++) {
            for (let b = 0; b < kw; b++) {
              if (X[i * sr + a][j * sc + b] === max) grad[i * sr + a][j * sc + b] += g;
            }
          }
        })
      );
      return grad;
    })
  );
}

/** softmax − one-hot without the mean's 1/N: the gradient of the *summed* loss. Right for N = 1. */
export function crossEntropyBackwardNoMean(logits: number[][], targets: number[]): number[][] {
  return softmax(logits).map((row, n) => row.map((p, k) => p - (k === targets[n] ? 1 : 0)));
}

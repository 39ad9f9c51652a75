/**
 * Argument checks for the twins. They mirror the naive kernels' checks, with the
 * same function names and messages, so a bad call fails the same way on either
 * side, *before* any tensor is made (TF.js's own errors name no litconv function).
 *
 * @module
 */
import {
  assertFiniteNumber,
  assertInteger,
  assertMatrix,
  assertTensor,
  assertVector,
  describeShape,
  LitconvError,
} from "../errors.ts";
import { optionPair } from "../conv.ts";
import type { ConvOptions, PoolOptions } from "../types.ts";

/** conv1d: two vectors, whole-number padding ≥ 0 and stride ≥ 1, a kernel that fits. */
export function checkConv1d(
  x: number[],
  w: number[],
  options: ConvOptions,
): { padding: number; stride: number } {
  const fn = "conv1d";
  assertVector(fn, "x", x);
  assertVector(fn, "w", w);
  const context = `x of length ${x.length}, w of length ${w.length}`;
  const { padding = 0, stride = 1 } = options ?? {};
  const [p] = optionPair(fn, "padding", typeof padding === "number" ? padding : [], 0, context);
  const [s] = optionPair(fn, "stride", typeof stride === "number" ? stride : [], 1, context);
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

/** Padding and stride of a 2-D convolution as `[rows, cols]` pairs. */
export interface Conv2dPlan {
  padding: [number, number];
  stride: [number, number];
}

/** conv2d: two matrices, padding/stride as number or pair, a kernel that fits. */
export function checkConv2d(X: number[][], W: number[][], options: ConvOptions): Conv2dPlan {
  const fn = "conv2d";
  const [h, w] = assertMatrix(fn, "X", X);
  const [kh, kw] = assertMatrix(fn, "W", W);
  const context = `X ${describeShape(X)}, W ${describeShape(W)}`;
  const [pr, pc] = optionPair(fn, "padding", options?.padding ?? 0, 0, context);
  const stride = optionPair(fn, "stride", options?.stride ?? 1, 1, context);
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

/** conv2dLayer: NCHW input, [Cout,Cin,kH,kW] weight, optional [Cout] bias, a kernel that fits. */
export function checkConv2dLayer(
  x: number[][][][],
  weight: number[][][][],
  bias: number[] | undefined,
  options: ConvOptions,
): Conv2dPlan {
  const fn = "conv2dLayer";
  const [, c, h, w] = assertTensor(fn, "x", x, 4);
  const [cOut, cIn, kh, kw] = assertTensor(fn, "weight", weight, 4);
  const context = `x ${describeShape(x)}, weight ${describeShape(weight)}`;
  if (c !== cIn) {
    throw new LitconvError(
      fn,
      "x",
      `has C=${c} channels but weight expects Cin=${cIn} (${context})`,
    );
  }
  if (bias !== undefined) {
    assertVector(fn, "bias", bias);
    if (bias.length !== cOut) {
      throw new LitconvError(
        fn,
        "bias",
        `has length ${bias.length} but weight has Cout=${cOut} output channels (${context})`,
      );
    }
  }
  const [pr, pc] = optionPair(fn, "padding", options?.padding ?? 0, 0, context);
  const stride = optionPair(fn, "stride", options?.stride ?? 1, 1, context);
  if (kh > h + 2 * pr || kw > w + 2 * pc) {
    throw new LitconvError(
      fn,
      "weight",
      `kernel [${kh},${kw}] is larger than the padded input [${h + 2 * pr},${
        w + 2 * pc
      }] (${context} with padding [${pr},${pc}])`,
    );
  }
  return { padding: [pr, pc], stride };
}

/** Pooling: a matrix, a window size that fits, a stride (default: the size). */
export function checkPool(
  fn: string,
  X: number[][],
  options: PoolOptions,
): { size: [number, number]; stride: [number, number] } {
  const [h, w] = assertMatrix(fn, "X", X);
  const context = `X ${describeShape(X)}`;
  if (options?.size === undefined) {
    throw new LitconvError(fn, "size", `is required, e.g. { size: 2 } (${context})`);
  }
  const size = optionPair(fn, "size", options.size, 1, context);
  const stride = optionPair(fn, "stride", options.stride ?? size, 1, context);
  if (size[0] > h || size[1] > w) {
    throw new LitconvError(
      fn,
      "size",
      `[${size[0]},${size[1]}] is larger than the input X [${h},${w}]`,
    );
  }
  return { size, stride };
}

/** Loss inputs: every value of `x` lies in [0, 1]. */
export function assertUnitInterval(fn: string, arg: string, x: number[]): void {
  x.forEach((v, i) => {
    if (v < 0 || v > 1) {
      throw new LitconvError(
        fn,
        arg,
        `must lie in [0, 1], got ${v} at [${i}] (${arg} of length ${x.length})`,
      );
    }
  });
}

/** Loss inputs: one target per example. */
export function assertSameLength(
  fn: string,
  a: string,
  x: number[],
  b: string,
  y: number[],
): void {
  if (x.length !== y.length) {
    throw new LitconvError(
      fn,
      b,
      `has length ${y.length} but ${a} has length ${x.length}: one target per example`,
    );
  }
}

/** Class indices: one per row, whole numbers in [0, classes). */
export function assertClassTargets(
  fn: string,
  rows: number,
  classes: number,
  targets: number[],
): void {
  assertVector(fn, "targets", targets);
  if (targets.length !== rows) {
    throw new LitconvError(
      fn,
      "targets",
      `has length ${targets.length} but the batch has ${rows} rows: one class index per row`,
    );
  }
  targets.forEach((t, i) => {
    if (!Number.isInteger(t) || t < 0 || t >= classes) {
      throw new LitconvError(
        fn,
        "targets",
        `must be whole class indices in [0, ${
          classes - 1
        }], got ${t} at [${i}] (batch [${rows},${classes}])`,
      );
    }
  });
}

export {
  assertFiniteNumber,
  assertInteger,
  assertMatrix,
  assertTensor,
  assertVector,
  LitconvError,
};

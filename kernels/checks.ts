/**
 * The argument checks of every public kernel, one function per operation.
 *
 * A naive kernel and its TF.js twin call the *same* check as their first line, so
 * a bad call fails identically on either side, with a {@link LitconvError} that
 * names the function, the argument and the shapes, before any loop runs or any
 * tensor is made (TF.js's own errors name no litconv function). Each check
 * returns what the kernel needs next: padding and stride as numbers or
 * `[rows, cols]` pairs, or the batch's `[rows, classes]`.
 *
 * ```ts
 * import { checkConv2d } from "./checks.ts";
 * import assert from "node:assert/strict";
 * const X = [[1, 2, 3], [4, 5, 6]];
 * assert.deepEqual(checkConv2d(X, [[1, 1]], { padding: [0, 1] }), {
 *   padding: [0, 1],
 *   stride: [1, 1],
 * });
 * assert.throws(() => checkConv2d(X, [[1, 1, 1, 1]], {}), /conv2d: W of shape \[1,4\]/);
 * ```
 *
 * @module
 */
import {
  asPair,
  assertFiniteNumber,
  assertInteger,
  assertMatrix,
  assertTensor,
  assertVector,
  describeShape,
  LitconvError,
} from "./errors.ts";
import type { ConvOptions, DropoutOptions, NestedNumberArray, PoolOptions } from "./types.ts";

/**
 * `asPair` (a number or `[rows, cols]` → a pair), with the shapes of the call's
 * arrays added to any error, so "stride … got 0" also says which inputs it was for.
 *
 * ```ts
 * import { optionPair } from "./checks.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(optionPair("conv2d", "padding", 1, 0, "X [4,4]"), [1, 1]);
 * assert.throws(() => optionPair("conv2d", "stride", 0, 1, "X [4,4]"), /\(X \[4,4\]\)/);
 * ```
 */
export function optionPair(
  fn: string,
  arg: string,
  v: unknown,
  min: number,
  context: string,
): [number, number] {
  try {
    return asPair(fn, arg, v, min);
  } catch (e) {
    if (!(e instanceof LitconvError)) throw e;
    const detail = e.message.slice(`${fn}: ${arg} `.length);
    throw new LitconvError(fn, arg, `${detail} (${context})`);
  }
}

// ─── Convolution ────────────────────────────────────────────────────────────

/** convOutputSize: whole-number sizes, and a kernel of length m that fits n + 2p. */
export function checkConvOutputSize(n: number, m: number, padding: number, stride: number): void {
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

// ─── Pooling ────────────────────────────────────────────────────────────────

/** maxPool2d / avgPool2d: a matrix, a window size that fits, a stride (default: the size). */
export function checkPool(
  fn: "maxPool2d" | "avgPool2d",
  X: number[][],
  options: PoolOptions,
): { size: [number, number]; stride: [number, number] } {
  const [h, w] = assertMatrix(fn, "X", X);
  const context = `X ${describeShape(X)}`;
  if (options?.size === undefined) {
    throw new LitconvError(fn, "size", `is required, e.g. { size: 2 } (${context})`);
  }
  const size = optionPair(fn, "size", options.size, 1, context);
  // Without a stride the windows tile the input: stride = size.
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

// ─── Activations ────────────────────────────────────────────────────────────

/** sigmoid: a non-empty vector of finite numbers. */
export function checkSigmoid(x: number[]): void {
  assertVector("sigmoid", "x", x);
}

/** softmax / logSoftmax: a non-empty rectangular matrix of logits, one row per example. */
export function checkSoftmax(fn: "softmax" | "logSoftmax", x: number[][]): void {
  assertMatrix(fn, "x", x);
}

// ─── Losses ─────────────────────────────────────────────────────────────────

/** Every value of `x` lies in [0, 1]. */
function assertUnitInterval(fn: string, arg: string, x: number[]): void {
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

/** `x` (named `a`) and `y` (named `b`) have the same length: one target per example. */
function assertSameLength(fn: string, a: string, x: number[], b: string, y: number[]): void {
  if (x.length !== y.length) {
    throw new LitconvError(
      fn,
      b,
      `has length ${y.length} but ${a} has length ${x.length}: one target per example`,
    );
  }
}

/** binaryCrossEntropy: probabilities and targets, both in [0, 1], one target per example. */
export function checkBce(probs: number[], targets: number[]): void {
  const fn = "binaryCrossEntropy";
  assertVector(fn, "probs", probs);
  assertVector(fn, "targets", targets);
  assertSameLength(fn, "probs", probs, "targets", targets);
  assertUnitInterval(fn, "probs", probs);
  assertUnitInterval(fn, "targets", targets);
}

/** binaryCrossEntropyWithLogits: any finite logits, targets in [0, 1], one per example. */
export function checkBceWithLogits(logits: number[], targets: number[]): void {
  const fn = "binaryCrossEntropyWithLogits";
  assertVector(fn, "logits", logits);
  assertVector(fn, "targets", targets);
  assertSameLength(fn, "logits", logits, "targets", targets);
  assertUnitInterval(fn, "targets", targets);
}

/**
 * A `[rows, classes]` score matrix (named `arg`) and one whole class index in
 * [0, classes) per row; returns `[rows, classes]`.
 */
function checkClassTargets(
  fn: string,
  arg: string,
  scores: number[][],
  targets: number[],
): [number, number] {
  const [rows, classes] = assertMatrix(fn, arg, scores);
  assertVector(fn, "targets", targets);
  if (targets.length !== rows) {
    throw new LitconvError(
      fn,
      "targets",
      `has length ${targets.length} but the batch has ${rows} rows (batch [${rows},${classes}]): one class index per row`,
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
  return [rows, classes];
}

/** nllLoss: a `[rows, classes]` matrix of log-probabilities and one class per row. */
export function checkNll(logProbs: number[][], targets: number[]): [number, number] {
  return checkClassTargets("nllLoss", "logProbs", logProbs, targets);
}

/** crossEntropy: a `[rows, classes]` matrix of logits and one class per row. */
export function checkCrossEntropy(logits: number[][], targets: number[]): [number, number] {
  return checkClassTargets("crossEntropy", "logits", logits, targets);
}

// ─── Regularization ─────────────────────────────────────────────────────────

/** l2Penalty: a non-empty list of rectangular parameter arrays, and λ ≥ 0. */
export function checkL2Penalty(params: NestedNumberArray[], lambda: number): void {
  const fn = "l2Penalty";
  if (!Array.isArray(params) || params.length === 0) {
    throw new LitconvError(fn, "params", `must be a non-empty list of parameter arrays`);
  }
  params.forEach((p, i) => assertTensor(fn, `params[${i}]`, p));
  assertFiniteNumber(fn, "lambda", lambda);
  if (lambda < 0) throw new LitconvError(fn, "lambda", `must be ≥ 0, got ${lambda}`);
}

/** dropout: a rectangular array, p in [0, 1), a boolean `training`, a 32-bit integer seed. */
export function checkDropout(x: NestedNumberArray, p: number, options: DropoutOptions): void {
  const fn = "dropout";
  const shape = assertTensor(fn, "x", x);
  const context = `x of shape [${shape.join(",")}]`;
  if (typeof p !== "number" || !(p >= 0 && p < 1)) {
    throw new LitconvError(fn, "p", `must lie in [0, 1), got ${String(p)} (${context})`);
  }
  if (typeof options?.training !== "boolean") {
    throw new LitconvError(
      fn,
      "training",
      `must be true or false, got ${String(options?.training)}`,
    );
  }
  // mulberry32 takes a 32-bit integer seed; any other seed would be silently truncated.
  assertInteger(fn, "seed", options.seed, -(2 ** 31));
  if (options.seed >= 2 ** 32) {
    throw new LitconvError(fn, "seed", `must fit in 32 bits, got ${options.seed}`);
  }
}

/**
 * The pair registry: every operation litconv teaches, as a naive kernel, its
 * TF.js twin, an arbitrary of its arguments and an honest error bound.
 *
 * The property tests, the grader and the site all read {@link PAIRS}: adding an
 * operation is one naive function, one twin and one entry here.
 *
 * ```ts
 * import { PAIRS } from "./registry.ts";
 * import assert from "node:assert/strict";
 * const conv1d = PAIRS.find((p) => p.name === "conv1d")!;
 * const args = [[1, 3, 2, 4, 5, 6, 1, 3], [1, 0, 3, 1, 2], { padding: 2 }];
 * assert.deepEqual(conv1d.naive(...args), [5, 14, 16, 26, 24, 34, 19, 22]);
 * assert.ok(conv1d.tolerance(args, conv1d.naive(...args)) < 1e-4);
 * ```
 *
 * @module
 */
import type fc from "npm:fast-check@4.10.2";
import * as activation from "./activation.ts";
import * as conv from "./conv.ts";
import * as loss from "./loss.ts";
import * as pool from "./pool.ts";
import * as regularize from "./regularize.ts";
import * as tfjs from "./tfjs/index.ts";
import * as arb from "./arbitraries.ts";
import * as tol from "./tfjs/tolerance.ts";
import { leaves } from "./regularize.ts";
import type { DropoutOptions, NestedNumberArray } from "./types.ts";

/**
 * One operation, twice. Members are declared as methods so that a list of pairs
 * with different argument types can share the type `Pair` (method parameters are
 * checked bivariantly in TypeScript).
 */
export interface Pair<A extends unknown[] = unknown[], R = unknown> {
  /** The public name, the same for both implementations, e.g. `"conv2d"`. */
  name: string;
  /** One line for a reader: what the operation is. */
  summary: string;
  /** The naive float64 kernel. */
  naive(...args: A): R;
  /** Its TF.js twin (float32, on the current backend). */
  tfjs(...args: A): Promise<R>;
  /** Random valid arguments. */
  arbitrary: fc.Arbitrary<A>;
  /** The largest honest |naive − tfjs| over the output's elements, for these arguments. */
  tolerance(args: A, naiveResult: R): number;
  /**
   * A structural comparison, for operations whose two results cannot agree element
   * by element (dropout draws its mask from different generators). Throws an
   * Error that explains the mismatch; when absent, results are compared element
   * by element within `tolerance`.
   */
  compare?(args: A, naiveResult: R, tfjsResult: R): void;
}

/** Keeps each entry's own argument types while it is written, then files it in the list. */
function pair<A extends unknown[], R>(p: Pair<A, R>): Pair {
  return p as unknown as Pair;
}

/**
 * Dropout's contract, checked on one result: evaluation returns `x` unchanged;
 * training keeps each element scaled by 1/(1 − p) (within float32 rounding of x
 * and of the scale, 4 ε32 relative) or zeroes it.
 */
export function checkDropoutResult(
  x: NestedNumberArray,
  p: number,
  training: boolean,
  result: NestedNumberArray,
  who: string,
): void {
  const xs = leaves(x);
  const ys = leaves(result);
  if (JSON.stringify(shapeOf(x)) !== JSON.stringify(shapeOf(result))) {
    throw new Error(
      `${who} dropout: shape ${JSON.stringify(shapeOf(result))}, expected ${
        JSON.stringify(shapeOf(x))
      }`,
    );
  }
  xs.forEach((v, i) => {
    const y = ys[i];
    const kept = v / (1 - p);
    const ok = training
      ? y === 0 || Math.abs(y - kept) <= 4 * tol.EPS32 * Math.abs(kept) + tol.UNDERFLOW
      : y === v;
    if (!ok) {
      throw new Error(
        `${who} dropout (training ${training}, p ${p}): element ${i} is ${y}, expected ${
          training ? `0 or x/(1 − p) = ${kept}` : `x = ${v}`
        }`,
      );
    }
  });
}

/** The shape of a nested array: `[]` for a number. */
function shapeOf(x: NestedNumberArray): number[] {
  return Array.isArray(x) ? [x.length, ...shapeOf(x[0])] : [];
}

/** Every operation with a naive kernel and a TF.js twin. */
export const PAIRS: readonly Pair[] = [
  pair({
    name: "conv1d",
    summary: "true 1-D convolution (flipped kernel), zero padding, stride",
    naive: conv.conv1d,
    tfjs: tfjs.conv1d,
    arbitrary: arb.conv1dArgs,
    tolerance: ([x, w]) => tol.convTolerance(x, w),
  }),
  pair({
    name: "conv2d",
    summary: "true 2-D convolution (flipped kernel), zero padding, stride",
    naive: conv.conv2d,
    tfjs: tfjs.conv2d,
    arbitrary: arb.conv2dArgs,
    tolerance: ([X, W]) => tol.convTolerance(X, W),
  }),
  pair({
    name: "conv2dLayer",
    summary: "nn.Conv2d: NCHW cross-correlation over channels, plus bias",
    naive: conv.conv2dLayer,
    tfjs: tfjs.conv2dLayer,
    arbitrary: arb.conv2dLayerArgs,
    tolerance: ([x, weight, bias]) => tol.convLayerTolerance(x, weight, bias),
  }),
  pair({
    name: "maxPool2d",
    summary: "max pooling, no padding, stride defaults to the window",
    naive: pool.maxPool2d,
    tfjs: tfjs.maxPool2d,
    arbitrary: arb.poolArgs,
    tolerance: ([X]) => tol.poolTolerance(X, 1, false),
  }),
  pair({
    name: "avgPool2d",
    summary: "average pooling, no padding, stride defaults to the window",
    naive: pool.avgPool2d,
    tfjs: tfjs.avgPool2d,
    arbitrary: arb.poolArgs,
    tolerance: ([X, { size }]) => {
      const [r, c] = typeof size === "number" ? [size, size] : size;
      return tol.poolTolerance(X, r * c, true);
    },
  }),
  pair({
    name: "sigmoid",
    summary: "logistic sigmoid, element-wise",
    naive: activation.sigmoid,
    tfjs: tfjs.sigmoid,
    arbitrary: arb.sigmoidArgs,
    tolerance: ([x]) => tol.sigmoidTolerance(x),
  }),
  pair({
    name: "softmax",
    summary: "row-wise softmax, stable for logits of ±1000",
    naive: activation.softmax,
    tfjs: tfjs.softmax,
    arbitrary: arb.logitRowsArgs,
    tolerance: ([x]) => tol.softmaxTolerance(x),
  }),
  pair({
    name: "logSoftmax",
    summary: "row-wise log-softmax, stable for logits of ±1000",
    naive: activation.logSoftmax,
    tfjs: tfjs.logSoftmax,
    arbitrary: arb.logitRowsArgs,
    tolerance: ([x]) => tol.logSoftmaxTolerance(x),
  }),
  pair({
    name: "binaryCrossEntropy",
    summary: "BCE of probabilities, logs clamped at −100 (nn.BCELoss)",
    naive: loss.binaryCrossEntropy,
    tfjs: tfjs.binaryCrossEntropy,
    arbitrary: arb.bceArgs,
    tolerance: ([p, t]) => tol.bceTolerance(p, t),
  }),
  pair({
    name: "binaryCrossEntropyWithLogits",
    summary: "BCE from logits, stable for |logit| ≫ 1 (nn.BCEWithLogitsLoss)",
    naive: loss.binaryCrossEntropyWithLogits,
    tfjs: tfjs.binaryCrossEntropyWithLogits,
    arbitrary: arb.bceWithLogitsArgs,
    tolerance: ([x, t]) => tol.bceWithLogitsTolerance(x, t),
  }),
  pair({
    name: "nllLoss",
    summary: "negative log-likelihood of class indices (nn.NLLLoss)",
    naive: loss.nllLoss,
    tfjs: tfjs.nllLoss,
    arbitrary: arb.nllArgs,
    tolerance: ([lp, t]) => tol.nllTolerance(lp, t),
  }),
  pair({
    name: "crossEntropy",
    summary: "cross-entropy from logits (nn.CrossEntropyLoss)",
    naive: loss.crossEntropy,
    tfjs: tfjs.crossEntropy,
    arbitrary: arb.crossEntropyArgs,
    tolerance: ([x, t]) => tol.crossEntropyTolerance(x, t),
  }),
  pair({
    name: "l2Penalty",
    summary: "λ Σ w² over every parameter",
    naive: regularize.l2Penalty,
    tfjs: tfjs.l2Penalty,
    arbitrary: arb.l2Args,
    tolerance: ([params, lambda]) => tol.l2Tolerance(params, lambda),
  }),
  pair<[NestedNumberArray, number, DropoutOptions], NestedNumberArray>({
    name: "dropout",
    summary: "inverted dropout: zero with probability p, scale the rest by 1/(1 − p)",
    naive: regularize.dropout,
    tfjs: tfjs.dropout,
    arbitrary: arb.dropoutArgs,
    tolerance: () => 0,
    compare: ([x, p, { training }], naive, twin) => {
      checkDropoutResult(x, p, training, naive, "naive");
      checkDropoutResult(x, p, training, twin, "tfjs");
    },
  }),
];

/**
 * Loss functions, each the mean over the batch, matching PyTorch's defaults
 * (`reduction="mean"`), so the lecture's printed numbers come out the same.
 *
 * After the functions come their argument checks and each operation's definition (see
 * `op.ts`).
 *
 * @module
 */
import { assertMatrix, assertVector, LitconvError } from "./errors.ts";
import { EPS32, maxAbs, meanBound, UNDERFLOW } from "./float32.ts";
import { LECTURE_LOGITS } from "./inputs.ts";
import type * as fastCheck from "../deps/fast_check.ts";
import { type Fc, type Pair, scaleOfInputs, type Tf } from "./op.ts";
import { logit, matrixOf, probability, vectorOf } from "./arbitraries.ts";
import { logSoftmax, logSoftmaxOp, softmax, softmaxOp } from "./activation.ts";

/**
 * The natural log, floored at −100 as PyTorch's BCELoss does: log(0) stays finite, and for
 * p = t = 1 the unused term is 0·(−100) = 0 rather than 0·(−∞) = NaN.
 */
function clampedLog(p: number): number {
  return Math.max(Math.log(p), -100);
}

/**
 * Binary cross-entropy of probabilities, −mean(t·log p + (1 − t)·log(1 − p)), as PyTorch's
 * `nn.BCELoss`. Like PyTorch we clamp each log at −100, so a confident wrong answer
 * (p = 0, t = 1) costs 100 instead of Infinity.
 *
 * ```ts
 * import { binaryCrossEntropy } from "./loss.ts";
 * import { sigmoid } from "./activation.ts";
 * import assert from "node:assert/strict";
 * assert.equal(binaryCrossEntropy(sigmoid([0.8]), [1]).toFixed(4), "0.3711");
 * ```
 */
export function binaryCrossEntropy(probs: number[], targets: number[]): number {
  checkBce(probs, targets);
  let sum = 0;
  probs.forEach((p, i) => {
    const t = targets[i];
    sum += -(t * clampedLog(p) + (1 - t) * clampedLog(1 - p));
  });
  return sum / probs.length;
}

/**
 * Binary cross-entropy straight from logits, as PyTorch's `nn.BCEWithLogitsLoss`. It uses
 * the stable form max(x, 0) − x·t + log(1 + e^(−|x|)), which equals BCE(sigmoid(x), t) but
 * never exponentiates a large positive number.
 *
 * ```ts
 * import { binaryCrossEntropyWithLogits } from "./loss.ts";
 * import assert from "node:assert/strict";
 * assert.equal(binaryCrossEntropyWithLogits([0.8], [1]).toFixed(4), "0.3711");
 * ```
 */
export function binaryCrossEntropyWithLogits(logits: number[], targets: number[]): number {
  checkBceWithLogits(logits, targets);
  let sum = 0;
  logits.forEach((x, i) => {
    sum += Math.max(x, 0) - x * targets[i] + Math.log1p(Math.exp(-Math.abs(x)));
  });
  return sum / logits.length;
}

/**
 * Negative log-likelihood: the mean over rows of −logProbs[i][targets[i]], as PyTorch's
 * `nn.NLLLoss`. `logProbs` are log-probabilities (e.g. `logSoftmax`).
 *
 * ```ts
 * import { nllLoss } from "./loss.ts";
 * import { logSoftmax } from "./activation.ts";
 * import assert from "node:assert/strict";
 * assert.equal(nllLoss(logSoftmax([[1.5, 0.8, 2.1]]), [2]).toFixed(4), "0.5996");
 * ```
 */
export function nllLoss(logProbs: number[][], targets: number[]): number {
  const [rows] = checkClassTargets("nllLoss", "logProbs", logProbs, targets);
  let sum = 0;
  targets.forEach((t, i) => (sum -= logProbs[i][t]));
  return sum / rows;
}

/**
 * Cross-entropy from logits, as PyTorch's `nn.CrossEntropyLoss`: nllLoss of logSoftmax. The
 * stable logSoftmax keeps it finite and exact for logits of ±1000.
 *
 * ```ts
 * import { crossEntropy } from "./loss.ts";
 * import assert from "node:assert/strict";
 * assert.equal(crossEntropy([[1.5, 0.8, 2.1]], [2]).toFixed(4), "0.5996");
 * assert.equal(crossEntropy([[1000, -1000]], [1]), 2000);
 * ```
 */
export function crossEntropy(logits: number[][], targets: number[]): number {
  // Check here too, so errors name crossEntropy rather than the nllLoss it calls.
  checkClassTargets("crossEntropy", "logits", logits, targets);
  return nllLoss(logSoftmax(logits), targets);
}

/**
 * The backward pass of `crossEntropy(logits, targets)`, the mean loss over N rows: the
 * gradient with respect to the logits, (softmax(logits) − one-hot(targets)) / N.
 *
 * Why so simple: row n's loss is log Σ_k e^(x_k) − x_t. Its slope in x_j is
 * e^(x_j) / Σ_k e^(x_k) = softmax_j from the first term, minus 1 where j = t from the
 * second: p − y. The mean divides every row's share by N.
 *
 * ```ts
 * import { crossEntropyBackward } from "./loss.ts";
 * import assert from "node:assert/strict";
 * const [[a, b]] = crossEntropyBackward([[0, 0]], [1]); // softmax [0.5, 0.5], target 1
 * assert.deepEqual([a, b], [0.5, -0.5]);
 * ```
 */
export function crossEntropyBackward(logits: number[][], targets: number[]): number[][] {
  const [rows] = checkClassTargets("crossEntropyBackward", "logits", logits, targets);
  const probs = softmax(logits);
  return probs.map((row, n) => row.map((p, k) => ((p - (k === targets[n] ? 1 : 0)) / rows)));
}

// ─── Argument checks ──────────────────────────────────────────────────────────

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

/**
 * The checks both binary cross-entropies share: a vector of `values` (named `arg`) and as many
 * targets, each in [0, 1].
 */
function checkBinaryTargets(fn: string, arg: string, values: number[], targets: number[]): void {
  assertVector(fn, arg, values);
  assertVector(fn, "targets", targets);
  if (values.length !== targets.length) {
    throw new LitconvError(
      fn,
      "targets",
      `has length ${targets.length} but ${arg} has length ${values.length}: one target per example`,
    );
  }
  assertUnitInterval(fn, "targets", targets);
}

/** binaryCrossEntropy: probabilities and targets, both in [0, 1], one target per example. */
function checkBce(probs: number[], targets: number[]): void {
  checkBinaryTargets("binaryCrossEntropy", "probs", probs, targets);
  assertUnitInterval("binaryCrossEntropy", "probs", probs);
}

/** binaryCrossEntropyWithLogits: any finite logits, targets in [0, 1], one per example. */
function checkBceWithLogits(logits: number[], targets: number[]): void {
  checkBinaryTargets("binaryCrossEntropyWithLogits", "logits", logits, targets);
}

/**
 * A `[rows, classes]` score matrix (named `arg`) and one whole class index in [0, classes)
 * per row; returns `[rows, classes]`.
 */
function checkClassTargets(
  fn: "nllLoss" | "crossEntropy" | "crossEntropyBackward",
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

// ─── Definitions: TF.js twins, random arguments, tolerances, graded tasks ─────

/** A target of binary cross-entropy: a hard label 0 or 1, or a soft one in [0, 1]. */
const binaryTarget = (fc: Fc) =>
  fc.oneof(fc.constantFrom(0, 1), fc.double({ min: 0, max: 1, noNaN: true }));

/** A batch of 1–8 values drawn from `v`, and as many binary targets. */
function binaryBatch(
  fc: Fc,
  v: fastCheck.Arbitrary<number>,
): fastCheck.Arbitrary<[number[], number[]]> {
  return fc.integer({ min: 1, max: 8 })
    .chain((n) => fc.tuple(vectorOf(fc, n, v), vectorOf(fc, n, binaryTarget(fc))));
}

/** A batch of `rows × classes` scores and one class index per row. */
function classBatch(
  fc: Fc,
  score: fastCheck.Arbitrary<number>,
): fastCheck.Arbitrary<[number[][], number[]]> {
  return fc.record({ r: fc.integer({ min: 1, max: 5 }), c: fc.integer({ min: 1, max: 6 }) })
    .chain(({ r, c }) =>
      fc.tuple(matrixOf(fc, r, c, score), vectorOf(fc, r, fc.integer({ min: 0, max: c - 1 })))
    );
}

/** One row per target, in TF.js: 1 in the target's column of `classes`, 0 elsewhere. */
function oneHotRows(tf: Tf, targets: number[], classes: number) {
  const columns = tf.reshape(tf.range(0, classes, 1, "int32"), [1, classes]);
  const wanted = tf.tensor2d(targets, [targets.length, 1], "int32");
  return tf.cast(tf.equal(columns, wanted), "float32");
}

/** The lecture's logits as log-probabilities: log-softmax of [1.5, 0.8, 2.1]. */
const LECTURE_LOG_PROBS = logSoftmax([LECTURE_LOGITS])[0];

/**
 * binaryCrossEntropy and its twin: the same formula in TF.js ops (TF.js's own
 * `tf.losses.logLoss` adds ε = 1e-7 inside the logs instead of clamping them, so it is not
 * nn.BCELoss).
 *
 * Its inputs are ill-conditioned near p = 1: log(1 − p) moves by u·p/(1 − p) when p is
 * rounded to float32 (all of 1 − p is lost once p rounds to 1). So the *exact* effect of that
 * rounding, the float64 loss at the float32-rounded inputs minus the loss at the inputs, is
 * part of the bound; the float32 arithmetic (WGSL log: 2^-21 absolute + 3 ULP) is bounded
 * per term by ε32·(8 + 4·|term|) and averaged.
 */
export const binaryCrossEntropyOp: Pair<typeof binaryCrossEntropy> = {
  name: "binaryCrossEntropy",
  summary: "BCE of probabilities, logs clamped at −100 (nn.BCELoss)",
  naive: binaryCrossEntropy,
  twin: (tf: Tf, probs, targets) => {
    checkBce(probs, targets);
    const p = tf.tensor1d(probs);
    const t = tf.tensor1d(targets);
    const clamped = (v: ReturnType<Tf["log"]>) => tf.maximum(tf.log(v), -100);
    const terms = tf.add(tf.mul(t, clamped(p)), tf.mul(tf.sub(1, t), clamped(tf.sub(1, p))));
    return tf.neg(tf.mean(terms));
  },
  tolerance: ([probs, targets]) => {
    const n = probs.length;
    const term = (p: number, t: number) => -(t * clampedLog(p) + (1 - t) * clampedLog(1 - p));
    let rounding = 0;
    let arithmetic = 0;
    probs.forEach((p, i) => {
      const [pf, tf] = [Math.fround(p), Math.fround(targets[i])];
      rounding += Math.abs(term(pf, tf) - term(p, targets[i]));
      arithmetic += 8 + 4 * Math.abs(term(pf, tf));
    });
    return rounding / n + meanBound(n, arithmetic / n);
  },
  arbitrary: (fc) => binaryBatch(fc, probability(fc)),
  task: {
    id: "07.4",
    lesson: "07-regularization",
    title: "binary cross-entropy from probabilities",
    examples: [[
      "the lecture's sigmoid(0.8) with target 1 (0.3711)",
      [[[1 / (1 + Math.exp(-0.8))], [1]]],
    ]],
    edges: [["probabilities exactly 0 and 1 (logs clamped at −100)", [[[0, 1, 1, 0], [
      1,
      0,
      1,
      0,
    ]]]]],
    // Its logs are clamped at −100: its terms are at most 100.
    scale: () => 100,
  },
};

/**
 * binaryCrossEntropyWithLogits and its twin, `tf.losses.sigmoidCrossEntropy`. Rounding x and
 * t moves a term by ≤ u·|x|·(1 + t) (its slope in x is σ(x) − t, in t it is −x); each of the
 * three parts is ≤ |x| or ≤ log 2 and rounds once.
 */
export const binaryCrossEntropyWithLogitsOp: Pair<typeof binaryCrossEntropyWithLogits> = {
  name: "binaryCrossEntropyWithLogits",
  summary: "BCE from logits, stable for |logit| ≫ 1 (nn.BCEWithLogitsLoss)",
  naive: binaryCrossEntropyWithLogits,
  twin: (tf: Tf, logits, targets) => {
    checkBceWithLogits(logits, targets);
    return tf.losses.sigmoidCrossEntropy(tf.tensor1d(targets), tf.tensor1d(logits));
  },
  tolerance: ([logits, targets]) => {
    const n = logits.length;
    const mass = logits.reduce((s, x, i) => s + 2 * Math.abs(x) * (1 + targets[i]) + 4, 0) / n;
    return meanBound(n, mass);
  },
  arbitrary: (fc) => binaryBatch(fc, logit(fc)),
  task: {
    id: "07.5",
    lesson: "07-regularization",
    title: "binary cross-entropy from logits, stable for large logits",
    examples: [["the lecture's logit 0.8 with target 1 (0.3711)", [[[0.8], [1]]]]],
    edges: [["logits of ±1000", [[[1000, -1000, 800, -800], [0, 1, 1, 0]]]]],
    scale: scaleOfInputs,
  },
};

/**
 * nllLoss and its twin: `tf.gatherND` picks each row's target, then the negated mean. Only
 * the n picked log-probabilities are summed (the others never enter).
 */
export const nllLossOp: Pair<typeof nllLoss> = {
  name: "nllLoss",
  summary: "negative log-likelihood of class indices (nn.NLLLoss)",
  naive: nllLoss,
  twin: (tf: Tf, logProbs, targets) => {
    const [rows] = checkClassTargets("nllLoss", "logProbs", logProbs, targets);
    const where = tf.tensor2d(targets.map((t, i) => [i, t]), [rows, 2], "int32");
    return tf.neg(tf.mean(tf.gatherND(tf.tensor2d(logProbs), where)));
  },
  tolerance: ([logProbs, targets]) => {
    const picked = targets.map((t, i) => Math.abs(logProbs[i][t]));
    return meanBound(targets.length, maxAbs(picked)) + UNDERFLOW;
  },
  // Log-probabilities are ≤ 0.
  arbitrary: (fc) =>
    classBatch(
      fc,
      fc.oneof(fc.integer({ min: -20, max: 0 }), fc.double({ min: -50, max: 0, noNaN: true })),
    ),
  task: {
    id: "07.6",
    lesson: "07-regularization",
    title: "negative log-likelihood",
    examples: [["the lecture's log-probabilities, target 2 (0.5996)", [[[LECTURE_LOG_PROBS], [
      2,
    ]]]]],
    edges: [["one class", [[[[0], [0]], [0, 0]]]]],
    scale: scaleOfInputs,
  },
};

/**
 * crossEntropy and its twin, `tf.losses.softmaxCrossEntropy` of one-hot rows. Per row, a
 * log-softmax entry (bounded as logSoftmax's), then the mean of rows whose magnitude is
 * ≤ 2·max|x| + log C.
 */
export const crossEntropyOp: Pair<typeof crossEntropy> = {
  name: "crossEntropy",
  summary: "cross-entropy from logits (nn.CrossEntropyLoss)",
  naive: crossEntropy,
  twin: (tf: Tf, logits, targets) => {
    const [, classes] = checkClassTargets("crossEntropy", "logits", logits, targets);
    const oneHot = oneHotRows(tf, targets, classes);
    return tf.losses.softmaxCrossEntropy(oneHot, tf.tensor2d(logits));
  },
  tolerance: ([logits, targets]) => {
    const rowMagnitude = 2 * maxAbs(logits) + Math.log(logits[0].length) + 1;
    return logSoftmaxOp.tolerance!([logits], []) + meanBound(targets.length, rowMagnitude);
  },
  arbitrary: (fc) => classBatch(fc, logit(fc)),
  task: {
    id: "07.7",
    lesson: "07-regularization",
    title: "cross-entropy from logits, stable for logits of ±1000",
    examples: [["the lecture's logits [1.5, 0.8, 2.1], target 2 (0.5996)", [[[LECTURE_LOGITS], [
      2,
    ]]]]],
    edges: [["logits of ±1000", [[[[1000, -1000, 0], [-1000, 1000, 0]], [1, 1]]]]],
    scale: scaleOfInputs,
  },
};

/**
 * crossEntropyBackward and its twin: TF.js's own gradient of `tf.losses.softmaxCrossEntropy`
 * (the mean over rows, as crossEntropy's twin). Each element is a softmax entry (bounded as
 * softmax's), minus 0 or 1 and divided by N, each one more rounding.
 */
export const crossEntropyBackwardOp: Pair<typeof crossEntropyBackward> = {
  name: "crossEntropyBackward",
  summary: "cross-entropy's gradient: (softmax − one-hot)/N",
  naive: crossEntropyBackward,
  twin: (tf: Tf, logits, targets) => {
    const [, classes] = checkClassTargets("crossEntropyBackward", "logits", logits, targets);
    const oneHot = oneHotRows(tf, targets, classes);
    return tf.grad((x) => tf.losses.softmaxCrossEntropy(oneHot, x))(tf.tensor2d(logits));
  },
  tolerance: ([logits]) => (softmaxOp.tolerance([logits], []) + 4 * EPS32) / logits.length,
  arbitrary: (fc) => classBatch(fc, logit(fc)),
  task: {
    id: "11.8",
    lesson: "11-backprop",
    title: "cross-entropy's gradient with respect to the logits",
    examples: [["the lecture's logits [1.5, 0.8, 2.1], target 2", [[[LECTURE_LOGITS], [2]]]]],
    edges: [
      ["a batch of three: every row divided by N", [[
        [[1.5, 0.8, 2.1], [0, 0, 0], [-1, 2, 0.5]],
        [2, 0, 1],
      ]]],
      ["logits of ±1000", [[[[1000, -1000, 0], [-1000, 1000, 0]], [1, 1]]]],
    ],
    // A softmax entry subtracts numbers as large as the logits (x − max), then it is / N.
    scale: ([logits]) => scaleOfInputs([logits]) / logits.length,
  },
};

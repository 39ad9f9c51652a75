/**
 * Activation functions that turn scores (logits) into probabilities.
 *
 * Both are written to be numerically stable: `Math.exp` overflows to Infinity just above
 * 709, so we never exponentiate a large positive number.
 *
 * After the functions come their argument checks and each operation's definition (see
 * `op.ts`).
 *
 * @module
 */
import { assertMatrix, assertVector } from "./errors.ts";
import { EPS32, maxAbs, UNDERFLOW } from "./float32.ts";
import { LECTURE_LOGITS } from "./inputs.ts";
import { type Fc, type Op, type Pair, sameNameTwin, scaleOfInputs } from "./op.ts";
import { logit, matrixOf, vectorOf } from "./arbitraries.ts";

/**
 * The logistic sigmoid 1 / (1 + e^(−x)), element-wise.
 * For x < 0 it uses the equal form e^x / (1 + e^x), so e^(−x) never overflows.
 *
 * ```ts
 * import { sigmoid } from "./activation.ts";
 * import assert from "node:assert/strict";
 * const [a, b] = sigmoid([0, 0.8]);
 * assert.equal(a, 0.5);
 * assert.equal(b.toFixed(4), "0.6900");
 * ```
 */
export function sigmoid(x: number[]): number[] {
  assertVector("sigmoid", "x", x);
  return x.map((v) => {
    if (v >= 0) return 1 / (1 + Math.exp(-v));
    const e = Math.exp(v);
    return e / (1 + e);
  });
}

/** The row-wise log-sum-exp, computed as max + log Σ exp(x − max) so nothing overflows. */
function logSumExp(row: number[]): number {
  const max = Math.max(...row);
  let sum = 0;
  for (const v of row) sum += Math.exp(v - max);
  return max + Math.log(sum);
}

/**
 * Softmax of each row: e^(x_j − max) / Σ_k e^(x_k − max). Subtracting the row's maximum
 * changes nothing mathematically but keeps every exponent ≤ 0.
 *
 * ```ts
 * import { softmax } from "./activation.ts";
 * import assert from "node:assert/strict";
 * const [row] = softmax([[1000, 1000]]); // a naive e^1000 would be Infinity
 * assert.deepEqual(row, [0.5, 0.5]);
 * ```
 */
export function softmax(x: number[][]): number[][] {
  assertMatrix("softmax", "x", x);
  return x.map((row) => {
    const max = Math.max(...row);
    const exps = row.map((v) => Math.exp(v - max));
    let sum = 0;
    for (const e of exps) sum += e;
    return exps.map((e) => e / sum);
  });
}

/**
 * Log-softmax of each row: x − max − log Σ exp(x − max). Computed directly, not as
 * log(softmax(x)), which would give log(0) = −Infinity for very negative logits.
 *
 * ```ts
 * import { logSoftmax } from "./activation.ts";
 * import assert from "node:assert/strict";
 * const [row] = logSoftmax([[1000, -1000]]);
 * assert.deepEqual(row, [0, -2000]);
 * ```
 */
export function logSoftmax(x: number[][]): number[][] {
  assertMatrix("logSoftmax", "x", x);
  return x.map((row) => {
    const lse = logSumExp(row);
    return row.map((v) => v - lse);
  });
}

// ─── Definitions: TF.js twins, random arguments, tolerances, graded tasks ─────

/** A batch of 1–4 rows of 1–6 logits each. */
function logitRows(fc: Fc) {
  return fc.tuple(
    fc.record({ r: fc.integer({ min: 1, max: 4 }), c: fc.integer({ min: 1, max: 6 }) })
      .chain(({ r, c }) => matrixOf(fc, r, c, logit(fc))),
  );
}

/** The lecture's logits, and rows of ±1000 where a naive e^x overflows. */
const logitCases = {
  examples: [["the lecture's logits [1.5, 0.8, 2.1]", [[[LECTURE_LOGITS]]]]],
  edges: [["logits of ±1000", [[[[1000, -1000, 0], [800, 800, 799], [-1000, -1000, -1000]]]]]],
} satisfies Pick<Op<typeof softmax>["task"], "examples" | "edges">;

/**
 * sigmoid and its twin, `tf.sigmoid`. Rounding x by u|x| moves σ by at most σ'·u|x| ≤ u|x|/4;
 * the exp, add and divide add a few ULP, and σ(1 − σ)·(3 + 2|x|) ULP from WGSL's exp stays
 * below 4 ULP because σ(1 − σ)|x| < 1/2.
 */
export const sigmoidOp: Pair<typeof sigmoid> = {
  name: "sigmoid",
  summary: "logistic sigmoid, element-wise",
  naive: sigmoid,
  twin: sameNameTwin("sigmoid", assertVector),
  tolerance: ([x]) => EPS32 * (maxAbs(x) / 4 + 8) + UNDERFLOW,
  arbitrary: (fc) =>
    fc.tuple(fc.integer({ min: 1, max: 8 }).chain((n) => vectorOf(fc, n, logit(fc)))),
  task: {
    id: "07.1",
    lesson: "07-regularization",
    title: "the logistic sigmoid",
    examples: [["the lecture's logit 0.8, and 0", [[[0.8, 0, -2]]]]],
    edges: [["logits of ±1000", [[[-1000, -800, 1000, 800, -40, 40]]]]],
    scale: () => 1,
  },
};

/**
 * softmax and its twin, `tf.softmax`. Rounding each logit by ≤ u·max|x| moves p_i by at most
 * 2·p_i·u·max|x| ≤ ε32·max|x|; then x − max, exp (p·|d| ≤ 1/e tames WGSL's 2|d| ULP), an
 * n-term sum and a division add ≤ (n + 8) ULP relative, p ≤ 1.
 */
export const softmaxOp: Pair<typeof softmax> = {
  name: "softmax",
  summary: "row-wise softmax, stable for logits of ±1000",
  naive: softmax,
  twin: sameNameTwin("softmax", assertMatrix),
  tolerance: ([x]) => EPS32 * (maxAbs(x) + 2 * x[0].length + 8) + UNDERFLOW,
  arbitrary: logitRows,
  task: {
    id: "07.2",
    lesson: "07-regularization",
    title: "row-wise softmax",
    ...logitCases,
    scale: () => 1,
  },
};

/**
 * logSoftmax and its twin, `tf.logSoftmax`: x_i − max − log Σe^(x−max). The rounded inputs
 * shift x_i and max by ≤ u·max|x| each; log Σ adds (n + 4) ULP plus WGSL's absolute 2^-21
 * (= 4 ε32); the result, |·| ≤ 2·max|x| + log n, is rounded once more.
 */
export const logSoftmaxOp: Pair<typeof logSoftmax> = {
  name: "logSoftmax",
  summary: "row-wise log-softmax, stable for logits of ±1000",
  naive: logSoftmax,
  twin: sameNameTwin("logSoftmax", assertMatrix),
  tolerance: ([x]) => EPS32 * (3 * maxAbs(x) + 2 * x[0].length + 16),
  arbitrary: logitRows,
  task: {
    id: "07.3",
    lesson: "07-regularization",
    title: "row-wise log-softmax",
    ...logitCases,
    // It subtracts numbers as large as the logits.
    scale: scaleOfInputs,
  },
};

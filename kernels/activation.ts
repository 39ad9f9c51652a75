/**
 * Activation functions that turn scores (logits) into probabilities.
 *
 * Both are written to be numerically stable: `Math.exp` overflows to Infinity
 * just above 709, so we never exponentiate a large positive number.
 *
 * @module
 */
import { checkSigmoid, checkSoftmax } from "./checks.ts";

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
  checkSigmoid(x);
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
 * Softmax of each row: e^(x_j − max) / Σ_k e^(x_k − max). Subtracting the row's
 * maximum changes nothing mathematically but keeps every exponent ≤ 0.
 *
 * ```ts
 * import { softmax } from "./activation.ts";
 * import assert from "node:assert/strict";
 * const [row] = softmax([[1000, 1000]]); // a naive e^1000 would be Infinity
 * assert.deepEqual(row, [0.5, 0.5]);
 * ```
 */
export function softmax(x: number[][]): number[][] {
  checkSoftmax("softmax", x);
  return x.map((row) => {
    const max = Math.max(...row);
    const exps = row.map((v) => Math.exp(v - max));
    let sum = 0;
    for (const e of exps) sum += e;
    return exps.map((e) => e / sum);
  });
}

/**
 * Log-softmax of each row: x − max − log Σ exp(x − max). Computed directly, not
 * as log(softmax(x)), which would give log(0) = −Infinity for very negative logits.
 *
 * ```ts
 * import { logSoftmax } from "./activation.ts";
 * import assert from "node:assert/strict";
 * const [row] = logSoftmax([[1000, -1000]]);
 * assert.deepEqual(row, [0, -2000]);
 * ```
 */
export function logSoftmax(x: number[][]): number[][] {
  checkSoftmax("logSoftmax", x);
  return x.map((row) => {
    const lse = logSumExp(row);
    return row.map((v) => v - lse);
  });
}

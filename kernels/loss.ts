/**
 * Loss functions, each the mean over the batch, matching PyTorch's defaults
 * (`reduction="mean"`), so the lecture's printed numbers come out the same.
 *
 * @module
 */
import { checkBce, checkBceWithLogits, checkCrossEntropy, checkNll } from "./checks.ts";
import { logSoftmax } from "./activation.ts";

/**
 * The natural log, floored at −100 as PyTorch's BCELoss does: log(0) stays finite,
 * and for p = t = 1 the unused term is 0·(−100) = 0 rather than 0·(−∞) = NaN.
 */
function clampedLog(p: number): number {
  return Math.max(Math.log(p), -100);
}

/**
 * Binary cross-entropy of probabilities, −mean(t·log p + (1 − t)·log(1 − p)),
 * as PyTorch's `nn.BCELoss`. Like PyTorch we clamp each log at −100, so a
 * confident wrong answer (p = 0, t = 1) costs 100 instead of Infinity.
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
 * Binary cross-entropy straight from logits, as PyTorch's `nn.BCEWithLogitsLoss`.
 * It uses the stable form max(x, 0) − x·t + log(1 + e^(−|x|)), which equals
 * BCE(sigmoid(x), t) but never exponentiates a large positive number.
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
 * Negative log-likelihood: the mean over rows of −logProbs[i][targets[i]], as
 * PyTorch's `nn.NLLLoss`. `logProbs` are log-probabilities (e.g. `logSoftmax`).
 *
 * ```ts
 * import { nllLoss } from "./loss.ts";
 * import { logSoftmax } from "./activation.ts";
 * import assert from "node:assert/strict";
 * assert.equal(nllLoss(logSoftmax([[1.5, 0.8, 2.1]]), [2]).toFixed(4), "0.5996");
 * ```
 */
export function nllLoss(logProbs: number[][], targets: number[]): number {
  const [rows] = checkNll(logProbs, targets);
  let sum = 0;
  targets.forEach((t, i) => (sum -= logProbs[i][t]));
  return sum / rows;
}

/**
 * Cross-entropy from logits, as PyTorch's `nn.CrossEntropyLoss`: nllLoss of
 * logSoftmax. The stable logSoftmax keeps it finite and exact for logits of ±1000.
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
  checkCrossEntropy(logits, targets);
  return nllLoss(logSoftmax(logits), targets);
}

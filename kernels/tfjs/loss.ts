/**
 * TF.js twins of the losses in `../loss.ts`, each the mean over the batch as in
 * PyTorch. TF.js's `tf.losses.*` default reduction (SUM_BY_NONZERO_WEIGHTS, with
 * no weights) is that same mean.
 *
 * @module
 */
import { tf } from "../../accel/backend.ts";
import { checkBce, checkBceWithLogits, checkCrossEntropy, checkNll } from "../checks.ts";
import { readScalar } from "./run.ts";

/**
 * Binary cross-entropy of probabilities, built from ops so that each log is
 * clamped at −100 as PyTorch's `nn.BCELoss` does (TF.js's `tf.losses.logLoss`
 * adds an epsilon instead, which gives different numbers near 0 and 1).
 *
 * ```ts
 * import { binaryCrossEntropy } from "./loss.ts";
 * import assert from "node:assert/strict";
 * assert.equal((await binaryCrossEntropy([1 / (1 + Math.exp(-0.8))], [1])).toFixed(4), "0.3711");
 * assert.equal(await binaryCrossEntropy([0], [1]), 100); // log 0 clamped at −100
 * ```
 */
export async function binaryCrossEntropy(probs: number[], targets: number[]): Promise<number> {
  checkBce(probs, targets);
  return await readScalar(() => {
    const p = tf.tensor1d(probs);
    const t = tf.tensor1d(targets);
    const clampedLog = (v: tf.Tensor) => tf.maximum(tf.log(v), -100);
    const logP = clampedLog(p);
    const log1mP = clampedLog(tf.sub(1, p));
    return tf.neg(tf.mean(tf.add(tf.mul(t, logP), tf.mul(tf.sub(1, t), log1mP))));
  });
}

/**
 * Binary cross-entropy from logits: `tf.losses.sigmoidCrossEntropy`, which uses
 * the stable form max(x, 0) − x·t + log(1 + e^(−|x|)).
 *
 * ```ts
 * import { binaryCrossEntropyWithLogits } from "./loss.ts";
 * import assert from "node:assert/strict";
 * assert.equal((await binaryCrossEntropyWithLogits([0.8], [1])).toFixed(4), "0.3711");
 * ```
 */
export async function binaryCrossEntropyWithLogits(
  logits: number[],
  targets: number[],
): Promise<number> {
  checkBceWithLogits(logits, targets);
  return await readScalar(() =>
    tf.losses.sigmoidCrossEntropy(tf.tensor1d(targets), tf.tensor1d(logits))
  );
}

/**
 * One-hot rows for class indices: row i is 1 at column targets[i], else 0. Built by
 * comparing [0, 1, …, C−1] with each target, because `tf.oneHot` rejects C = 1.
 */
function oneHotRows(targets: number[], classes: number): tf.Tensor {
  const columns = tf.range(0, classes, 1, "int32").reshape([1, classes]);
  const wanted = tf.tensor2d(targets, [targets.length, 1], "int32");
  return tf.cast(tf.equal(columns, wanted), "float32");
}

/**
 * Negative log-likelihood on TF.js: pick logProbs[i][targets[i]] with
 * `tf.gatherND`, then −mean.
 *
 * ```ts
 * import { nllLoss } from "./loss.ts";
 * import assert from "node:assert/strict";
 * assert.equal(await nllLoss([[-1, -2], [-3, -0.5]], [0, 1]), 0.75);
 * ```
 */
export async function nllLoss(logProbs: number[][], targets: number[]): Promise<number> {
  const [rows] = checkNll(logProbs, targets);
  return await readScalar(() => {
    const where = tf.tensor2d(targets.map((t, i) => [i, t]), [rows, 2], "int32");
    return tf.neg(tf.mean(tf.gatherND(tf.tensor2d(logProbs), where)));
  });
}

/**
 * Cross-entropy from logits: `tf.losses.softmaxCrossEntropy` with one-hot labels.
 *
 * ```ts
 * import { crossEntropy } from "./loss.ts";
 * import assert from "node:assert/strict";
 * assert.equal((await crossEntropy([[1.5, 0.8, 2.1]], [2])).toFixed(4), "0.5996");
 * assert.equal(await crossEntropy([[1000, -1000]], [1]), 2000);
 * ```
 */
export async function crossEntropy(logits: number[][], targets: number[]): Promise<number> {
  const [, classes] = checkCrossEntropy(logits, targets);
  return await readScalar(() =>
    tf.losses.softmaxCrossEntropy(oneHotRows(targets, classes), tf.tensor2d(logits))
  );
}

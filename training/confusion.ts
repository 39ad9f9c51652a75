/**
 * The confusion matrix of a model on a split: `matrix[t][p]` counts the images of digit `t`
 * the model took for `p`. The diagonal is what it gets right; each other cell is one kind of
 * mistake (a 9 read as a 4), which a single accuracy figure hides.
 *
 * ```ts
 * import { confusionFromLabels } from "./confusion.ts";
 * const m = confusionFromLabels([0, 1, 1], [0, 1, 7], 10);
 * console.assert(m[1][1] === 1 && m[1][7] === 1 && m[0][0] === 1);
 * ```
 *
 * @module
 */
import type { tf } from "../accel/backend.ts";
import { LitconvError } from "../kernels/errors.ts";
import type { MnistSplit } from "../data/mnist.ts";
import { predictLabels } from "./loop.ts";

/** What `confusion.json` holds. */
export interface Confusion {
  /** Rows: the true digit; columns: the predicted one. */
  matrix: number[][];
  /** How many images were counted (the sum of the matrix). */
  count: number;
  /** The diagonal's share of `count`. */
  accuracy: number;
}

/** Counts (true, predicted) pairs into a `classes`×`classes` matrix. */
export function confusionFromLabels(
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  classes = 10,
): number[][] {
  if (truth.length !== predicted.length) {
    throw new LitconvError(
      "confusionFromLabels",
      "predicted",
      `has ${predicted.length} labels for ${truth.length} true labels`,
    );
  }
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i], p = predicted[i];
    for (const [name, v] of [["truth", t], ["predicted", p]] as const) {
      if (!Number.isInteger(v) || v < 0 || v >= classes) {
        throw new LitconvError(
          "confusionFromLabels",
          name,
          `label ${v} at ${i} is not 0…${classes - 1}`,
        );
      }
    }
    matrix[t][p]++;
  }
  return matrix;
}

/** The matrix with its count and accuracy. */
export function summarize(matrix: number[][]): Confusion {
  let count = 0, right = 0;
  matrix.forEach((row, t) => row.forEach((n, p) => (count += n, right += t === p ? n : 0)));
  return { matrix, count, accuracy: count ? right / count : 0 };
}

/**
 * The confusion matrix of `model` on `split`, predicted in batches (dropout off) through
 * {@link predictLabels}, which frees each batch's tensors.
 */
export async function confusionMatrix(
  model: tf.LayersModel,
  split: MnistSplit,
  batchSize = 500,
): Promise<Confusion> {
  const predicted = await predictLabels(model, split, batchSize);
  return summarize(confusionFromLabels(split.labels, predicted));
}

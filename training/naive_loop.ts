/**
 * The lecture's training loop with the course's own kernels: `loop.ts`'s epoch, step for
 * step, with the naive forward and backward passes (`kernels/cnn.ts`) and Adam written out
 * (`kernels/adam.ts`) in place of TF.js's autograd and optimizer.
 *
 * It draws from the run's random stream exactly as `trainEpoch` does (one permutation per
 * epoch, then one dropout seed per batch), so from the same seed both loops see the same
 * batches in the same order.
 *
 * @module
 */
import type { Rng } from "../kernels/rng.ts";
import type { MnistSplit } from "../data/mnist.ts";
import type { Adam } from "../kernels/adam.ts";
import { type BatchReport, EpochTally, type Score } from "./loop.ts";
import { trainStep } from "../kernels/cnn.ts";
import type { TrainingBatch } from "../kernels/types.ts";
import {
  argmaxRows,
  forward,
  LECTURE,
  lossOf,
  type NaiveParams,
  type PassOptions,
} from "./naive_model.ts";

/** Images `indices[from..to)` of `split` as an NCHW batch [n][1][side][side] and labels. */
export function naiveBatch(
  split: MnistSplit,
  indices: ArrayLike<number>,
  from: number,
  to: number,
  side = LECTURE.inputSize,
): TrainingBatch {
  const x: number[][][][] = [], labels: number[] = [];
  const pixels = side * side;
  for (let k = from; k < to; k++) {
    const i = indices[k];
    const image = split.images.subarray(i * pixels, (i + 1) * pixels);
    const rows = Array.from(
      { length: side },
      (_, r) => Array.from(image.subarray(r * side, (r + 1) * side)),
    );
    x.push([rows]);
    labels.push(split.labels[i]);
  }
  return { x, labels };
}

/**
 * Trains `params` for one epoch over `split`, in the order `rng` draws, with `trainEpoch`'s
 * bookkeeping ({@link EpochTally}): loss and accuracy averaged over every image, and a
 * `TrainingError` as soon as the loss is NaN or infinite.
 */
export function trainEpochNaive(
  params: NaiveParams,
  adam: Adam,
  split: MnistSplit,
  rng: Rng,
  batchSize: number,
  onBatch?: (report: BatchReport) => void,
  options: PassOptions = {},
): Score {
  const order = rng.permutation(split.count);
  const batches = Math.ceil(split.count / batchSize);
  const tally = new EpochTally(batches, onBatch, "try another --seed");
  for (let b = 0; b < batches; b++) {
    const from = b * batchSize, to = Math.min(from + batchSize, split.count);
    const batch = naiveBatch(split, order, from, to, options.arch?.inputSize);
    // One draw per batch, as loop.ts reseeds its dropout layer.
    const seed = rng.int(2 ** 31);
    const { loss, hits } = trainStep(params, adam, batch, seed, options);
    tally.add(b, to - from, loss, hits);
  }
  return tally.score;
}

/** Loss, accuracy and every prediction over `split`, dropout off, in batches. */
export function evaluateNaive(
  params: NaiveParams,
  split: MnistSplit,
  batchSize = 100,
  options: PassOptions = {},
): Score & { predicted: Int32Array } {
  const predicted = new Int32Array(split.count);
  let lossSum = 0, correct = 0;
  const identity = Uint32Array.from({ length: split.count }, (_, i) => i);
  for (let from = 0; from < split.count; from += batchSize) {
    const to = Math.min(from + batchSize, split.count);
    const { x, labels } = naiveBatch(split, identity, from, to, options.arch?.inputSize);
    const cache = forward(params, x, null, options);
    lossSum += lossOf(cache, labels, options.kernels) * (to - from);
    argmaxRows(cache.logits).forEach((p, k) => {
      predicted[from + k] = p;
      if (p === labels[k]) correct++;
    });
  }
  return { loss: lossSum / split.count, accuracy: correct / split.count, predicted };
}

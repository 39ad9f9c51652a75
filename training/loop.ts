/**
 * The lecture's training loop (section 15.10), one epoch at a time, in TF.js.
 *
 * Per batch of 64: forward pass in training mode (dropout on), cross-entropy on the logits,
 * gradients, one Adam step. The epoch's loss and accuracy are averaged over every image, as
 * the lecture's `loss.item() * y_batch.size(0)` bookkeeping does; validation runs with
 * dropout off and no gradients.
 *
 * @module
 */
import { tf } from "../accel/backend.ts";
import type {
  LayersModel,
  Optimizer,
  Scalar,
  Tensor,
  Tensor1D,
  Tensor4D,
} from "../accel/tf_types.ts";
import { TrainingError } from "../kernels/errors.ts";
import { type MnistSplit, PIXELS } from "../data/mnist.ts";
import type { Rng } from "../kernels/rng.ts";

/** Loss and accuracy over a whole split. */
export interface Score {
  /** Mean cross-entropy per image. */
  loss: number;
  /** Share of images classified right. */
  accuracy: number;
}

/** What a progress display gets after each batch. */
export interface BatchReport {
  /** The batch just finished, from 1. */
  batch: number;
  /** Batches in the epoch. */
  batches: number;
  /** Images seen so far in the epoch. */
  seen: number;
  /** Running mean of the loss over the epoch so far. */
  loss: number;
  /** Running accuracy over the epoch so far. */
  accuracy: number;
}

/**
 * An epoch's running loss and accuracy, averaged over every image (the lecture's
 * `loss.item() * y_batch.size(0)`), reported after each batch. A loss that is NaN or
 * infinite stops the epoch with a {@link TrainingError} that says what to try.
 */
export class EpochTally {
  #lossSum = 0;
  #correct = 0;
  #seen = 0;

  constructor(
    readonly batches: number,
    readonly onBatch: ((report: BatchReport) => void) | undefined,
    /** What to try when training diverges. */
    readonly remedy: string,
  ) {}

  /** Counts batch `b` (from 0) of `n` images: its mean loss and how many it got right. */
  add(b: number, n: number, loss: number, hits: number): void {
    if (!Number.isFinite(loss)) {
      throw new TrainingError(
        `the loss became ${loss} at batch ${b + 1}/${this.batches}: training diverged; ` +
          this.remedy,
      );
    }
    this.#lossSum += loss * n;
    this.#correct += hits;
    this.#seen += n;
    this.onBatch?.({ batch: b + 1, batches: this.batches, seen: this.#seen, ...this.score });
  }

  /** The epoch's mean loss and accuracy so far. */
  get score(): Score {
    return { loss: this.#lossSum / this.#seen, accuracy: this.#correct / this.#seen };
  }
}

/** Images `indices[from..to)` of `split` as an NHWC batch [n, 28, 28, 1] and their labels. */
export function makeBatch(
  split: MnistSplit,
  indices: ArrayLike<number>,
  from: number,
  to: number,
): { x: Tensor4D; y: Tensor1D } {
  const n = to - from;
  const pixels = new Float32Array(n * PIXELS);
  const labels = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const i = indices[from + k];
    pixels.set(split.images.subarray(i * PIXELS, (i + 1) * PIXELS), k * PIXELS);
    labels[k] = split.labels[i];
  }
  return { x: tf.tensor4d(pixels, [n, 28, 28, 1]), y: tf.tensor1d(labels, "int32") };
}

/** Mean cross-entropy of `logits` against integer labels: PyTorch's `nn.CrossEntropyLoss()`. */
export function crossEntropyLoss(logits: Tensor, labels: Tensor1D): Scalar {
  return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 10), logits) as tf.Scalar;
}

/**
 * TF.js's seeded dropout draws the *same* mask on every call (it restarts from its seed), so
 * each step we give the dropout layers a fresh seed from our own generator: different masks,
 * still reproducible.
 */
function reseedDropout(model: tf.LayersModel, rng: Rng): void {
  for (const layer of model.layers) {
    if (layer.getClassName() === "Dropout") {
      (layer as unknown as { seed: number }).seed = rng.int(2 ** 31);
    }
  }
}

/**
 * Trains `model` for one epoch over `split` in a shuffled order drawn from `rng`.
 * Throws a {@link TrainingError} as soon as the loss is NaN or infinite.
 */
export async function trainEpoch(
  model: LayersModel,
  optimizer: Optimizer,
  split: MnistSplit,
  rng: Rng,
  batchSize: number,
  onBatch?: (report: BatchReport) => void,
): Promise<Score> {
  const order = rng.permutation(split.count);
  const batches = Math.ceil(split.count / batchSize);
  // An explicit list keeps the optimizer's slots in model order, so a checkpoint of them
  // lines up with a freshly built model on resume.
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const tally = new EpochTally(batches, onBatch, "try a smaller learning rate or another --seed");
  for (let b = 0; b < batches; b++) {
    const from = b * batchSize, to = Math.min(from + batchSize, split.count);
    const { x, y } = makeBatch(split, order, from, to);
    reseedDropout(model, rng);
    let hits: tf.Scalar | undefined;
    const loss = optimizer.minimize(
      () => {
        const logits = model.apply(x, { training: true }) as tf.Tensor2D;
        hits = tf.keep(logits.argMax(1).equal(y).sum());
        return crossEntropyLoss(logits, y);
      },
      true,
      variables,
    )!;
    const [lossValue] = await loss.data();
    const [hitCount] = await hits!.data();
    tf.dispose([x, y, loss, hits!]);
    tally.add(b, to - from, lossValue, hitCount);
  }
  return tally.score;
}

/** Predicted digits for every image of `split` (dropout off), in batches to bound memory. */
export async function predictLabels(
  model: LayersModel,
  split: MnistSplit,
  batchSize = 500,
): Promise<Int32Array> {
  const out = new Int32Array(split.count);
  for (let from = 0; from < split.count; from += batchSize) {
    const to = Math.min(from + batchSize, split.count);
    const x = tf.tensor4d(
      split.images.subarray(from * PIXELS, to * PIXELS),
      [to - from, 28, 28, 1],
    );
    // One forward pass for the whole batch (predict's default would split it into 32s).
    const pred = tf.tidy(() => (model.predict(x, { batchSize: to - from }) as tf.Tensor).argMax(1));
    out.set(await pred.data() as Int32Array, from);
    tf.dispose([x, pred]);
  }
  return out;
}

/** Mean loss and accuracy over `split` with dropout off, as the lecture's validation. */
export async function evaluate(
  model: LayersModel,
  split: MnistSplit,
  batchSize = 500,
): Promise<Score> {
  let lossSum = 0, correct = 0;
  for (let from = 0; from < split.count; from += batchSize) {
    const to = Math.min(from + batchSize, split.count);
    const x = tf.tensor4d(
      split.images.subarray(from * PIXELS, to * PIXELS),
      [to - from, 28, 28, 1],
    );
    const y = tf.tensor1d(Int32Array.from(split.labels.subarray(from, to)), "int32");
    const [loss, hits] = tf.tidy(() => {
      const logits = model.predict(x, { batchSize: to - from }) as tf.Tensor2D;
      return [crossEntropyLoss(logits, y), logits.argMax(1).equal(y).sum()];
    });
    lossSum += (await loss.data())[0] * (to - from);
    correct += (await hits.data())[0];
    tf.dispose([x, y, loss, hits]);
  }
  return { loss: lossSum / split.count, accuracy: correct / split.count };
}

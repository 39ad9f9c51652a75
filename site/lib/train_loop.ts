/**
 * The `/train/` page's training, apart from its pictures: the MNIST subset fetched as raw
 * bytes, the lecture's CNN built by `training/model_builder.ts` (the layers `deno task train`
 * trains), Adam at the terminal's learning rate, softmax cross-entropy on the logits, and a
 * loop that can stop after any step and go on from there.
 *
 * @module
 */
import * as tf from "../../deps/tfjs.ts";
import { buildModelWith } from "../../training/model_builder.ts";
import { Rng } from "../../kernels/rng.ts";

const PIXELS = 784;

/** One split as the page holds it: bytes per pixel, a label per image. */
export interface Split {
  count: number;
  pixels: Uint8Array;
  labels: Uint8Array;
}

/** Fetches one split's two files (`*.u8`, see `site/lib/train_data.ts`), keeping `limit`. */
export async function fetchSplit(images: string, labels: string, limit: number): Promise<Split> {
  const get = async (url: string) => {
    const r = await fetch(url);
    if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
    return new Uint8Array(await r.arrayBuffer());
  };
  const [pixels, ys] = await Promise.all([get(images), get(labels)]);
  const count = Math.min(limit, ys.length, Math.floor(pixels.length / PIXELS));
  return { count, pixels: pixels.subarray(0, count * PIXELS), labels: ys.subarray(0, count) };
}

/** Images `idx` of a split as a [n, 28, 28, 1] tensor in [0, 1] and their labels. */
function batchOf(split: Split, idx: ArrayLike<number>) {
  const x = new Float32Array(idx.length * PIXELS);
  const y = new Int32Array(idx.length);
  for (let b = 0; b < idx.length; b++) {
    const i = idx[b];
    for (let p = 0; p < PIXELS; p++) x[b * PIXELS + p] = split.pixels[i * PIXELS + p] / 255;
    y[b] = split.labels[i];
  }
  return { x: tf.tensor4d(x, [idx.length, 28, 28, 1]), y: tf.tensor1d(y, "int32") };
}

/** What one step reports. */
export interface StepResult {
  step: number;
  epoch: number;
  loss: number;
  /** Accuracy on the step's own batch. */
  batchAccuracy: number;
  /** Milliseconds the step took, waiting for its loss (so the work is done). */
  ms: number;
}

/** What one validation pass reports. */
export interface Validation {
  step: number;
  accuracy: number;
  /** Up to `keepWrong` misread validation images: index, true label, prediction. */
  wrong: { index: number; label: number; predicted: number }[];
}

/** The lecture's CNN, its optimizer and where it is in the data. */
export class Trainer {
  readonly model = buildModelWith(tf, "lecture", 1);
  readonly optimizer = tf.train.adam(0.001); // the terminal's learning rate
  step = 0;
  private epoch = 0;
  private at = 0;
  private order: Uint32Array;

  constructor(readonly train: Split, readonly valid: Split, readonly batchSize = 64) {
    // A seeded shuffle (kernels/rng.ts), so a run's order does not depend on the browser.
    this.order = new Rng(1).permutation(train.count);
  }

  /** Trains on the next batch (a new shuffle each epoch). */
  async trainStep(): Promise<StepResult> {
    if (this.at + this.batchSize > this.train.count) {
      this.epoch++;
      this.at = 0;
      this.order = new Rng(this.epoch + 1).permutation(this.train.count);
    }
    const start = performance.now();
    const { x, y } = batchOf(this.train, this.order.subarray(this.at, this.at + this.batchSize));
    this.at += this.batchSize;
    let correct: tf.Scalar | undefined;
    const loss = this.optimizer.minimize(() => {
      const logits = this.model.apply(x, { training: true }) as tf.Tensor2D;
      correct = tf.keep(tf.equal(logits.argMax(1), y).sum() as tf.Scalar);
      return tf.losses.softmaxCrossEntropy(tf.oneHot(y, 10), logits) as tf.Scalar;
    }, true)!;
    const [l, c] = await Promise.all([loss.data(), correct!.data()]);
    tf.dispose([x, y, loss, correct!]);
    this.step++;
    return {
      step: this.step,
      epoch: this.epoch + this.at / this.train.count,
      loss: l[0],
      batchAccuracy: c[0] / this.batchSize,
      ms: performance.now() - start,
    };
  }

  /** Accuracy on the validation split (dropout off), in chunks of 100. */
  async validate(keepWrong = 24): Promise<Validation> {
    let correct = 0;
    const wrong: Validation["wrong"] = [];
    for (let from = 0; from < this.valid.count; from += 100) {
      const idx = Array.from(
        { length: Math.min(100, this.valid.count - from) },
        (_, k) => from + k,
      );
      const { x, y } = batchOf(this.valid, idx);
      const predT = tf.tidy(() => (this.model.predict(x) as tf.Tensor).argMax(1));
      const pred = await predT.data();
      tf.dispose([x, y, predT]);
      idx.forEach((i, k) => {
        const label = this.valid.labels[i];
        if (pred[k] === label) correct++;
        else if (wrong.length < keepWrong) wrong.push({ index: i, label, predicted: pred[k] });
      });
      await tf.nextFrame(); // let the page draw between chunks
    }
    return { step: this.step, accuracy: correct / this.valid.count, wrong };
  }
}

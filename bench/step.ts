/**
 * One training step of a model, the same on every backend: forward with dropout on,
 * softmax cross-entropy on the logits (mean over the batch), backward, one Adam update.
 * This is what `bench.ts` times and what the wasm kernel tests compare across backends.
 *
 * @module
 */
import { tf } from "../accel/backend.ts";

/** A batch of `n` random 28×28×1 images in [0, 1) and random one-hot labels, from `seed`. */
export function randomBatch(n: number, seed = 1): { x: tf.Tensor4D; y: tf.Tensor2D } {
  return tf.tidy(() => {
    const x = tf.randomUniform([n, 28, 28, 1], 0, 1, "float32", seed) as tf.Tensor4D;
    const labels = tf.randomUniform([n], 0, 10, "float32", seed + 1).floor().toInt();
    return { x, y: tf.oneHot(labels as tf.Tensor1D, 10).toFloat() as tf.Tensor2D };
  });
}

/** The model's trainable variables, in layer order. */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** The mean softmax cross-entropy of the model's logits on (x, y), in training mode. */
export function lossOf(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor): tf.Scalar {
  const logits = model.apply(x, { training: true }) as tf.Tensor;
  return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
}

/** Runs one step (forward, backward, Adam update) and returns the loss before the update. */
export async function trainStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  x: tf.Tensor,
  y: tf.Tensor,
): Promise<number> {
  const loss = optimizer.minimize(() => lossOf(model, x, y), true, trainableVariables(model))!;
  const value = (await loss.data())[0];
  loss.dispose();
  return value;
}

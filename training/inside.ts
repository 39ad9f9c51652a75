/**
 * Inside a trained network: what conv1's kernels look like, what one digit becomes after
 * each convolution and pooling stage, and which pixels of a misread digit pushed the wrong
 * class's logit up most (a saliency map, the gradient of that logit with respect to the
 * input pixels, by `tf.grad`). Everything is read from a model's own weights and activations;
 * the lessons and the site draw it.
 *
 * @module
 */
import { tf } from "../accel/backend.ts";
import type { LayersModel } from "../accel/tf_types.ts";
import { IMAGE_SIZE, PIXELS } from "../data/mnist.ts";

/** A stack of feature maps, channels first: `maps[c]` is one `height × width` map, row-major. */
export interface Volume {
  /** The layer whose output this is (`conv1`, `pool1`, …). */
  layer: string;
  /** `[channels, height, width]`, the order the lecture (PyTorch) prints it in. */
  shape: [number, number, number];
  maps: Float32Array[];
}

/** The kernels of a convolution with one input channel, each `size × size`, row-major. */
export function firstKernels(model: LayersModel, layer = "conv1"): Volume {
  const [kernel] = model.getLayer(layer).getWeights();
  const [kh, kw, inC, outC] = kernel.shape as number[];
  if (inC !== 1) throw new Error(`${layer} reads ${inC} channels; only one-channel kernels draw`);
  const hwio = kernel.dataSync() as Float32Array; // [kh, kw, 1, outC]
  const maps = Array.from({ length: outC }, (_, c) => {
    const m = new Float32Array(kh * kw);
    for (let i = 0; i < kh * kw; i++) m[i] = hwio[i * outC + c];
    return m;
  });
  return { layer, shape: [outC, kh, kw], maps };
}

/** NHWC `[1, h, w, c]` values to channel-first maps. */
function toMaps(layer: string, t: tf.Tensor): Volume {
  const [, h, w, c] = t.shape as number[];
  const v = t.dataSync() as Float32Array;
  const maps = Array.from({ length: c }, (_, k) => {
    const m = new Float32Array(h * w);
    for (let i = 0; i < h * w; i++) m[i] = v[i * c + k];
    return m;
  });
  return { layer, shape: [c, h, w], maps };
}

/**
 * One digit's activations after each named layer (by default the lecture's conv1, pool1,
 * conv2, pool2), from a model that applies its layers in order.
 */
export function activations(
  model: LayersModel,
  image: Float32Array,
  layers: readonly string[] = ["conv1", "pool1", "conv2", "pool2"],
): Volume[] {
  const out: Volume[] = [];
  const made: tf.Tensor[] = [tf.tensor4d(image, [1, IMAGE_SIZE, IMAGE_SIZE, 1])];
  try {
    for (const layer of model.layers) {
      const x = layer.apply(made[made.length - 1]) as tf.Tensor;
      made.push(x);
      if (layers.includes(layer.name)) out.push(toMaps(layer.name, x));
      if (out.length === layers.length) break;
    }
  } finally {
    for (const t of made) t.dispose();
  }
  return out;
}

/** A digit's logits (inference: dropout off). */
export function logits(model: LayersModel, image: Float32Array): Float32Array {
  return tf.tidy(() =>
    (model.predict(tf.tensor4d(image, [1, IMAGE_SIZE, IMAGE_SIZE, 1])) as tf.Tensor)
      .dataSync() as Float32Array
  );
}

/**
 * The gradient of class `cls`'s logit with respect to each of the 784 input pixels: how much
 * a small brightening of that pixel would raise the logit. Its large positive entries are
 * the pixels that argued most for `cls`.
 */
export function saliency(model: LayersModel, image: Float32Array, cls: number): Float32Array {
  return tf.tidy(() => {
    const logit = (x: tf.Tensor) =>
      (model.predict(x) as tf.Tensor).slice([0, cls], [1, 1]).reshape([]) as tf.Scalar;
    const grad = tf.grad(logit)(tf.tensor4d(image, [1, IMAGE_SIZE, IMAGE_SIZE, 1]));
    return grad.dataSync() as Float32Array;
  });
}

/** A misread digit and the map of the pixels that pushed its wrong class's logit up. */
export interface Mistake {
  /** Index in the test set. */
  index: number;
  label: number;
  predicted: number;
  image: Float32Array;
  /** `saliency(model, image, predicted)`, 784 values. */
  gradient: Float32Array;
  /** How much of the positive gradient lies on the digit's ink (pixels > 0.5), in [0, 1]. */
  onInk: number;
}

/** Saliency for the digits at `indices` that the model reads wrong. */
export function mistakes(
  model: LayersModel,
  images: Float32Array,
  labels: ArrayLike<number>,
  indices: readonly number[],
): Mistake[] {
  return indices.flatMap((index) => {
    const image = images.slice(index * PIXELS, (index + 1) * PIXELS);
    const z = logits(model, image);
    const predicted = z.indexOf(Math.max(...z));
    if (predicted === labels[index]) return [];
    const gradient = saliency(model, image, predicted);
    let ink = 0, all = 0;
    gradient.forEach((g, i) => {
      if (g <= 0) return;
      all += g;
      if (image[i] > 0.5) ink += g;
    });
    return [{ index, label: labels[index], predicted, image, gradient, onInk: ink / (all || 1) }];
  });
}

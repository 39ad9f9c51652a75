/**
 * Task 10.1's reference: the exercise's model (the lecture's CNN plus a 5×5×128 convolution
 * block before flattening, `buildModel("extra-conv")`) described by what a student can work
 * out with {@link convOutputSize}: each layer's output shape for one `1 × size × size` image,
 * channels first as in PyTorch, and the number of parameters. The grader needs no TF.js to
 * judge it (the sandbox has none); a test checks it against the TF.js model itself.
 *
 * @example The lecture's 28×28 images flatten to 3·3·128 = 1152 features
 * ```ts
 * import assert from "node:assert/strict";
 * import { extraConvModel } from "./model_spec.ts";
 * const { layers, params } = extraConvModel(28);
 * assert.deepEqual(layers.find((l) => l.name === "flatten")?.shape, [1152]);
 * assert.equal(params, 1_447_946);
 * ```
 *
 * @module
 */
import { convOutputSize } from "../kernels/conv.ts";

/** One layer that changes the shape or holds parameters (activations and dropout do neither). */
export interface LayerShape {
  /** The layer's name (not graded). */
  name: string;
  /** Its output for one image, without the batch axis: `[C, H, W]`, or `[features]`. */
  shape: number[];
}

/** Task 10.1's result. */
export interface ModelSummary {
  /** conv1, pool1, conv2, pool2, conv3, pool3, flatten, fc1, fc2, in order. */
  layers: LayerShape[];
  /** Weights plus biases, every layer. */
  params: number;
}

/** The smallest image side for which pool3 still has an output (8 → 4 → 2 → 1). */
export const MIN_SIZE = 8;

/** The extra-conv model's layer shapes and parameter count for `1 × size × size` images. */
export function extraConvModel(size: number): ModelSummary {
  if (!Number.isInteger(size) || size < MIN_SIZE) {
    throw new RangeError(`extraConvModel: size must be a whole number ≥ ${MIN_SIZE}, got ${size}`);
  }
  const layers: LayerShape[] = [];
  let [c, h] = [1, size];
  let params = 0;
  for (const [i, out] of [32, 64, 128].entries()) {
    h = convOutputSize(h, 5, 2, 1);
    params += 5 * 5 * c * out + out;
    c = out;
    layers.push({ name: `conv${i + 1}`, shape: [c, h, h] });
    h = convOutputSize(h, 2, 0, 2);
    layers.push({ name: `pool${i + 1}`, shape: [c, h, h] });
  }
  let features = c * h * h;
  layers.push({ name: "flatten", shape: [features] });
  for (const [name, units] of [["fc1", 1024], ["fc2", 10]] as const) {
    params += features * units + units;
    features = units;
    layers.push({ name, shape: [units] });
  }
  return { layers, params };
}

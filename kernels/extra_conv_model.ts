/**
 * The exercise of lesson 10, worked out on paper: the lecture's CNN with an extra 5×5×128
 * convolution block (pad 2, ReLU, max-pool 2) after the second pooling layer, described by
 * what {@link convOutputSize} tells: each layer's output shape for one `1 × size × size`
 * image, channels first as in PyTorch, and the number of parameters.
 *
 * It needs no TF.js, so the grader (whose sandbox has none) can judge task 10.1 with it; a
 * test checks it against the TF.js model that `deno task train --model extra-conv` trains.
 *
 * @module
 */
import { convOutputSize } from "./conv.ts";
import { LitconvError } from "./errors.ts";
import type { Op } from "./op.ts";
import type { LayerShape, ModelSummary } from "./types.ts";

/** The smallest image side for which pool3 still has an output (8 → 4 → 2 → 1). */
export const MIN_SIZE = 8;

/**
 * The extra-conv model's layer shapes and parameter count for `1 × size × size` images.
 *
 * @example The lecture's 28×28 images flatten to 3·3·128 = 1152 features
 * ```ts
 * import assert from "node:assert/strict";
 * import { extraConvModel } from "./extra_conv_model.ts";
 * const { layers, params } = extraConvModel(28);
 * assert.deepEqual(layers.find((l) => l.name === "flatten")?.shape, [1152]);
 * assert.equal(params, 1_447_946);
 * ```
 */
export function extraConvModel(size: number): ModelSummary {
  if (!Number.isInteger(size) || size < MIN_SIZE) {
    throw new LitconvError(
      "extraConvModel",
      "size",
      `must be a whole number ≥ ${MIN_SIZE}, got ${size}`,
    );
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

/**
 * Task 10.1. No twin: a test checks the summary against the TF.js model itself
 * (`buildModel("extra-conv")`).
 */
export const extraConvModelOp: Op<typeof extraConvModel> = {
  name: "extraConvModel",
  summary: "the extra-conv model's layer shapes and parameter count, worked out by hand",
  naive: extraConvModel,
  contract: "modelSummary",
  arbitrary: (fc) => fc.tuple(fc.integer({ min: MIN_SIZE, max: 64 })),
  task: {
    id: "10.1",
    lesson: "10-extra-conv",
    title: "the extra 5×5×128 conv block: each layer's output shape and the parameter count",
    examples: [["the lecture's 28×28 images", [[28]]]],
    edges: [["an 8×8 image (pool3 leaves 1×1)", [[8]]], ["a 30×30 image (floors)", [[30]]]],
    properties: (_fc, arbitrary) => [["random image sizes", arbitrary]],
  },
};

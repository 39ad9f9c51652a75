/**
 * The lecture's CNN (section 15.10) and the exercise's variant (15.12), as TF.js layers.
 *
 * TF.js convolutions run channels-last (NHWC: [batch, 28, 28, 1]) on every backend,
 * while PyTorch is channels-first (NCHW: [batch, 1, 28, 28]); the layers and their
 * parameter counts are the same, only the order of the axes differs. The layers are
 * defined once, in `model_builder.ts`, which the site's in-browser training shares.
 *
 * @module
 */
import { tf } from "../accel/backend.ts";
import type { Sequential } from "../accel/tf_types.ts";
import { buildModelWith, type ModelVariant } from "./model_builder.ts";

export type { ModelVariant };
/** Every model variant, the lecture's first. */
export const MODEL_VARIANTS: readonly ModelVariant[] = ["lecture", "extra-conv"];

/**
 * Builds the model on litconv's TF.js, its weights drawn from `seed` (same seed, same
 * weights); see {@link buildModelWith} for the layers.
 */
export function buildModel(variant: ModelVariant = "lecture", seed = 1): Sequential {
  return buildModelWith(tf, variant, seed);
}

/**
 * The lecture's CNN as a function of the TF.js namespace it is built with, so that the
 * terminal (`training/model.ts`, on litconv's accelerated backends) and the browser (the
 * site's `/train/` page, on the browser's own TF.js) build the same layers from one
 * definition. Nothing here touches Deno: it runs wherever TF.js does.
 *
 * @module
 */
import type * as tfjs from "../deps/tfjs.ts";
import type { Sequential } from "../accel/tf_types.ts";

/** `lecture`: two conv blocks; `extra-conv`: a third 5×5×128 conv block before flattening. */
export type ModelVariant = "lecture" | "extra-conv";

/** The parts of TF.js the builder uses (the union package's namespace has them all). */
export type LayersApi = Pick<typeof tfjs, "initializers" | "layers" | "sequential">;

/**
 * Builds the model with `tf`, its weights drawn from `seed` (same seed, same weights).
 *
 * lecture:    conv1 5×5×32 pad 2 → ReLU → maxpool 2 → conv2 5×5×64 pad 2 → ReLU → maxpool 2
 *             → flatten (7·7·64 = 3136) → fc1 1024 → ReLU → dropout 0.5 → fc2 10 (logits)
 * extra-conv: … → conv3 5×5×128 pad 2 → ReLU → maxpool 2 → flatten (3·3·128 = 1152) → fc1 …
 */
export function buildModelWith(
  tf: LayersApi,
  variant: ModelVariant = "lecture",
  seed = 1,
): Sequential {
  let s = seed * 1000;
  const init = () => tf.initializers.glorotUniform({ seed: s++ });
  const conv = (filters: number, name: string, first = false) =>
    tf.layers.conv2d({
      ...(first ? { inputShape: [28, 28, 1] } : {}),
      filters,
      kernelSize: 5,
      padding: "same", // 'same' with a 5×5 kernel and stride 1 is PyTorch's padding=2
      activation: "relu",
      kernelInitializer: init(),
      name,
    });
  const pool = (name: string) => tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name });

  const model = tf.sequential({ name: `litconv-${variant}` });
  model.add(conv(32, "conv1", true));
  model.add(pool("pool1"));
  model.add(conv(64, "conv2"));
  model.add(pool("pool2"));
  if (variant === "extra-conv") {
    model.add(conv(128, "conv3"));
    model.add(pool("pool3"));
  }
  model.add(tf.layers.flatten({ name: "flatten" }));
  model.add(
    tf.layers.dense({ units: 1024, activation: "relu", kernelInitializer: init(), name: "fc1" }),
  );
  model.add(tf.layers.dropout({ rate: 0.5, seed: s++, name: "dropout" }));
  model.add(tf.layers.dense({ units: 10, kernelInitializer: init(), name: "fc2" }));
  return model;
}

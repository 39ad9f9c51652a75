/**
 * # 10 · Exercise: an extra convolutional layer
 *
 * The lecture ends with an exercise (section 15.12): add a 5×5 convolution with 128 output
 * channels before flattening, and adjust the dense layers to the new size. This lesson works
 * it through: what the new block does to the shapes, why the network gets *smaller* although
 * it gets deeper, and how the two compare after the same short training.
 *
 * `buildModel("extra-conv")` in `training/model.ts` is the answer; it adds
 *
 * ```text
 * conv3  5×5, 64 → 128 channels, padding 2, ReLU
 * pool3  max 2×2, stride 2
 * ```
 *
 * after pool2. The full comparison is `deno task train --model extra-conv` against
 * `deno task train`: both write a run folder with the same metrics.
 *
 * @module
 */
import assert from "node:assert/strict";
import { currentBackend, tf } from "../kernels/backend.ts";
import { loadMnist, type Mnist, take } from "../data/mnist.ts";
import { buildModel, type ModelVariant } from "../training/model.ts";
import { Rng } from "../training/rng.ts";
import { evaluate, trainEpoch } from "../training/loop.ts";
import { type Example, type LessonMeta, printExamples } from "./literate.ts";

export const lesson: LessonMeta = {
  slug: "10-extra-conv",
  title: "Exercise: an extra convolutional layer",
  order: 10,
  summary: "The lecture's exercise solved: a 5×5×128 conv block before flattening shrinks fc1's " +
    "input from 3136 to 1152 and the network from 3.27 to 1.45 million parameters.",
};

let mnist: Mnist | undefined;
const data = (): Mnist => (mnist ??= loadMnist());

/**
 * ## Shapes
 *
 * conv3 keeps the 7×7 map (padding 2 for a 5×5 kernel) and raises the channels to 128;
 * pool3 then halves 7×7 to 3×3, *rounding down*: the last row and column of the 7×7 map
 * fall outside every 2×2 window, as with PyTorch's `MaxPool2d(2)`. Flattening gives
 * 3·3·128 = 1152 features instead of 7·7·64 = 3136, and that is the only change the dense
 * layers need: fc1 becomes `Linear(1152, 1024)` (TF.js infers it from the input shape).
 */
export async function shapes(variant: ModelVariant): Promise<{ layer: string; shape: number[] }[]> {
  await currentBackend();
  const model = buildModel(variant, 1);
  try {
    return model.layers.map((l) => ({
      layer: l.name,
      shape: [4, ...(l.outputShape as number[]).slice(1)],
    }));
  } finally {
    model.dispose();
  }
}

/** Parameters per layer that has any, and in total. */
export async function params(variant: ModelVariant) {
  await currentBackend();
  const model = buildModel(variant, 1);
  try {
    return {
      layers: Object.fromEntries(
        model.layers.filter((l) => l.countParams() > 0).map((l) => [l.name, l.countParams()]),
      ),
      total: model.countParams(),
    };
  } finally {
    model.dispose();
  }
}

/**
 * ## Parameters: deeper yet smaller
 *
 * conv3 costs 5·5·64·128 + 128 = 204,928 parameters, but fc1 shrinks from
 * 3136·1024 + 1024 = 3,212,288 to 1152·1024 + 1024 = 1,180,672. The network drops from
 * 3,274,634 to 1,447,946 parameters, to 44 %. It does more arithmetic per image, though:
 * conv3 multiplies 5·5·64·128 weights at each of the 7·7 positions, about 10 million
 * multiply-adds, as many as conv2. Parameters are not compute.
 *
 * ## Trained side by side
 *
 * Both variants, same seed, same 640 training digits, one epoch; validated on 1000 digits.
 * So little training says little about which is better: for that, run both for real with
 * `deno task train --model extra-conv` and `deno task train` and compare their metrics.json.
 */
export async function compare(trainCount = 640, evalCount = 1000) {
  await currentBackend();
  const { train, valid } = data();
  const results = [];
  for (const variant of ["lecture", "extra-conv"] as const) {
    const model = buildModel(variant, 1);
    const optimizer = tf.train.adam(1e-3);
    const start = performance.now();
    const fit = await trainEpoch(model, optimizer, take(train, trainCount), new Rng(1), 64);
    const seconds = (performance.now() - start) / 1000;
    const score = await evaluate(model, take(valid, evalCount));
    results.push({ variant, fit, score, secondsPerStep: seconds / Math.ceil(trainCount / 64) });
    model.dispose();
    optimizer.dispose();
  }
  return results;
}

export async function examples(): Promise<Example[]> {
  const shape = (s: number[]) => `[${s.join(", ")}]`;
  const walk = await shapes("extra-conv");
  const [lecture, extra] = [await params("lecture"), await params("extra-conv")];
  const runs = await compare();
  return [
    {
      label: "extra-conv shape walk (NHWC)",
      value: walk.map((w) => `${w.layer.padEnd(8)} ${shape(w.shape)}`).join("\n"),
    },
    { label: "fc1 input, lecture → extra-conv", value: `${3136} → ${1152}` },
    {
      label: "parameters, lecture vs extra-conv",
      value: ["conv1", "conv2", "conv3", "fc1", "fc2"].map((n) =>
        `${n.padEnd(6)} ${String(lecture.layers[n] ?? "-").padStart(9)} ${
          String(extra.layers[n] ?? "-").padStart(9)
        }`
      ).concat(
        `${"total".padEnd(6)} ${String(lecture.total).padStart(9)} ${
          String(extra.total).padStart(9)
        }`,
      ).join("\n"),
    },
    ...runs.map((r) => ({
      label: `${r.variant}, 1 epoch on 640 digits`,
      value: `accuracy: ${r.fit.accuracy.toFixed(4)} val_accuracy: ${
        r.score.accuracy.toFixed(4)
      } (${r.secondsPerStep.toFixed(2)} s/step)`,
    })),
    { label: "the full comparison", value: "deno task train --model extra-conv" },
  ];
}

/**
 * ## Claims, checked
 */
Deno.test("10: the extra block maps [4, 7, 7, 64] to [4, 3, 3, 128]; fc1 reads 1152 features", async () => {
  const walk = Object.fromEntries((await shapes("extra-conv")).map((w) => [w.layer, w.shape]));
  assert.deepEqual(walk.conv3, [4, 7, 7, 128]);
  assert.deepEqual(walk.pool3, [4, 3, 3, 128]);
  assert.deepEqual(walk.flatten, [4, 1152]);
  const lectureWalk = Object.fromEntries((await shapes("lecture")).map((w) => [w.layer, w.shape]));
  assert.deepEqual(lectureWalk.flatten, [4, 3136]);
  assert.equal(lectureWalk.conv3, undefined);
});

Deno.test("10: parameter counts, and the deeper network is the smaller one", async () => {
  const [lecture, extra] = [await params("lecture"), await params("extra-conv")];
  assert.equal(extra.layers.conv3, 5 * 5 * 64 * 128 + 128);
  assert.equal(extra.layers.fc1, 1152 * 1024 + 1024);
  assert.equal(lecture.layers.fc1, 3136 * 1024 + 1024);
  assert.equal(
    extra.total,
    lecture.total - lecture.layers.fc1 + extra.layers.fc1 + extra.layers.conv3,
  );
  assert.ok(extra.total < 0.45 * lecture.total);
});

Deno.test("10: both variants learn from the same short training", async () => {
  const runs = await compare(640, 300);
  for (const r of runs) {
    // Untrained: loss ≈ ln 10 and accuracy ≈ 0.1.
    assert.ok(r.score.loss < Math.log(10) - 0.3, `${r.variant}: ${r.score.loss}`);
    assert.ok(r.score.accuracy > 0.4, `${r.variant}: ${r.score.accuracy}`);
  }
});

/**
 * ## Exercises
 *
 * 1. Write `flattenedSize(side: number, blocks: number, lastChannels: number): number`, the
 *    number of features after `blocks` conv (padding 2) + max-pool 2 blocks on a side×side
 *    image: 3136 for (28, 2, 64), 1152 for (28, 3, 128). It will be checked against
 *    `buildModel`'s flatten layer and against random stacks built with `tf.layers`.
 * 2. Write `macsPerImage(variant: "lecture" | "extra-conv"): number`, the multiply-adds of one
 *    forward pass. It is checked against a count from each layer's kernel and output shapes;
 *    then compare the ratio with the s/step the lesson prints.
 */

if (import.meta.main) printExamples(await examples());

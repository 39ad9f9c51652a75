/**
 * Lesson 08's helpers: the computations its outputs and tests call (the shape walk, the
 * parameter counts, the initial weights, a short demo of the loop, the lecture's log, the
 * exercise's `checkTrainStep`), kept here so that the lesson file reads as the lesson.
 *
 * @module
 */
import { currentBackend, tf } from "../accel/backend.ts";
import { loadMnist, type Mnist, take } from "../data/mnist.ts";
import { adam } from "../accel/adam.ts";
import { buildModel } from "../training/model.ts";
import { Rng } from "../kernels/rng.ts";
import {
  crossEntropyLoss,
  evaluate,
  makeBatch,
  predictLabels,
  trainEpoch,
} from "../training/loop.ts";
import { loadModel } from "../training/save_model.ts";
import { type Table, table } from "./table.ts";
import type { ReferenceRun } from "./reference.ts";

let mnist: Mnist | undefined;
/** MNIST, read once and kept: the lecture's split of 50,000 / 10,000 / 10,000. */
export const data = (): Mnist => (mnist ??= loadMnist());

/** Four images of ones through the network: every layer's output shape, NHWC and NCHW. */
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

/** Each layer's parameter count, as TF.js counts them, and the network's total. */
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

/** The untrained network's logits for the first 64 training digits, and their labels. */
export async function untrainedLogits(): Promise<
  { logits: number[][]; labels: number[]; tfLoss: number }
> {
  await currentBackend();
  const { train } = data();
  const model = buildModel("lecture", 1);
  const { x, y } = makeBatch(train, [...Array(64).keys()], 0, 64);
  const out = tf.tidy(() => {
    const logits = model.predict(x) as tf.Tensor2D;
    return [logits, crossEntropyLoss(logits, y)] as const;
  });
  const logits = await out[0].array();
  const [tfLoss] = await out[1].data();
  const labels = Array.from(await y.data());
  tf.dispose([x, y, ...out]);
  model.dispose();
  return { logits, labels, tfLoss };
}

/** Glorot-uniform's bound, √(6 / (fan in + fan out)), and PyTorch's default 1/√(fan in). */
export function initBounds(fanIn: number, fanOut: number): { glorot: number; pytorch: number } {
  return { glorot: Math.sqrt(6 / (fanIn + fanOut)), pytorch: 1 / Math.sqrt(fanIn) };
}

/** Fan in and fan out of each layer with weights: k·k·C_in and k·k·C_out for a conv. */
export const FANS: readonly { layer: string; fanIn: number; fanOut: number }[] = [
  { layer: "conv1", fanIn: 5 * 5 * 1, fanOut: 5 * 5 * 32 },
  { layer: "conv2", fanIn: 5 * 5 * 32, fanOut: 5 * 5 * 64 },
  { layer: "fc1", fanIn: 7 * 7 * 64, fanOut: 1024 },
  { layer: "fc2", fanIn: 1024, fanOut: 10 },
];

/** The largest |kernel weight| per layer of a freshly built model, and whether biases are 0. */
export async function initialWeights(): Promise<
  { layer: string; maxAbs: number; biasesZero: boolean }[]
> {
  await currentBackend();
  const model = buildModel("lecture", 1);
  try {
    const out = [];
    for (const { layer } of FANS) {
      const [kernel, bias] = model.getLayer(layer).getWeights();
      const k = await kernel.abs().max().data();
      const b = await bias.abs().max().data();
      out.push({ layer, maxAbs: k[0], biasesZero: b[0] === 0 });
    }
    return out;
  } finally {
    model.dispose();
  }
}

/**
 * A few epochs of the loop on a small slice of the data: the untrained loss on the first
 * batch, each epoch's training and validation scores, and the test accuracy.
 */
export async function demo(trainCount = 320, evalCount = 500, epochs = 2, seed = 1) {
  await currentBackend();
  const { train, valid, test } = data();
  const model = buildModel("lecture", seed);
  const optimizer = adam(1e-3); // tf.train.adam, fused on wasm (accel/adam.ts)
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

/** The lecture's 20-epoch log: training and validation accuracy per epoch. */
export const LECTURE_LOG: readonly { epoch: number; accuracy: number; valAccuracy: number }[] = [
  [0.9501, 0.9805],
  [0.9840, 0.9858],
  [0.9891, 0.9849],
  [0.9918, 0.9907],
  [0.9932, 0.9900],
  [0.9944, 0.9892],
  [0.9948, 0.9911],
  [0.9961, 0.9905],
  [0.9968, 0.9883],
  [0.9963, 0.9907],
  [0.9975, 0.9887],
  [0.9970, 0.9891],
  [0.9967, 0.9908],
  [0.9974, 0.9905],
  [0.9983, 0.9917],
  [0.9982, 0.9920],
  [0.9979, 0.9921],
  [0.9985, 0.9906],
  [0.9981, 0.9919],
  [0.9985, 0.9909],
].map(([accuracy, valAccuracy], i) => ({ epoch: i + 1, accuracy, valAccuracy }));

/** The lecture's test accuracy after its 20 epochs. */
export const LECTURE_TEST_ACCURACY = 0.9926;

const cell = (v: number | undefined) => (v === undefined ? "-" : v.toFixed(4));

/**
 * Our reference run's accuracies beside the lecture's log, one row per epoch of either (five
 * columns, so it fits a phone; the losses are {@link lossTable}).
 */
export function historyTable(ref: ReferenceRun | undefined): Table {
  const history = ref?.metrics.history ?? [];
  const epochs = Math.max(history.length, LECTURE_LOG.length);
  return table(
    ["epoch", "acc", "val_acc", "acc", "val_acc"],
    Array.from({ length: epochs }, (_, i) => {
      const ours = history[i], theirs = LECTURE_LOG[i];
      return [
        i + 1,
        cell(ours?.trainAccuracy),
        cell(ours?.validAccuracy),
        cell(theirs?.accuracy),
        cell(theirs?.valAccuracy),
      ];
    }),
    { groups: [["", 1], ["ours", 2], ["lecture", 2]] },
  );
}

/** Our reference run's training and validation loss per epoch (the lecture printed none). */
export function lossTable(ref: ReferenceRun | undefined): Table {
  const history = ref?.metrics.history ?? [];
  return table(
    ["epoch", "loss", "val_loss"],
    history.map((h, i) => [i + 1, cell(h.trainLoss), cell(h.validLoss)]),
  );
}

/** The lecture's log as it printed it, one line per epoch. */
export function lectureLogText(): string {
  return LECTURE_LOG.map((l) =>
    `Epoch ${l.epoch} accuracy: ${l.accuracy.toFixed(4)} val_accuracy: ${l.valAccuracy.toFixed(4)}`
  ).join("\n");
}

/**
 * One run's history: the epoch of the lowest validation loss, that loss and the last one,
 * and the validation accuracy's lowest and highest from that epoch on.
 */
export function runSpread(history: readonly { validLoss: number; validAccuracy: number }[]) {
  const best = history.reduce((b, h, i) => (h.validLoss < history[b].validLoss ? i : b), 0);
  const after = history.slice(best);
  return {
    bestEpoch: best + 1,
    bestLoss: history[best].validLoss,
    lastLoss: history[history.length - 1].validLoss,
    accuracyAfterBest: [
      Math.min(...after.map((h) => h.validAccuracy)),
      Math.max(...after.map((h) => h.validAccuracy)),
    ],
  };
}
/** The lecture's validation accuracy from epoch `from` on: its lowest and highest. */
export function lectureSpread(from = 4): [number, number] {
  const vals = LECTURE_LOG.filter((l) => l.epoch >= from).map((l) => l.valAccuracy);
  return [Math.min(...vals), Math.max(...vals)];
}

/** The test images as one tensor, `[10000, 28, 28]`, and with a channel axis added. */
export function testSetShapes(): { raw: number[]; nchw: number[]; nhwc: number[] } {
  const { test } = data();
  return tf.tidy(() => {
    const raw = tf.tensor3d(test.images, [test.count, 28, 28]);
    return { raw: raw.shape, nchw: raw.expandDims(1).shape, nhwc: raw.expandDims(3).shape };
  });
}

/** The committed model's predictions for the first `count` test digits. */
export async function firstPredictions(run: ReferenceRun, count = 12): Promise<Uint8Array> {
  await currentBackend();
  const model = await loadModel(run.dir.pathname);
  try {
    return Uint8Array.from(await predictLabels(model, take(data().test, count)));
  } finally {
    model.dispose();
  }
}

/**
 * A `trainStep` to check is any function with this signature. `checkTrainStep` runs it
 * once on the first 64 training digits and compares it with one step of the loop in
 * `training/loop.ts` (forward in training mode, cross-entropy on the logits, one Adam
 * step) on an identical model: same initial weights, same dropout mask (TF.js's seeded
 * dropout draws the same mask from the same seed), same optimiser settings. It returns how
 * far the two losses and the two sets of weights ended up apart.
 */
export type TrainStep = (
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
) => Promise<number>;

export async function checkTrainStep(
  trainStep: TrainStep,
): Promise<{ lossDiff: number; weightDiff: number }> {
  await currentBackend();
  const { x, y } = makeBatch(data().train, [...Array(64).keys()], 0, 64);
  const [mine, ref] = [buildModel("lecture", 3), buildModel("lecture", 3)];
  const [optMine, optRef] = [adam(1e-3), adam(1e-3)];
  try {
    const lossMine = await trainStep(mine, optMine, x, y);
    const lossRef = optRef.minimize(
      () => crossEntropyLoss(ref.apply(x, { training: true }) as tf.Tensor, y),
      true,
      ref.trainableWeights.map((w) => w.read() as tf.Variable),
    )!;
    const [lossRefValue] = await lossRef.data();
    lossRef.dispose();
    let weightDiff = 0;
    const [a, b] = [mine.getWeights(), ref.getWeights()];
    for (let i = 0; i < a.length; i++) {
      const d = tf.tidy(() => a[i].sub(b[i]).abs().max());
      weightDiff = Math.max(weightDiff, (await d.data())[0]);
      d.dispose();
    }
    return { lossDiff: Math.abs(lossMine - lossRefValue), weightDiff };
  } finally {
    tf.dispose([x, y]);
    mine.dispose();
    ref.dispose();
    optMine.dispose();
    optRef.dispose();
  }
}

/** How close a correct `trainStep` comes: float32 rounding, far below one Adam step (1e-3). */
export const TRAIN_STEP_TOLERANCE = 1e-5;

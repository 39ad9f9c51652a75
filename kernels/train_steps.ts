/**
 * Task 11.10: the student's own kernels train a network. A small CNN of the lecture's shape
 * (`cnn.ts` with the sizes {@link GRADED_CNN}) takes one Adam step per batch from the state
 * it is given, and the losses along the way must match the reference's.
 *
 * Dropout is left out here: its mask is the student's own choice (task 09's dropout accepts
 * any mask), so a mask of ours would grade nothing of theirs. Everything else the lecture's
 * network does, forward and backward, is in the chain.
 *
 * It needs no TF.js; `tests/naive_training_test.ts` closes the loop to TF.js on the
 * lecture's own network.
 *
 * @module
 */
import { Adam } from "./adam.ts";
import { type Architecture, initParams, trainStep } from "./cnn.ts";
import { assertFiniteNumber, assertTensor, LitconvError } from "./errors.ts";
import type { Fc, Op } from "./op.ts";
import { Rng } from "./rng.ts";
import type { CnnParams, TrainingBatch } from "./types.ts";

/** The graded network: 8×8 images, 3×3 convs of 2 and 3 channels, fc1 of 6, 4 classes. */
export const GRADED_CNN: Architecture = {
  inputSize: 8,
  channels: [2, 3],
  kernel: 3,
  hidden: 6,
  classes: 4,
  dropoutRate: 0,
};

/**
 * Trains a copy of `params`, one Adam step (β1 0.9, β2 0.999, ε 1e-7, fresh moments) per
 * batch, through conv1 3×3 pad 1 → ReLU → maxpool 2 → conv2 3×3 pad 1 → ReLU → maxpool 2 →
 * flatten → fc1 → ReLU → fc2, with mean cross-entropy on the logits; returns each batch's
 * loss before its step.
 *
 * ```ts
 * import assert from "node:assert/strict";
 * import { gradedCase, trainSteps } from "./train_steps.ts";
 * const [params, batches, lr] = gradedCase(1, 20, 4, 0.01);
 * const losses = trainSteps(params, batches, lr);
 * assert.equal(losses.length, 20);
 * // The first loss is the untrained network's: about ln 4 for 4 classes.
 * assert.ok(Math.abs(losses[0] - Math.log(4)) < 0.3);
 * ```
 */
export function trainSteps(
  params: CnnParams,
  batches: TrainingBatch[],
  learningRate: number,
): number[] {
  checkTrainSteps(params, batches, learningRate);
  const trained = structuredClone(params);
  const adam = new Adam(learningRate);
  return batches.map((batch) => trainStep(trained, adam, batch, null, { arch: GRADED_CNN }).loss);
}

/**
 * A deterministic case for the graded network: weights from `seed` (Glorot, as the lecture's),
 * and `steps` batches of `batchSize` 8×8 images whose label is the quadrant with the most
 * ink, so that the network has something to learn.
 */
export function gradedCase(
  seed: number,
  steps: number,
  batchSize: number,
  learningRate: number,
): [CnnParams, TrainingBatch[], number] {
  const rng = new Rng(seed + 7);
  const side = GRADED_CNN.inputSize, half = side / 2;
  const image = (): { x: number[][][]; label: number } => {
    const rows = Array.from({ length: side }, () => Array.from({ length: side }, () => rng.next()));
    const bright = rng.int(4);
    // Brighten one quadrant: it holds the label.
    for (let r = 0; r < half; r++) {
      for (let c = 0; c < half; c++) {
        rows[r + half * (bright >> 1)][c + half * (bright & 1)] += 1;
      }
    }
    return { x: [rows], label: bright };
  };
  const batches = Array.from({ length: steps }, () => {
    const images = Array.from({ length: batchSize }, image);
    return { x: images.map((i) => i.x), labels: images.map((i) => i.label) };
  });
  return [initParams(seed, GRADED_CNN), batches, learningRate];
}

// ─── Argument checks ──────────────────────────────────────────────────────────

/** trainSteps: the graded network's parameter shapes, batches of 1×8×8 images, lr > 0. */
function checkTrainSteps(params: CnnParams, batches: TrainingBatch[], learningRate: number) {
  const fn = "trainSteps";
  const want = initParams(0, GRADED_CNN);
  for (const name of Object.keys(want) as (keyof CnnParams)[]) {
    const shape = assertTensor(fn, `params.${name}`, params?.[name]);
    const expected = assertTensor(fn, name, want[name]);
    if (shape.join() !== expected.join()) {
      throw new LitconvError(
        fn,
        `params.${name}`,
        `has shape [${shape.join(",")}], the graded network's is [${expected.join(",")}]`,
      );
    }
  }
  if (!Array.isArray(batches) || batches.length === 0) {
    throw new LitconvError(fn, "batches", "must be a non-empty list of { x, labels }");
  }
  batches.forEach((b, i) => {
    const [n, c, h, w] = assertTensor(fn, `batches[${i}].x`, b?.x, 4);
    const side = GRADED_CNN.inputSize;
    if (c !== 1 || h !== side || w !== side) {
      throw new LitconvError(
        fn,
        `batches[${i}].x`,
        `must be [N,1,${side},${side}], got [${n},${c},${h},${w}]`,
      );
    }
    if (!Array.isArray(b.labels) || b.labels.length !== n) {
      throw new LitconvError(fn, `batches[${i}].labels`, `must hold ${n} labels, one per image`);
    }
  });
  assertFiniteNumber(fn, "learningRate", learningRate);
  if (!(learningRate > 0)) {
    throw new LitconvError(fn, "learningRate", `must be > 0, got ${learningRate}`);
  }
}

// ─── Definition: the graded task ──────────────────────────────────────────────

/**
 * The judge's scale of each loss. Student and reference both compute in float64 and differ
 * only in the order of their sums (a conv's dx gathered or scattered, a mean summed up or
 * down): ~1e-16 relative in each gradient. Adam's step m̂/(√v̂ + ε) moves by about as much,
 * and 20 steps of a small network amplify it little: the correct fixture submission (conv
 * backward in scatter form, its own Adam) stays within 1e-15 of the reference over 180
 * cases. We allow 1e-12 × 10 = 1e-11 of the loss. A wrong gradient (a kernel not flipped, a
 * gradient routed to the wrong cell) moves the second loss by far more. (A gradient off by a
 * constant factor, such as a missing 1/N, is invisible here: Adam divides it out. Task 11.8
 * catches that one.)
 */
const LOSS_SCALE = 10;

/** Task 11.10. No twin: `tests/naive_training_test.ts` checks the chain against TF.js. */
export const trainStepsOp: Op<typeof trainSteps> = {
  name: "trainSteps",
  summary: "Adam steps of a small CNN through your own forward and backward kernels",
  naive: trainSteps,
  arbitrary: (fc: Fc) =>
    fc.tuple(
      fc.integer({ min: 0, max: 1000 }),
      fc.constantFrom(1e-3, 1e-2),
      fc.integer({ min: 1, max: 6 }),
    )
      .map(([seed, lr, batchSize]) => gradedCase(seed, 20, batchSize, lr)),
  task: {
    id: "11.10",
    lesson: "11-backprop",
    title: "train a small CNN 20 steps with your own kernels: each batch's loss before its step",
    examples: [["20 steps of 4 images from the given weights, lr 0.01", [
      gradedCase(1, 20, 4, 0.01),
    ]]],
    edges: [
      ["one image per batch", [gradedCase(2, 20, 1, 0.01)]],
      ["a smaller learning rate, 1e-3", [gradedCase(3, 20, 4, 1e-3)]],
    ],
    properties: (_fc, arbitrary) => [["random weights, images and batch sizes", arbitrary]],
    scale: (args) => trainSteps(...args).map((loss) => LOSS_SCALE * Math.abs(loss)),
  },
};

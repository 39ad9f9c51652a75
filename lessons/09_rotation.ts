/**
 * # 09 · Rotated digits
 *
 * A CNN trained on upright digits: how does it fare on tilted ones? The lecture's section
 * 15.11 picks a random test digit, rotates it by a random angle between −45° and 45°, and
 * asks the model. Here we do the same with a seeded generator (so the page is the same every
 * time), then go further and measure the test accuracy at every angle from −45° to 45°.
 *
 * Convolution is *translation*-equivariant (lesson 01: shift the input, the feature map
 * shifts with it) and max pooling adds a little tolerance to small shifts. Nothing in the
 * network makes it rotation-equivariant: a 5×5 kernel tuned to a vertical stroke does not
 * respond to the same stroke at 40°. The network copes with the small tilts present in
 * people's handwriting and fails more and more beyond them.
 *
 * @module
 */
import assert from "node:assert/strict";
import { currentBackend, tf } from "../kernels/backend.ts";
import { asciiDigit, IMAGE_SIZE, loadMnist, type Mnist, PIXELS, take } from "../data/mnist.ts";
import { buildModel } from "../training/model.ts";
import { Rng } from "../training/rng.ts";
import { predictLabels, trainEpoch } from "../training/loop.ts";
import {
  rotateImage,
  rotationAngles,
  rotationCurve,
  type RotationPoint,
} from "../training/rotate.ts";
import { loadModel } from "../training/save_model.ts";
import { latestRun } from "../training/runs.ts";
import { type Example, type LessonMeta, printExamples } from "./literate.ts";

export const lesson: LessonMeta = {
  slug: "09-rotation",
  title: "Rotated digits",
  order: 9,
  summary: "A seeded random test digit rotated by a random angle in [−45°, 45°] and " +
    "classified, then the test accuracy at every angle: translation, not rotation, is built in.",
};

let mnist: Mnist | undefined;
const data = (): Mnist => (mnist ??= loadMnist());

/**
 * ## Rotating an image
 *
 * `training/rotate.ts` rotates by *bilinear sampling* about the centre, as torchvision's
 * `TF.rotate` does: for every output pixel, turn its position back by the angle to find where
 * it came from (generally between four input pixels) and blend those four by distance.
 * Positive angles turn counter-clockwise; what comes from outside the image is background.
 *
 * ## A model to ask
 *
 * If `deno task train` has left a finished run in `data/runs/`, we load its saved model;
 * otherwise we train a quick one on 640 digits (a few seconds; expect it to be weaker).
 */
export async function modelToAsk(): Promise<{ model: tf.LayersModel; source: string }> {
  await currentBackend();
  const run = await latestRun("lecture");
  if (run) {
    try {
      return { model: await loadModel(run.dir), source: `run ${run.name}` };
    } catch { /* a run without its saved model: fall back to a quick one */ }
  }
  const model = buildModel("lecture", 1);
  const optimizer = tf.train.adam(1e-3);
  await trainEpoch(model, optimizer, take(data().train, 640), new Rng(1), 64);
  optimizer.dispose();
  return { model, source: "a quick model (1 epoch on 640 digits; run deno task train for more)" };
}

/**
 * ## One random digit, one random angle
 *
 * The lecture draws `random.randint(0, len(test) - 1)` and `random.uniform(-45, 45)` and
 * printed `angle: -15.84`. Our generator is seeded, so the draw is always the same.
 */
export function randomRotation(seed = 1, count = 10_000) {
  const rng = new Rng(seed);
  const index = rng.int(count);
  const angle = rng.uniform(-45, 45);
  return { index, angle };
}

export async function predictOne(model: tf.LayersModel, image: Float32Array): Promise<number> {
  const labels = await predictLabels(model, { count: 1, images: image, labels: new Uint8Array(1) });
  return labels[0];
}

/**
 * ## Accuracy against angle
 *
 * Rotating *all* 10,000 test digits by each angle from −45° to 45° in 5° steps is part of
 * every `deno task train` run (`rotation.json`, `rotation.svg`). Without a run, the quick
 * model is measured on the first 500 test digits in 15° steps.
 */
export async function accuracyByAngle(
  model: tf.LayersModel,
): Promise<{ points: RotationPoint[]; source: string }> {
  const run = await latestRun("lecture");
  if (run?.metrics.rotation) return { points: run.metrics.rotation, source: `run ${run.name}` };
  const points = await rotationCurve(model, take(data().test, 500), rotationAngles(45, 15));
  return { points, source: "the quick model, first 500 test digits" };
}

const rowsOf = (img: Float32Array) =>
  Array.from({ length: IMAGE_SIZE }, (_, r) => Array.from(img.subarray(r * 28, r * 28 + 28)));

export async function examples(): Promise<Example[]> {
  const { test } = data();
  const { model, source } = await modelToAsk();
  const { index, angle } = randomRotation();
  const original = test.images.slice(index * PIXELS, (index + 1) * PIXELS);
  const rotated = rotateImage(original, angle);
  const pred = await predictOne(model, rotated);
  const curve = await accuracyByAngle(model);
  model.dispose();
  const bar = (a: number) => "#".repeat(Math.round(a * 40));
  return [
    { label: "model", value: source },
    { label: "random test digit", value: `index ${index}, true label ${test.labels[index]}` },
    { label: "rotated digit", value: asciiDigit(rowsOf(rotated)) },
    { label: "prediction", value: `Pred: ${pred}, True: ${test.labels[index]}` },
    { label: "angle", value: angle.toFixed(2) },
    {
      label: `test accuracy by angle (${curve.source})`,
      value: curve.points.map((p) =>
        `${String(p.angle).padStart(4)}°  ${p.accuracy.toFixed(4)}  ${bar(p.accuracy)}`
      ).join("\n"),
    },
  ];
}

/**
 * ## Claims, checked
 */
Deno.test("09: rotation turns counter-clockwise, keeps 0° exact and undoes itself closely", () => {
  const img = new Float32Array(PIXELS);
  img[13 * 28 + 24] = 1; // a dot right of the centre (13.5, 13.5)…
  const up = rotateImage(img, 90);
  const peak = up.indexOf(Math.max(...up));
  assert.equal(Math.floor(peak / 28), 3); // …is above it after +90°
  const digit = data().test.images.slice(0, PIXELS);
  assert.deepEqual(rotateImage(digit, 0), digit);
  const back = rotateImage(rotateImage(digit, 30), -30); // bilinear blurs a little
  const err = back.reduce((s, v, i) => s + Math.abs(v - digit[i]), 0) /
    digit.reduce((s, v) => s + v, 0);
  assert.ok(err < 0.35, `relative L1 error ${err}`);
});

Deno.test("09: the seeded draw is an index in range and an angle in [−45, 45)", () => {
  const { index, angle } = randomRotation(1);
  assert.deepEqual(randomRotation(1), { index, angle });
  assert.ok(Number.isInteger(index) && index >= 0 && index < 10_000);
  assert.ok(angle >= -45 && angle < 45);
  assert.notDeepEqual(randomRotation(2), { index, angle });
});

Deno.test("09: even a quick model is best upright and worse at ±45°", async () => {
  await currentBackend();
  const model = buildModel("lecture", 1);
  const optimizer = tf.train.adam(1e-3);
  await trainEpoch(model, optimizer, take(data().train, 640), new Rng(1), 64);
  const [left, upright, right] = await rotationCurve(model, take(data().test, 300), [-45, 0, 45]);
  assert.ok(upright.accuracy > left.accuracy + 0.1, `${upright.accuracy} vs ${left.accuracy}`);
  assert.ok(upright.accuracy > right.accuracy + 0.1, `${upright.accuracy} vs ${right.accuracy}`);
  model.dispose();
  optimizer.dispose();
});

/**
 * ## Exercises
 *
 * 1. Write `rotate90(img: number[][]): number[][]`, an exact quarter turn counter-clockwise
 *    by moving entries (no interpolation). It will be checked against `rotateImage(img, 90)`
 *    on random square images (they agree up to float rounding).
 * 2. Write `augment(split: MnistSplit, maxAngle: number, rng: Rng): MnistSplit` that rotates
 *    every training digit by its own random angle in [−maxAngle, maxAngle]. Train with it
 *    (`trainEpoch` on the augmented split each epoch) and compare the accuracy-by-angle curve
 *    with the unaugmented model's: it is checked that accuracy at ±45° rises.
 */

if (import.meta.main) printExamples(await examples());

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
import { currentBackend, tf } from "../accel/backend.ts";
import { asciiDigit, IMAGE_SIZE, loadMnist, type Mnist, PIXELS, take } from "../data/mnist.ts";
import { buildModel } from "../training/model.ts";
import { Rng } from "../kernels/rng.ts";
import { predictLabels, trainEpoch } from "../training/loop.ts";
import {
  type Interpolation,
  rotateImage,
  rotationAngles,
  rotationCurve,
  type RotationPoint,
} from "../training/rotate.ts";
import { loadModel } from "../training/save_model.ts";
import { latestRun } from "../training/runs.ts";
import { type Example, type LessonMeta, printExamples } from "./literate.ts";
import { exactTwin } from "./twins.ts";
import { missingReference, readReference, referencePath } from "./reference.ts";

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
 * `training/rotate.ts` turns an image about its centre: for every output pixel, turn its
 * position back by the angle to find where it came from, generally a point between four
 * input pixels. Positive angles turn counter-clockwise; what comes from outside the image
 * is background. Then there are two ways to read the input at that point:
 *
 * - **nearest**: take the closest input pixel. This is what the lecture's `TF.rotate`
 *   does, since its `interpolation` argument defaults to nearest, and what TF.js's
 *   `tf.image.rotateWithOffset` does: that op is the twin of our nearest rotation below;
 * - **bilinear**: blend the four surrounding pixels by distance. Our rotation curves use
 *   it by default, because nearest sampling makes strokes jagged and drops or doubles
 *   pixels (a digit's total ink changes with the angle), which mixes a resampling artefact
 *   into what should measure rotation alone.
 *
 * The difference is small next to the effect of the angle itself; the curve further down
 * measures both on the same model.
 */
export function rotateWithTf(image: Float32Array, degrees: number): Promise<Float32Array> {
  const c = (IMAGE_SIZE - 1) / 2 / IMAGE_SIZE; // the centre as a fraction of the side
  const input = tf.tensor4d(image, [1, IMAGE_SIZE, IMAGE_SIZE, 1]);
  const out = tf.image.rotateWithOffset(input, (degrees * Math.PI) / 180, 0, [c, c]);
  input.dispose();
  return out.data<"float32">().finally(() => out.dispose());
}

/** The total ink of an image: the sum of its pixels. */
export function ink(image: Float32Array): number {
  return image.reduce((s, v) => s + v, 0);
}

/**
 * ## A model to ask
 *
 * The committed reference run in `data/reference/lecture/` holds a trained model; we load
 * it. Failing that, the newest finished run of `deno task train` in `data/runs/`; failing
 * both, a quick model trained on 640 digits (a few seconds; expect it to be weaker).
 */
export async function modelToAsk(): Promise<{ model: tf.LayersModel; source: string }> {
  await currentBackend();
  const ref = await readReference("lecture");
  const runs = [
    ...(ref ? [{ dir: ref.dir.pathname, name: referencePath("lecture") }] : []),
    ...[await latestRun("lecture")].flatMap((r) =>
      r ? [{ dir: r.dir, name: `run ${r.name}` }] : []
    ),
  ];
  for (const run of runs) {
    try {
      return { model: await loadModel(run.dir), source: run.name };
    } catch { /* a run without its saved model: try the next */ }
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
 * Rotating *all* 10,000 test digits by each angle from −45° to 45° in 5° steps, bilinear,
 * is part of every `deno task train` run (`rotation.json`, `rotation.svg`); we print the
 * reference run's. Then the same model, on the first 500 test digits in 15° steps, with
 * both kinds of sampling: the gap between the two columns is what the choice of
 * interpolation costs or gains.
 */
export async function accuracyByAngle(): Promise<
  { points: RotationPoint[]; source: string } | undefined
> {
  const ref = await readReference("lecture");
  if (ref?.metrics.rotation) {
    return { points: ref.metrics.rotation, source: referencePath("lecture", "rotation.json") };
  }
  const run = await latestRun("lecture");
  if (run?.metrics.rotation) return { points: run.metrics.rotation, source: `run ${run.name}` };
  return undefined;
}

/** Accuracy at each angle with nearest and with bilinear sampling, on the same digits. */
export async function nearestVsBilinear(
  model: tf.LayersModel,
  count = 500,
  angles = rotationAngles(45, 15),
): Promise<{ angle: number; nearest: number; bilinear: number }[]> {
  const split = take(data().test, count);
  const curve = (how: Interpolation) => rotationCurve(model, split, angles, undefined, how);
  const [nearest, bilinear] = [await curve("nearest"), await curve("bilinear")];
  return angles.map((angle, i) => ({
    angle,
    nearest: nearest[i].accuracy,
    bilinear: bilinear[i].accuracy,
  }));
}

const rowsOf = (img: Float32Array) =>
  Array.from({ length: IMAGE_SIZE }, (_, r) => Array.from(img.subarray(r * 28, r * 28 + 28)));

const ROTATING = "Rotating an image";
const ONE = "One random digit, one random angle";
const CURVE = "Accuracy against angle";

export async function examples(): Promise<Example[]> {
  const { test } = data();
  const { model, source } = await modelToAsk();
  const { index, angle } = randomRotation();
  const original = test.images.slice(index * PIXELS, (index + 1) * PIXELS);
  const rotated = rotateImage(original, angle);
  const nearest = rotateImage(original, angle, IMAGE_SIZE, "nearest");
  const twin = await rotateWithTf(original, angle);
  const pred = await predictOne(model, rotated);
  const predNearest = await predictOne(model, nearest);
  const curve = await accuracyByAngle();
  const both = await nearestVsBilinear(model);
  model.dispose();
  const bar = (a: number) => "#".repeat(Math.round(a * 40));
  return [
    {
      label: "ink (sum of pixels): original, nearest, bilinear",
      value: [original, nearest, rotated].map((img) => ink(img).toFixed(1)).join(", "),
      section: ROTATING,
    },
    {
      label: `digit ${index} rotated by ${angle.toFixed(2)}°, nearest (rotateImage)`,
      value: asciiDigit(rowsOf(nearest)),
      section: ROTATING,
      twin: await exactTwin(nearest, twin, asciiDigit(rowsOf(twin))),
    },
    { label: "model", value: source, section: ONE },
    {
      label: "random test digit",
      value: `index ${index}, true label ${test.labels[index]}`,
      section: ONE,
    },
    { label: "the digit", value: asciiDigit(rowsOf(original)), section: ONE },
    { label: "rotated digit (bilinear)", value: asciiDigit(rowsOf(rotated)), section: ONE },
    {
      label: "prediction (bilinear / nearest)",
      value: `Pred: ${pred} / ${predNearest}, True: ${test.labels[index]}`,
      section: ONE,
    },
    { label: "angle", value: angle.toFixed(2), section: ONE },
    curve
      ? {
        label: `test accuracy by angle, bilinear (${curve.source})`,
        value: curve.points.map((p) =>
          `${String(p.angle).padStart(4)}°  ${p.accuracy.toFixed(4)}  ${bar(p.accuracy)}`
        ).join("\n"),
        section: CURVE,
      }
      : { label: "test accuracy by angle", value: missingReference("lecture"), section: CURVE },
    {
      label: "the same model, first 500 test digits: nearest vs bilinear",
      value: ["angle  nearest  bilinear"].concat(
        both.map((p) =>
          `${String(p.angle).padStart(4)}°  ${p.nearest.toFixed(4).padStart(7)}  ${
            p.bilinear.toFixed(4).padStart(8)
          }`
        ),
      ).join("\n"),
      section: CURVE,
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

Deno.test("09: nearest rotation is tf.image.rotateWithOffset exactly, and keeps pixel values", async () => {
  await currentBackend();
  const digit = data().test.images.slice(0, PIXELS);
  for (const deg of [-45, -15.84, 30, 90]) {
    const ours = rotateImage(digit, deg, IMAGE_SIZE, "nearest");
    assert.deepEqual(ours, await rotateWithTf(digit, deg), `${deg}°`);
    const values = new Set(digit);
    assert.ok(ours.every((v) => values.has(v)), "nearest only copies input pixels");
  }
  assert.deepEqual(rotateImage(digit, 0, IMAGE_SIZE, "nearest"), digit);
  // Bilinear keeps the ink closer at an angle than nearest does (averaged over 100 digits).
  let [errNearest, errBilinear] = [0, 0];
  for (let i = 0; i < 100; i++) {
    const img = data().test.images.slice(i * PIXELS, (i + 1) * PIXELS);
    errNearest += Math.abs(ink(rotateImage(img, 30, IMAGE_SIZE, "nearest")) - ink(img));
    errBilinear += Math.abs(ink(rotateImage(img, 30)) - ink(img));
  }
  assert.ok(errBilinear < errNearest, `${errBilinear} vs ${errNearest}`);
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
 * This lesson has no graded task; these are practice, and you check them yourself.
 *
 * 1. Write `rotate90(img: number[][]): number[][]`, an exact quarter turn counter-clockwise
 *    by moving entries (no interpolation). Compare it with `rotateImage(img, 90)` with
 *    either kind of sampling on a few square images: they should agree up to float
 *    rounding.
 * 2. Write `augment(split: MnistSplit, maxAngle: number, rng: Rng): MnistSplit` that rotates
 *    every training digit by its own random angle in [−maxAngle, maxAngle]. Train with it
 *    (`trainEpoch` on the augmented split each epoch) and compare the accuracy-by-angle
 *    curve with the unaugmented model's: does the accuracy at ±45° rise, and what happens
 *    upright?
 */

if (import.meta.main) printExamples(await examples());

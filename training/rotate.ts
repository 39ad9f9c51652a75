/**
 * Rotating digits, and how accuracy falls as they tilt (the lecture's section 15.11).
 *
 * One image is turned by {@link rotateImage} (`rotate_image.ts`: nearest or bilinear
 * sampling, and why bilinear is our default); here, whole splits and the accuracy-by-angle
 * curve.
 *
 * @module
 */
import type { LayersModel } from "../accel/tf_types.ts";
import { IMAGE_SIZE, type MnistSplit, PIXELS } from "../data/mnist.ts";
import { predictLabels } from "./loop.ts";
import { type Interpolation, rotateImage } from "./rotate_image.ts";

export { type Interpolation, rotateImage };

/** Every image of `split` rotated by `degrees`; labels unchanged. */
export function rotateSplit(
  split: MnistSplit,
  degrees: number,
  interpolation: Interpolation = "bilinear",
): MnistSplit {
  const images = new Float32Array(split.images.length);
  for (let i = 0; i < split.count; i++) {
    const img = split.images.subarray(i * PIXELS, (i + 1) * PIXELS);
    images.set(rotateImage(img, degrees, IMAGE_SIZE, interpolation), i * PIXELS);
  }
  return { count: split.count, images, labels: split.labels };
}

/** Angles from −`max` to `max` in steps of `step` degrees: −45, −40, …, 45 by default. */
export function rotationAngles(max = 45, step = 5): number[] {
  const n = Math.floor((2 * max) / step + 1e-9);
  return Array.from({ length: n + 1 }, (_, i) => -max + i * step);
}

/** Accuracy at one angle. */
export interface RotationPoint {
  /** Degrees, counter-clockwise. */
  angle: number;
  /** Test accuracy on the digits rotated by `angle`. */
  accuracy: number;
}

/** Test accuracy of `model` on `split` rotated by each of `angles`. */
export async function rotationCurve(
  model: LayersModel,
  split: MnistSplit,
  angles: number[] = rotationAngles(),
  onAngle?: (p: RotationPoint) => void,
  interpolation: Interpolation = "bilinear",
): Promise<RotationPoint[]> {
  const points: RotationPoint[] = [];
  for (const angle of angles) {
    const predicted = await predictLabels(model, rotateSplit(split, angle, interpolation));
    let correct = 0;
    predicted.forEach((p, i) => (correct += p === split.labels[i] ? 1 : 0));
    const point = { angle, accuracy: correct / split.count };
    points.push(point);
    onAngle?.(point);
  }
  return points;
}

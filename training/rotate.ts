/**
 * Rotating digits, and how accuracy falls as they tilt (the lecture's section 15.11).
 *
 * The rotation turns the image about its centre; a positive angle turns the digit
 * counter-clockwise, as torchvision's `TF.rotate(img, angle)` does, and pixels that come
 * from outside the image are 0 (background). For each output pixel we rotate its position
 * *backwards* to find where it came from, then sample the input there, one of two ways:
 *
 * - `"nearest"`: take the input pixel closest to that point. This is `TF.rotate`'s
 *   default (`InterpolationMode.NEAREST`), so it is what the lecture's rotated digit went
 *   through, and what `tf.image.rotateWithOffset` does;
 * - `"bilinear"` (our default): blend the four input pixels around that point by how
 *   close they are. Strokes stay smooth instead of jagged, no pixel is dropped or doubled,
 *   so the ink of a digit is kept better; `TF.rotate` offers it as
 *   `InterpolationMode.BILINEAR`.
 *
 * @module
 */
import type { tf } from "../kernels/backend.ts";
import { IMAGE_SIZE, type MnistSplit, PIXELS } from "../data/mnist.ts";
import { predictLabels } from "./loop.ts";

/** How a rotated image samples its input: the closest pixel, or a blend of four. */
export type Interpolation = "bilinear" | "nearest";

/**
 * `src` (size×size, row-major) rotated by `degrees` counter-clockwise about its centre.
 *
 * ```ts
 * import { rotateImage } from "./rotate.ts";
 * const img = new Float32Array(9); img[1] = 1; // top middle of a 3×3 image
 * const turned = rotateImage(img, 90, 3);      // counter-clockwise: to the middle left
 * console.assert(Math.abs(turned[3] - 1) < 1e-6);
 * console.assert(rotateImage(img, 90, 3, "nearest")[3] === 1);
 * ```
 */
export function rotateImage(
  src: Float32Array,
  degrees: number,
  size = IMAGE_SIZE,
  interpolation: Interpolation = "bilinear",
): Float32Array {
  const out = new Float32Array(size * size);
  const c = (size - 1) / 2;
  const rad = (degrees * Math.PI) / 180;
  const cos = Math.cos(rad), sin = Math.sin(rad);
  const at = (r: number, col: number) =>
    r >= 0 && r < size && col >= 0 && col < size ? src[r * size + col] : 0;
  for (let r = 0; r < size; r++) {
    for (let col = 0; col < size; col++) {
      // (x right, y up) about the centre; undo the counter-clockwise turn.
      const x = col - c, y = c - r;
      const sx = cos * x + sin * y, sy = -sin * x + cos * y;
      const fc = sx + c, fr = c - sy;
      if (interpolation === "nearest") {
        out[r * size + col] = at(Math.round(fr), Math.round(fc));
        continue;
      }
      const r0 = Math.floor(fr), c0 = Math.floor(fc);
      const dr = fr - r0, dc = fc - c0;
      out[r * size + col] = (1 - dr) * ((1 - dc) * at(r0, c0) + dc * at(r0, c0 + 1)) +
        dr * ((1 - dc) * at(r0 + 1, c0) + dc * at(r0 + 1, c0 + 1));
    }
  }
  return out;
}

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
  angle: number;
  accuracy: number;
}

/** Test accuracy of `model` on `split` rotated by each of `angles`. */
export async function rotationCurve(
  model: tf.LayersModel,
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

/**
 * Rotating one square image about its centre with nothing but arithmetic (no TF.js, no
 * Deno APIs), so the site's digit pad bundles this file as it is. A positive angle turns
 * counter-clockwise, as torchvision's `TF.rotate` does; pixels from outside are 0. Each
 * output pixel is sampled where it came from: `"nearest"` (`TF.rotate`'s default, what the
 * lecture's digit went through) or `"bilinear"` (ours: smooth strokes, ink kept).
 *
 * @module
 */

/** MNIST's side (data/mnist.ts's IMAGE_SIZE; not imported, to keep this file dependency-free). */
const MNIST_SIDE = 28;

/** How a rotated image samples its input: the closest pixel, or a blend of four. */
export type Interpolation = "bilinear" | "nearest";

/**
 * `src` (size×size, row-major) rotated by `degrees` counter-clockwise about its centre.
 *
 * ```ts
 * import { rotateImage } from "./rotate_image.ts";
 * const img = new Float32Array(9); img[1] = 1; // top middle of a 3×3 image
 * const turned = rotateImage(img, 90, 3);      // counter-clockwise: to the middle left
 * console.assert(Math.abs(turned[3] - 1) < 1e-6);
 * console.assert(rotateImage(img, 90, 3, "nearest")[3] === 1);
 * ```
 */
export function rotateImage(
  src: Float32Array,
  degrees: number,
  size = MNIST_SIDE,
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

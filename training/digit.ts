/**
 * A drawn digit made into an MNIST input, the way MNIST itself was made: the ink's bounding box
 * is scaled so that its longer side is 20 pixels (aspect ratio kept, anti-aliased), then pasted
 * into a 28×28 field so that its centre of mass sits at the field's centre.
 *
 * Pure: no Deno APIs and no TF.js, so that the site's drawing pad can bundle it and feed the
 * model exactly what the tests check.
 *
 * ```ts
 * import { centreOfMass, preprocessDigit } from "./digit.ts";
 * // A 100×60 drawing of a thick horizontal bar.
 * const w = 100, h = 60, img = new Float32Array(w * h);
 * for (let y = 20; y < 30; y++) for (let x = 10; x < 90; x++) img[y * w + x] = 1;
 * const input = preprocessDigit(img, w, h);
 * const [row, col] = centreOfMass(input, 28, 28);
 * console.assert(input.length === 784 && Math.abs(row - 14) <= 0.5 && Math.abs(col - 14) <= 0.5);
 * ```
 *
 * @module
 */
import { LitconvError } from "../kernels/errors.ts";

/** MNIST's field and the box the digit is scaled into. */
export const FIELD = 28, BOX = 20;

/** Pixels above this count as ink when finding the bounding box. */
const INK = 1e-3;

/** The ink's bounding box: rows `top…bottom` and columns `left…right`, inclusive; null if blank. */
export function inkBox(
  img: ArrayLike<number>,
  width: number,
  height: number,
): { top: number; left: number; bottom: number; right: number } | null {
  let top = height, left = width, bottom = -1, right = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (img[y * width + x] > INK) {
        if (y < top) top = y;
        if (y > bottom) bottom = y;
        if (x < left) left = x;
        if (x > right) right = x;
      }
    }
  }
  return bottom < 0 ? null : { top, left, bottom, right };
}

/** The intensity-weighted mean (row, column) of `img`, in pixel indices; the middle if blank. */
export function centreOfMass(
  img: ArrayLike<number>,
  width: number,
  height: number,
): [number, number] {
  let mass = 0, r = 0, c = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = img[y * width + x];
      mass += v;
      r += v * y;
      c += v * x;
    }
  }
  return mass > 0 ? [r / mass, c / mass] : [(height - 1) / 2, (width - 1) / 2];
}

/**
 * For each of `outSize` output cells, the input cells it covers and by how much, when `inSize`
 * cells are resampled to `outSize` by area averaging: output cell j covers the input interval
 * [j·k, (j+1)·k) with k = inSize / outSize, and each input cell counts by its overlap.
 */
function areaWeights(inSize: number, outSize: number): { from: number; weights: number[] }[] {
  const k = inSize / outSize;
  return Array.from({ length: outSize }, (_, j) => {
    const lo = j * k, hi = (j + 1) * k;
    const from = Math.floor(lo), to = Math.min(inSize, Math.ceil(hi - 1e-9));
    const weights: number[] = [];
    for (let i = from; i < to; i++) weights.push((Math.min(hi, i + 1) - Math.max(lo, i)) / k);
    return { from, weights };
  });
}

/**
 * `img` (`width`×`height`, row-major) resampled to `outW`×`outH` by area averaging: each output
 * pixel is the mean of the input area under it, which anti-aliases when shrinking.
 */
export function resizeArea(
  img: ArrayLike<number>,
  width: number,
  height: number,
  outW: number,
  outH: number,
): Float32Array {
  const cols = areaWeights(width, outW), rows = areaWeights(height, outH);
  // Separable: first along each row, then down each column.
  const mid = new Float32Array(outW * height);
  for (let y = 0; y < height; y++) {
    cols.forEach(({ from, weights }, j) => {
      let s = 0;
      weights.forEach((w, i) => (s += w * img[y * width + from + i]));
      mid[y * outW + j] = s;
    });
  }
  const out = new Float32Array(outW * outH);
  rows.forEach(({ from, weights }, j) => {
    for (let x = 0; x < outW; x++) {
      let s = 0;
      weights.forEach((w, i) => (s += w * mid[(from + i) * outW + x]));
      out[j * outW + x] = s;
    }
  });
  return out;
}

/**
 * The 28×28 MNIST input (row-major, values in [0, 1]) for a drawing's grey levels (`width` ×
 * `height`, row-major, ink = 1, paper = 0): crop to the ink, scale the longer side to 20 px,
 * and place the centre of mass at (14, 14), rounded to whole pixels as MNIST did. A blank
 * drawing gives a blank field.
 */
export function preprocessDigit(
  gray: ArrayLike<number>,
  width: number,
  height: number,
): Float32Array {
  if (gray.length !== width * height) {
    throw new LitconvError(
      "preprocessDigit",
      "gray",
      `has ${gray.length} grey levels for a ${width}×${height} drawing`,
    );
  }
  const field = new Float32Array(FIELD * FIELD);
  const box = inkBox(gray, width, height);
  if (!box) return field;
  const bw = box.right - box.left + 1, bh = box.bottom - box.top + 1;
  const crop = new Float32Array(bw * bh);
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) {
      crop[y * bw + x] = Math.min(1, Math.max(0, gray[(box.top + y) * width + box.left + x]));
    }
  }
  const scale = BOX / Math.max(bw, bh);
  const sw = Math.max(1, Math.round(bw * scale)), sh = Math.max(1, Math.round(bh * scale));
  const small = resizeArea(crop, bw, bh, sw, sh);
  const [cy, cx] = centreOfMass(small, sw, sh);
  const dy = Math.round(FIELD / 2 - cy), dx = Math.round(FIELD / 2 - cx);
  for (let y = 0; y < sh; y++) {
    for (let x = 0; x < sw; x++) {
      const fy = y + dy, fx = x + dx;
      if (fy >= 0 && fy < FIELD && fx >= 0 && fx < FIELD) {
        field[fy * FIELD + fx] = small[y * sw + x];
      }
    }
  }
  return field;
}

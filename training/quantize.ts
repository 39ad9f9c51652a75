/**
 * uint8 weight quantization in TF.js's own format, so that `tf.loadLayersModel` dequantizes on
 * load with nothing else to ship: each float32 tensor becomes bytes q with
 * `value = q · scale + min`, and its weight spec carries `quantization: {dtype: "uint8", min,
 * scale}`. A model shrinks four times (the lecture's 3.27 M parameters: 13.1 MB → 3.3 MB).
 *
 * As TF.js's converter does, the range [min, max] is nudged so that 0 is one of the 256 levels:
 * zero biases and ReLU-dead weights stay exactly zero.
 *
 * ```ts
 * import { dequantize, quantizeTensor } from "./quantize.ts";
 * const { bytes, min, scale } = quantizeTensor(Float32Array.of(-1, 0, 0.5, 2));
 * const back = dequantize(bytes, min, scale);
 * console.assert(back[1] === 0 && Math.abs(back[3] - 2) <= scale / 2);
 * ```
 *
 * @module
 */
import type { tf } from "../accel/backend.ts";
import { LitconvError } from "../kernels/errors.ts";

/** One tensor's bytes and the affine map back to floats. */
export interface Quantized {
  bytes: Uint8Array;
  min: number;
  scale: number;
}

/** `values` as uint8 levels of `[min, min + 255·scale]`, a range that holds 0 exactly. */
export function quantizeTensor(values: Float32Array): Quantized {
  let lo = 0, hi = 0; // the range always includes 0
  for (const v of values) {
    if (!Number.isFinite(v)) {
      throw new LitconvError("quantizeTensor", "values", `holds ${v}: cannot quantize`);
    }
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (hi === lo) return { bytes: new Uint8Array(values.length), min: lo, scale: 1 };
  const scale = (hi - lo) / 255;
  // Nudge: the level nearest to 0 becomes exactly 0. TF.js computes q · scale + min in doubles
  // from model.json's numbers, so the zero level decodes to exactly 0.
  const zero = Math.round(-lo / scale);
  const min = -zero * scale;
  const bytes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    bytes[i] = Math.max(0, Math.min(255, Math.round((values[i] - min) / scale)));
  }
  return { bytes, min, scale };
}

/** What TF.js computes on load: `q · scale + min`, in float32. */
export function dequantize(bytes: Uint8Array, min: number, scale: number): Float32Array {
  return Float32Array.from(bytes, (q) => q * scale + min);
}

/**
 * A saved model's float32 weights (specs in manifest order, their bytes concatenated) as uint8:
 * new specs with `quantization` and the concatenated bytes.
 */
export function quantizeWeights(
  specs: tf.io.WeightsManifestEntry[],
  data: ArrayBuffer,
): { specs: tf.io.WeightsManifestEntry[]; data: Uint8Array } {
  const parts: Uint8Array[] = [];
  let offset = 0;
  const out = specs.map((spec) => {
    if (spec.dtype !== "float32" || spec.quantization) {
      throw new LitconvError("quantizeWeights", spec.name, `is ${spec.dtype}, not plain float32`);
    }
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const q = quantizeTensor(new Float32Array(data.slice(offset, offset + 4 * n)));
    offset += 4 * n;
    parts.push(q.bytes);
    return { ...spec, quantization: { dtype: "uint8" as const, min: q.min, scale: q.scale } };
  });
  if (offset !== data.byteLength) {
    throw new LitconvError(
      "quantizeWeights",
      "data",
      `has ${data.byteLength} bytes; the specs describe ${offset}`,
    );
  }
  const bytes = new Uint8Array(offset / 4);
  let at = 0;
  for (const p of parts) bytes.set(p, (at += p.length) - p.length);
  return { specs: out, data: bytes };
}

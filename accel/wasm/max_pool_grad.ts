/**
 * MaxPoolGrad on wasm, as a plain loop over the wasm heap: each window's dy goes to the
 * input position of its first maximum in row-major order (as TF.js's cpu backend breaks
 * ties), zero elsewhere. The backend's own kernel searches every window around every input
 * position; this walks the windows once, as the forward pool does, on views of the heap.
 *
 * @module
 */
import { backend_util, type MaxPoolGradAttrs, type TensorInfo } from "../../deps/tfjs_core.ts";
import { allocate, heapMemory, type KernelArgs, view } from "./calls.ts";
import { maxPoolGrad2x2Kernel } from "./max_pool_grad_simd.ts";

let wasmSimdEnabled = true;

/** Switches the SIMD kernel for 2×2 pooling on or off (the tests check both against cpu). */
export function useMaxPoolGradSimd(on: boolean): void {
  wasmSimdEnabled = on;
}

/** Kernel function for `MaxPoolGrad` (inputs dy, input, output; NHWC). */
export function maxPoolGrad({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { dy, input } = inputs;
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { batchSize, inHeight: H, inWidth: W, inChannels: C, outHeight, outWidth } = info;
  const { top, left } = info.padInfo;
  const out = allocate(backend, input.shape);
  const x = view(backend, input), g = view(backend, dy), dx = view(backend, out);
  const lecture = info.filterHeight === 2 && info.filterWidth === 2 && info.strideHeight === 2 &&
    info.strideWidth === 2 && top === 0 && left === 0;
  // The lecture's pooling on whole windows, 4 channels at a time: WebAssembly SIMD.
  const memory = heapMemory(backend);
  const simd = lecture && 2 * outHeight === H && 2 * outWidth === W && C % 4 === 0 &&
    wasmSimdEnabled && memory && maxPoolGrad2x2Kernel(memory);
  if (simd) {
    simd(x.byteOffset, g.byteOffset, dx.byteOffset, batchSize * outHeight, W * C * 4, C * 4);
    return out;
  }
  dx.fill(0);
  if (lecture && 2 * outHeight <= H && 2 * outWidth <= W) {
    maxPoolGrad2x2(x, g, dx, batchSize, H, W, C, outHeight, outWidth);
    return out;
  }

  const taps = new Int32Array(info.filterHeight * info.filterWidth); // window's x offsets
  const best = new Float32Array(C), where = new Int32Array(C);
  for (let n = 0; n < batchSize; n++) {
    for (let i = 0; i < outHeight; i++) {
      for (let j = 0; j < outWidth; j++) {
        // Where this window's taps start in x, in row-major order (padding is skipped:
        // it never holds the maximum).
        let count = 0;
        for (let a = 0; a < info.filterHeight; a++) {
          const h = i * info.strideHeight + a - top;
          if (h < 0 || h >= H) continue;
          for (let b = 0; b < info.filterWidth; b++) {
            const w = j * info.strideWidth + b - left;
            if (w >= 0 && w < W) taps[count++] = ((n * H + h) * W + w) * C;
          }
        }
        if (count === 0) continue; // a window of padding only
        // Per channel, the best value so far and where it is, starting from the first tap;
        // channels are contiguous in NHWC, so the inner loops run along memory.
        for (let c = 0; c < C; c++) {
          best[c] = x[taps[0] + c];
          where[c] = taps[0] + c;
        }
        for (let t = 1; t < count; t++) {
          for (let c = 0, k = taps[t]; c < C; c++, k++) {
            const better = x[k] > best[c]; // strict: the first maximum keeps the gradient
            best[c] = better ? x[k] : best[c];
            where[c] = better ? k : where[c];
          }
        }
        const gBase = ((n * outHeight + i) * outWidth + j) * C;
        for (let c = 0; c < C; c++) dx[where[c]] += g[gBase + c];
      }
    }
  }
  return out;
}

/**
 * The lecture's pooling (2×2 windows, stride 2, no padding), on its own: the windows do not
 * overlap, so each gradient value lands in exactly one place; ~2× faster than the general
 * loop above, same choices (the first maximum in row-major order).
 */
function maxPoolGrad2x2(
  x: Float32Array,
  g: Float32Array,
  dx: Float32Array,
  N: number,
  H: number,
  W: number,
  C: number,
  oH: number,
  oW: number,
) {
  const right = C, down = W * C; // offsets of the other three taps
  for (let n = 0, o = 0; n < N; n++) {
    for (let i = 0; i < oH; i++) {
      for (let j = 0; j < oW; j++) {
        const base = ((n * H + 2 * i) * W + 2 * j) * C;
        for (let c = 0; c < C; c++, o++) {
          const k = base + c;
          let best = k, v = x[k];
          if (x[k + right] > v) v = x[best = k + right];
          if (x[k + down] > v) v = x[best = k + down];
          if (x[k + down + right] > v) best = k + down + right;
          dx[best] = g[o];
        }
      }
    }
  }
}

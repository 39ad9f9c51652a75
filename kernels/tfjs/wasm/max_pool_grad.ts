/**
 * MaxPoolGrad on wasm, as a plain loop over the wasm heap.
 *
 * Max pooling passes on only the largest value of each window, so its gradient sends each
 * window's incoming gradient dy to the one input position that held that maximum (the first
 * one in row-major order when several tie, as TF.js's cpu backend does) and zero elsewhere:
 *
 * ```text
 * dx[n, h, w, c] = Σ over windows (i, j) whose first maximum is at (h, w): dy[n, i, j, c]
 * ```
 *
 * The wasm backend's own kernel walks every input position and searches every window that
 * could contain it; here we walk the windows once, find each maximum, and add dy there.
 * That is the same number of comparisons as the forward pool, a few ms for the lecture CNN
 * instead of ~40 ms, and it stays readable. The loop reads and writes the tensors where the
 * wasm backend keeps them (views of its heap), so nothing is copied.
 *
 * @module
 */
import { backend_util, type MaxPoolGradAttrs, type TensorInfo } from "@tensorflow/tfjs-core";
import type { KernelArgs } from "./calls.ts";

/** The two methods of the wasm backend we need: allocate an output, view a tensor's memory. */
interface WasmHeap {
  makeOutput(shape: number[], dtype: "float32"): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
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
  const heap = backend as unknown as WasmHeap;
  const out = heap.makeOutput(input.shape, "float32");
  // Views taken after the allocation: growing the heap would detach older views.
  const x = heap.typedArrayFromHeap(input);
  const g = heap.typedArrayFromHeap(dy);
  const dx = heap.typedArrayFromHeap(out);
  dx.fill(0);

  const taps = new Int32Array(info.filterHeight * info.filterWidth); // window's x offsets
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
        const gBase = ((n * outHeight + i) * outWidth + j) * C;
        for (let c = 0; c < C; c++) {
          let best = -Infinity, where = -1;
          for (let t = 0; t < count; t++) {
            const k = taps[t] + c;
            if (x[k] > best) { // strict: the first maximum keeps the gradient
              best = x[k];
              where = k;
            }
          }
          if (where >= 0) dx[where] += g[gBase + c];
        }
      }
    }
  }
  return out;
}

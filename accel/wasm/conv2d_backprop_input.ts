/**
 * Conv2DBackpropInput on wasm: the wasm backend's own kernel is a plain loop nest; for
 * stride 1 the input gradient is a forward convolution (through XNNPACK, several times
 * faster) of dy padded by kH − 1 − p with the filter flipped on both axes and its in/out
 * channels swapped (docs/internals.md#the-convolution-gradients-on-wasm). Strides > 1 and padding
 * wider than the filter stay with the backend's kernel.
 *
 * @module
 */
import {
  backend_util,
  type Conv2DBackpropInputAttrs,
  type KernelBackend,
  type TensorInfo,
} from "../../deps/tfjs_core.ts";
import { allocate, call, type KernelArgs, release, view, type WasmKernelFunc } from "./calls.ts";

/**
 * W'[a, b, o, c] = W[kH − 1 − a, kW − 1 − b, c, o] written into `out`: one pass over the
 * (small) filter. Shared with the native kernel, which flips outside the wasm heap.
 */
export function flipAndSwapInto(w: Float32Array, shape: number[], out: Float32Array): void {
  const [kH, kW, Ci, Co] = shape;
  for (let a = 0; a < kH; a++) {
    for (let b = 0; b < kW; b++) {
      const from = ((kH - 1 - a) * kW + (kW - 1 - b)) * Ci * Co; // W[kH−1−a, kW−1−b, ·, ·]
      const to = (a * kW + b) * Co * Ci; // W'[a, b, ·, ·]
      for (let c = 0; c < Ci; c++) {
        for (let o = 0; o < Co; o++) out[to + o * Ci + c] = w[from + c * Co + o];
      }
    }
  }
}

/** The flipped, channel-swapped filter as a new wasm tensor [kH, kW, Co, Ci]. */
function flipAndSwap(backend: KernelBackend, filter: TensorInfo): TensorInfo {
  const [kH, kW, Ci, Co] = filter.shape;
  const out = allocate(backend, [kH, kW, Co, Ci]);
  flipAndSwapInto(view(backend, filter), filter.shape, view(backend, out));
  return out;
}

/**
 * The stride-1 plan of an input gradient: the convolution's geometry and dy's padding
 * [top, bottom, left, right] = kH − 1 − top, …; null where the trick does not apply (NCHW,
 * strides > 1, padding wider than the filter). Shared with the native kernel.
 */
export function strideOnePlan(
  attrs: Conv2DBackpropInputAttrs,
  filterShape: number[],
): { info: backend_util.Conv2DInfo; pads: number[] } | null {
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filterShape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { top, left, bottom, right } = info.padInfo;
  const kH = info.filterHeight, kW = info.filterWidth;
  const pads = [kH - 1 - top, kH - 1 - bottom, kW - 1 - left, kW - 1 - right];
  if (
    dataFormat === "NCHW" || info.strideHeight !== 1 || info.strideWidth !== 1 ||
    pads.some((p) => p < 0)
  ) {
    return null;
  }
  return { info, pads };
}

/** Makes the `Conv2DBackpropInput` kernel function; `fallback` is the backend's own. */
export function makeConv2dBackpropInput(fallback: WasmKernelFunc) {
  return function conv2dBackpropInput(
    args: KernelArgs,
  ): TensorInfo {
    const { inputs, backend } = args;
    const { dy, filter } = inputs;
    const plan = strideOnePlan(args.attrs as unknown as Conv2DBackpropInputAttrs, filter.shape);
    if (plan === null) return fallback(args) as TensorInfo;
    const { pads } = plan;
    const swapped = flipAndSwap(backend, filter); // [kH, kW, Co, Ci]
    const dx = call("Conv2D", backend, { x: dy, filter: swapped }, {
      strides: [1, 1],
      pad: [[0, 0], [pads[0], pads[1]], [pads[2], pads[3]], [0, 0]],
      dataFormat: "NHWC",
      dilations: [1, 1],
    });
    release(backend, swapped);
    return dx;
  };
}

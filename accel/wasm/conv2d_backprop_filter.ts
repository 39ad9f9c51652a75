/**
 * Conv2DBackpropFilter on wasm: the gradient of a convolution with respect to its filter.
 *
 * TF.js 4.22's wasm backend has no such kernel, so training any CNN there fails with
 * "Kernel 'Conv2DBackpropFilter' not registered". We write it as one forward convolution,
 * which the wasm backend runs fast (XNNPACK), of transposed tensors.
 *
 * The math. The forward convolution (NHWC, filter [kH, kW, Ci, Co], stride s, padding p) is
 *
 * ```text
 * y[n, i, j, o] = Σ_{a, b, c} x[n, s·i + a − p, s·j + b − p, c] · W[a, b, c, o]
 * ```
 *
 * so, with dy the gradient of the loss with respect to y,
 *
 * ```text
 * dW[a, b, c, o] = Σ_{n, i, j} x[n, a + s·i − p, b + s·j − p, c] · dy[n, i, j, o]
 * ```
 *
 * Read (a, b) as the output position and (i, j) as the filter position: this is itself a
 * convolution with batch c, input channels n, output channels o, the "image"
 * xᵀ[c, h, w, n] = x[n, h, w, c] and the "filter" dyᵀ[i, j, n, o] = dy[n, i, j, o], stride 1
 * and dilation s (filter taps s apart). Its output [Ci, kH, kW, Co] transposed is dW.
 *
 * @module
 */
import {
  backend_util,
  type Conv2DBackpropFilterAttrs,
  type TensorInfo,
} from "../../deps/tfjs_core.ts";
import { call, type KernelArgs, release, transpose } from "./calls.ts";

/** Kernel function for `Conv2DBackpropFilter` (inputs x, dy; NHWC only). */
export function conv2dBackpropFilter(
  { inputs, backend, attrs }: KernelArgs,
): TensorInfo {
  const { x, dy } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
    attrs as unknown as Conv2DBackpropFilterAttrs;
  if (dataFormat === "NCHW") {
    throw new Error("litconv wasm Conv2DBackpropFilter: only NHWC (channels last) is supported");
  }
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { top, left } = info.padInfo;
  // Rows the gradient convolution reads below the image, chosen so that its output has
  // exactly kH rows: kH = (H + top + bottom) − span + 1, with span = s·(oH − 1) + 1.
  const spanH = info.strideHeight * (info.outHeight - 1) + 1;
  const spanW = info.strideWidth * (info.outWidth - 1) + 1;
  const bottom = info.filterHeight - 1 + spanH - info.inHeight - top;
  const right = info.filterWidth - 1 + spanW - info.inWidth - left;

  // With 'valid' padding and a stride that does not divide evenly, the forward pass never
  // read the last rows/columns of x; cut them off (a negative pad) so they do not count.
  let xUsed = x;
  if (bottom < 0 || right < 0) {
    xUsed = call("Slice", backend, { x }, {
      begin: [0, 0, 0, 0],
      size: [-1, info.inHeight + Math.min(bottom, 0), info.inWidth + Math.min(right, 0), -1],
    });
  }
  const xT = transpose(backend, xUsed, [3, 1, 2, 0]); // [Ci, H, W, N]
  const dyT = transpose(backend, dy, [1, 2, 0, 3]); // [oH, oW, N, Co]
  const dwT = call("Conv2D", backend, { x: xT, filter: dyT }, {
    strides: [1, 1],
    pad: [[0, 0], [top, Math.max(bottom, 0)], [left, Math.max(right, 0)], [0, 0]],
    dataFormat: "NHWC",
    dilations: [info.strideHeight, info.strideWidth],
  }); // [Ci, kH, kW, Co]
  const dw = transpose(backend, dwT, [1, 2, 0, 3]); // [kH, kW, Ci, Co]
  release(backend, xT, dyT, dwT);
  if (xUsed !== x) release(backend, xUsed);
  return dw;
}

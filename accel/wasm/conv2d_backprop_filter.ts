/**
 * Conv2DBackpropFilter on wasm, which TF.js 4.22's wasm backend lacks (training a CNN there
 * fails without it): the filter gradient written as one forward convolution of transposed
 * tensors, which XNNPACK runs fast. With xᵀ[c, h, w, n] = x[n, h, w, c] as the image and
 * dyᵀ[i, j, n, o] = dy[n, i, j, o] as the filter, stride 1 and dilation s, the output
 * [Ci, kH, kW, Co] transposed is dW (docs/internals.md#the-convolution-gradients-on-wasm).
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

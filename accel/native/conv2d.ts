/**
 * 2-D convolutions and their two gradients on OpenBLAS: each an im2col copy (`im2col.ts`)
 * and one `sgemm` in the wasm backend's memory: y = col · W, dW = colᵀ · dy, and for stride
 * 1 dx = im2col(dy, padded) · W' (W flipped, in/out swapped). Where oneDNN runs, each kernel
 * offers its convolution to `conv2d_dnnl.ts` first; strided input gradients, NCHW and
 * fused activations other than relu go to the wasm kernels.
 *
 * @module
 */
import {
  backend_util,
  type Conv2DAttrs,
  type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropInputAttrs,
  engine,
  type FusedConv2DAttrs,
  type KernelBackend,
  type TensorInfo,
} from "../../deps/tfjs_core.ts";
import { allocate, type KernelArgs, view, type WasmKernelFunc } from "../wasm/calls.ts";
import { flipAndSwapInto, strideOnePlan } from "../wasm/conv2d_backprop_input.ts";
import { sgemm } from "./blas.ts";
import { buildPatches, byTap, type ConvGeometry, scratchBuffer } from "./im2col.ts";
import { patchesOf } from "./patch_cache.ts";
import { applyEpilogue, NATIVE_ACTIVATIONS } from "./epilogue.ts";
import { countNativeCall, dnnlActive, nativeKernelsActive } from "./state.ts";
import { dnnlConv2D, dnnlConv2DBackpropFilter, dnnlConv2DBackpropInput } from "./conv2d_dnnl.ts";

type Shape4 = [number, number, number, number];

/** The geometry of a forward convolution of `x` with `filter` (Conv2D and FusedConv2D alike). */
function forwardInfo(
  x: TensorInfo,
  filter: TensorInfo,
  attrs: Pick<Conv2DAttrs, "strides" | "dilations" | "pad" | "dimRoundingMode">,
): backend_util.Conv2DInfo {
  const { strides, dilations, pad, dimRoundingMode } = attrs;
  return backend_util.computeConv2DInfo(
    x.shape as Shape4,
    filter.shape as Shape4,
    strides,
    dilations,
    pad,
    dimRoundingMode,
  );
}

function geometry(info: backend_util.Conv2DInfo): ConvGeometry {
  return {
    N: info.batchSize,
    H: info.inHeight,
    W: info.inWidth,
    C: info.inChannels,
    oH: info.outHeight,
    oW: info.outWidth,
    kH: info.filterHeight,
    kW: info.filterWidth,
    sH: info.strideHeight,
    sW: info.strideWidth,
    dH: info.dilationHeight,
    dW: info.dilationWidth,
    top: info.padInfo.top,
    left: info.padInfo.left,
  };
}

/** True when im2col(x) is x itself: a 1×1 filter, stride 1, no padding. */
function isPointwise(g: ConvGeometry): boolean {
  return g.kH === 1 && g.kW === 1 && g.sH === 1 && g.sW === 1 && g.top === 0 && g.left === 0;
}

/** The largest patch matrix kept for a filter gradient: 256 MB (conv2 at batch 64: 40 MB). */
const MAX_KEPT_FLOATS = 1 << 26;

/** Floats of patches built at a time when none are kept: 8 MB, so they stay in cache. */
const CHUNK_FLOATS = 1 << 21;

/**
 * y = im2col(x)·w, a few images at a time (the patches of a batch of 1000 would take
 * hundreds of MB); `w` is K×Co, `ys` has N·oH·oW rows of Co.
 */
function convChunked(xs: Float32Array, g: ConvGeometry, w: Float32Array, ys: Float32Array) {
  const Co = w.length / (g.kH * g.kW * g.C);
  const K = g.kH * g.kW * g.C, rows = g.oH * g.oW;
  if (isPointwise(g)) return sgemm(false, false, g.N * rows, Co, K, xs, w, ys);
  const per = Math.max(1, Math.floor(CHUNK_FLOATS / (rows * K)));
  for (let n0 = 0; n0 < g.N; n0 += per) {
    const n = Math.min(per, g.N - n0);
    const col = scratchBuffer(n * rows * K);
    buildPatches(xs.subarray(n0 * g.H * g.W * g.C), { ...g, N: n }, col);
    sgemm(byTap(g), false, n * rows, Co, K, col, w, ys.subarray(n0 * rows * Co));
  }
}

/**
 * The whole patch matrix of `x` for `g` (`x` itself when pointwise), kept for the filter
 * gradient on the same tensor (`keep`) or used and let go (see `patch_cache.ts`).
 */
function patches(x: TensorInfo, xs: Float32Array, g: ConvGeometry, keep: boolean): Float32Array {
  return isPointwise(g) ? xs : patchesOf(x.dataId, xs, g, keep);
}

/** y = conv(x, w) into a new tensor, then the optional bias and relu. */
function convForward(
  backend: KernelBackend,
  x: TensorInfo,
  w: TensorInfo,
  info: backend_util.Conv2DInfo,
  keep: boolean,
  bias?: TensorInfo,
  activation = "linear",
): TensorInfo {
  const g = geometry(info);
  const out = allocate(backend, info.outShape);
  // Views only after the allocation (growing the heap detaches older ones).
  const xs = view(backend, x), ws = view(backend, w), ys = view(backend, out);
  const M = g.N * g.oH * g.oW, K = g.kH * g.kW * g.C;
  if (dnnlActive() && dnnlConv2D(g, info.outChannels, xs, ws, ys)) {
    countNativeCall("oneDNN");
  } else if (keep) sgemm(byTap(g), false, M, info.outChannels, K, patches(x, xs, g, true), ws, ys);
  else convChunked(xs, g, ws, ys);
  applyEpilogue(ys, info.outChannels, bias && view(backend, bias), activation);
  return out;
}

/** `Conv2D` on OpenBLAS; NCHW goes to `fallback`. */
export function makeConv2D(fallback: WasmKernelFunc): WasmKernelFunc {
  return function conv2D(args: KernelArgs) {
    const { strides, pad, dataFormat, dilations, dimRoundingMode } = args
      .attrs as unknown as Conv2DAttrs;
    const { x, filter } = args.inputs;
    if (!nativeKernelsActive() || dataFormat === "NCHW" || x.dtype !== "float32") {
      return fallback(args);
    }
    const info = forwardInfo(x, filter, { strides, dilations, pad, dimRoundingMode });
    countNativeCall("Conv2D");
    // Inside a gradient (training), the filter gradient will want these patches: keep them,
    // unless they are huge. Elsewhere (inference, a lesson's plain conv2d) build them in chunks.
    const floats = info.batchSize * info.outHeight * info.outWidth * info.filterHeight *
      info.filterWidth * info.inChannels;
    const keep = (engine().state as { gradientDepth: number }).gradientDepth > 0 &&
      floats <= MAX_KEPT_FLOATS && !dnnlActive(); // oneDNN needs no patches
    return convForward(args.backend, x, filter, info, keep);
  };
}

/** `FusedConv2D` (convolution, bias, relu) on OpenBLAS; other activations go to `fallback`. */
export function makeFusedConv2D(fallback: WasmKernelFunc): WasmKernelFunc {
  return function fusedConv2D(args: KernelArgs) {
    const { strides, pad, dataFormat, dilations, dimRoundingMode, activation } = args
      .attrs as unknown as FusedConv2DAttrs;
    const { x, filter, bias, preluActivationWeights } = args.inputs;
    const co = filter.shape[3];
    if (
      !nativeKernelsActive() || dataFormat === "NCHW" || x.dtype !== "float32" ||
      preluActivationWeights ||
      !NATIVE_ACTIVATIONS.includes(activation) ||
      (bias && !(bias.shape.reduce((a, b) => a * b, 1) === co || bias.shape.length === 0))
    ) {
      return fallback(args);
    }
    const info = forwardInfo(x, filter, { strides, dilations, pad, dimRoundingMode });
    countNativeCall("FusedConv2D");
    return convForward(args.backend, x, filter, info, false, bias, activation);
  };
}

/** `Conv2DBackpropFilter` on OpenBLAS: dW = im2col(x)ᵀ · dy. */
export function makeConv2DBackpropFilter(fallback: WasmKernelFunc): WasmKernelFunc {
  return function conv2DBackpropFilter(args: KernelArgs) {
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args
      .attrs as unknown as Conv2DBackpropFilterAttrs;
    if (!nativeKernelsActive() || dataFormat === "NCHW") return fallback(args);
    const { x, dy } = args.inputs;
    const { backend } = args;
    const info = backend_util.computeConv2DInfo(
      x.shape as Shape4,
      filterShape,
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    countNativeCall("Conv2DBackpropFilter");
    const g = geometry(info);
    const dw = allocate(backend, filterShape);
    const xs = view(backend, x), dys = view(backend, dy), dws = view(backend, dw);
    if (dnnlActive() && dnnlConv2DBackpropFilter(g, info.outChannels, xs, dys, dws)) {
      countNativeCall("oneDNN");
      return dw;
    }
    const M = g.N * g.oH * g.oW, K = g.kH * g.kW * g.C;
    // dW = colᵀ·dy; with patches by tap (one input channel) the matrix is colᵀ already.
    sgemm(!byTap(g), false, K, info.outChannels, M, patches(x, xs, g, false), dys, dws);
    return dw;
  };
}

/**
 * `Conv2DBackpropInput` on OpenBLAS for stride 1: dy, padded by kH − 1 − top (etc.),
 * convolved with the flipped filter. Strides > 1 (and padding wider than the filter) go
 * to `fallback`.
 */
export function makeConv2DBackpropInput(fallback: WasmKernelFunc): WasmKernelFunc {
  return function conv2DBackpropInput(args: KernelArgs) {
    const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
    const { dy, filter } = args.inputs;
    if (!nativeKernelsActive() || attrs.dataFormat === "NCHW") return fallback(args);
    if (dnnlActive()) {
      const { inputShape, strides, pad, dimRoundingMode } = attrs;
      const info = backend_util.computeConv2DInfo(
        inputShape,
        filter.shape as Shape4,
        strides,
        1,
        pad,
        dimRoundingMode,
      );
      const dx = allocate(args.backend, inputShape);
      const dys = view(args.backend, dy), ws = view(args.backend, filter);
      if (
        dnnlConv2DBackpropInput(geometry(info), info.outChannels, dys, ws, view(args.backend, dx))
      ) {
        countNativeCall("Conv2DBackpropInput");
        countNativeCall("oneDNN");
        return dx;
      }
      args.backend.disposeData(dx.dataId);
    }
    const plan = strideOnePlan(attrs, filter.shape);
    if (plan === null) return fallback(args);
    const { info, pads } = plan;
    const { inputShape } = attrs;
    const kH = info.filterHeight, kW = info.filterWidth;
    countNativeCall("Conv2DBackpropInput");
    const { backend } = args;
    const N = inputShape[0], H = inputShape[1], W = inputShape[2];
    const Co = info.outChannels;
    const g: ConvGeometry = {
      N,
      H: info.outHeight,
      W: info.outWidth,
      C: Co,
      oH: H,
      oW: W,
      kH,
      kW,
      sH: 1,
      sW: 1,
      dH: 1,
      dW: 1,
      top: pads[0],
      left: pads[2],
    };
    const dx = allocate(backend, inputShape);
    const dys = view(backend, dy), ws = view(backend, filter), dxs = view(backend, dx);
    const flipped = new Float32Array(ws.length);
    flipAndSwapInto(ws, filter.shape, flipped);
    convChunked(dys, g, flipped, dxs);
    return dx;
  };
}

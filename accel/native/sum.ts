/**
 * `Sum` over the leading axes (a bias gradient: dy summed over batch, rows and columns) on
 * oneDNN or OpenBLAS (`gemm.ts`), as the product 1ᵀ·X of a row of ones with X read as a matrix.
 *
 * The wasm kernel sums along the last axis only, so for these it first transposes the whole
 * tensor (for conv1's bias gradient, 1.6 M values) and then sums; the product reads X once.
 * Other axes, and integer sums, go to the wasm kernel.
 *
 * @module
 */
import { type SumAttrs, util } from "../../deps/tfjs_core.ts";
import { allocate, type KernelArgs, view, type WasmKernelFunc } from "../wasm/calls.ts";
import { gemm } from "./gemm.ts";
import { countNativeCall, nativeKernelsActive } from "./state.ts";

let ones = new Float32Array(0);

/** Makes the `Sum` kernel function around the wasm one (`fallback`). */
export function makeSum(fallback: WasmKernelFunc): WasmKernelFunc {
  return function sum(args: KernelArgs) {
    const { x } = args.inputs;
    const { axis, keepDims } = args.attrs as unknown as SumAttrs;
    const axes = util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const k = axes.length;
    const leading = k > 0 && k < x.shape.length && axes.every((a, i) => a === i);
    if (!nativeKernelsActive() || x.dtype !== "float32" || !leading) return fallback(args);
    countNativeCall("Sum");
    const rows = x.shape.slice(0, k).reduce((a, b) => a * b, 1);
    const cols = x.shape.slice(k).reduce((a, b) => a * b, 1);
    const shape = keepDims ? [...x.shape.slice(0, k).map(() => 1), ...x.shape.slice(k)] : x.shape
      .slice(k);
    const out = allocate(args.backend, shape);
    if (ones.length < rows) ones = new Float32Array(rows).fill(1);
    gemm(false, false, 1, cols, rows, ones, view(args.backend, x), view(args.backend, out));
    return out;
  };
}

/**
 * The native kernels: which wasm kernels they stand in front of, and what they run on.
 *
 * `registerWasmTrainingKernels()` puts each of these in front of the wasm kernel of the
 * same name; every call the native one does not take (OpenBLAS missing,
 * `LITCONV_NATIVE=0`, {@link setNativeKernels}(false), or a case it leaves to wasm) goes
 * on to the wasm kernel.
 *
 * @module
 */
import type { WasmKernelFunc } from "../wasm/calls.ts";
import { blasStatus } from "./blas.ts";
import {
  makeConv2D,
  makeConv2DBackpropFilter,
  makeConv2DBackpropInput,
  makeFusedConv2D,
} from "./conv2d.ts";
import { makeBatchMatMul, makeFusedMatMul } from "./matmul.ts";
import { makeSum } from "./sum.ts";
import { makeAdd, makeRelu } from "./elementwise.ts";
import { dnnlStatus } from "./dnnl.ts";
import { dnnlActive, nativeCalls, nativeKernelsActive } from "./state.ts";

export { type BlasStatus, blasStatus } from "./blas.ts";
export { type DnnlStatus, dnnlStatus } from "./dnnl.ts";
export {
  dnnlActive,
  nativeCalls,
  nativeKernelsActive,
  resetNativeCalls,
  setDnnl,
  setNativeKernels,
} from "./state.ts";

/** Kernel name → a maker of the native kernel around the wasm one. */
export const NATIVE_KERNELS: Readonly<
  Record<string, (fallback: WasmKernelFunc) => WasmKernelFunc>
> = {
  Conv2D: makeConv2D,
  FusedConv2D: makeFusedConv2D,
  Conv2DBackpropFilter: makeConv2DBackpropFilter,
  Conv2DBackpropInput: makeConv2DBackpropInput,
  BatchMatMul: makeBatchMatMul,
  _FusedMatMul: makeFusedMatMul,
  Sum: makeSum,
  Relu: makeRelu,
  Add: makeAdd,
};

/** The native kernels that run only on oneDNN (the others also run on OpenBLAS alone). */
export const DNNL_ONLY_KERNELS: readonly string[] = ["Relu", "Add"];

/** What runs the wasm backend's GEMM-shaped kernels, for `deno task backends` and metrics. */
export interface NativeReport {
  /**
   * "native: OpenBLAS 0.3.21 … (2 threads); convolutions on oneDNN 2.6.3" when native
   * kernels are on, else "wasm".
   */
  kernels: string;
  /** Why not native, when not. */
  reason?: string;
  /** Why convolutions run as im2col + OpenBLAS rather than on oneDNN, when they do. */
  convolutionReason?: string;
  /** The native kernels and how many calls each took so far. */
  calls: Record<string, number>;
}

/** Says which kernels run (native BLAS or wasm) and the BLAS library's name and version. */
export function nativeReport(): NativeReport {
  const s = blasStatus();
  if (!s.available) return { kernels: "wasm", reason: s.reason, calls: nativeCalls() };
  if (!nativeKernelsActive()) {
    return {
      kernels: "wasm",
      reason: "switched off (setNativeKernels(false))",
      calls: nativeCalls(),
    };
  }
  const blas = `native: ${s.library} (${s.threads} thread${s.threads === 1 ? "" : "s"})`;
  const d = dnnlStatus();
  if (dnnlActive() && d.available) {
    return { kernels: `${blas}; convolutions on ${d.library}`, calls: nativeCalls() };
  }
  return {
    kernels: `${blas}; convolutions as im2col + OpenBLAS`,
    convolutionReason: d.available ? "switched off (setDnnl(false))" : d.reason,
    calls: nativeCalls(),
  };
}

/**
 * `BatchMatMul` and `_FusedMatMul` (a dense layer: product, bias, relu) natively, on
 * oneDNN or OpenBLAS (`gemm.ts`).
 *
 * Both read either operand transposed at no cost, so unlike XNNPACK there is
 * nothing to copy or pack first: one call per matrix of the batch, on the wasm heap.
 * Batches broadcast when one side has a single matrix; other broadcasts, and fused
 * activations other than relu, go to the wasm kernels.
 *
 * @module
 */
import {
  backend_util,
  type BatchMatMulAttrs,
  type KernelBackend,
  type TensorInfo,
} from "../../deps/tfjs_core.ts";
import { allocate, type KernelArgs, view, type WasmKernelFunc } from "../wasm/calls.ts";
import { gemm } from "./gemm.ts";
import { applyEpilogue, NATIVE_ACTIVATIONS } from "./epilogue.ts";
import { countNativeCall, nativeKernelsActive } from "./state.ts";

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

interface Plan {
  M: number;
  N: number;
  K: number;
  batchA: number;
  batchB: number;
  outShape: number[];
}

/** The product's sizes, or null when the batch dimensions broadcast in a way we leave to wasm. */
function plan(a: TensorInfo, b: TensorInfo, transA: boolean, transB: boolean): Plan | null {
  if (a.dtype !== "float32" || b.dtype !== "float32") return null;
  const ra = a.shape.length, rb = b.shape.length;
  const M = transA ? a.shape[ra - 1] : a.shape[ra - 2];
  const K = transA ? a.shape[ra - 2] : a.shape[ra - 1];
  const N = transB ? b.shape[rb - 2] : b.shape[rb - 1];
  const outerA = a.shape.slice(0, -2), outerB = b.shape.slice(0, -2);
  const batchA = size(outerA), batchB = size(outerB);
  let outer: number[];
  try {
    outer = backend_util.assertAndGetBroadcastShape(outerA, outerB);
  } catch {
    return null; // let the wasm kernel raise its own error
  }
  const batch = size(outer);
  if (!(batchA === batch || batchA === 1) || !(batchB === batch || batchB === 1)) return null;
  return { M, N, K, batchA, batchB, outShape: [...outer, M, N] };
}

/** out = op(a)·op(b) for every matrix of the batch; returns the new tensor. */
function multiply(
  backend: KernelBackend,
  a: TensorInfo,
  b: TensorInfo,
  transA: boolean,
  transB: boolean,
  p: Plan,
): TensorInfo {
  const out = allocate(backend, p.outShape);
  const as = view(backend, a), bs = view(backend, b), cs = view(backend, out);
  const { M, N, K } = p;
  const batch = Math.max(p.batchA, p.batchB);
  for (let i = 0; i < batch; i++) {
    const ai = p.batchA === 1 ? 0 : i, bi = p.batchB === 1 ? 0 : i;
    gemm(
      transA,
      transB,
      M,
      N,
      K,
      as.subarray(ai * M * K, (ai + 1) * M * K),
      bs.subarray(bi * K * N, (bi + 1) * K * N),
      cs.subarray(i * M * N, (i + 1) * M * N),
    );
  }
  return out;
}

/** `BatchMatMul` natively, any transposes. */
export function makeBatchMatMul(fallback: WasmKernelFunc): WasmKernelFunc {
  return function batchMatMul(args: KernelArgs) {
    const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
    const { a, b } = args.inputs;
    const p = nativeKernelsActive() ? plan(a, b, transposeA, transposeB) : null;
    if (!p) return fallback(args);
    countNativeCall("BatchMatMul");
    return multiply(args.backend, a, b, transposeA, transposeB, p);
  };
}

/** `_FusedMatMul` (product, then bias along the last axis, then linear or relu). */
export function makeFusedMatMul(fallback: WasmKernelFunc): WasmKernelFunc {
  return function fusedMatMul(args: KernelArgs) {
    const { transposeA, transposeB, activation } = args.attrs as unknown as {
      transposeA: boolean;
      transposeB: boolean;
      activation: string;
    };
    const { a, b, bias, preluActivationWeights } = args.inputs;
    const p = nativeKernelsActive() && !preluActivationWeights &&
        NATIVE_ACTIVATIONS.includes(activation)
      ? plan(a, b, transposeA, transposeB)
      : null;
    if (!p || (bias && !(size(bias.shape) === p.N || size(bias.shape) === 1))) {
      return fallback(args);
    }
    countNativeCall("_FusedMatMul");
    const out = multiply(args.backend, a, b, transposeA, transposeB, p);
    applyEpilogue(view(args.backend, out), p.N, bias && view(args.backend, bias), activation);
    return out;
  };
}

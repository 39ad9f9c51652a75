/**
 * `_FusedMatMul` on wasm (a dense layer: product, bias, activation), correct with a
 * transposed right operand.
 *
 * TF.js 4.22's wasm kernel adds the bias wrongly when `transposeB` is set together with a
 * bias (off by more than 1 on random data; `tests/kernel_agreement.ts` finds it). Dense
 * layers never ask for that (their kernel is [in, out]), but `tf.fused.matMul` may: we hand
 * the backend Bᵀ, copied into plain order, and ask for the product without the transpose.
 *
 * @module
 */
import type { TensorInfo } from "../../deps/tfjs_core.ts";
import { type KernelArgs, release, transpose, type WasmKernelFunc } from "./calls.ts";

/** Makes the `_FusedMatMul` kernel function around the backend's own (`original`). */
export function makeFusedMatMul(original: WasmKernelFunc): WasmKernelFunc {
  return function fusedMatMul(args: KernelArgs): TensorInfo | TensorInfo[] {
    const { b, bias } = args.inputs;
    if (!bias || !(args.attrs as { transposeB?: boolean }).transposeB) return original(args);
    const r = b.shape.length;
    const perm = b.shape.map((_, i) => i);
    [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
    const plainB = transpose(args.backend, b, perm);
    const out = original({
      ...args,
      inputs: { ...args.inputs, b: plainB },
      attrs: { ...args.attrs, transposeB: false },
    });
    release(args.backend, plainB);
    return out;
  };
}

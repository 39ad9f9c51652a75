/**
 * BatchMatMul on wasm, arranged the way XNNPACK multiplies fastest: an operand read
 * transposed (every dense layer's backward pass) is copied into order first instead of
 * taking XNNPACK's slow path, and since XNNPACK packs the right operand anew whenever it
 * changes (every training step), we compute Cᵀ = Bᵀ·Aᵀ when that puts the smaller operand
 * on the right. A right operand seen before (inference) is multiplied as asked.
 *
 * @module
 */
import type { BatchMatMulAttrs, KernelBackend, TensorInfo } from "../../deps/tfjs_core.ts";
import { type KernelArgs, release, transpose, type WasmKernelFunc } from "./calls.ts";

/** Swaps the last two axes: the matrix transpose of every matrix in the batch. */
function swapLastTwo(backend: KernelBackend, x: TensorInfo): TensorInfo {
  const perm = x.shape.map((_, i) => i);
  const r = perm.length;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return transpose(backend, x, perm);
}

/** Makes the `BatchMatMul` kernel function around the backend's own (`original`). */
export function makeBatchMatMul(original: WasmKernelFunc) {
  const plain = (backend: KernelBackend, a: TensorInfo, b: TensorInfo) =>
    original({
      inputs: { a, b },
      backend,
      attrs: { transposeA: false, transposeB: false },
    }) as TensorInfo;
  // Right operands seen before: XNNPACK may still hold their packing.
  const seen = new WeakSet<object>();

  return function batchMatMul({ inputs, backend, attrs }: KernelArgs): TensorInfo {
    const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
    const { a, b } = inputs;
    const ra = a.shape.length, rb = b.shape.length;
    const rows = transposeA ? a.shape[ra - 1] : a.shape[ra - 2]; // M, of the M×N result
    const cols = transposeB ? b.shape[rb - 2] : b.shape[rb - 1]; // N
    const reused = seen.has(b.dataId);
    seen.add(b.dataId);

    if (ra === 2 && rb === 2 && rows < cols && !reused) {
      // Cᵀ = op(B)ᵀ·op(A)ᵀ: the M×K operand op(A)ᵀ is the smaller one to pack.
      const left = transposeB ? b : swapLastTwo(backend, b);
      const right = transposeA ? a : swapLastTwo(backend, a);
      const resultT = plain(backend, left, right);
      const result = swapLastTwo(backend, resultT);
      release(backend, resultT);
      if (left !== b) release(backend, left);
      if (right !== a) release(backend, right);
      return result;
    }
    const left = transposeA ? swapLastTwo(backend, a) : a;
    const right = transposeB ? swapLastTwo(backend, b) : b;
    const result = plain(backend, left, right);
    if (left !== a) release(backend, left);
    if (right !== b) release(backend, right);
    return result;
  };
}

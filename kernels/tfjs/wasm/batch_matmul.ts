/**
 * BatchMatMul on wasm, with transposed operands made explicit.
 *
 * A dense layer's backward pass multiplies by transposes: dW = xᵀ·dy and dx = dy·Wᵀ. The
 * wasm backend's matrix product is fast (XNNPACK) for plain operands but takes a slow loop
 * when asked to read an operand transposed. Copying an operand into transposed order first
 * costs one pass over it, O(rows·cols), against the product's O(rows·cols·k).
 *
 * One more rule, from measuring: XNNPACK packs the *right* operand B of A·B and then streams
 * all of it once per few rows of A, so A·B is fastest when B is the small one and stays in
 * the cache. dx = dy·Wᵀ (dy: 64×1024, W: 3136×1024) has the big W on the right; its
 * transpose (dx)ᵀ = W·dyᵀ puts W on the left *without copying W*, and only the small dy and
 * the small result get transposed (3× faster for the lecture's fc1). Same products, same
 * sums: (A·B)ᵀ = Bᵀ·Aᵀ.
 *
 * @module
 */
import type { BatchMatMulAttrs, KernelBackend, TensorInfo } from "@tensorflow/tfjs-core";
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

  return function batchMatMul({ inputs, backend, attrs }: KernelArgs): TensorInfo {
    const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
    if (!transposeA && !transposeB) return plain(backend, inputs.a, inputs.b);
    const { a, b } = inputs;
    const ra = a.shape.length, rb = b.shape.length;
    const rows = transposeA ? a.shape[ra - 1] : a.shape[ra - 2]; // M, of the M×N result
    const cols = transposeB ? b.shape[rb - 2] : b.shape[rb - 1]; // N
    if (transposeB && rows < cols) {
      // Cᵀ = B·op(A)ᵀ: b is already laid out as the left operand; op(A)ᵀ is small.
      const right = transposeA ? a : swapLastTwo(backend, a);
      const resultT = plain(backend, b, right);
      const result = swapLastTwo(backend, resultT);
      release(backend, resultT);
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

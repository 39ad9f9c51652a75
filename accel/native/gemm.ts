/**
 * The matrix product every native kernel uses: oneDNN's matmul where oneDNN runs, else
 * OpenBLAS's `sgemm`, either operand read transposed in place. One library at a time, so
 * that two thread pools do not fight for the same cores (OpenBLAS's spin after each call).
 *
 * @example A 2×2 product, whichever library runs it
 * ```ts
 * import { gemm } from "./gemm.ts";
 * import { nativeKernelsActive } from "./state.ts";
 * if (nativeKernelsActive()) {
 *   const c = new Float32Array(4);
 *   gemm(false, false, 2, 2, 2, Float32Array.from([1, 2, 3, 4]), Float32Array.from([5, 6, 7, 8]), c);
 *   if (c.join() !== "19,22,43,50") throw new Error(c.join());
 * }
 * ```
 *
 * @module
 */
import { sgemm } from "./blas.ts";
import { ARG, opDesc, Primitive, primitiveCache, stridedDesc } from "./dnnl.ts";
import { dnnlActive } from "./state.ts";

/** Primitives kept at most (a model has a few product shapes, times two batch sizes). */
const kept = primitiveCache(32);

function matmulPrimitive(
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
): Primitive | null {
  return kept.get(`${transA} ${transB} ${M} ${N} ${K}`, () => {
    const a = transA ? stridedDesc([M, K], [1, M]) : stridedDesc([M, K], [K, 1]);
    const b = transB ? stridedDesc([K, N], [1, K]) : stridedDesc([K, N], [N, 1]);
    const c = stridedDesc([M, N], [N, 1]);
    return new Primitive(
      opDesc((d, s) => s.dnnl_matmul_desc_init(d, a, b, null, c)),
      [ARG.SRC, ARG.WEIGHTS, ARG.DST],
    );
  });
}

/**
 * C[M×N] = op(A)·op(B), row-major, op(A) M×K (A stored K×M when `transA`), op(B) K×N.
 * Call only when the native kernels are active (OpenBLAS loaded).
 */
export function gemm(
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
): void {
  const p = dnnlActive() && M > 0 && N > 0 && K > 0
    ? matmulPrimitive(transA, transB, M, N, K)
    : null;
  if (!p) return sgemm(transA, transB, M, N, K, a, b, c);
  p.run(new Map([[ARG.SRC, a], [ARG.WEIGHTS, b], [ARG.DST, c]]));
}

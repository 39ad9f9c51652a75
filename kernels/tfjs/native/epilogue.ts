/**
 * What a fused kernel (`FusedConv2D`, `_FusedMatMul`) does after its product: add a bias
 * along the last axis, then an activation. Only the cases the native kernels take.
 *
 * @example relu(y + bias) on a 2×2 product
 * ```ts
 * import { applyEpilogue } from "./epilogue.ts";
 * const y = Float32Array.from([1, -2, -3, 4]);
 * applyEpilogue(y, 2, Float32Array.from([1, 1]), "relu");
 * if (y.join() !== "2,0,0,5") throw new Error(y.join());
 * ```
 *
 * @module
 */

/** The activations the native fused kernels apply themselves (others go to wasm). */
export const NATIVE_ACTIVATIONS: readonly string[] = ["linear", "relu"];

/** y ← act(y + bias), y a row-major matrix with `cols` columns, bias of 1 or `cols` values. */
export function applyEpilogue(
  y: Float32Array,
  cols: number,
  bias: Float32Array | undefined,
  activation: string,
): void {
  const relu = activation === "relu";
  if (!bias && !relu) return;
  const b = bias ?? new Float32Array(1);
  const step = b.length === 1 ? 0 : 1;
  for (let r = 0; r < y.length; r += cols) {
    for (let c = 0, k = 0; c < cols; c++, k += step) {
      const v = y[r + c] + b[k];
      y[r + c] = relu && !(v > 0) ? (v !== v ? v : 0) : v;
    }
  }
}

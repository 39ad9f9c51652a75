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
import { dnnlAddRow, dnnlAllFinite, dnnlRelu } from "./elementwise_dnnl.ts";
import { dnnlActive } from "./state.ts";

/** The activations the native fused kernels apply themselves (others go to wasm). */
export const NATIVE_ACTIVATIONS: readonly string[] = ["linear", "relu"];

/**
 * y ← act(y + bias), y a row-major matrix with `cols` columns, bias of 1 or `cols` values.
 * On oneDNN where it runs (two multi-threaded passes, in place); else the loop below, which
 * for conv1's output at a batch of 1,000 (25 M values) takes a few hundred ms.
 */
export function applyEpilogue(
  y: Float32Array,
  cols: number,
  bias: Float32Array | undefined,
  activation: string,
): void {
  if (dnnlActive() && (!bias || bias.length === cols)) {
    const added = !bias || dnnlAddRow(y, bias, y);
    if (added) bias = undefined; // only the relu may be left to do
    // oneDNN's relu only where y is finite: it would turn NaN into 0 (elementwise_dnnl.ts).
    const relu = activation === "relu";
    if (added && (!relu || (dnnlAllFinite(y) === true && dnnlRelu(y, y)))) return;
  }
  epilogueLoop(y, cols, bias, activation);
}

/** {@link applyEpilogue} as a plain loop. */
export function epilogueLoop(
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

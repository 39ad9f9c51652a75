/**
 * Training kernels litconv adds to TF.js's wasm backend, which is built for inference: the
 * missing `Conv2DBackpropFilter`, faster `Conv2DBackpropInput`, transposed `BatchMatMul`,
 * `MaxPoolGrad` and `Identity`, and a correct `_FusedMatMul` with a transposed operand (each
 * file under `wasm/` explains its math). `wasm/threads.ts` starts TF.js's threaded build
 * under Deno (`LITCONV_WASM_THREADS=1`: one thread). Where OpenBLAS or oneDNN load
 * (`native/`), the GEMM-shaped kernels run there first and fall back to these
 * (`LITCONV_NATIVE=0`: never native).
 *
 * @module
 */
import { override, registerWasmKernels } from "./wasm/register.ts";
import { enableWasmThreads } from "./wasm/threads.ts";
import { NATIVE_KERNELS } from "./native/index.ts";
import { registerReluGradient } from "./native/elementwise.ts";

export { isLitconvKernel } from "./wasm/register.ts";

/** Registers the wasm training kernels, the native layer and threads; safe to call again. */
export function registerWasmTrainingKernels(): void {
  registerWasmKernels();
  // In front of the wasm kernels (they check at each call whether OpenBLAS is there).
  for (const [name, make] of Object.entries(NATIVE_KERNELS)) override(name, "native", make);
  registerReluGradient(); // one kernel for relu's gradient, on wasm while oneDNN runs
  enableWasmThreads();
}

/**
 * Training kernels litconv adds to TF.js's wasm backend.
 *
 * TF.js 4.22's wasm backend is built for inference: training a CNN on it fails for want of
 * `Conv2DBackpropFilter`, and its backward pass is slow where it reads operands in an order
 * XNNPACK does not like. `deno run -A bench/profile.ts` times every wasm kernel of a
 * lecture training step (`--plain` for TF.js's own kernels); it found these (each file
 * explains its math):
 *
 * - `Conv2DBackpropFilter` (missing): one convolution of transposed tensors.
 * - `Conv2DBackpropInput` (slow loop nest): a convolution with the flipped filter.
 * - `BatchMatMul` with transposed operands (slow path): transpose first, then multiply,
 *   and multiply as Cᵀ = Bᵀ·Aᵀ when that leaves less for XNNPACK to pack.
 * - `MaxPoolGrad` (~40 ms a step): one pass over the pooling windows in JavaScript.
 *
 * Threads: TF.js never starts its threaded wasm build under Deno; `wasm/threads.ts` makes
 * it start with one thread per core (XNNPACK then splits each convolution and product
 * between them), falling back to one thread if that fails. `LITCONV_WASM_THREADS=1`
 * turns it off.
 *
 * @module
 */
import { getKernel, registerKernel, unregisterKernel } from "npm:@tensorflow/tfjs-core@4.22.0";
import { conv2dBackpropFilter } from "./wasm/conv2d_backprop_filter.ts";
import { makeConv2dBackpropInput } from "./wasm/conv2d_backprop_input.ts";
import { makeBatchMatMul } from "./wasm/batch_matmul.ts";
import { maxPoolGrad } from "./wasm/max_pool_grad.ts";
import type { WasmKernelFunc } from "./wasm/calls.ts";
import { enableWasmThreads } from "./wasm/threads.ts";

/** The kernel functions we registered, so a second call can recognise them. */
const ours = new Set<unknown>();

/**
 * Puts `make(original)` in place of the wasm kernel `name`, keeping the original's setup
 * (which binds its WebAssembly function when the backend starts). Does nothing if our
 * version is already there or if the backend lacks the kernel.
 */
function override(name: string, make: (original: WasmKernelFunc) => WasmKernelFunc): void {
  const original = getKernel(name, "wasm");
  if (!original || ours.has(original.kernelFunc)) return;
  const kernelFunc = make(original.kernelFunc as WasmKernelFunc);
  ours.add(kernelFunc);
  unregisterKernel(name, "wasm");
  registerKernel({ ...original, kernelFunc: kernelFunc as typeof original.kernelFunc });
}

/** Registers the wasm training kernels; safe to call more than once. */
export function registerWasmTrainingKernels(): void {
  // Added only where missing: a later TF.js that ships its own keeps it.
  if (!getKernel("Conv2DBackpropFilter", "wasm")) {
    registerKernel({
      kernelName: "Conv2DBackpropFilter",
      backendName: "wasm",
      kernelFunc: conv2dBackpropFilter as never,
    });
  }
  // Replaced, because ours measure faster than 4.22's (bench/profile.ts shows both).
  override("Conv2DBackpropInput", makeConv2dBackpropInput);
  override("BatchMatMul", makeBatchMatMul);
  override("MaxPoolGrad", () => maxPoolGrad);
  enableWasmThreads();
}

/** Whether `kernelName` on wasm is litconv's version (for the tests and the profile). */
export function isLitconvKernel(kernelName: string): boolean {
  const k = getKernel(kernelName, "wasm");
  return k !== undefined &&
    (ours.has(k.kernelFunc) || k.kernelFunc === (conv2dBackpropFilter as unknown));
}

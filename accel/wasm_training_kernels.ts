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
 * - `MaxPoolGrad` (~40 ms a step): one pass over the pooling windows, and for the lecture's
 *   2×2 pooling a WebAssembly SIMD function (`wasm/max_pool_grad_simd.ts`).
 * - `Identity` (a copy of every tensor saved for the backward pass): shares the data.
 * - `_FusedMatMul` with a transposed right operand and a bias (wrong results): transposes
 *   first.
 *
 * Threads: TF.js never starts its threaded wasm build under Deno; `wasm/threads.ts` makes
 * it start with one thread per core (XNNPACK then splits each convolution and product
 * between them), falling back to one thread if that fails. `LITCONV_WASM_THREADS=1`
 * turns it off.
 *
 * Native (`native/`): where OpenBLAS loads, the GEMM-shaped kernels (Conv2D, FusedConv2D,
 * both convolution gradients, BatchMatMul, _FusedMatMul, and Sum over leading axes) run
 * on it, and where oneDNN loads too, on oneDNN, which also runs Relu, the bias Add and
 * relu's gradient (registered here as one kernel); each sits in front of the wasm kernel,
 * which takes whatever the native one does not (`LITCONV_NATIVE=0`: all).
 *
 * @module
 */
import { getKernel, registerKernel, unregisterKernel } from "../deps/tfjs_core.ts";
import { conv2dBackpropFilter } from "./wasm/conv2d_backprop_filter.ts";
import { makeConv2dBackpropInput } from "./wasm/conv2d_backprop_input.ts";
import { makeBatchMatMul } from "./wasm/batch_matmul.ts";
import { maxPoolGrad } from "./wasm/max_pool_grad.ts";
import { makeIdentity } from "./wasm/identity.ts";
import { makeFusedMatMul } from "./wasm/fused_matmul.ts";
import type { WasmKernelFunc } from "./wasm/calls.ts";
import { enableWasmThreads } from "./wasm/threads.ts";
import { NATIVE_KERNELS } from "./native/index.ts";
import { registerReluGradient } from "./native/elementwise.ts";

/** Layers of litconv kernels ("wasm", "native") in each kernel function we registered. */
const ours = new Map<unknown, Set<string>>([[conv2dBackpropFilter, new Set(["wasm"])]]);

/**
 * Puts `make(original)` in place of the wasm kernel `name`, keeping the original's setup
 * (which binds its WebAssembly function when the backend starts). Does nothing if our
 * `layer` is already there or if the backend lacks the kernel.
 */
function override(
  name: string,
  layer: string,
  make: (original: WasmKernelFunc) => WasmKernelFunc,
): void {
  const original = getKernel(name, "wasm");
  const below = original && ours.get(original.kernelFunc);
  if (!original || below?.has(layer)) return;
  const kernelFunc = make(original.kernelFunc as WasmKernelFunc);
  ours.set(kernelFunc, new Set([...below ?? [], layer]));
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
  override("Conv2DBackpropInput", "wasm", makeConv2dBackpropInput);
  override("BatchMatMul", "wasm", makeBatchMatMul);
  override("MaxPoolGrad", "wasm", () => maxPoolGrad);
  override("Identity", "wasm", makeIdentity);
  override("_FusedMatMul", "wasm", makeFusedMatMul);
  // In front of the wasm kernels (they check at each call whether OpenBLAS is there).
  for (const [name, make] of Object.entries(NATIVE_KERNELS)) override(name, "native", make);
  registerReluGradient(); // one kernel for relu's gradient, on wasm while oneDNN runs
  enableWasmThreads();
}

/**
 * Whether `kernelName` on wasm includes litconv's `layer` ("wasm": our WebAssembly-side
 * kernel; "native": our OpenBLAS kernel), for the tests and the profile.
 */
export function isLitconvKernel(kernelName: string, layer = "wasm"): boolean {
  const k = getKernel(kernelName, "wasm");
  return k !== undefined && (ours.get(k.kernelFunc)?.has(layer) ?? false);
}

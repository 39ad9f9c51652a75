/**
 * litconv's WebAssembly training kernels put into TF.js's wasm backend: the missing
 * `Conv2DBackpropFilter` added, and `Conv2DBackpropInput`, `BatchMatMul`, `MaxPoolGrad`,
 * `Identity` and `_FusedMatMul` replaced. No Deno API, so the site's `/train/` page registers
 * the same kernels in the browser as `deno task train` does in the terminal
 * (`accel/wasm_training_kernels.ts` adds the native layer and threads on top).
 *
 * @module
 */
import { getKernel, registerKernel, unregisterKernel } from "../../deps/tfjs_core.ts";
import { conv2dBackpropFilter } from "./conv2d_backprop_filter.ts";
import { makeConv2dBackpropInput } from "./conv2d_backprop_input.ts";
import { makeBatchMatMul } from "./batch_matmul.ts";
import { maxPoolGrad } from "./max_pool_grad.ts";
import { makeIdentity } from "./identity.ts";
import { makeFusedMatMul } from "./fused_matmul.ts";
import type { WasmKernelFunc } from "./calls.ts";

/** Layers of litconv kernels ("wasm", "native") in each kernel function we registered. */
const ours = new Map<unknown, Set<string>>([[conv2dBackpropFilter, new Set(["wasm"])]]);

/**
 * Puts `make(original)` in place of the wasm kernel `name`, keeping the original's setup
 * (which binds its WebAssembly function when the backend starts). Does nothing if our
 * `layer` is already there or if the backend lacks the kernel.
 */
export function override(
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

/** Registers litconv's WebAssembly-side kernels on wasm; safe to call more than once. */
export function registerWasmKernels(): void {
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
}

/**
 * Whether `kernelName` on wasm includes litconv's `layer` ("wasm": our WebAssembly-side
 * kernel; "native": our OpenBLAS kernel), for the tests and the profile.
 */
export function isLitconvKernel(kernelName: string, layer = "wasm"): boolean {
  const k = getKernel(kernelName, "wasm");
  return k !== undefined && (ours.get(k.kernelFunc)?.has(layer) ?? false);
}

/**
 * Training kernels litconv adds to TF.js's wasm backend (owned by the training-speed work).
 * @module
 */

/** Registers the wasm training kernels; safe to call more than once. */
export function registerWasmTrainingKernels(): void {
  // Filled in by the wasm training-speed work (issue 4).
}

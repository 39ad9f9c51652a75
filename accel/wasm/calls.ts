/**
 * Calling the wasm backend's own kernels from inside a kernel we add.
 *
 * A kernel function receives TensorInfos (a data id, a shape, a dtype) and must return
 * TensorInfos that the backend owns. Calling the backend's kernel functions directly keeps
 * everything at that level: no engine, no tape, no tensors to track. Each call returns a
 * fresh TensorInfo (reference count 1) that we must hand back or {@link release}.
 *
 * @module
 */
import {
  getKernel,
  type KernelBackend,
  type NamedAttrMap,
  type TensorInfo,
} from "../../deps/tfjs_core.ts";

/** What a kernel function receives: its named inputs, the backend, its attributes. */
export interface KernelArgs {
  inputs: Record<string, TensorInfo>;
  backend: KernelBackend;
  attrs?: NamedAttrMap;
}

/** A wasm kernel function, as registered (or as we keep it before overriding it). */
export type WasmKernelFunc = (args: KernelArgs) => TensorInfo | TensorInfo[];

/** The kernel function registered under `name` for wasm; throws if there is none. */
export function wasmKernel(name: string): WasmKernelFunc {
  const config = getKernel(name, "wasm");
  if (!config) throw new Error(`litconv: the wasm backend has no '${name}' kernel`);
  return config.kernelFunc as WasmKernelFunc;
}

/** Runs the wasm kernel `name` and returns its single output. */
export function call(
  name: string,
  backend: KernelBackend,
  inputs: Record<string, TensorInfo>,
  attrs: NamedAttrMap = {},
): TensorInfo {
  return wasmKernel(name)({ inputs, backend, attrs }) as TensorInfo;
}

/** `x` with its axes reordered by `perm` (a real copy in the new order). */
export function transpose(backend: KernelBackend, x: TensorInfo, perm: number[]): TensorInfo {
  return call("Transpose", backend, { x }, { perm });
}

/** Drops our reference to intermediate results (the backend frees them at zero). */
export function release(backend: KernelBackend, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/** The parts of the wasm backend that let our kernels work on its memory. */
interface WasmHeap {
  makeOutput(shape: number[], dtype: "float32"): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
  /** The Emscripten module: its memory is `wasmMemory` (threaded build) or `asm.memory`. */
  wasm?: { wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } };
}

/** The wasm backend's memory, for our own WebAssembly kernels; null if out of reach. */
export function heapMemory(backend: KernelBackend): WebAssembly.Memory | null {
  const { wasm } = backend as unknown as WasmHeap;
  const memory = wasm?.wasmMemory ?? wasm?.asm?.memory;
  return memory instanceof WebAssembly.Memory ? memory : null;
}

/** A new float32 tensor of `shape` in the wasm heap (contents undefined: write them all). */
export function allocate(backend: KernelBackend, shape: number[]): TensorInfo {
  return (backend as unknown as WasmHeap).makeOutput(shape, "float32");
}

/**
 * A view of a tensor's values where the wasm backend keeps them (nothing is copied).
 * Take views only after the last {@link allocate}: growing the heap can detach older ones.
 */
export function view(backend: KernelBackend, info: TensorInfo): Float32Array {
  return (backend as unknown as WasmHeap).typedArrayFromHeap(info);
}

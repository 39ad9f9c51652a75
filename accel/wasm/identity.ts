/**
 * Identity on wasm without a copy.
 *
 * TF.js saves a kernel's inputs for the backward pass by cloning them (the `Identity`
 * kernel), and the wasm backend's Identity copies every value: 37 copies per training step
 * of the lecture CNN, among them every activation. Tensors are immutable (a new value gets
 * a new data id; the cpu backend's Identity shares the data the same way), so the clone can
 * share the data and count one more reference to it. Sharing also lets the native
 * convolution gradient find the patches its forward pass kept for that very tensor.
 *
 * @module
 */
import type { TensorInfo } from "../../deps/tfjs_core.ts";
import type { KernelArgs, WasmKernelFunc } from "./calls.ts";

/** Makes the `Identity` kernel function; strings go to the backend's own (`original`). */
export function makeIdentity(original: WasmKernelFunc): WasmKernelFunc {
  return function identity(args: KernelArgs): TensorInfo | TensorInfo[] {
    const { x } = args.inputs;
    if (x.dtype === "string") return original(args);
    (args.backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

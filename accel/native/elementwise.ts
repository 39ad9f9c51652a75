/**
 * `Relu`, `Add` of a bias row, and the relu's gradient on oneDNN (`elementwise_dnnl.ts`),
 * in front of the wasm kernels, which take every other case.
 *
 * TF.js differentiates relu as `dy · cast(step(x))`, three kernels and two temporaries.
 * {@link registerReluGradient} replaces that, on wasm with oneDNN only, by one kernel,
 * `LitconvReluGrad`, with the same values: dy where x > 0, else 0 (and TF.js's formula
 * where x holds a NaN or an infinity, see `elementwise_dnnl.ts`). On every other backend
 * the gradient is TF.js's own.
 *
 * @module
 */
import {
  engine,
  getBackend,
  getGradient,
  type GradConfig,
  type NamedTensorMap,
  registerGradient,
  registerKernel,
  type Tensor,
} from "../../deps/tfjs_core.ts";
import {
  allocate,
  call,
  type KernelArgs,
  release,
  view,
  type WasmKernelFunc,
} from "../wasm/calls.ts";
import { dnnlAddRow, dnnlAllFinite, dnnlRelu, dnnlReluGrad } from "./elementwise_dnnl.ts";
import { countNativeCall, dnnlActive } from "./state.ts";

/** `Relu` on oneDNN for float32; other dtypes, and oneDNN off, go to `fallback`. */
export function makeRelu(fallback: WasmKernelFunc): WasmKernelFunc {
  return function relu(args: KernelArgs) {
    const { x } = args.inputs;
    if (!dnnlActive() || x.dtype !== "float32" || x.shape.includes(0)) return fallback(args);
    if (dnnlAllFinite(view(args.backend, x)) !== true) return fallback(args); // NaN stays NaN
    const y = allocate(args.backend, x.shape);
    if (!dnnlRelu(view(args.backend, x), view(args.backend, y))) {
      args.backend.disposeData(y.dataId);
      return fallback(args);
    }
    countNativeCall("Relu");
    return y;
  };
}

/** The length of `b` when it is a row to add to every row of `a` ([..., C] + [C]), else 0. */
function rowLength(a: number[], b: number[]): number {
  const C = a[a.length - 1];
  const bSize = b.reduce((p, d) => p * d, 1);
  const aSize = a.reduce((p, d) => p * d, 1);
  const isRow = b.length >= 1 && b.length <= a.length && b[b.length - 1] === C &&
    bSize === C && C > 0 && aSize > C;
  return isRow ? C : 0;
}

/** `Add` of a bias row ([..., C] + [C], either order) on oneDNN; the rest to `fallback`. */
export function makeAdd(fallback: WasmKernelFunc): WasmKernelFunc {
  return function add(args: KernelArgs) {
    let { a, b } = args.inputs;
    if (!dnnlActive() || a.dtype !== "float32" || b.dtype !== "float32") return fallback(args);
    if (rowLength(a.shape, b.shape) === 0) [a, b] = [b, a]; // a + b = b + a, exactly
    if (rowLength(a.shape, b.shape) === 0) return fallback(args);
    const y = allocate(args.backend, a.shape);
    const ok = dnnlAddRow(view(args.backend, a), view(args.backend, b), view(args.backend, y));
    if (!ok) {
      args.backend.disposeData(y.dataId);
      return fallback(args);
    }
    countNativeCall("Add");
    return y;
  };
}

/**
 * `LitconvReluGrad` (inputs dy and x): dx = dy where x > 0, else 0, on oneDNN; where x is
 * not all finite, or oneDNN declines, TF.js's own formula dy · cast(step(x)) on wasm.
 */
function reluGrad(args: KernelArgs) {
  const { dy, x } = args.inputs;
  const { backend } = args;
  if (dnnlAllFinite(view(backend, x)) === true) {
    const dx = allocate(backend, x.shape);
    if (dnnlReluGrad(view(backend, x), view(backend, dy), view(backend, dx))) {
      countNativeCall("LitconvReluGrad");
      return dx;
    }
    backend.disposeData(dx.dataId);
  }
  const step = call("Step", backend, { x }, { alpha: 0 });
  const mask = call("Cast", backend, { x: step }, { dtype: "float32" });
  const dx = call("Multiply", backend, { a: dy, b: mask });
  release(backend, step, mask);
  return dx;
}

let registered = false;

/**
 * Registers `LitconvReluGrad` for wasm and makes relu's gradient use it there while oneDNN
 * runs; elsewhere the gradient stays TF.js's. Safe to call more than once.
 */
export function registerReluGradient(): void {
  if (registered) return;
  registered = true;
  registerKernel({
    kernelName: "LitconvReluGrad",
    backendName: "wasm",
    kernelFunc: reluGrad as never,
  });
  const tfjs = getGradient("Relu");
  const ours: GradConfig = {
    kernelName: "Relu",
    inputsToSave: ["x"],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const grad = dy as Tensor;
      if (getBackend() === "wasm" && dnnlActive() && x.dtype === "float32" && x.size > 0) {
        const inputs = { dy: grad, x } as unknown as NamedTensorMap;
        return { x: () => engine().runKernel("LitconvReluGrad", inputs) as Tensor };
      }
      return tfjs.gradFunc(dy, saved, attrs);
    },
  };
  registerGradient(ours);
}

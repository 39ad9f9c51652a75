/**
 * Adam, with its update fused into one pass per weight on the wasm backend.
 *
 * TF.js's `AdamOptimizer` updates each weight with about a dozen element-wise ops (Mul, Add,
 * Square, Div, Sqrt, …), each a separate kernel that reads its inputs and allocates a fresh
 * output: for the lecture CNN's 3.27M weights that is ~25 ms of a ~155 ms wasm step. On wasm,
 * {@link FusedAdam} instead walks the weight, its two moments and its gradient once:
 *
 * ```text
 * m ← β1·m + (1−β1)·g        m̂ = m / (1 − β1ᵗ)
 * v ← β2·v + (1−β2)·g²       v̂ = v / (1 − β2ᵗ)
 * w ← w + (−lr)·(m̂ / (√v̂ + ε))
 * ```
 *
 * The pass is a small wasm SIMD function (`adam_wasm.ts`) that computes in float32, op for
 * op in TF.js's order, with the bias corrections from the same float32 `accBeta` variables;
 * the last `size % 4` floats go through {@link fusedAdamStep}, the same math in JavaScript
 * with `Math.fround` wherever a TF.js op stores a float32. So the result is the stock
 * optimizer's, bit for bit (tests/adam_test.ts checks it), in ~3.6 ms instead of ~21 ms. Everything else (the moments' variables and names,
 * `getWeights`/`setWeights`, `dispose`) is inherited, so checkpoints are unchanged. On any
 * other backend, or for anything unusual (a non-float32 weight, data not in the wasm heap),
 * or where the SIMD module cannot be compiled, it runs the stock `applyGradients`.
 *
 * @module
 */
import { tf } from "./backend.ts";
import type { AdamOptimizer } from "./tf_types.ts";
import { type AdamKernel, adamKernel } from "./adam_wasm.ts";

/** AdamOptimizer's private state, which the fused path reads and updates like its own. */
interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
}

/** The wasm backend's bookkeeping we rely on (see accel/wasm/calls.ts). */
interface WasmBackend {
  refCount(dataId: unknown): number;
  typedArrayFromHeap(info: { dataId: unknown; shape: number[]; dtype: "float32" }): Float32Array;
  dataIdMap: { get(dataId: unknown): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
  /** The Emscripten module: its memory is `wasmMemory` (threaded build) or `asm.memory`. */
  wasm: { wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } };
}

/** The fused kernel for the wasm backend's memory, or null if we cannot reach that memory. */
function kernelFor(backend: WasmBackend): AdamKernel | null {
  const memory = backend.wasm?.wasmMemory ?? backend.wasm?.asm?.memory;
  return memory instanceof WebAssembly.Memory ? adamKernel(memory) : null;
}

/** What `applyGradients` receives: gradients by variable name, as a map or a list. */
type Gradients = Parameters<tf.AdamOptimizer["applyGradients"]>[0];

/** A drop-in `tf.AdamOptimizer` whose update is one fused pass per weight on wasm. */
export class FusedAdam extends tf.AdamOptimizer {
  override applyGradients(variableGradients: Gradients): void {
    if (tf.getBackend() !== "wasm") return super.applyGradients(variableGradients);
    const list = Array.isArray(variableGradients)
      ? variableGradients
      : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    const backend = tf.backend() as unknown as WasmBackend;
    const onWasm = (t: tf.Tensor) => t.dtype === "float32" && backend.refCount(t.dataId) > 0;
    const registered = tf.engine().registeredVariables;
    const fusable = list.every(({ name, tensor }) => {
      const value = registered[name];
      return value && onWasm(value) &&
        (tensor == null || (onWasm(tensor) && tensor.shape.join() === value.shape.join()));
    });
    const kernel = fusable ? kernelFor(backend) : null;
    if (!kernel) return super.applyGradients(variableGradients);

    const state = this as unknown as AdamState;
    // Exactly the stock optimizer's float32 scalars: 1 − accBeta, 1 − β, ε and −lr.
    const c1 = Math.fround(1 - state.accBeta1.dataSync()[0]);
    const c2 = Math.fround(1 - state.accBeta2.dataSync()[0]);
    const b1 = Math.fround(this.beta1), b2 = Math.fround(this.beta2);
    const oneMinusB1 = Math.fround(1 - this.beta1), oneMinusB2 = Math.fround(1 - this.beta2);
    const eps = Math.fround(this.epsilon), minusLr = Math.fround(-this.learningRate);
    const k: AdamConstants = { b1, b2, oneMinusB1, oneMinusB2, c1, c2, eps, minusLr };
    const constants = [b1, b2, oneMinusB1, oneMinusB2, c1, c2, eps, minusLr] as const;

    list.forEach(({ name, tensor: gradient }, i) => {
      const value = registered[name];
      // The moments start as zeros, named and indexed as the stock optimizer does.
      state.accumulatedFirstMoment[i] ??= {
        originalName: `${name}/m`,
        variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
      };
      state.accumulatedSecondMoment[i] ??= {
        originalName: `${name}/v`,
        variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
      };
      if (gradient == null) return;
      const m = state.accumulatedFirstMoment[i].variable;
      const v = state.accumulatedSecondMoment[i].variable;
      // The results go to fresh buffers, never over the old ones. The wasm backend caches
      // XNNPACK operators, each with its own packed copy of a conv's or matmul's weights,
      // under the weight buffer's id: a weight rewritten in place would leave them stale (the
      // next forward pass would use the old weights). A new buffer has a new id, and
      // assigning it frees the old buffer and, with it, the cached operators. It also leaves
      // alone any tensor that shares the old buffer (`tf.variable(t)`, `assign(t)`).
      const outputs = [value, m, v].map((t) => backend.makeOutput(t.shape, "float32"));
      // Offsets after allocating: growing the heap keeps offsets but detaches older views.
      const [pw, pm, pv, pg, pwOut, pmOut, pvOut] = [value, m, v, gradient, ...outputs].map(
        (t) => backend.dataIdMap.get(t.dataId).memoryOffset,
      );
      const groups = Math.floor(value.size / 4);
      kernel(pw, pm, pv, pg, pwOut, pmOut, pvOut, groups, ...constants);
      // The last size % 4 floats, one at a time, in JavaScript: copy, then update in place.
      const tail = (t: tf.TensorInfo) =>
        backend.typedArrayFromHeap({ dataId: t.dataId, shape: t.shape, dtype: "float32" })
          .subarray(4 * groups);
      const [wOut, mOut, vOut] = outputs.map(tail);
      wOut.set(tail(value));
      mOut.set(tail(m));
      vOut.set(tail(v));
      fusedAdamStep(wOut, mOut, vOut, tail(gradient), k);
      tf.tidy(() =>
        [value, m, v].forEach((variable, j) =>
          variable.assign(tf.engine().makeTensorFromTensorInfo(outputs[j]))
        )
      );
    });
    tf.tidy(() => {
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}

/** The float32 constants of one Adam step (see {@link fusedAdamStep}). */
export interface AdamConstants {
  b1: number;
  b2: number;
  oneMinusB1: number;
  oneMinusB2: number;
  /** 1 − β1ᵗ and 1 − β2ᵗ: the bias corrections. */
  c1: number;
  c2: number;
  eps: number;
  minusLr: number;
}

/**
 * One Adam step over flat arrays, in place: `w`, `m`, `v` are updated from the gradient `g`.
 * Each `f(…)` rounds to float32 where TF.js's op would, in TF.js's order.
 */
export function fusedAdamStep(
  w: Float32Array,
  m: Float32Array,
  v: Float32Array,
  g: Float32Array,
  k: AdamConstants,
): void {
  const f = Math.fround;
  const { b1, b2, oneMinusB1, oneMinusB2, c1, c2, eps, minusLr } = k;
  for (let j = 0; j < w.length; j++) {
    const gj = g[j];
    const mj = f(f(m[j] * b1) + f(gj * oneMinusB1));
    const vj = f(f(v[j] * b2) + f(f(gj * gj) * oneMinusB2));
    m[j] = mj;
    v[j] = vj;
    const step = f(f(mj / c1) / f(f(Math.sqrt(f(vj / c2))) + eps));
    w[j] = f(f(step * minusLr) + w[j]);
  }
}

/**
 * `tf.train.adam(learningRate, beta1, beta2, epsilon)` with the fused update on wasm. Same
 * defaults; ε defaults to the backend's (1e-7 on cpu and wasm).
 */
export function adam(
  learningRate = 0.001,
  beta1 = 0.9,
  beta2 = 0.999,
  epsilon?: number,
): AdamOptimizer {
  return new FusedAdam(learningRate, beta1, beta2, epsilon);
}

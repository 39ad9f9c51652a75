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
 * optimizer's, bit for bit (tests/adam_test.ts checks it), in ~3.6 ms instead of ~21 ms,
 * with one deliberate exception:
 *
 * **Subnormal moments are stored as zeros** (`flushSubnormals`, on by default): where m′ or
 * v′ would be subnormal (0 < |x| < 2⁻¹²⁶ ≈ 1.18e-38), it is stored as a zero of the same
 * sign, as x86's flush-to-zero mode would. Why: a weight whose gradient is exactly 0 for
 * many steps (fc1's rows for pooled features that stay 0) has its m decay by 0.9 a step into
 * that range after ~700 steps, where it then sticks (k·2⁻¹⁴⁹·0.9 rounds back to k·2⁻¹⁴⁹ for
 * k ≤ 4); after one epoch 0.73M of fc1's 3.2M moments are subnormal, and arithmetic on them
 * takes a microcode assist on Intel cores, which made training 2.3× slower from step ~700 on
 * (issue 17). Why it changes nothing beyond float noise: a flushed moment differs from the
 * IEEE one by less than 2⁻¹²⁶. Through m̂ = m/c1 (c1 = 1 − β1ᵗ ≥ 1 − β1 = 0.1) and the
 * denominator √v̂ + ε ≥ ε = 1e-7, that moves a weight's step by less than
 * lr · 2⁻¹²⁶ / (0.1 · 1e-7) ≈ 1.2e-33 (lr = 1e-3), below half an ulp of any float32 weight
 * larger than 2e-26 in magnitude, so such weights come out bit for bit the same; the
 * difference then decays by β1 every step. A flushed v means every recent gradient of that
 * weight was below √(2⁻¹²⁶/(1 − β2)) ≈ 3.4e-18 and its m̂ below ~3.4e-17: the weight's whole
 * update is then below 1e-12, and changing √v̂ by at most √(2⁻¹²⁶/(1−β2)) changes it by
 * far less. Against these, float32 rounding moves each weight by ~1e-9 at every step and a
 * different summation order in a convolution by ~1e-7 relative. Where no moment is
 * subnormal (fresh weights, the first ~600 steps) the result is stock Adam's bit for bit.
 *
 * Everything else (the moments' variables and names,
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
function kernelFor(backend: WasmBackend, flush: boolean): AdamKernel | null {
  const memory = backend.wasm?.wasmMemory ?? backend.wasm?.asm?.memory;
  return memory instanceof WebAssembly.Memory ? adamKernel(memory, flush) : null;
}

/** What `applyGradients` receives: gradients by variable name, as a map or a list. */
type Gradients = Parameters<tf.AdamOptimizer["applyGradients"]>[0];

/** A drop-in `tf.AdamOptimizer` whose update is one fused pass per weight on wasm. */
export class FusedAdam extends tf.AdamOptimizer {
  /**
   * Store subnormal moments as zeros (see the module's text). false: IEEE float32 throughout,
   * stock Adam's results bit for bit, and Intel's slow path once moments turn subnormal.
   */
  flushSubnormals = true;

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
    const kernel = fusable ? kernelFor(backend, this.flushSubnormals) : null;
    if (!kernel) return super.applyGradients(variableGradients);

    const state = this as unknown as AdamState;
    // Exactly the stock optimizer's float32 scalars: 1 − accBeta, 1 − β, ε and −lr.
    const c1 = Math.fround(1 - state.accBeta1.dataSync()[0]);
    const c2 = Math.fround(1 - state.accBeta2.dataSync()[0]);
    const b1 = Math.fround(this.beta1), b2 = Math.fround(this.beta2);
    const oneMinusB1 = Math.fround(1 - this.beta1), oneMinusB2 = Math.fround(1 - this.beta2);
    const eps = Math.fround(this.epsilon), minusLr = Math.fround(-this.learningRate);
    const k: AdamConstants = {
      b1,
      b2,
      oneMinusB1,
      oneMinusB2,
      c1,
      c2,
      eps,
      minusLr,
      flush: this.flushSubnormals,
    };
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
  /** Store subnormal m′ and v′ as zeros of the same sign (default false: IEEE). */
  flush?: boolean;
}

/** The smallest normal float32, 2⁻¹²⁶: below it (and above 0) a float32 is subnormal. */
export const MIN_NORMAL_F32 = 2 ** -126;

/**
 * One Adam step over flat arrays, in place: `w`, `m`, `v` are updated from the gradient `g`.
 * Each `f(…)` rounds to float32 where TF.js's op would, in TF.js's order; with `k.flush`,
 * a subnormal m′ or v′ becomes a zero of its sign (`x * 0`), as the wasm kernel stores it.
 */
export function fusedAdamStep(
  w: Float32Array,
  m: Float32Array,
  v: Float32Array,
  g: Float32Array,
  k: AdamConstants,
): void {
  const f = Math.fround;
  const { b1, b2, oneMinusB1, oneMinusB2, c1, c2, eps, minusLr, flush = false } = k;
  for (let j = 0; j < w.length; j++) {
    const gj = g[j];
    let mj = f(f(m[j] * b1) + f(gj * oneMinusB1));
    let vj = f(f(v[j] * b2) + f(f(gj * gj) * oneMinusB2));
    if (flush && Math.abs(mj) < MIN_NORMAL_F32) mj *= 0;
    if (flush && Math.abs(vj) < MIN_NORMAL_F32) vj *= 0;
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

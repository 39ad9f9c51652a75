/**
 * Adam, with its update fused into one pass per weight on the wasm backend.
 *
 * {@link FusedAdam} is a drop-in `tf.AdamOptimizer`. On wasm it walks each weight, its two
 * moments and its gradient once, in a small SIMD function (`adam_wasm.ts`; the last
 * `size % 4` floats in {@link fusedAdamStep}), in float32 and op for op in TF.js's order, so
 * its steps are the stock optimizer's bit for bit, several times faster. On any other
 * backend, or for anything unusual (a non-float32 weight, data outside the wasm heap, no
 * SIMD), it runs the stock `applyGradients`. Its state, names and checkpoints are stock.
 *
 * The one thing to know: by default it stores **subnormal moments as zeros**
 * (`flushSubnormals`), because a weight whose gradient stays 0 leaves its first moment stuck
 * at a subnormal value, and Intel cores compute on those ~100× slower. That changes no
 * weight larger than 2⁻⁸⁵ in magnitude ({@link FLUSH_EXACT_ABOVE} says why).
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
   * Store subnormal moments as zeros (see {@link FLUSH_EXACT_ABOVE}). false: IEEE float32 throughout,
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
 * The most one flushed first moment can change one step of one weight:
 * lr·2⁻¹²⁶ / ((1 − β1)·ε). Where m′ is flushed the fused step is exactly 0, while stock Adam
 * steps by lr·|m̂|/(√v̂ + ε) with |m′| < 2⁻¹²⁶, m̂ = m′/(1 − β1ᵗ) and √v̂ + ε ≥ ε. The bias
 * correction 1 − β1ᵗ is smallest at t = 1, so this is the bound at the first step; at step
 * 1000 it is ten times smaller. The lecture's Adam (lr 1e-3, β1 0.9, ε 1e-7): ≈ 1.18e-33.
 */
export function flushStepBound(learningRate = 1e-3, beta1 = 0.9, epsilon = 1e-7): number {
  return learningRate * MIN_NORMAL_F32 / ((1 - beta1) * epsilon);
}

/**
 * Weights larger than this in magnitude come out of every step bit for bit as stock Adam's,
 * flushing or not (lecture's Adam). A float32 w with 2ᵉ < |w| < 2ᵉ⁺¹ rounds w + δ back to w
 * while |δ| is below half its ulp, 2ᵉ⁻²⁴; 2⁻⁸⁵⁻²⁴ = 2⁻¹⁰⁹ ≈ 1.5e-33 exceeds the bound
 * {@link flushStepBound} ≈ 1.18e-33, 2⁻¹¹⁰ ≈ 7.7e-34 does not. So 2⁻⁸⁵ ≈ 2.6e-26: a weight of
 * 2e-26 can differ, and so can 2⁻⁸⁵ itself, stepping toward 0 (the gap below a power of two
 * is half the gap above).
 *
 * The difference does not fade while the gradient stays 0: stock Adam's m sticks at
 * k·2⁻¹⁴⁹ (0.9·k·2⁻¹⁴⁹ rounds back to it for k ≤ 4) and keeps nudging a weight below the
 * threshold by up to the bound a step; the fused one's m is 0. Once the gradient returns,
 * (1 − β1)·g swamps the stuck value (for |g| ≥ ~2e-30 it lies below half an ulp of it) and
 * both moments round to the same float. Tinier gradients can be flushed step after step, but
 * each flush drops less than 2⁻¹²⁶ and β1 shrinks the earlier drops: the two m stay within
 * 2⁻¹²⁶·(1 − β1ᵗ)/(1 − β1), their m̂ within 2⁻¹²⁶/(1 − β1), and so the steps within the
 * bound at every t. A flushed v′ changes no step: with v′ < 2⁻¹²⁶,
 * √v̂ < √(2⁻¹²⁶/(1 − β2)) ≈ 3.4e-18 is below half an ulp of ε = 1e-7 (2⁻⁴⁸ ≈ 3.6e-15), so
 * √v̂ + ε rounds to ε with or without it, until gradients large enough to matter swamp it.
 * (Where two such nearly equal moments fall on either side of a rounding boundary they end up
 * an ulp apart, and a weight can then differ by an ulp of its step: float noise.)
 */
export const FLUSH_EXACT_ABOVE = 2 ** -85;

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

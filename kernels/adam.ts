/**
 * Adam (Kingma & Ba, 2015) written out over plain nested arrays, for the naive training loop.
 *
 * For each weight w with gradient g, at step t = 1, 2, …:
 *
 * ```text
 * m ← β1·m + (1 − β1)·g            (running mean of the gradient)
 * v ← β2·v + (1 − β2)·g²           (running mean of its square)
 * m̂ = m / (1 − β1ᵗ),  v̂ = v / (1 − β2ᵗ)   (bias corrections: m and v start at 0)
 * w ← w − lr · m̂ / (√v̂ + ε)
 * ```
 *
 * The same update as `tf.train.adam` (and `torch.optim.Adam`), in float64. ε defaults to
 * TF.js's 1e-7 (PyTorch's is 1e-8), so the naive loop takes the TF.js loop's steps.
 *
 * ```ts
 * import { Adam } from "./adam.ts";
 * const params = { w: [1, -1] };
 * new Adam(0.1).step(params, { w: [2, -3] });
 * // The first step moves every weight by lr against its gradient's sign (bias-corrected).
 * console.assert(Math.abs(params.w[0] - 0.9) < 1e-6 && Math.abs(params.w[1] + 0.9) < 1e-6);
 * ```
 *
 * @module
 */
import type { NestedNumberArray } from "./types.ts";

/** Parameters or their gradients: named nested arrays of the same shapes. */
export type ParamSet = { [name: string]: NestedNumberArray };

/** Adam's whole state, for a checkpoint. */
export interface AdamState {
  /** Steps taken. */
  t: number;
  /** First moments, by parameter name. */
  m: ParamSet;
  /** Second moments, by parameter name. */
  v: ParamSet;
}

/** A copy of `x` filled with zeros. */
function zerosLike(x: NestedNumberArray): NestedNumberArray {
  return Array.isArray(x) ? x.map(zerosLike) as NestedNumberArray : 0;
}

/** Adam over named nested arrays, updated in place. */
export class Adam {
  /** Steps taken so far. */
  t = 0;
  #m: ParamSet = {};
  #v: ParamSet = {};

  constructor(
    readonly learningRate = 1e-3,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon = 1e-7,
  ) {}

  /**
   * The divisors 1 − β1ᵗ and 1 − β2ᵗ that undo the moments' pull towards their zero start.
   * Without them the first step would move each weight by (1−β1)/√(1−β2) ≈ 3.2·lr
   * instead of lr.
   */
  biasCorrections(t: number): [number, number] {
    return [1 - this.beta1 ** t, 1 - this.beta2 ** t];
  }

  /** One step: every array of `params` moves against the same-named array of `grads`. */
  step<P extends object>(params: P, grads: P): void {
    this.t++;
    const [c1, c2] = this.biasCorrections(this.t);
    const named = params as unknown as ParamSet, gradients = grads as unknown as ParamSet;
    for (const name of Object.keys(named)) {
      this.#m[name] ??= zerosLike(named[name]);
      this.#v[name] ??= zerosLike(named[name]);
      this.#update(named[name], gradients[name], this.#m[name], this.#v[name], c1, c2);
    }
  }

  /** The update above, element by element, through arrays nested to any depth. */
  #update(
    w: NestedNumberArray,
    g: NestedNumberArray,
    m: NestedNumberArray,
    v: NestedNumberArray,
    c1: number,
    c2: number,
  ): void {
    const [W, G, M, V] = [w, g, m, v] as unknown[][];
    if (!Array.isArray(W[0])) {
      const Wn = W as number[], Gn = G as number[], Mn = M as number[], Vn = V as number[];
      const { beta1, beta2, epsilon, learningRate } = this;
      for (let i = 0; i < Wn.length; i++) {
        Mn[i] = beta1 * Mn[i] + (1 - beta1) * Gn[i];
        Vn[i] = beta2 * Vn[i] + (1 - beta2) * Gn[i] * Gn[i];
        Wn[i] -= learningRate * (Mn[i] / c1) / (Math.sqrt(Vn[i] / c2) + epsilon);
      }
      return;
    }
    for (let i = 0; i < W.length; i++) {
      this.#update(
        W[i] as NestedNumberArray,
        G[i] as NestedNumberArray,
        M[i] as NestedNumberArray,
        V[i] as NestedNumberArray,
        c1,
        c2,
      );
    }
  }

  /** The state, to save (the moments are the live arrays, not copies). */
  get state(): AdamState {
    return { t: this.t, m: this.#m, v: this.#v };
  }

  /** Continues from a saved state. */
  set state(s: AdamState) {
    this.t = s.t;
    this.#m = s.m;
    this.#v = s.v;
  }
}

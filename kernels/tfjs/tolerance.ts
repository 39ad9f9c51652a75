/**
 * How far a TF.js twin may honestly differ from its naive kernel.
 *
 * The naive kernels compute in float64, the twins in float32. Each bound below
 * follows the textbook error analysis: with u = 2^-24 the unit roundoff of
 * float32, rounding the inputs costs at most u relative each, one multiply u, and
 * a sum of k terms in *any* order at most about k·u·Σ|term| (Higham, *Accuracy
 * and Stability of Numerical Algorithms*, §3.1). So a k-term dot product is off by
 * at most ≈ (k + 2)·u·Σ|x·w|. We state every bound with ε32 = 2^-23 = 2u, i.e.
 * twice the analysis, because backends may reorder, fuse or (webgpu) use
 * functions with looser accuracy: WGSL allows `exp` 3 + 2|x| ULP and `log` an
 * absolute 2^-21 near 1.
 *
 * Each bound is a single number for the whole output: the worst case over its
 * elements. A real bug (a wrong window, a missing flip, a wrong divisor) moves an
 * output by an amount of the order of the values themselves, millions of times
 * more than these bounds.
 *
 * @module
 */
import type { NestedNumberArray } from "../types.ts";
import { leaves } from "../regularize.ts";

/** Machine epsilon of float32: the gap between 1 and the next float32. */
export const EPS32 = 2 ** -23;

/**
 * Absolute slack per summed term for underflow: a float32 product below 2^-126
 * may be flushed to zero (webgpu does), and the arbitraries keep every factor
 * ≤ 1000 in magnitude, so each term loses less than 1000·2^-126 < 2^-100.
 */
export const UNDERFLOW = 2 ** -100;

/** The largest |v| in a nested array (0 for an empty one). */
export function maxAbs(x: NestedNumberArray): number {
  return leaves(x).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

/** Σ|v| over a nested array. */
export function sumAbs(x: NestedNumberArray): number {
  return leaves(x).reduce((s, v) => s + Math.abs(v), 0);
}

/**
 * A convolution-like sum of `k` products per output, each window's Σ|x·w| at most
 * `windowMass` (we use max|x| · Σ|w|, which bounds every window at once).
 */
export function dotBound(k: number, windowMass: number): number {
  return (k + 2) * EPS32 * windowMass + k * UNDERFLOW;
}

/** conv1d / conv2d: k = kernel size, window mass ≤ max|x| · Σ|w|. */
export function convTolerance(x: NestedNumberArray, w: NestedNumberArray): number {
  return dotBound(leaves(w).length, maxAbs(x) * sumAbs(w));
}

/**
 * conv2dLayer: output channel o sums Cin·kH·kW products plus its bias (one more
 * term), so window mass ≤ max|x| · max_o Σ|weight[o]| + max|bias|.
 */
export function convLayerTolerance(
  x: number[][][][],
  weight: number[][][][],
  bias?: number[],
): number {
  const k = leaves(weight[0]).length + 1;
  const perChannel = Math.max(...weight.map(sumAbs));
  return dotBound(k, maxAbs(x) * perChannel + (bias ? maxAbs(bias) : 0));
}

/**
 * Pooling. Max: float32 rounding of the inputs is monotone, so the max is only
 * off by its own rounding, ≤ u·max|x|. Average: a k-term sum, then one division.
 */
export function poolTolerance(X: number[][], windowSize: number, average: boolean): number {
  const k = average ? windowSize + 1 : 0;
  return (k + 1) * EPS32 * maxAbs(X) + windowSize * UNDERFLOW;
}

/**
 * Sigmoid: rounding x by u|x| moves σ by at most σ'·u|x| ≤ u|x|/4; the exp,
 * add and divide add a few ULP, and σ(1 − σ)·(3 + 2|x|) ULP from WGSL's exp stays
 * below 4 ULP because σ(1 − σ)|x| < 1/2.
 */
export function sigmoidTolerance(x: number[]): number {
  return EPS32 * (maxAbs(x) / 4 + 8) + UNDERFLOW;
}

/**
 * Softmax row of n logits: rounding each logit by ≤ u·max|x| moves p_i by at most
 * 2·p_i·u·max|x| ≤ ε32·max|x|; then x − max, exp (p·|d| ≤ 1/e tames WGSL's
 * 2|d| ULP), an n-term sum and a division add ≤ (n + 8) ULP relative, p ≤ 1.
 */
export function softmaxTolerance(x: number[][]): number {
  return EPS32 * (maxAbs(x) + 2 * x[0].length + 8) + UNDERFLOW;
}

/**
 * Log-softmax x_i − max − log Σe^(x−max): the rounded inputs shift x_i and max by
 * ≤ u·max|x| each; log Σ adds (n + 4) ULP plus WGSL's absolute 2^-21 (= 4 ε32);
 * the result, |·| ≤ 2·max|x| + log n, is rounded once more.
 */
export function logSoftmaxTolerance(x: number[][]): number {
  const n = x[0].length;
  return EPS32 * (3 * maxAbs(x) + 2 * n + 16);
}

/** The mean over a batch of `n` per-example values of magnitude ≤ `magnitude`. */
function meanBound(n: number, magnitude: number): number {
  return (n + 4) * EPS32 * magnitude;
}

/** log clamped at −100, as PyTorch's BCELoss does. */
function clampedLog(p: number): number {
  return Math.max(Math.log(p), -100);
}

/**
 * Binary cross-entropy. Its inputs are ill-conditioned near p = 1: log(1 − p)
 * moves by u·p/(1 − p) when p is rounded to float32 (all of 1 − p is lost once p
 * rounds to 1). So the *exact* effect of that rounding, the float64 loss at the
 * float32-rounded inputs minus the loss at the inputs, is part of the bound; the
 * float32 arithmetic (WGSL log: 2^-21 absolute + 3 ULP) is bounded per term
 * by ε32·(8 + 4·|term|) and averaged.
 */
export function bceTolerance(probs: number[], targets: number[]): number {
  const n = probs.length;
  let rounding = 0;
  let arithmetic = 0;
  probs.forEach((p, i) => {
    const t = targets[i];
    const [pf, tf] = [Math.fround(p), Math.fround(t)];
    const term = (pp: number, tt: number) => -(tt * clampedLog(pp) + (1 - tt) * clampedLog(1 - pp));
    rounding += Math.abs(term(pf, tf) - term(p, t));
    arithmetic += 8 + 4 * Math.abs(term(pf, tf));
  });
  return rounding / n + meanBound(n, arithmetic / n);
}

/**
 * BCE with logits, max(x, 0) − x·t + log(1 + e^(−|x|)): rounding x and t moves a
 * term by ≤ u·|x|·(1 + t) (its slope in x is σ(x) − t, in t it is −x); each of the
 * three parts is ≤ |x| or ≤ log 2 and rounds once.
 */
export function bceWithLogitsTolerance(logits: number[], targets: number[]): number {
  const n = logits.length;
  const mass = logits.reduce((s, x, i) => s + 2 * Math.abs(x) * (1 + targets[i]) + 4, 0) / n;
  return meanBound(n, mass);
}

/** NLL: the mean of the n picked log-probabilities (the one-hot zeros add exactly 0). */
export function nllTolerance(logProbs: number[][], targets: number[]): number {
  const picked = targets.map((t, i) => Math.abs(logProbs[i][t]));
  return meanBound(targets.length, maxAbs(picked)) + UNDERFLOW;
}

/**
 * Cross-entropy: per row, a log-softmax entry (bounded as above), then the mean of
 * rows whose magnitude is ≤ 2·max|x| + log C.
 */
export function crossEntropyTolerance(logits: number[][], targets: number[]): number {
  const rowMagnitude = 2 * maxAbs(logits) + Math.log(logits[0].length) + 1;
  return logSoftmaxTolerance(logits) + meanBound(targets.length, rowMagnitude);
}

/**
 * L2 penalty λ·Σw²: every term is ≥ 0, so N squares summed in any order, plus
 * rounding w, λ and the final product, are off by ≤ (N + 6)·u·λ·Σw².
 */
export function l2Tolerance(params: NestedNumberArray[], lambda: number): number {
  const all = params.flatMap(leaves);
  const exact = lambda * all.reduce((s, w) => s + w * w, 0);
  return (all.length + 6) * EPS32 * exact + all.length * UNDERFLOW;
}

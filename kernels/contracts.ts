/**
 * Contracts: how to judge a result when many results are right, so that no single answer can
 * be compared element by element.
 *
 * - Dropout: any generator may draw the mask. Every right answer has the shape of x; in
 *   evaluation it is x itself; in training every element is 0 or x/(1 − p), and the share of
 *   zeros is one a fair coin of probability p could plausibly give. Its backward pass is
 *   judged the same way, dy in the place of x.
 * - A model summary (task 10.1): a layer that keeps the shape (ReLU, dropout) may be listed
 *   or left out.
 *
 * An operation names its contract ({@link CONTRACTS}); the property tests judge TF.js twins
 * with it, the grader judges students' answers with it, and starter folders carry it
 * (bundled): so this module holds no operation's answer, only the checks, and imports
 * nothing that does.
 *
 * @module
 */
import { leaves, shapeOf, show } from "./nested.ts";
import { UNDERFLOW } from "./float32.ts";
import type { DropoutOptions, ModelSummary, NestedNumberArray } from "./types.ts";

// ─── Dropout ──────────────────────────────────────────────────────────────────

/**
 * The probability, one in a billion, that a right dropout is rejected by the count of its
 * zeros: a two-sided binomial test at this level.
 */
export const DROPOUT_FALSE_ALARM = 1e-9;

/** log P(K = k) for K ~ Binomial(n, p), 0 < p < 1. */
function logBinomial(n: number, k: number, p: number): number {
  let logChoose = 0;
  for (let i = 1; i <= k; i++) logChoose += Math.log((n - k + i) / i);
  return logChoose + k * Math.log(p) + (n - k) * Math.log1p(-p);
}

/**
 * The smaller tail of K ~ Binomial(n, p) at k: min(P(K ≤ k), P(K ≥ k)), summed in log space
 * so that n in the thousands neither underflows nor overflows.
 */
function binomialTail(n: number, k: number, p: number): number {
  if (p === 0) return k === 0 ? 1 : 0;
  const sum = (from: number, to: number) => {
    const logs: number[] = [];
    for (let i = from; i <= to; i++) logs.push(logBinomial(n, i, p));
    const top = Math.max(...logs);
    return Math.exp(top) * logs.reduce((s, l) => s + Math.exp(l - top), 0);
  };
  return Math.min(sum(0, k), sum(k, n));
}

/**
 * Dropout's contract on one result (see above); `rel` is the relative rounding allowed on a
 * kept element (x·(1/(1 − p)) is as right as x/(1 − p)). Returns what is wrong, or undefined.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dropoutContract } from "./contracts.ts";
 * const x = Array.from({ length: 200 }, (_, i) => i + 1);
 * const half = x.map((v, i) => (i % 2 ? 0 : 2 * v));
 * assert.equal(dropoutContract([x, 0.5, { training: true, seed: 1 }], half, 0), undefined);
 * const none = x.map(() => 0);
 * assert.match(dropoutContract([x, 0.5, { training: true, seed: 1 }], none, 0) ?? "", /200 of 200/);
 * ```
 */
export function dropoutContract(
  [x, p, { training }]: [NestedNumberArray, number, DropoutOptions],
  result: unknown,
  rel: number,
): string | undefined {
  const [want, have] = [shapeOf(x) as number[], shapeOf(result)];
  if (typeof have === "string") return have;
  if (have.join() !== want.join()) {
    return `shape [${have.join(", ")}], expected [${want.join(", ")}]`;
  }
  const [xs, ys] = [leaves(x), leaves(result)];
  let candidates = 0; // elements whose fate shows
  let zeroed = 0;
  for (let i = 0; i < xs.length; i++) {
    const kept = xs[i] / (1 - p);
    const ok = training
      ? ys[i] === 0 || Math.abs(ys[i] - kept) <= rel * Math.abs(kept) + UNDERFLOW
      : ys[i] === xs[i];
    if (!ok) {
      return `element ${i} is ${ys[i]}, expected ${
        training ? `0 or x/(1 − p) = ${kept}` : `x = ${xs[i]} (evaluation changes nothing)`
      }`;
    }
    // An element shows its fate unless a kept value could round to 0 (a subnormal x
    // flushed by float32, say).
    if (Math.abs(kept) > UNDERFLOW) {
      candidates++;
      if (ys[i] === 0) zeroed++;
    }
  }
  if (training && binomialTail(candidates, zeroed, p) < DROPOUT_FALSE_ALARM / 2) {
    return `${zeroed} of ${candidates} non-zero elements were zeroed; with p = ${p} about ${
      Math.round(candidates * p)
    } should be (a fair draw gives this few or this many less than once in ${
      1 / DROPOUT_FALSE_ALARM
    } tries)`;
  }
  return undefined;
}

// ─── A model summary ──────────────────────────────────────────────────────────

/** `v` shown briefly (and safely, whatever its depth), for a message. */
const brief = (v: unknown) => show(v, 120);

/**
 * Compares a model summary `got` with the right one, `want`: the shapes in order (repeats
 * collapse, so a shape-keeping layer may be listed or not), and the parameter count. Returns
 * what is wrong, or undefined.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { modelSummaryContract } from "./contracts.ts";
 * const want = { layers: [{ name: "conv", shape: [2, 4, 4] }, { name: "fc", shape: [3] }], params: 9 };
 * const relu = { name: "relu", shape: [2, 4, 4] };
 * assert.equal(modelSummaryContract(want, { ...want, layers: [want.layers[0], relu, want.layers[1]] }), undefined);
 * assert.match(modelSummaryContract(want, { ...want, params: 8 }) ?? "", /params 8, expected 9/);
 * ```
 */
export function modelSummaryContract(want: ModelSummary, got: unknown): string | undefined {
  const g = got as Partial<ModelSummary> | null;
  if (g === null || typeof g !== "object" || !Array.isArray(g.layers)) {
    return `expected { layers: [{ name, shape }, …], params }, got ${brief(got)}`;
  }
  const shapes: string[] = [];
  for (const [i, layer] of g.layers.entries()) {
    const s = (layer as { shape?: unknown } | null)?.shape;
    if (!Array.isArray(s) || !s.every((d) => Number.isInteger(d))) {
      return `layers[${i}].shape is ${brief(s)}, not a list of whole numbers`;
    }
    if (shapes.at(-1) !== s.join("×")) shapes.push(s.join("×"));
  }
  const wanted = want.layers.map((l) => l.shape.join("×"));
  if (shapes.join(" → ") !== wanted.join(" → ")) {
    return `layer shapes ${shapes.join(" → ")}, expected ${wanted.join(" → ")}`;
  }
  if (g.params !== want.params) return `params ${brief(g.params)}, expected ${want.params}`;
  return undefined;
}

/**
 * One contract: judges `got` for the call `args`, allowing a relative rounding error `rel` on
 * each number, given the reference result `expected` (one right answer among many). Returns
 * what is wrong, or undefined.
 */
export type Contract = (
  args: unknown[],
  got: unknown,
  rel: number,
  expected: unknown,
) => string | undefined;

/** The name of a contract: what an operation gives in its `contract`. */
export type ContractName = "dropout" | "dropoutBackward" | "modelSummary";

/** Every contract, by name. */
export const CONTRACTS: Record<ContractName, Contract> = {
  dropout: (args, got, rel) =>
    dropoutContract(args as [NestedNumberArray, number, DropoutOptions], got, rel),
  // dropoutBackward(dy, p, { seed }) is dropout in training, applied to dy.
  dropoutBackward: (args, got, rel) => {
    const [dy, p, options] = args as [NestedNumberArray, number, { seed: number }];
    return dropoutContract([dy, p, { training: true, seed: options?.seed }], got, rel);
  },
  modelSummary: (_args, got, _rel, expected) => modelSummaryContract(expected as ModelSummary, got),
};

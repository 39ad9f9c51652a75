/**
 * Contracts: how to judge a result when many results are right (dropout: any mask of the
 * right shape, values 0 or x/(1 − p), a plausible share of zeros; a model summary: layers
 * that keep the shape may be listed or not). The property tests judge TF.js twins with
 * them, the grader judges students' answers with them, and starter folders carry this
 * module bundled, so it holds only checks and imports no operation's answer.
 * Dropout's backward pass is judged by the same rules, dy in the place of x.
 *
 * @module
 */
import { leaves, shapeOf, show } from "./nested.ts";
import { UNDERFLOW } from "./float32.ts";
import type { DropoutOptions, ModelSummary, NestedNumberArray } from "./types.ts";

// ─── Dropout ──────────────────────────────────────────────────────────────────

/**
 * The probability, one in a billion, that a right dropout is rejected by one of its tests:
 * the count of its zeros (a two-sided binomial test at this level), where they fall (a
 * two-sided runs test), and, across calls, whether two seeds gave the same mask.
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

/** log n! for n = 0 … `n`, summed once. */
function logFactorials(n: number): Float64Array {
  const table = new Float64Array(n + 1);
  for (let i = 2; i <= n; i++) table[i] = table[i - 1] + Math.log(i);
  return table;
}

/**
 * The smaller tail, min(P(R ≤ runs), P(R ≥ runs)), of the number of runs R in a random
 * order of `a` zeros and `b` kept elements (the exact Wald–Wolfowitz distribution). A fair
 * mask puts its zeros anywhere; zeroing the first ⌈n·p⌉ elements gives 2 runs, alternating
 * gives n, and both are told from a coin once n is in the hundreds.
 */
export function runsTail(a: number, b: number, runs: number): number {
  if (a === 0 || b === 0) return 1;
  const lf = logFactorials(a + b);
  const logC = (n: number, k: number) => (k < 0 || k > n ? -Infinity : lf[n] - lf[k] - lf[n - k]);
  const total = logC(a + b, a);
  const logP = (r: number) => {
    const k = Math.floor(r / 2);
    if (r % 2 === 0) return Math.log(2) + logC(a - 1, k - 1) + logC(b - 1, k - 1) - total;
    const x = logC(a - 1, k) + logC(b - 1, k - 1);
    const y = logC(a - 1, k - 1) + logC(b - 1, k);
    const top = Math.max(x, y);
    return top === -Infinity
      ? -Infinity
      : top + Math.log(Math.exp(x - top) + Math.exp(y - top)) - total;
  };
  const most = 2 * Math.min(a, b) + (a === b ? 0 : 1);
  let below = 0, above = 0;
  for (let r = 2; r <= most; r++) {
    const p = Math.exp(logP(r));
    if (r <= runs) below += p;
    if (r >= runs) above += p;
  }
  return Math.min(below, above);
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
 * const coin = (i: number) => (Math.imul(i + 1, 2654435761) >>> 16) & 1; // a fixed "random" mask
 * const half = x.map((v, i) => (coin(i) ? 0 : 2 * v));
 * assert.equal(dropoutContract([x, 0.5, { training: true, seed: 1 }], half, 0), undefined);
 * const none = x.map(() => 0);
 * assert.match(dropoutContract([x, 0.5, { training: true, seed: 1 }], none, 0) ?? "", /200 of 200/);
 * const firstHalf = x.map((v, i) => (i < 100 ? 0 : 2 * v)); // the right count, by position
 * assert.match(dropoutContract([x, 0.5, { training: true, seed: 1 }], firstHalf, 0) ?? "", /2 runs/);
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
  let runs = 0; // maximal stretches of zeroed or of kept candidates, in row-major order
  let last: boolean | undefined;
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
      if (last !== (ys[i] === 0)) runs++;
      last = ys[i] === 0;
    }
  }
  if (training && binomialTail(candidates, zeroed, p) < DROPOUT_FALSE_ALARM / 2) {
    return `${zeroed} of ${candidates} non-zero elements were zeroed; with p = ${p} about ${
      Math.round(candidates * p)
    } should be (a fair draw gives this few or this many less than once in ${
      1 / DROPOUT_FALSE_ALARM
    } tries)`;
  }
  if (training && runsTail(zeroed, candidates - zeroed, runs) < DROPOUT_FALSE_ALARM / 2) {
    return `the ${zeroed} zeros fall in ${runs} runs of zeroed or kept elements; a random mask ` +
      `gives about ${
        Math.round(1 + 2 * zeroed * (candidates - zeroed) / candidates)
      } (this few or this many happens less than once in ${
        Math.round(1 / DROPOUT_FALSE_ALARM)
      } tries): ` +
      "each element must be dropped on its own coin, not by position";
  }
  return undefined;
}

/** The candidates' fates in a dropout result: true where zeroed (see {@link dropoutContract}). */
function maskOf(x: NestedNumberArray, p: number, result: unknown): boolean[] {
  const [xs, ys] = [leaves(x), leaves(result as NestedNumberArray)];
  const mask: boolean[] = [];
  for (let i = 0; i < xs.length; i++) {
    if (Math.abs(xs[i] / (1 - p)) > UNDERFLOW) mask.push(ys[i] === 0);
  }
  return mask;
}

/**
 * What a seeded operation must do across calls: the same arguments give the same answer, and
 * another seed (`reseed`, undefined where the seed plays no part) another one.
 */
export interface SeedContract {
  /** The call's arguments with another seed, or undefined when the seed does not matter. */
  reseed(args: unknown[]): unknown[] | undefined;
  /**
   * Judges three answers that each passed the one-call contract: `first` for `args`, `again`
   * for the same `args`, `other` for `reseed(args)`. Returns what is wrong, or undefined.
   */
  judge(args: unknown[], first: unknown, again: unknown, other: unknown): string | undefined;
}

/**
 * Dropout across calls: one seed, one mask (a generator seeded from `options.seed`, not
 * `Math.random()`), and the next seed another mask, checked where two fair masks would
 * coincide less than once in 1/{@link DROPOUT_FALSE_ALARM} tries.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dropoutSeedContract } from "./contracts.ts";
 * const x = Array.from({ length: 100 }, () => 1);
 * const args = [x, 0.5, { training: true, seed: 1 }];
 * const a = x.map((_, i) => (i % 3 ? 2 : 0)), b = x.map((_, i) => (i % 5 ? 2 : 0));
 * assert.equal(dropoutSeedContract.judge(args, a, a, b), undefined);
 * assert.match(dropoutSeedContract.judge(args, a, b, b) ?? "", /same seed/);
 * assert.match(dropoutSeedContract.judge(args, a, a, a) ?? "", /another seed/);
 * ```
 */
export const dropoutSeedContract: SeedContract = {
  reseed(args) {
    const [x, p, options] = args as [NestedNumberArray, number, DropoutOptions];
    if (!options?.training) return undefined;
    const seed = options.seed === 2 ** 31 - 1 ? options.seed - 1 : options.seed + 1;
    return [x, p, { ...options, seed }];
  },
  judge(args, first, again, other) {
    const [x, p, options] = args as [NestedNumberArray, number, DropoutOptions];
    const [a, b, c] = [first, again, other].map((r) => maskOf(x, p, r).join());
    if (a !== b) {
      return `the same seed (${options.seed}) gave another mask on a second call: the mask ` +
        "must be drawn from a generator seeded with options.seed (Math.random() ignores it)";
    }
    const coincide = Math.pow(p * p + (1 - p) * (1 - p), maskOf(x, p, first).length);
    if (a === c && coincide < DROPOUT_FALSE_ALARM) {
      return `another seed (${options.seed} and the next) gave the same mask: the mask must ` +
        "depend on options.seed";
    }
    return undefined;
  },
};

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

/** The contracts that also judge across calls, by name. */
export const SEED_CONTRACTS: Partial<Record<ContractName, SeedContract>> = {
  dropout: dropoutSeedContract,
  // dropoutBackward(dy, p, { seed }) draws dropout's mask in training: the same rules.
  dropoutBackward: {
    reseed(args) {
      const [dy, p, options] = args as [NestedNumberArray, number, { seed: number }];
      const seed = options.seed === 2 ** 31 - 1 ? options.seed - 1 : options.seed + 1;
      return [dy, p, { ...options, seed }];
    },
    judge(args, first, again, other) {
      const [dy, p, options] = args as [NestedNumberArray, number, { seed: number }];
      const asDropout = [dy, p, { training: true, seed: options.seed }];
      return dropoutSeedContract.judge(asDropout, first, again, other);
    },
  },
};

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

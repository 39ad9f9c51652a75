/**
 * Regularization: an L2 penalty on the weights, and (inverted) dropout.
 *
 * After the functions come their argument checks and each operation's definition (see
 * `op.ts`); dropout is judged by its contract (`contracts.ts`), which accepts any mask a fair
 * coin could have drawn (the share of zeros and where they fall), and, across calls, asks
 * that one seed give one mask and the next seed another.
 *
 * @module
 */
import { assertFiniteNumber, assertInteger, assertTensor, LitconvError } from "./errors.ts";
import { EPS32, UNDERFLOW } from "./float32.ts";
import { grid, ramp } from "./inputs.ts";
import { leaves } from "./nested.ts";
import type { Fc, Pair, Tf } from "./op.ts";
import { anyTensor, vectorOf } from "./arbitraries.ts";
import { Rng } from "./rng.ts";
import type { DropoutOptions, NestedNumberArray } from "./types.ts";

/**
 * The L2 penalty λ Σ w² over every number of every parameter, as the lecture's
 * `l2_lambda * sum((p**2).sum() for p in layer.parameters())`.
 *
 * ```ts
 * import { l2Penalty } from "./regularize.ts";
 * import assert from "node:assert/strict";
 * const weight = [[1, 2], [3, 4]];
 * const bias = [1];
 * assert.equal(l2Penalty([weight, bias], 0.5), 0.5 * (1 + 4 + 9 + 16 + 1));
 * ```
 */
export function l2Penalty(params: NestedNumberArray[], lambda: number): number {
  checkL2Penalty(params, lambda);
  let sum = 0;
  for (const p of params) for (const w of leaves(p)) sum += w * w;
  return lambda * sum;
}

/** A fresh copy of `x` with `f` applied to every number. */
function mapLeaves<T extends NestedNumberArray>(x: T, f: (v: number) => number): T {
  return (Array.isArray(x) ? x.map((c) => mapLeaves(c, f)) : f(x as number)) as T;
}

/**
 * Inverted dropout. In training each element is zeroed with probability `p` and every
 * survivor is scaled by 1/(1 − p), so the expected value of each element is unchanged and
 * evaluation needs no rescaling: with `training: false` it returns a copy of `x`. The same
 * `seed` gives the same mask (here: one draw of a generator seeded with it per element, in
 * row-major order).
 *
 * ```ts
 * import { dropout } from "./regularize.ts";
 * import assert from "node:assert/strict";
 * const y = dropout([[1, 2], [3, 4]], 0.5, { training: true, seed: 7 });
 * assert.ok(y.flat().every((v, i) => v === 0 || v === 2 * [1, 2, 3, 4][i]));
 * assert.deepEqual(dropout([1, 2], 0.5, { training: false, seed: 7 }), [1, 2]);
 * ```
 */
export function dropout<T extends NestedNumberArray>(x: T, p: number, options: DropoutOptions): T {
  checkDropout("dropout", x, p, options);
  if (!options.training) return mapLeaves(x, (v) => v);
  return masked(x, p, options.seed);
}

/**
 * The mask of dropout in training, applied: one draw of a generator seeded with `seed` per
 * element, in row-major order; an element is zeroed when its draw is < p and scaled by
 * 1/(1 − p) otherwise. `dropout` applies it to x, `dropoutBackward` to dy.
 */
function masked<T extends NestedNumberArray>(x: T, p: number, seed: number): T {
  const rng = new Rng(seed);
  const keep = 1 - p;
  return mapLeaves(x, (v) => (rng.next() < p ? 0 : v / keep));
}

/**
 * The backward pass of `dropout(x, p, { training: true, seed })`: each kept element was x
 * times 1/(1 − p), so it passes dy times 1/(1 − p) back; each dropped one was 0 whatever x
 * was, so it passes 0 back. That is the same mask, from the same seed, applied to dy.
 *
 * ```ts
 * import { dropout, dropoutBackward } from "./regularize.ts";
 * import assert from "node:assert/strict";
 * const dy = [[1, 2], [3, 4]];
 * assert.deepEqual(dropoutBackward(dy, 0.5, { seed: 7 }), dropout(dy, 0.5, { training: true, seed: 7 }));
 * ```
 */
export function dropoutBackward<T extends NestedNumberArray>(
  dy: T,
  p: number,
  options: { seed: number },
): T {
  checkDropout("dropoutBackward", dy, p, { training: true, seed: options?.seed });
  return masked(dy, p, options.seed);
}

// ─── Argument checks ──────────────────────────────────────────────────────────

/** l2Penalty: a non-empty list of rectangular parameter arrays, and λ ≥ 0. */
function checkL2Penalty(params: NestedNumberArray[], lambda: number): void {
  const fn = "l2Penalty";
  if (!Array.isArray(params) || params.length === 0) {
    throw new LitconvError(fn, "params", `must be a non-empty list of parameter arrays`);
  }
  params.forEach((p, i) => assertTensor(fn, `params[${i}]`, p));
  assertFiniteNumber(fn, "lambda", lambda);
  if (lambda < 0) throw new LitconvError(fn, "lambda", `must be ≥ 0, got ${lambda}`);
}

/**
 * dropout (or its backward pass, whose array is dy): a rectangular array, p in [0, 1), a
 * boolean `training`, a 32-bit integer seed.
 */
function checkDropout(
  fn: "dropout" | "dropoutBackward",
  x: NestedNumberArray,
  p: number,
  options: DropoutOptions,
): void {
  const arg = fn === "dropout" ? "x" : "dy";
  const shape = assertTensor(fn, arg, x);
  const context = `${arg} of shape [${shape.join(",")}]`;
  if (typeof p !== "number" || !(p >= 0 && p < 1)) {
    throw new LitconvError(fn, "p", `must lie in [0, 1), got ${String(p)} (${context})`);
  }
  if (typeof options?.training !== "boolean") {
    throw new LitconvError(
      fn,
      "training",
      `must be true or false, got ${String(options?.training)}`,
    );
  }
  // The generator takes a 32-bit integer seed; any other seed would be silently truncated.
  assertInteger(fn, "seed", options.seed, -(2 ** 31));
  if (options.seed >= 2 ** 32) {
    throw new LitconvError(fn, "seed", `must fit in 32 bits, got ${options.seed}`);
  }
}

// ─── Definitions: TF.js twins, random arguments, tolerances, graded tasks ─────

/** A dropout probability in [0, 0.9]: 0 and 0.5 often, any other value too. */
const dropProbability = (fc: Fc) =>
  fc.oneof(fc.constantFrom(0, 0.5), fc.double({ min: 0, max: 0.9, noNaN: true }));

/** A seed for dropout's generators, 0 to 2³¹ − 1. */
const seedOf = (fc: Fc) => fc.integer({ min: 0, max: 2 ** 31 - 1 });

/**
 * 1,000 whole numbers in [1, 9]: no zero but the mask's, and enough of them that the share
 * zeroed tells a coin from a constant mask.
 */
const THOUSAND_ELEMENTS = grid(40, 25).map((row) => row.map((v) => v + 5));

/**
 * l2Penalty and its twin: `tf.sum(tf.square(…))` of every parameter, added, times λ. Every
 * term is ≥ 0, so N squares summed in any order, plus rounding w, λ and the final product,
 * are off by ≤ (N + 6)·u·λ·Σw².
 */
export const l2PenaltyOp: Pair<typeof l2Penalty> = {
  name: "l2Penalty",
  summary: "λ Σ w² over every parameter",
  naive: l2Penalty,
  twin: (tf: Tf, params, lambda) => {
    checkL2Penalty(params, lambda);
    const sums = params.map((p) => tf.sum(tf.square(tf.tensor(p))));
    return tf.mul(tf.addN(sums), lambda);
  },
  tolerance: ([params, lambda]) => {
    const all = params.flatMap(leaves);
    const exact = lambda * all.reduce((s, w) => s + w * w, 0);
    return (all.length + 6) * EPS32 * exact + all.length * UNDERFLOW;
  },
  // One to three tensors of rank 0–3, λ in [0, 1].
  arbitrary: (fc) =>
    fc.tuple(
      fc.array(anyTensor(fc), { minLength: 1, maxLength: 3 }),
      fc.oneof(fc.constantFrom(0, 0.001, 1), fc.double({ min: 0, max: 1, noNaN: true })),
    ),
  task: {
    id: "07.8",
    lesson: "07-regularization",
    title: "the L2 penalty",
    examples: [["a 2×2 weight and a bias, λ 0.5", [[[[[1, 2], [3, 4]], [1]], 0.5]]]],
    edges: [["a scalar parameter, λ 0 and λ 0.01", [[[3, [[1]]], 0], [[3, [[1]]], 0.01]]]],
    // A sum of squares: every term is positive, so Σ|terms| is the result itself.
    scale: () => 0,
  },
};

/**
 * dropout and its twin, `tf.dropout` with the same seed (a different generator, so another
 * mask: the two are compared by the contract, each result on its own, within 4 ε32 of the
 * scaling for float32).
 */
export const dropoutOp: Pair<typeof dropout> = {
  name: "dropout",
  summary: "inverted dropout: zero with probability p, scale the rest by 1/(1 − p)",
  naive: dropout,
  // In evaluation TF.js computes nothing either: the input comes back as it was.
  twin: (tf: Tf, x, p, options) => {
    checkDropout("dropout", x, p, options);
    if (!options.training) return mapLeaves(x, (v) => v);
    return tf.dropout(tf.tensor(x), p, undefined, options.seed);
  },
  contract: "dropout",
  tolerance: () => 4 * EPS32,
  // p in [0, 0.9], both modes, a 32-bit seed.
  arbitrary: (fc) =>
    fc.tuple(
      anyTensor(fc),
      dropProbability(fc),
      fc.record({ training: fc.boolean(), seed: seedOf(fc) }),
    ),
  task: {
    id: "07.9",
    lesson: "07-regularization",
    title: "inverted dropout",
    examples: [["evaluation returns x", [[[[1, 2], [3, 4]], 0.5, { training: false, seed: 1 }]]]],
    edges: [
      ["p 0.5 in training: zero or doubled", [[grid(4, 5), 0.5, { training: true, seed: 7 }]]],
      ["p 0 keeps everything", [[ramp(6), 0, { training: true, seed: 3 }]]],
      ["p 0.3 on 1,000 elements: about 300 zeroed", [[
        THOUSAND_ELEMENTS,
        0.3,
        { training: true, seed: 11 },
      ]]],
    ],
    // Beside the random inputs (small tensors, where any mask is plausible), large ones in
    // training, where a constant mask (all zeros, nothing dropped) is told from a coin.
    properties: (fc, arbitrary) => [
      ["random inputs", arbitrary],
      [
        "300 to 1,000 elements in training: the share zeroed",
        fc.tuple(
          fc.integer({ min: 300, max: 1000 }).chain((n) =>
            vectorOf(fc, n, fc.integer({ min: 1, max: 9 }))
          ),
          fc.double({ min: 0.1, max: 0.8, noNaN: true }),
          fc.record({
            training: fc.constant(true),
            seed: seedOf(fc),
          }),
        ),
      ],
    ],
    describe: ([, p, o]) =>
      o.training
        ? `the shape of x, each element 0 or x/(1 − p) = x·${1 / (1 - p)} (any mask), ` +
          `about a share p = ${p} of them 0`
        : "x itself (evaluation)",
  },
};

/**
 * dropoutBackward and its twin, TF.js's own gradient of `tf.dropout` with dy as the upstream
 * gradient. TF.js draws its mask from another generator, so the two masks differ: each
 * result is judged by the contract (`contracts.ts`: every element 0 or dy/(1 − p), a share
 * of zeros a fair coin gives), within 4 ε32 of the scaling for float32. That the naive pass
 * uses *dropout's* mask, seed for seed, the tests check on their own.
 */
export const dropoutBackwardOp: Pair<typeof dropoutBackward> = {
  name: "dropoutBackward",
  summary: "dropout's backward pass: dropout's own mask, applied to dy",
  naive: dropoutBackward,
  twin: (tf: Tf, dy, p, options) => {
    checkDropout("dropoutBackward", dy, p, { training: true, seed: options?.seed });
    const dyt = tf.tensor(dy);
    // The gradient of x ↦ dropout(x) at any x: the mask does not depend on x's values.
    return tf.grad((x) => tf.dropout(x, p, undefined, options.seed))(tf.zerosLike(dyt), dyt);
  },
  contract: "dropoutBackward",
  tolerance: () => 4 * EPS32,
  arbitrary: (fc) =>
    fc.tuple(
      anyTensor(fc),
      dropProbability(fc),
      fc.record({ seed: seedOf(fc) }),
    ),
  task: {
    id: "11.9",
    lesson: "11-backprop",
    title: "dropout's backward pass (the forward's own mask)",
    examples: [["p 0.5, a 4×5 dy", [[grid(4, 5), 0.5, { seed: 7 }]]]],
    edges: [
      ["p 0 passes dy back unchanged", [[ramp(6), 0, { seed: 3 }]]],
      ["p 0.3 on 1,000 elements: about 300 zeroed", [[
        THOUSAND_ELEMENTS,
        0.3,
        { seed: 11 },
      ]]],
    ],
    describe: ([, p]) =>
      `the shape of dy, each element 0 or dy/(1 − p) = dy·${1 / (1 - p)}, ` +
      `zeroed exactly where your dropout(x, ${p}, { training: true, seed }) zeroes`,
  },
};

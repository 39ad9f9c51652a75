/**
 * The building blocks of every operation's `arbitrary`: numbers, vectors, matrices and
 * tensors for fast-check to draw. Each takes the `fc` namespace it builds with (see
 * `op.ts`: the operations' modules import no library), e.g. `matrixOf(fc, 3, 4)`.
 *
 * Values are float64 doubles, not float32-friendly ones: the TF.js twins round them to
 * float32 and each operation's tolerance accounts for that rounding.
 *
 * @example Every sampled matrix has the shape asked for
 * ```ts
 * import assert from "node:assert/strict";
 * import fc from "../deps/fast_check.ts";
 * import { matrixOf } from "./arbitraries.ts";
 * for (const m of fc.sample(matrixOf(fc, 2, 3), 10)) assert.deepEqual([m.length, m[0].length], [2, 3]);
 * ```
 *
 * @module
 */
import type * as fastCheck from "../deps/fast_check.ts";
import type { Fc } from "./op.ts";

/** fast-check's own arbitrary type: these helpers compose with every `fc` combinator. */
type Arbitrary<T> = fastCheck.Arbitrary<T>;
import type { IntPair, NestedNumberArray } from "./types.ts";

/**
 * A moderate value: a whole number or a double. `withCrossShrink` lets a failing double
 * shrink to a whole number, so counterexamples read like `[1, 0, -2]`.
 */
export function value(fc: Fc): Arbitrary<number> {
  return fc.oneof(
    { withCrossShrink: true },
    fc.integer({ min: -5, max: 5 }),
    fc.double({ min: -10, max: 10, noNaN: true }),
  );
}

/**
 * A logit: usually moderate, often huge (up to ±1000), because the stable formulas exist
 * precisely for |x| ≫ 1 (e^800 overflows float64, e^89 float32).
 */
export function logit(fc: Fc): Arbitrary<number> {
  return fc.oneof(
    { withCrossShrink: true },
    value(fc),
    fc.double({ min: -1000, max: 1000, noNaN: true }),
    fc.constantFrom(-1000, -800, -100, 100, 800, 1000),
  );
}

/** A probability: exactly 0 or 1 (where BCE's clamp at −100 acts), or in between. */
export function probability(fc: Fc): Arbitrary<number> {
  return fc.oneof(fc.constantFrom(0, 1), fc.double({ min: 1e-6, max: 1 - 1e-6, noNaN: true }));
}

/** A vector of exactly `n` entries. */
export function vectorOf(fc: Fc, n: number, v: Arbitrary<number> = value(fc)): Arbitrary<number[]> {
  return fc.array(v, { minLength: n, maxLength: n });
}

/** An `r × c` matrix. */
export function matrixOf(
  fc: Fc,
  r: number,
  c: number,
  v: Arbitrary<number> = value(fc),
): Arbitrary<number[][]> {
  return fc.array(vectorOf(fc, c, v), { minLength: r, maxLength: r });
}

/** A nested array of exactly `shape` (a scalar for shape `[]`). */
export function tensorOf(
  fc: Fc,
  shape: number[],
  v: Arbitrary<number> = value(fc),
): Arbitrary<NestedNumberArray> {
  if (shape.length === 0) return v;
  const [first, ...rest] = shape;
  return fc.array(tensorOf(fc, rest, v), { minLength: first, maxLength: first });
}

/** A tensor of rank 0 to `maxRank`, each dimension 1 to `maxDim`. */
export function anyTensor(fc: Fc, maxRank = 3, maxDim = 4): Arbitrary<NestedNumberArray> {
  return fc.array(fc.integer({ min: 1, max: maxDim }), { maxLength: maxRank })
    .chain((shape) => tensorOf(fc, shape));
}

/** A `[rows, cols]` option as a plain number when both halves agree (sometimes), else as the pair. */
export function pairOption(fc: Fc, pair: [number, number]): Arbitrary<IntPair> {
  return pair[0] === pair[1] ? fc.constantFrom<IntPair>(pair[0], pair) : fc.constant(pair);
}

/**
 * The trusted judge: one answer from the child (plain JSON, parsed by the parent) against
 * the naive reference, first by structure, then element by element within {@link REL} =
 * 10⁻¹² of each element's scale: student code runs in float64 like the reference, so only
 * the order of a sum may differ, which moves a graded element by under 5·10⁻¹⁴ of it.
 * Operations with many right answers are judged by their contract (`kernels/contracts.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { judgeNumbers } from "./judge.ts";
 * assert.equal(judgeNumbers([1, 2], [1, 2 + 1e-15], () => 2), undefined);
 * assert.match(judgeNumbers([1, 2], [1, 3], () => 2) ?? "", /element \[1\]: expected 2, got 3/);
 * assert.match(judgeNumbers([[1, 2]], [1, 2], () => 1) ?? "", /shape \[2\], expected \[1, 2\]/);
 * ```
 *
 * An answer that is an object (a backward pass's `{ dx, dweight, dbias }`) is judged key by
 * key, each value as above.
 *
 * @module
 */
import { leaves, MAX_DEPTH, nestedDeeperThan, shapeOf, show } from "../kernels/nested.ts";

export { nestedDeeperThan, show };
import { type ContractName, CONTRACTS } from "../kernels/contracts.ts";

/** Relative tolerance of one element, against max(|expected|, scale). */
export const REL = 1e-12;

/** Every number in a nested array, in row-major order. */
export const flat: (v: unknown) => number[] = leaves;

/** The index `[i, j, …]` of the `k`-th element of an array of `shape`. */
function indexOf(k: number, shape: number[]): number[] {
  const out: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    out.unshift(k % shape[d]);
    k = Math.floor(k / shape[d]);
  }
  return out;
}

/**
 * Compares `got` with `expected` (a number or nested array): undefined when it passes, else
 * one line saying what is wrong. `scale(k)` is element k's scale (see the module comment).
 */
export function judgeNumbers(
  expected: unknown,
  got: unknown,
  scale: (k: number) => number,
): string | undefined {
  const want = shapeOf(expected) as number[];
  const have = shapeOf(got);
  if (typeof have === "string") return have;
  if (have.join() !== want.join()) {
    return `shape [${have.join(", ")}], expected [${want.join(", ")}]`;
  }
  const [e, g] = [flat(expected), flat(got)];
  for (let k = 0; k < e.length; k++) {
    const allowed = REL * Math.max(Math.abs(e[k]), scale(k));
    if (!(Math.abs(g[k] - e[k]) <= allowed)) {
      const where = want.length ? `element [${indexOf(k, want).join(", ")}]` : "the result";
      return `${where}: expected ${e[k]}, got ${g[k]}` +
        (allowed > 0 ? ` (allowed difference ${allowed.toPrecision(2)})` : "");
    }
  }
  return undefined;
}

/** Everything the judge needs about one call: its arguments and the reference answer. */
export interface Judgement {
  /** The call's arguments. */
  args: unknown[];
  /** The reference answer (the naive kernel's; for a contract, one right answer of many). */
  expected: unknown;
  /** The contract that judges, when one answer cannot be compared element by element. */
  contract?: ContractName;
  /** Each element's scale (one number for all), see the module comment. */
  scale?: number | number[];
}

/**
 * Judges `got` against `j`: by the contract when there is one, else element by element.
 * Returns undefined when it passes, else one line saying what is wrong.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { judgeAnswer } from "./judge.ts";
 * assert.equal(judgeAnswer({ args: [], expected: [1, 2], scale: 2 }, [1, 2]), undefined);
 * const dropout = { args: [[1, 2], 0.5, { training: false, seed: 1 }], expected: [1, 2] };
 * assert.match(judgeAnswer({ ...dropout, contract: "dropout" }, [0, 4]) ?? "", /evaluation/);
 * ```
 */
export function judgeAnswer(j: Judgement, got: unknown): string | undefined {
  // Before any judge walks it: an answer nested absurdly deep is wrong whatever it holds.
  if (nestedDeeperThan(got, MAX_DEPTH)) {
    return `the result is nested more than ${MAX_DEPTH} levels deep`;
  }
  if (j.contract) return CONTRACTS[j.contract](j.args, got, REL, j.expected);
  const s = j.scale ?? 0;
  const scale = typeof s === "number" ? () => s : (k: number) => s[k];
  if (isRecord(j.expected)) return judgeRecord(j.expected, got, scale);
  return judgeNumbers(j.expected, got, scale);
}

/** Whether `v` is a plain object (not an array, not null). */
function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * An object answer (a backward pass's `{ dx, dweight, dbias }`): the same keys, each value
 * judged as {@link judgeNumbers} judges a result. `scale(k)` counts elements across the
 * values in the order of `expected`'s keys, as `leaves` walks an object.
 */
function judgeRecord(
  expected: Record<string, unknown>,
  got: unknown,
  scale: (k: number) => number,
): string | undefined {
  const keys = Object.keys(expected);
  if (!isRecord(got)) return `expected an object { ${keys.join(", ")} }, got ${show(got, 120)}`;
  const missing = keys.filter((k) => !Object.hasOwn(got, k));
  if (missing.length) {
    return `the result has no ${missing.join(", ")} (expected { ${keys.join(", ")} })`;
  }
  let offset = 0;
  for (const key of keys) {
    const at = offset;
    const wrong = judgeNumbers(expected[key], got[key], (k) => scale(at + k));
    if (wrong) return `${key}: ${wrong}`;
    offset += flat(expected[key]).length;
  }
  return undefined;
}

/**
 * An operation's arbitrary with fast-check's full type, for `fc.sample`, `fc.assert` and
 * friends. (`op.ts` describes arbitraries by the few methods the operations use, so that the
 * root entry's public types name nothing inside fast-check.) Property tests and the grader
 * import this; the operations never do.
 *
 * @module
 */
import fc from "../deps/fast_check.ts";
import type { AnyFunction, Arbitrary, Op } from "./op.ts";

/** `arbitrary` with its full fast-check type (it is one; only its declared type is narrow). */
export function asFastCheck<T>(arbitrary: Arbitrary<T>): fc.Arbitrary<T> {
  return arbitrary as unknown as fc.Arbitrary<T>;
}

/**
 * The random arguments of `op`, built with fast-check.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import fc from "../deps/fast_check.ts";
 * import { OPS } from "./registry.ts";
 * import { arbitraryOf } from "./fast_check.ts";
 * for (const [x, w] of fc.sample(arbitraryOf(OPS.conv1d), 5)) assert.ok(w.length <= x.length + 6);
 * ```
 */
export function arbitraryOf<F extends AnyFunction>(op: Op<F>): fc.Arbitrary<Parameters<F>> {
  return asFastCheck(op.arbitrary(fc));
}

/**
 * What litconv knows about one operation, written once, in the operation's own module.
 *
 * An {@link Op} holds everything the rest of the course needs from an operation: its naive
 * function, the TF.js twin that must agree with it and how closely (the float32 error bound),
 * random valid arguments for the property tests, and the graded task (the lecture's
 * examples, edge cases and how answers are judged). The property tests, the grader, the
 * starter folders and the site all read these definitions through `registry.ts`, so an
 * operation is added by writing its module, and nothing else is retyped anywhere.
 *
 * The twin and the arbitrary are functions of the library they use (`tf`, `fc`), which the
 * caller passes in: only their *types* are imported here, and type imports are erased before
 * the code runs, so importing an operation's module loads neither TF.js nor fast-check.
 *
 * @module
 */
import type * as tfCore from "../deps/tfjs_core.ts";
import type * as fastCheck from "../deps/fast_check.ts";
import { leaves } from "./nested.ts";
import type { ContractName } from "./contracts.ts";
import type { NestedNumberArray } from "./types.ts";

/** TF.js's `tf` namespace, as a twin receives it. */
export type Tf = typeof tfCore;
/** A TF.js tensor. */
export type Tensor = ReturnType<Tf["tensor"]>;
/** fast-check's `fc` namespace, as an arbitrary receives it. */
export type Fc = Omit<typeof fastCheck, "default">;

/**
 * A fast-check arbitrary (a generator of random values of type `T`), described by the few
 * methods the operations' arbitraries use. It *is* fast-check's `Arbitrary`; `fast_check.ts`
 * gives it its full type back for `fc.sample` and `fc.assert`.
 */
export interface Arbitrary<T> {
  /** The values that satisfy `predicate`. */
  filter(predicate: (t: T) => boolean): Arbitrary<T>;
  /** Each value passed through `mapper`. */
  map<U>(mapper: (t: T) => U): Arbitrary<U>;
  /** A value of the arbitrary that `chainer` makes from each value. */
  chain<U>(chainer: (t: T) => Arbitrary<U>): Arbitrary<U>;
}

/** Any function: the type of a naive kernel before it is known. */
// deno-lint-ignore no-explicit-any
export type AnyFunction = (...args: any[]) => any;

/** Named lists of argument lists: `[["the lecture's example", [[x, w, { padding: 2 }]]]]`. */
export type Cases<F extends AnyFunction> = [what: string, argLists: Parameters<F>[]][];

/**
 * One operation, written once: see the module documentation. Its functions are declared as
 * methods so that operations of different argument types share the type `Op` (TypeScript
 * checks method parameters both ways).
 */
export interface Op<F extends AnyFunction = AnyFunction> {
  /** The public name, the same for the naive function and its twin, e.g. `"conv1d"`. */
  name: string;
  /** One line for a reader: what the operation computes. */
  summary: string;
  /** The naive kernel: plain loops over plain arrays, in float64. */
  naive: F;
  /**
   * For an operation whose right answers are many (dropout draws any mask; a model summary
   * may list shape-keeping layers): the contract (`contracts.ts`) that judges one result
   * instead of an element-by-element comparison. The property tests judge the twin with it,
   * the grader a student's answer.
   */
  contract?: ContractName;
  /** Random valid arguments (shapes valid by construction), built with the `fc` given. */
  arbitrary(fc: Fc): Arbitrary<Parameters<F>>;
  /** The graded task that asks a student to write this operation. */
  task: Task<F>;
}

/**
 * An operation with a TF.js twin: the pair that the property tests prove equal, within the
 * float32 bound `tolerance`, on random arguments.
 */
export interface Pair<F extends AnyFunction = AnyFunction> extends Op<F> {
  /**
   * The TF.js twin: the same arguments, the same result, computed by TF.js (float32) on the
   * current backend. It runs inside `tf.tidy` and returns the result as a tensor, as an
   * object of tensors where the naive result is an object (a backward pass's
   * `{ dx, dweight, dbias }`), or as a plain value where TF.js has nothing to compute
   * (dropout in evaluation).
   */
  twin(tf: Tf, ...args: Parameters<F>): Tensor | Record<string, Tensor> | ReturnType<F>;
  /**
   * The largest honest |naive − twin| over the result's elements for these arguments: a
   * float32 error bound that scales with the magnitude of the summed terms (`float32.ts`).
   * For an operation judged by its {@link Op.contract}: the relative rounding it allows.
   */
  tolerance(args: Parameters<F>, naive: ReturnType<F>): number;
}

/** The graded task of an operation: numbered by lesson, minitorch-style. */
export interface Task<F extends AnyFunction = AnyFunction> {
  /** `"LL.N"`: the lesson's number, then the task's number within it, e.g. `"05.2"`. */
  id: string;
  /** The slug of the lesson that teaches it, e.g. `"05-pooling"`. */
  lesson: string;
  /** One line: what the student writes. */
  title: string;
  /** The lecture's examples (visible tests). */
  examples: Cases<F>;
  /** Hand-picked edge cases (visible tests). */
  edges: Cases<F>;
  /**
   * Property runs on random inputs (hidden until after the due date). Without it: one run
   * named "random inputs" over the operation's arbitrary.
   */
  properties?(
    fc: Fc,
    arbitrary: Arbitrary<Parameters<F>>,
  ): [what: string, arbitrary: Arbitrary<Parameters<F>>][];
  /**
   * Each element's scale for the float64 judge (`grading/judge.ts`): Σ|terms| for sums (see
   * {@link scaleOfSums}), the logits' size where a formula subtracts large numbers, 0 for
   * exact answers. Unused when the op's {@link Op.contract} judges.
   */
  scale?(args: Parameters<F>): number | number[];
  /** What "expected" says in feedback when the contract judges, e.g. "0 or x·2 (any mask)". */
  describe?(args: Parameters<F>): string;
}

/** The TF.js functions of one tensor that carry the name of a naive kernel. */
type SameNamed = "sigmoid" | "softmax" | "logSoftmax" | "relu";

/**
 * The twin of a one-argument kernel that TF.js has under the same name (`tf.sigmoid`,
 * `tf.softmax`, `tf.logSoftmax`, `tf.relu`): `x` checked as the kernel checks it
 * (`assertShape`, e.g. `assertVector`), so both reject it alike, then given to that function.
 */
export function sameNameTwin(
  name: SameNamed,
  assertShape: (fn: string, arg: string, x: unknown) => unknown,
): (tf: Tf, x: NestedNumberArray) => Tensor {
  return (tf, x) => {
    assertShape(name, "x", x);
    const apply: (t: Tensor) => Tensor = tf[name];
    return apply(tf.tensor(x));
  };
}

/** `x` with every number replaced by its absolute value. */
function absolute(x: unknown): unknown {
  return Array.isArray(x) ? x.map(absolute) : typeof x === "number" ? Math.abs(x) : x;
}

/**
 * The judge's scale of a sum of products (a convolution, a mean): each element's Σ|terms|,
 * which is the same kernel run on the absolute values of its inputs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scaleOfSums } from "./op.ts";
 * const dot = (x: number[], w: number[]) => x.reduce((s, v, i) => s + v * w[i], 0);
 * assert.deepEqual(scaleOfSums(dot)([[1, -2], [3, 4]]), [11]);
 * ```
 */
export function scaleOfSums<F extends AnyFunction>(naive: F): (args: Parameters<F>) => number[] {
  return (args) => leaves(naive(...args.map(absolute)));
}

/**
 * The judge's scale where a formula subtracts numbers as large as its inputs (log-softmax,
 * the losses from logits): 1 + the largest |number| among the arguments.
 */
export function scaleOfInputs(args: unknown[]): number {
  let max = 0;
  for (const a of args) {
    if (typeof a === "number" || Array.isArray(a)) {
      for (const v of leaves(a)) max = Math.max(max, Math.abs(v));
    }
  }
  return 1 + max;
}

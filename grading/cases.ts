/**
 * The graded tests of every task, read from the operation's own definition (`kernels/op.ts`):
 * the lecture's examples and the edge cases (both `visible`: a student sees input, expected
 * and got), and property runs on the operation's arbitrary with a seed (`after_due_date`:
 * their inputs are unknown in advance).
 *
 * Every test's name starts with the contract function and a colon, so a reader and a script
 * can tell which function lost points.
 *
 * @module
 */
import fc from "../deps/fast_check.ts";
import { findOp, type TaskInfo, TASKS } from "../kernels/registry.ts";
import type { Op } from "../kernels/op.ts";
import { asFastCheck } from "../kernels/fast_check.ts";
import { type Judgement, show } from "./judge.ts";

/** One graded test of one function. */
export interface TestSpec {
  /** `"conv1d: stride 2 with a remainder"`. */
  name: string;
  task: TaskInfo;
  /** visible: lecture examples and edge cases; after_due_date: property runs. */
  visibility: "visible" | "after_due_date";
  maxScore: number;
  /** Fixed argument lists (examples, edge cases). */
  cases?: unknown[][];
  /** Random argument lists: `numRuns` draws from `arbitrary`, seeded. */
  property?: { arbitrary: fc.Arbitrary<unknown[]>; numRuns: number; seed: number };
}

/** Points: an example or an edge case 1, a property run 3. */
const FIXED_POINTS = 1;
const PROPERTY_POINTS = 3;

/**
 * A 32-bit seed for one property test, from the grading seed (any safe integer: all 53 bits
 * count, so seeds 2³² apart draw differently) and the test's name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { testSeed } from "./cases.ts";
 * assert.notEqual(testSeed(7, "conv1d: x"), testSeed(7 + 2 ** 32, "conv1d: x"));
 * assert.notEqual(testSeed(7, "conv1d: x"), testSeed(7, "conv2d: x"));
 * ```
 */
export function testSeed(seed: number, name: string): number {
  if (!Number.isSafeInteger(seed)) {
    throw new Error(`grading: the seed ${seed} is not a safe integer`);
  }
  const high = Math.floor(seed / 2 ** 32);
  let h = (seed - high * 2 ** 32) | 0;
  if (high !== 0) h = Math.imul(h ^ Math.imul(high, 0x85ebca6b), 0x9e3779b1);
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 0x9e3779b1);
  return h | 0;
}

/** Options of {@link testsFor}. */
export interface TestOptions {
  /** Include the property runs (`--hidden`). */
  hidden: boolean;
  /** The grading seed. */
  seed: number;
  /** Draws per property test. */
  numRuns: number;
}

/** The operation a task asks for. */
export function opOf(task: TaskInfo): Op {
  const op = findOp(task.fn);
  if (!op) throw new Error(`grading: task ${task.id} names no operation (${task.fn})`);
  return op;
}

/** The graded tests of one task, in order. */
export function testsFor(task: TaskInfo, opts: TestOptions): TestSpec[] {
  const op = opOf(task);
  const fn = task.fn;
  const tests: TestSpec[] = [...op.task.examples, ...op.task.edges].map(([what, cases]) => ({
    name: `${fn}: ${what}`,
    task,
    visibility: "visible",
    maxScore: FIXED_POINTS,
    cases,
  }));
  if (opts.hidden) {
    const arbitrary = op.arbitrary(fc);
    const properties = op.task.properties?.(fc, arbitrary) ?? [["random inputs", arbitrary]];
    for (const [what, narrow] of properties) {
      const property = asFastCheck<unknown[]>(narrow);
      const name = `${fn}: ${what} (property, ${opts.numRuns} runs)`;
      tests.push({
        name,
        task,
        visibility: "after_due_date",
        maxScore: PROPERTY_POINTS,
        property: { arbitrary: property, numRuns: opts.numRuns, seed: testSeed(opts.seed, name) },
      });
    }
  }
  return tests;
}

/** What the judge needs for `op` called with `args`: the reference answer, contract, scale. */
export function judgementOf(op: Op, args: unknown[]): Judgement {
  return {
    args,
    expected: op.naive(...args),
    contract: op.contract,
    scale: op.task.scale?.(args),
  };
}

/** The expected answer as feedback shows it. */
export function expectedText(op: Op, args: unknown[]): string {
  return op.task.describe?.(args) ?? show(op.naive(...args));
}

/** Every task that has graded tests: all of them. */
export const GRADED_TASKS: readonly TaskInfo[] = TASKS;

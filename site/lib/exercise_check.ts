/**
 * The check behind an exercise on a lesson page, the same in a browser's Web Worker and in a
 * Deno test: one student function against one graded task. It runs the task's visible tests
 * (the lecture's examples and edge cases, judged by the grader's own judge against the naive
 * reference, as `deno task grade` does) and its property tests with fast-check, where each
 * random case is compared with the operation's TF.js twin (within the pair's float32 bound)
 * or, for an operation without a twin, with the naive reference.
 *
 * It holds no browser or Deno API: TF.js arrives as a parameter (the worker passes its cpu
 * backend), and `alive` lets the caller's watchdog see that student code still returns.
 *
 * @module
 */
import fc from "../../deps/fast_check.ts";
import { findTask, isPair } from "../../kernels/registry.ts";
import type { Op, Pair, Tf } from "../../kernels/op.ts";
import { CONTRACTS } from "../../kernels/contracts.ts";
import { judgementOf, opOf, testsFor } from "../../grading/cases.ts";
import { flat, judgeAnswer, judgeNumbers, REL } from "../../grading/judge.ts";
import { readResult } from "../../tfjs/read.ts";

/** Property runs per property test: the grader's default for `--hidden`. */
export const PROPERTY_RUNS = 50;

/** One test's outcome, as the exercise shows it. */
export interface TestOutcome {
  name: string;
  kind: "visible" | "property";
  passed: boolean;
  /** For a failure: the call, e.g. `conv1d([1, 2], [3], {})` (the shrunk one for a property). */
  call?: string;
  expected?: string;
  got?: string;
  /** What is wrong, in the judge's words, or what the function threw. */
  wrong?: string;
  /** A property test's summary: runs, seed, shrinks. */
  note?: string;
}

/** A student's function: anything they export under the task's name. */
export type StudentFunction = (...args: unknown[]) => unknown;

/** What comparing one call found: undefined `wrong` when it passed. */
interface Verdict {
  wrong?: string;
  expected: string;
  /** The answer shown; absent when the function threw (`wrong` says what). */
  got?: string;
}

/** The most characters one shown value takes before it is cut with "…". */
const SHOW_MAX = 2000;

/**
 * `v` as a reader writes it: `[1, 2, 3]`, `{padding: 2}`, cut at {@link SHOW_MAX} characters
 * (a student's answer may be huge, deep or circular).
 */
export function pretty(v: unknown): string {
  let out = "";
  const seen = new Set<unknown>();
  const put = (x: unknown, depth: number): void => {
    if (out.length > SHOW_MAX) return;
    if (typeof x === "number") out += Object.is(x, -0) ? "0" : String(x);
    else if (typeof x === "string") out += JSON.stringify(x.slice(0, SHOW_MAX));
    else if (x === null || x === undefined || typeof x === "boolean") out += String(x);
    else if (typeof x !== "object") out += `[${typeof x}]`;
    else if (seen.has(x) || depth > 12) out += "…";
    else {
      seen.add(x);
      const array = Array.isArray(x);
      const entries = array ? x.map((e) => ["", e]) : Object.entries(x as object);
      out += array ? "[" : "{";
      entries.forEach(([k, e], i) => {
        out += (i ? ", " : "") + (array ? "" : `${k}: `);
        put(e, depth + 1);
      });
      out += array ? "]" : "}";
      seen.delete(x);
    }
  };
  put(v, 0);
  return out.length > SHOW_MAX ? out.slice(0, SHOW_MAX) + " …" : out;
}

/** `conv1d([1, 2], [3], {padding: 1})`: a call as a reader would type it. */
export function showCall(fn: string, args: unknown[]): string {
  return `${fn}(${args.map(pretty).join(", ")})`;
}

/** Calls the student's function on a copy of `args` (it may write into its arguments). */
function callStudent(f: StudentFunction, args: unknown[]): { value?: unknown; threw?: string } {
  try {
    return { value: f(...structuredClone(args)) };
  } catch (e) {
    return { threw: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}

/** The student's answer against the naive reference, by the grader's judge. */
function againstReference(op: Op, f: StudentFunction, args: unknown[]): Verdict {
  const expected = op.task.describe?.(args) ?? pretty(op.naive(...args));
  const { value, threw } = callStudent(f, args);
  if (threw !== undefined) return { wrong: `threw ${threw}`, expected };
  return { wrong: judgeAnswer(judgementOf(op, args), value), expected, got: pretty(value) };
}

/** Runs the twin on TF.js inside `tidy` and reads its result back as plain numbers. */
function runTwin(tf: Tf, pair: Pair, args: unknown[]): Promise<unknown> {
  return readResult(tf, tf.tidy(() => pair.twin(tf, ...args) as ReturnType<Tf["tensor"]>));
}

/** Whether `v` is an object of named results (not an array or a number). */
const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * The student's answer against the TF.js twin. The twin computes in float32, so the allowed
 * difference is the pair's float32 bound plus what the float64 judge allows the student
 * against the naive kernel: |student − twin| ≤ |student − naive| + |naive − twin|.
 */
async function againstTwin(tf: Tf, pair: Pair, f: StudentFunction, args: unknown[]) {
  const naive = pair.naive(...args);
  const twin = await runTwin(tf, pair, args);
  const tolerance = pair.tolerance(args as never, naive);
  const { value, threw } = callStudent(f, args);
  const expected = pair.task.describe?.(args as never) ?? pretty(twin);
  if (threw !== undefined) return { wrong: `threw ${threw}`, expected };
  const got = pretty(value);
  if (pair.contract) {
    return { wrong: CONTRACTS[pair.contract](args, value, tolerance, naive), expected, got };
  }
  const scale = pair.task.scale?.(args as never) ?? 0;
  const scaleAt = (k: number) => typeof scale === "number" ? scale : scale[k];
  if (!isRecord(naive)) {
    const naiveFlat = flat(naive);
    const scaleOf = (k: number) => tolerance / REL + Math.max(scaleAt(k), Math.abs(naiveFlat[k]));
    return { wrong: judgeNumbers(twin, value, scaleOf), expected, got };
  }
  // Key by key, as the grader judges; the scale lists every key's elements in key order.
  if (!isRecord(value)) {
    return { wrong: `expected { ${Object.keys(naive).join(", ")} }`, expected, got };
  }
  let offset = 0;
  for (const [key, part] of Object.entries(naive)) {
    const partFlat = flat(part as never), start = offset;
    offset += partFlat.length;
    const scaleOf = (k: number) =>
      tolerance / REL + Math.max(scaleAt(start + k), Math.abs(partFlat[k]));
    const wrong = judgeNumbers((twin as Record<string, unknown>)[key], value[key], scaleOf);
    if (wrong) return { wrong: `${key}: ${wrong}`, expected, got };
  }
  return { wrong: undefined, expected, got };
}

/** Options of {@link checkExercise}. */
export interface CheckOptions {
  /** TF.js with a backend set (the worker's cpu). */
  tf: Tf;
  /** fast-check's seed for the property tests (the page draws one per check and shows it). */
  seed: number;
  numRuns?: number;
  /** Called between calls of student code, so a watchdog knows it still returns. */
  alive?: () => void;
}

/** Every test of task `taskId` on the student's function `f`, in the grader's order. */
export async function checkExercise(
  taskId: string,
  f: StudentFunction,
  { tf, seed, numRuns = PROPERTY_RUNS, alive = () => {} }: CheckOptions,
): Promise<TestOutcome[]> {
  const task = findTask(taskId);
  if (!task) throw new Error(`no task ${taskId}`);
  const op = opOf(task);
  const outcomes: TestOutcome[] = [];
  for (const spec of testsFor(task, { hidden: true, seed, numRuns })) {
    alive();
    if (spec.cases) {
      let failed: TestOutcome | undefined;
      for (const args of spec.cases) {
        const v = againstReference(op, f, args);
        alive();
        if (v.wrong !== undefined) {
          failed = {
            ...v,
            name: spec.name,
            kind: "visible",
            passed: false,
            call: showCall(task.fn, args),
          };
          break;
        }
      }
      outcomes.push(failed ?? { name: spec.name, kind: "visible", passed: true });
      continue;
    }
    const { arbitrary, seed: propertySeed } = spec.property!;
    const judge = (args: unknown[]) =>
      isPair(op) ? againstTwin(tf, op, f, args) : Promise.resolve(againstReference(op, f, args));
    const property = fc.asyncProperty(arbitrary, async (args) => {
      const v = await judge(args);
      alive();
      if (v.wrong !== undefined) throw new Error(v.wrong);
    });
    const details = await fc.check(property, { numRuns, seed: propertySeed });
    const against = isPair(op) ? "the TF.js twin (cpu)" : "the naive reference";
    const name = spec.name.replace("property", `property against ${against}`);
    if (!details.failed) {
      outcomes.push({
        name,
        kind: "property",
        passed: true,
        note: `${details.numRuns} random cases, seed ${propertySeed}`,
      });
      continue;
    }
    const args = details.counterexample![0] as unknown[];
    const v = await judge(args);
    outcomes.push({
      name,
      kind: "property",
      passed: false,
      call: showCall(task.fn, args),
      expected: v.expected,
      got: v.got,
      // The shrunk case should fail again; if the function is not deterministic, say what the
      // failing run said.
      wrong: v.wrong ?? String((details.errorInstance as Error)?.message ?? details.errorInstance),
      note: `failed after ${details.numRuns} of ${numRuns} cases, shrunk ${details.numShrinks} ` +
        `times; seed ${propertySeed}`,
    });
  }
  return outcomes;
}

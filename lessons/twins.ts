/**
 * A lesson's naive result next to its TF.js twin's, with the pair's own tolerance.
 *
 * The registry (`kernels/registry.ts`) already knows, for each operation, the naive
 * kernel, the twin and an honest bound on how far float32 may stray from float64. A lesson
 * that prints a naive result asks {@link runPair} for all three at once, so the number the
 * site shows beside a result is the registry's, never one written into the lesson.
 *
 * @module
 */
import { PAIRS } from "../kernels/registry.ts";
import { LitconvError } from "../kernels/errors.ts";
import { currentBackend, runTwin } from "../tfjs/mod.ts";
import { formatArray, maxAbsDiff, type TwinOutput } from "./literate.ts";

/** A naive result, as printed, and its twin's: ready for `show` (it is a `Printed`). */
export interface PairRun<R> {
  naive: R;
  /** The naive result, formatted as the twin's is. */
  text: string;
  twin: TwinOutput;
}

/**
 * Runs the registry's pair `name` on `args`: the naive kernel, then the TF.js twin on the
 * current backend, and measures max |naive − twin| against the pair's tolerance.
 *
 * @example conv1d on the lecture's input agrees with tf.conv1d within its bound
 * ```ts
 * import assert from "node:assert/strict";
 * import { useBackend } from "../tfjs/mod.ts";
 * import { runPair } from "./twins.ts";
 * await useBackend("cpu");
 * const { naive, twin } = await runPair("conv1d", [[1, 3, 2, 4, 5, 6, 1, 3], [1, 0, 3, 1, 2], {
 *   padding: 2,
 * }]);
 * assert.deepEqual(naive, [5, 14, 16, 26, 24, 34, 19, 22]);
 * assert.ok(twin.maxDiff <= twin.tolerance && twin.tolerance > 0);
 * ```
 */
export async function runPair<R = unknown>(
  name: string,
  args: unknown[],
  format: (v: R) => string = formatArray,
): Promise<PairRun<R>> {
  const pair = PAIRS.find((p) => p.name === name);
  if (!pair) throw new LitconvError("runPair", "name", `${name} names no operation with a twin`);
  const naive = pair.naive(...args) as R;
  const twin = (await runTwin(pair, args)) as R;
  return {
    naive,
    text: format(naive),
    twin: {
      value: format(twin),
      backend: (await currentBackend()).name,
      maxDiff: maxAbsDiff(naive, twin),
      tolerance: pair.tolerance(args, naive),
    },
  };
}

/**
 * A twin that must agree exactly (tolerance 0): integers such as parameter counts or
 * lengths, where TF.js and a formula either agree or one of them is wrong.
 */
export async function exactTwin(naive: unknown, twin: unknown, value: string): Promise<TwinOutput> {
  return {
    value,
    backend: (await currentBackend()).name,
    maxDiff: maxAbsDiff(naive, twin),
    tolerance: 0,
  };
}

/**
 * A `Printed` output whose twin must agree exactly: `text` is ours (from `naive`), the twin's
 * text `twinText` (from `twin`).
 */
export async function exactPair(
  naive: unknown,
  text: string,
  twin: unknown,
  twinText: string,
): Promise<{ text: string; twin: TwinOutput }> {
  return { text, twin: await exactTwin(naive, twin, twinText) };
}

/** The registry's tolerance of pair `name` for `args` whose naive result is `naive`. */
export function pairTolerance(name: string, args: unknown[], naive: unknown): number {
  const pair = PAIRS.find((p) => p.name === name);
  if (!pair) {
    throw new LitconvError("pairTolerance", "name", `${name} names no operation with a twin`);
  }
  return pair.tolerance(args, naive);
}

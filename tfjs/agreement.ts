/**
 * The property every pair of the registry must satisfy: for any valid arguments, the TF.js
 * twin agrees with the naive kernel within the pair's tolerance. The property tests and the
 * mutant tests run this one check.
 *
 * A failure throws an Error whose message carries fast-check's report (the shrunk
 * counterexample, the seed and the path) and the command that replays it.
 *
 * @module
 */
import fc from "../deps/fast_check.ts";
import type { Pair } from "../kernels/op.ts";
import { CONTRACTS } from "../kernels/contracts.ts";
import { arbitraryOf } from "../kernels/fast_check.ts";
import { runTwin } from "./run.ts";

/** How many cases to try, and a seed/path to replay a reported failure. */
export interface CheckOptions {
  /** Random cases to try (default 100). */
  numRuns?: number;
  /** fast-check's seed, to replay a reported failure. */
  seed?: number;
  /** fast-check's counterexample path, with the seed, to replay a reported failure. */
  path?: string;
  /** Appended to the replay hint, e.g. the test file to run. */
  replayHint?: string;
}

/** A nested array or number, or an object of them (a backward pass's `{ dx, dweight }`). */
type Result = number | Result[] | { [key: string]: Result };

/** Whether `v` is a plain object rather than an array or a number. */
const isRecord = (v: unknown): v is { [key: string]: Result } =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Throws unless `twin` has the shape of `naive` (for objects: the same keys, each of the same
 * shape) and every element is within `tol`. NaN or ±Infinity on either side is always a
 * mismatch.
 */
export function assertClose(name: string, naive: unknown, twin: unknown, tol: number): void {
  const walk = (a: Result, b: Result, at: string): void => {
    if (isRecord(a) || isRecord(b)) {
      const keys = (v: Result) => (isRecord(v) ? Object.keys(v).sort().join() : typeof v);
      if (!isRecord(a) || !isRecord(b) || keys(a) !== keys(b)) {
        throw new Error(
          `${name}: keys differ at ${at || "top level"}: naive ${keys(a)}, tfjs ${keys(b)}`,
        );
      }
      for (const key of Object.keys(a)) walk(a[key], b[key], `${at}.${key}`);
      return;
    }
    if (Array.isArray(a) || Array.isArray(b)) {
      if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) {
        throw new Error(
          `${name}: shapes differ at ${at || "top level"}: naive ${JSON.stringify(a)}, tfjs ${
            JSON.stringify(b)
          }`,
        );
      }
      a.forEach((v, i) => walk(v, b[i], `${at}[${i}]`));
      return;
    }
    const diff = Math.abs(a - b);
    if (!Number.isFinite(a) || !Number.isFinite(b) || !(diff <= tol)) {
      throw new Error(
        `${name}${at}: naive ${a}, tfjs ${b}, |difference| ${diff} > tolerance ${tol}`,
      );
    }
  };
  walk(naive as Result, twin as Result, "");
}

/**
 * Runs both sides on `args` and throws if they disagree: element by element within the
 * pair's tolerance or, for a pair with a contract (dropout), each result against it.
 */
export async function compareOnce(pair: Pair, args: unknown[]): Promise<void> {
  const naive = pair.naive(...args);
  const twin = await runTwin(pair, args);
  const tolerance = pair.tolerance(args, naive);
  if (pair.contract) {
    for (const [side, result] of [["naive", naive], ["tfjs", twin]] as const) {
      const wrong = CONTRACTS[pair.contract](args, result, tolerance, naive);
      if (wrong) throw new Error(`${side} ${pair.name}: ${wrong}`);
    }
  } else assertClose(pair.name, naive, twin, tolerance);
}

/**
 * fast-check over `pair.arbitrary`: naive and twin agree. Resolves when every case
 * passes; otherwise rejects with the shrunk counterexample and how to replay it.
 */
export async function checkPair(pair: Pair, options: CheckOptions = {}): Promise<void> {
  const property = fc.asyncProperty(arbitraryOf(pair), (args) => compareOnce(pair, args));
  const details = await fc.check(property, {
    numRuns: options.numRuns ?? 100,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.path !== undefined ? { path: options.path } : {}),
  });
  if (!details.failed) return;
  const replay = `replay: FC_SEED=${details.seed} FC_PATH=${details.counterexamplePath}` +
    (options.replayHint ? ` ${options.replayHint}` : "");
  // fast-check 4 keeps the property's own error apart from its report: add it back.
  const cause = details.errorInstance instanceof Error
    ? details.errorInstance.message
    : String(details.errorInstance);
  throw new Error(
    `${pair.name}: ${fc.defaultReportMessage(details)}\nGot error: ${cause}\n${replay}`,
  );
}

/**
 * Gradescope's `results.json`: built from a {@link Grade}, written atomically (a temporary
 * file in the same folder, then a rename), and always valid: every score is a finite number,
 * every string well-formed Unicode (a lone surrogate from a submission's output becomes
 * U+FFFD, so the file is valid UTF-8 that any JSON reader can re-encode), and the whole file
 * under {@link MAX_RESULTS_BYTES}, whatever happened while grading.
 *
 * @example A grade that never ran still gives a valid file
 * ```ts
 * import assert from "node:assert/strict";
 * import { failureResults } from "./results.ts";
 * const r = failureResults("grader error: boom");
 * assert.equal(r.score, 0);
 * assert.deepEqual(r.tests, []);
 * ```
 *
 * @module
 */
import type { Grade, TestResult } from "./grade.ts";
import { textReport } from "./report.ts";
import { terminalSafe } from "./escape.ts";
import { writeAtomic } from "../data/atomic.ts";

/** The results.json object, as Gradescope documents it. */
export interface Results {
  score: number;
  execution_time: number;
  output: string;
  output_format: "text";
  visibility: "visible";
  stdout_visibility: "hidden";
  tests: TestResult[];
}

/** The most bytes a results.json may have: outputs are cut further until it fits. */
export const MAX_RESULTS_BYTES = 1_000_000;

/** A finite number, or 0. */
const finite = (x: unknown): number => (typeof x === "number" && Number.isFinite(x) ? x : 0);

/**
 * `text` as well-formed Unicode (lone surrogates replaced), control characters shown as
 * escapes (staff read these files on a terminal too), cut to `max` characters.
 */
function clean(text: unknown, max = Infinity): string {
  const s = terminalSafe(text);
  if (s.length <= max) return s;
  return `${s.slice(0, max).toWellFormed()}… (cut: results.json is kept under ${
    MAX_RESULTS_BYTES / 1e6
  } MB)`;
}

/** `results` with every string well-formed and outputs cut until the JSON fits the limit. */
export function bounded(results: Results, limit = MAX_RESULTS_BYTES): Results {
  for (const max of [Infinity, 2000, 500, 100]) {
    const r: Results = {
      ...results,
      output: clean(results.output, max === Infinity ? max : 50 * max),
      tests: results.tests.map((t) => ({
        ...t,
        name: clean(t.name, 200),
        number: clean(t.number, 50),
        output: clean(t.output, max),
      })),
    };
    if (new TextEncoder().encode(JSON.stringify(r)).length <= limit) return r;
  }
  return failureResults(`the results were too large to report (${results.tests.length} tests)`);
}

/** The results of a grade; the top-level output is the report's summary. */
export function toResults(grade: Grade): Results {
  return bounded({
    score: finite(grade.score),
    execution_time: finite(grade.executionTime),
    // The top-level output is visible before the due date: with hidden tests, neither what
    // the submission printed (it could print the hidden inputs it was given), nor the total
    // score, nor the notes made during the hidden runs (an exit code can carry a byte of a
    // hidden input), nor the seed goes there. (The terminal report, Gradescope's hidden
    // stdout, keeps them; the hidden tests' own outputs appear after the due date.)
    output: textReport(grade, { summaryOnly: true, withPrinted: !grade.hidden, visibleOnly: true }),
    output_format: "text",
    visibility: "visible",
    stdout_visibility: "hidden",
    tests: grade.tests.map((t) => ({
      ...t,
      score: finite(t.score),
      max_score: finite(t.max_score),
    })),
  });
}

/** Results when grading itself failed: 0 points, the reason, still a valid file. */
export function failureResults(reason: string): Results {
  return {
    score: 0,
    execution_time: 0,
    output: clean(reason, 20_000),
    output_format: "text",
    visibility: "visible",
    stdout_visibility: "hidden",
    tests: [],
  };
}

/** Writes `results` to `path` atomically: readers see the old file or the whole new one. */
export async function writeResults(path: string, results: Results): Promise<void> {
  const fits = bounded(results);
  // Indented when that still fits (it reads better), compact otherwise.
  const pretty = JSON.stringify(fits, null, 2) + "\n";
  const text = new TextEncoder().encode(pretty).length <= MAX_RESULTS_BYTES
    ? pretty
    : JSON.stringify(fits) + "\n";
  JSON.parse(text); // never write what would not parse
  await writeAtomic(path, text);
}

/**
 * Gradescope's `results.json`: built from a {@link Grade}, written atomically (a temporary
 * file in the same folder, then a rename), and always valid: every score is a finite number,
 * whatever happened while grading.
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

/** A finite number, or 0. */
const finite = (x: unknown): number => (typeof x === "number" && Number.isFinite(x) ? x : 0);

/** The results of a grade; the top-level output is the report's summary. */
export function toResults(grade: Grade): Results {
  return {
    score: finite(grade.score),
    execution_time: finite(grade.executionTime),
    // With hidden tests, what the submission printed stays out of the visible summary: it
    // could print the hidden inputs it was given. (The terminal report, Gradescope's hidden
    // stdout, keeps it.)
    output: textReport(grade, { summaryOnly: true, withPrinted: !grade.hidden }),
    output_format: "text",
    visibility: "visible",
    stdout_visibility: "hidden",
    tests: grade.tests.map((t) => ({
      ...t,
      score: finite(t.score),
      max_score: finite(t.max_score),
    })),
  };
}

/** Results when grading itself failed: 0 points, the reason, still a valid file. */
export function failureResults(reason: string): Results {
  return {
    score: 0,
    execution_time: 0,
    output: reason,
    output_format: "text",
    visibility: "visible",
    stdout_visibility: "hidden",
    tests: [],
  };
}

/** Writes `results` to `path` atomically: readers see the old file or the whole new one. */
export async function writeResults(path: string, results: Results): Promise<void> {
  const text = JSON.stringify(results, null, 2) + "\n";
  JSON.parse(text); // never write what would not parse
  await writeAtomic(path, text);
}

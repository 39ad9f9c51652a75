/**
 * The terminal report: per task, each test with its score and, for a failure, what went
 * wrong; then notes and whatever the submission printed (shown, never graded). Everything
 * in it passes through {@link terminalSafe}: a submission's text cannot steer a terminal.
 *
 * @module
 */
import type { Grade } from "./grade.ts";
import { terminalSafe } from "./escape.ts";

/** Indents every line of `text`. */
const indent = (text: string, by: string) => text.split("\n").map((l) => by + l).join("\n");

/**
 * The report as plain text. `summaryOnly` leaves out the per-test lines (results.json has
 * them); `withPrinted: false` leaves out what the submission printed. `visibleOnly` is
 * results.json's top-level output, which a student sees before the due date: nothing in it
 * is computed from a hidden input (the score of the visible tests alone, the notes made
 * before any hidden input was sent, no seed).
 */
export function textReport(
  grade: Grade,
  opts: { summaryOnly?: boolean; withPrinted?: boolean; visibleOnly?: boolean } = {},
): string {
  const lines: string[] = [];
  if (opts.visibleOnly) {
    const visible = grade.tests.filter((t) => t.visibility === "visible");
    const sum = (k: "score" | "max_score") =>
      Math.round(100 * visible.reduce((s, t) => s + t[k], 0)) / 100;
    const hiddenToo = grade.tests.length > visible.length
      ? "; the hidden tests' results appear after the due date"
      : "";
    lines.push(`Score of the visible tests: ${sum("score")} / ${sum("max_score")}${hiddenToo}`);
  } else {
    const mode = grade.hidden
      ? "visible and hidden tests"
      : "visible tests only (add --hidden for the property runs)";
    // A package's seed is its secret: shown nowhere (the instructor has it in autograder.json).
    const seed = grade.secretSeed ? "" : `; seed ${grade.seed}`;
    lines.push(
      `Score: ${grade.score} / ${grade.maxScore}  (${mode}${seed}; ${grade.executionTime} s)`,
    );
  }
  if (!opts.summaryOnly) {
    let task = "";
    for (const t of grade.tests) {
      const id = t.number.split(".").slice(0, 2).join(".");
      if (id !== task) {
        task = id;
        const ofTask = grade.tests.filter((x) => x.number.startsWith(id + "."));
        const sum = (k: "score" | "max_score") =>
          Math.round(100 * ofTask.reduce((s, x) => s + x[k], 0)) / 100;
        lines.push("", `Task ${id} ${t.name.split(":")[0]}: ${sum("score")} / ${sum("max_score")}`);
      }
      const mark = t.status === "passed" ? "ok  " : "FAIL";
      lines.push(`  ${mark} ${t.name}  ${t.score}/${t.max_score}`);
      if (t.status !== "passed") lines.push(indent(t.output, "         "));
    }
  }
  const notes = opts.visibleOnly ? grade.notes : [...grade.notes, ...(grade.hiddenNotes ?? [])];
  if (notes.length) lines.push("", "Notes:", ...notes.map((n) => `  ${n}`));
  if ((opts.withPrinted ?? true) && grade.printed.trim()) {
    lines.push(
      "",
      "The submission printed (shown, not graded):",
      indent(grade.printed.trimEnd(), "  | "),
    );
  }
  return terminalSafe(lines.join("\n"));
}

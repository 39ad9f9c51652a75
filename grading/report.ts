/**
 * The terminal report: per task, each test with its score and, for a failure, what went
 * wrong; then notes and whatever the submission printed (shown, never graded).
 *
 * @module
 */
import type { Grade } from "./grade.ts";

/** Indents every line of `text`. */
const indent = (text: string, by: string) => text.split("\n").map((l) => by + l).join("\n");

/**
 * The report as plain text. `summaryOnly` leaves out the per-test lines (results.json has
 * them); `withPrinted: false` leaves out what the submission printed.
 */
export function textReport(
  grade: Grade,
  opts: { summaryOnly?: boolean; withPrinted?: boolean } = {},
): string {
  const lines: string[] = [];
  const mode = grade.hidden
    ? "visible and hidden tests"
    : "visible tests only (add --hidden for the property runs)";
  // A package's seed is its secret: shown nowhere (the instructor has it in autograder.json).
  const seed = grade.secretSeed ? "" : `; seed ${grade.seed}`;
  lines.push(
    `Score: ${grade.score} / ${grade.maxScore}  (${mode}${seed}; ${grade.executionTime} s)`,
  );
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
  if (grade.notes.length) lines.push("", "Notes:", ...grade.notes.map((n) => `  ${n}`));
  if ((opts.withPrinted ?? true) && grade.printed.trim()) {
    lines.push(
      "",
      "The submission printed (shown, not graded):",
      indent(grade.printed.trimEnd(), "  | "),
    );
  }
  return lines.join("\n");
}

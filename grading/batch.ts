/**
 * `deno task grade --all DIR`: grades every sub-folder of DIR (one student each), writes each
 * student's results.json and one CSV with a row per student and task.
 *
 * @example CSV cells are quoted, and formulas are defused for spreadsheets
 * ```ts
 * import assert from "node:assert/strict";
 * import { csvCell } from "./batch.ts";
 * assert.equal(csvCell('a "b", c'), '"a ""b"", c"');
 * assert.equal(csvCell("=HYPERLINK(1)"), `"'=HYPERLINK(1)"`);
 * ```
 *
 * @module
 */
import type { TaskInfo } from "../kernels/registry.ts";
import { type GradeOptions, gradeSubmission } from "./grade.ts";
import { toResults, writeResults } from "./results.ts";
import { writeAtomic } from "../data/atomic.ts";

/** One CSV cell: quoted; a leading = + - @ is prefixed with ' so no spreadsheet runs it. */
export function csvCell(v: string | number): string {
  const s = typeof v === "number" ? String(v) : /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return typeof v === "number" ? s : `"${s.replaceAll('"', '""')}"`;
}

/** Grades each sub-folder of `dir`; writes `out/grades.csv` and `out/<student>.results.json`. */
export async function gradeAll(
  dir: string,
  out: string,
  options: GradeOptions & { tasks?: readonly TaskInfo[] },
): Promise<string> {
  const students: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory && !e.name.startsWith(".")) students.push(e.name);
  }
  students.sort();
  await Deno.mkdir(out, { recursive: true });
  const rows = [["student", "task", "function", "score", "max"].map(csvCell).join(",")];
  const lines: string[] = [];
  for (const student of students) {
    const grade = await gradeSubmission(`${dir}/${student}`, {
      ...options,
      replay: `deno task grade ${dir}/${student}${options.hidden ? " --hidden" : ""} --seed ${
        options.seed ?? 1
      }`,
    });
    await writeResults(`${out}/${student}.results.json`, toResults(grade));
    const byTask = new Map<string, { fn: string; score: number; max: number }>();
    for (const t of grade.tests) {
      const id = t.number.split(".").slice(0, 2).join(".");
      const row = byTask.get(id) ?? { fn: t.name.split(":")[0], score: 0, max: 0 };
      row.score += t.score;
      row.max += t.max_score;
      byTask.set(id, row);
    }
    for (const [id, { fn, score, max }] of byTask) {
      rows.push(
        [
          csvCell(student),
          csvCell(id),
          csvCell(fn),
          csvCell(Math.round(score * 100) / 100),
          csvCell(max),
        ].join(","),
      );
    }
    lines.push(`${student}: ${grade.score} / ${grade.maxScore}`);
  }
  const csv = `${out}/grades.csv`;
  await writeAtomic(csv, rows.join("\n") + "\n");
  return [...lines, `wrote ${csv} and ${students.length} results files in ${out}/`].join("\n");
}

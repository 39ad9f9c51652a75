/**
 * `deno task grade --all DIR`: grades every student folder of DIR, writes each student's
 * results.json and one CSV, a row per student (total, each task's score, an `error` column).
 * One student never costs another: whatever goes wrong grading one becomes that student's
 * row, and the CSV is rewritten after every student, so it exists however the batch ends.
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
import { GRADED_TASKS } from "./cases.ts";
import { type Grade, type GradeOptions, gradeSubmission } from "./grade.ts";
import { failureResults, toResults, writeResults } from "./results.ts";
import { capText } from "./child.ts";
import { writeAtomic } from "../data/atomic.ts";
import { terminalSafe } from "./escape.ts";
import { SandboxDir, SOURCE } from "./sandbox.ts";
import { UsageError } from "../kernels/errors.ts";

/**
 * One CSV cell: quoted, control characters shown as escapes (a CSV is read on terminals
 * too), and a leading = + - @ prefixed with ' so no spreadsheet runs it.
 */
export function csvCell(v: string | number): string {
  if (typeof v === "number") return String(v);
  const s = terminalSafe(v.replace(/[\r\n]+/g, " "), { oneLine: true });
  return `"${(/^[=+\-@\t]/.test(s) ? `'${s}` : s).replaceAll('"', '""')}"`;
}

/** Options of {@link gradeAll}. */
export interface BatchOptions extends GradeOptions {
  /** Students graded at once (each in its own child). */
  jobs?: number;
  /** Called with one line as each student is done. */
  progress?: (line: string) => void;
}

/** A folder entry that is not graded, and why. */
export interface Skipped {
  name: string;
  why: string;
}

/** The student folders of `dir`, and what else is there (with the reason it is skipped). */
export async function studentFolders(
  dir: string,
  out: string,
): Promise<{ students: string[]; skipped: Skipped[] }> {
  const outReal = await Deno.realPath(out).catch(() => out);
  const students: string[] = [];
  const skipped: Skipped[] = [];
  for await (const e of Deno.readDir(dir)) {
    const path = `${dir}/${e.name}`;
    const info = await Deno.lstat(path).catch(() => undefined);
    const why = !info
      ? "its name is not valid UTF-8: rename it"
      : info.isSymlink
      ? "a link, not a folder: grade its target on its own"
      : !info.isDirectory
      ? `a file, not a folder${/\.zip$/i.test(e.name) ? ": unzip it into a folder" : ""}`
      : (await Deno.realPath(path).catch(() => path)) === outReal
      ? "the grader's own output folder"
      : e.name.startsWith(".")
      ? "its name starts with a dot"
      : undefined;
    if (why) skipped.push({ name: e.name, why });
    else students.push(e.name);
  }
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  students.sort(byName);
  skipped.sort((a, b) => byName(a.name, b.name));
  return { students, skipped };
}

/** A folder name as a progress line shows it: quoted, escaped, on one line. */
const shownName = (name: string) => terminalSafe(JSON.stringify(name), { oneLine: true });

/** An empty folder, removed when the process ends, to try the sandbox on. */
async function emptyFolder(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "litconv-probe-" });
  addEventListener("unload", () => {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch { /* gone */ }
  });
  return dir;
}

/**
 * Refuses staff mistakes that would grade the wrong thing: `--all` on one student's
 * submission (its subfolders are not students), and an output folder inside a student's
 * folder (it would write into their submission and drop them from the CSV).
 */
export async function checkClassFolder(dir: string, out: string): Promise<void> {
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && SOURCE.test(e.name) && /^mod\./i.test(e.name)) {
      throw new UsageError(
        `${dir} holds ${e.name}: it is one submission, not a class; grade it without --all`,
      );
    }
  }
  const real = async (p: string) => await Deno.realPath(p).catch(() => p);
  const [dirReal, outReal] = [await real(dir), await real(out)];
  if (outReal.startsWith(`${dirReal}/`)) {
    const student = outReal.slice(dirReal.length + 1).split("/")[0];
    const holdsCode = async () => {
      for await (const e of Deno.readDir(outReal)) if (SOURCE.test(e.name)) return true;
      return false;
    };
    if (outReal !== `${dirReal}/${student}` || (await holdsCode().catch(() => false))) {
      throw new UsageError(
        `--out ${out} is inside the student folder ${student}: it would write into their ` +
          "submission; choose a folder outside theirs",
      );
    }
  }
}

/** One student's row: name, total, max, each task's score, error. */
interface Row {
  student: string;
  score: number;
  max: number;
  byTask: Map<string, number>;
  error: string;
}

/** The CSV of `rows`, one per student, columns for `tasks`. */
function csvOf(rows: Row[], tasks: readonly TaskInfo[]): string {
  const head = ["student", "score", "max", ...tasks.map((t) => `${t.id} ${t.fn}`), "error"];
  const lines = [head.map(csvCell).join(",")];
  for (const r of [...rows].sort((a, b) => (a.student < b.student ? -1 : 1))) {
    lines.push(
      [
        csvCell(r.student),
        csvCell(r.score),
        csvCell(r.max),
        ...tasks.map((t) => csvCell(r.byTask.get(t.id) ?? 0)),
        csvCell(r.error),
      ].join(","),
    );
  }
  return lines.join("\n") + "\n";
}

/** A grade's row: scores by task (from the test numbers, `02.1.3`). */
function rowOf(student: string, grade: Grade): Row {
  const byTask = new Map<string, number>();
  for (const t of grade.tests) {
    const id = t.number.split(".").slice(0, 2).join(".");
    byTask.set(id, Math.round(100 * ((byTask.get(id) ?? 0) + t.score)) / 100);
  }
  return {
    student,
    score: grade.score,
    max: grade.maxScore,
    byTask,
    error: capText(grade.problem ?? "", 300),
  };
}

/**
 * Grades each student folder of `dir` (`options.jobs` at a time); writes `out/grades.csv`
 * and `out/<student>.results.json`. Returns the summary: skipped entries and totals.
 */
export async function gradeAll(dir: string, out: string, options: BatchOptions): Promise<string> {
  await checkClassFolder(dir, out);
  await Deno.mkdir(out, { recursive: true });
  const { students, skipped } = await studentFolders(dir, out);
  // A sandbox the child cannot use fails every student alike: say so once, grade nobody.
  if (students.length) {
    const probe = await SandboxDir.create(await emptyFolder()).catch((e: Error) => e);
    if (probe instanceof Error) throw new Error(`cannot grade anyone: ${probe.message}`);
    await probe.remove();
  }
  const tasks = options.tasks ?? GRADED_TASKS;
  const csv = `${out}/grades.csv`;
  const rows: Row[] = [];
  const progress = options.progress ?? (() => {});
  for (const s of skipped) progress(`skipped ${shownName(s.name)}: ${s.why}`);

  // The CSV after each student: one writer at a time, always the latest rows.
  let writing = Promise.resolve();
  const saveCsv = () => (writing = writing.then(() => writeAtomic(csv, csvOf(rows, tasks))));
  await saveCsv();

  let next = 0, done = 0, written = 0;
  const worker = async () => {
    while (next < students.length) {
      const student = students[next++];
      const started = performance.now();
      let row: Row;
      try {
        const grade = await gradeSubmission(`${dir}/${student}`, {
          ...options,
          replay: `deno task grade ${dir}/${student}${options.hidden ? " --hidden" : ""} --seed ${
            options.seed ?? 1
          }`,
        });
        row = rowOf(student, grade);
        try {
          await writeResults(`${out}/${student}.results.json`, toResults(grade));
          written++;
        } catch (e) {
          row.error ||= `results.json not written: ${(e as Error).message}`;
        }
      } catch (e) {
        // gradeSubmission does not throw for a submission's doing; this is the grader's own.
        const reason = `grader error: ${capText((e as Error)?.message ?? String(e), 300)}`;
        console.error(terminalSafe(`grader error on ${student}: ${(e as Error)?.stack ?? e}`));
        row = { student, score: 0, max: 0, byTask: new Map(), error: reason };
        await writeResults(`${out}/${student}.results.json`, failureResults(reason))
          .then(() => written++, () => {});
      }
      rows.push(row);
      await saveCsv();
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      // One line however the name and the error are made: both are the submission's.
      progress(
        `[${++done}/${students.length}] ${shownName(student)}: ${row.score} / ${row.max} ` +
          `(${seconds} s)${
            row.error ? `: ${terminalSafe(capText(row.error, 120), { oneLine: true })}` : ""
          }`,
      );
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(options.jobs ?? 1, students.length)) }, worker),
  );
  await writing;
  return [
    ...(skipped.length
      ? [
        `skipped ${skipped.length}: ${
          skipped.map((s) => `${shownName(s.name)} (${s.why})`).join("; ")
        }`,
      ]
      : []),
    `wrote ${csv} (${rows.length} students) and ${written} results files in ${out}/` +
    (written < rows.length ? ` (${rows.length - written} could not be written: see the CSV)` : ""),
  ].join("\n");
}

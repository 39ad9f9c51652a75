/**
 * `deno task grade`: the student's check-my-work command and the instructor's grader.
 *
 * ```text
 * deno task grade DIR [--out results.json] [--seed N] [--hidden] [--tasks 02.1,04.1] [--runs N] [--budget S]
 * deno task grade --all DIR [--out grades/] [--jobs N] [--seed N] [--hidden] [--tasks …]   one CSV + each results.json
 * deno task grade DIR --package autograder.json --out results.json   (run_autograder's call)
 * ```
 *
 * What is graded: `--tasks`, or a package's `autograder.json`, or, for `--all`, every task;
 * those never read a file of the submission. Check-my-work (one folder, no `--tasks`) grades
 * the tasks its starter was made for, from the starter's `assignment.json` (written by
 * `deno task assignment new`), and says so in the report; a folder without one gets every
 * task. A student who edits that file only changes their own check. Exits 0 whenever it graded, whatever the submission did;
 * 2 when it was misused. With `--out`, the results file is written in every case, even on
 * misuse or a grader error.
 *
 * @module
 */
import {
  callerPath as userPath,
  flagHelp,
  type Flags,
  parseFlags,
  usageLine,
} from "../cli/flags.ts";
import { findTask, type TaskInfo } from "../kernels/registry.ts";
import { UsageError } from "../kernels/errors.ts";
import { GRADED_TASKS } from "./cases.ts";
import { DEFAULT_BUDGET_S, gradeSubmission } from "./grade.ts";
import { textReport } from "./report.ts";
import { failureResults, toResults, writeResults } from "./results.ts";
import { gradeAll } from "./batch.ts";
import { releaseRuntimes, removeAllSync } from "./sandbox.ts";
import { killAllChildren } from "./child.ts";
import { terminalSafe } from "./escape.ts";

/** The command's flags; `--help` lists them from this table. */
export const GRADE_FLAGS = {
  tasks: {
    type: "string",
    value: "IDS",
    help: "tasks to grade, by id or function name (02.1,conv2d); default: the tasks the\n" +
      "starter was made for (its assignment.json), else every task",
  },
  hidden: {
    type: "boolean",
    help: "add the hidden property runs (random inputs) to the visible tests",
  },
  seed: { type: "string", value: "N", help: "seed of the property runs (default 1)" },
  runs: { type: "string", value: "N", help: "draws per property test (default 50)" },
  budget: {
    type: "string",
    value: "S",
    help: `seconds for a whole submission (default ${DEFAULT_BUDGET_S})`,
  },
  out: {
    type: "string",
    value: "PATH",
    help: "write Gradescope's results.json there (with --all: a folder, default grades/)",
  },
  all: {
    type: "boolean",
    help:
      "DIR holds one folder per student: grade each into grades.csv (every task unless --tasks)",
  },
  jobs: { type: "string", value: "N", help: "with --all: students graded at once (default 1)" },
  package: {
    type: "string",
    value: "FILE",
    help: "a Gradescope package's autograder.json fixes tasks, seed, runs and budget",
  },
} as const satisfies Flags;

const COMMAND = "deno task grade";

export const HELP = `${COMMAND} DIR [flags]          check one folder (a student's check-my-work)
${COMMAND} --all DIR [flags]    a class: one folder per student
${COMMAND} DIR --package autograder.json --out results.json   (a Gradescope package's call)

Runs the visible tests (the lecture's examples, edge cases) of the tasks chosen, and with
--hidden the property runs, comparing every answer with the course's naive kernels in float64.
A starter folder made by \`deno task assignment new\` is graded on the tasks it was made for.

${flagHelp(GRADE_FLAGS)}
`;

/** The file a starter folder records its tasks in (written by `deno task assignment new`). */
export const STARTER_RECORD = "assignment.json";

/**
 * The tasks a starter folder was made for, from its {@link STARTER_RECORD}; undefined when
 * the folder has none. Only check-my-work (one folder, no `--tasks`) reads it, and says so:
 * `--all` and packages choose their tasks themselves, whatever a submission ships. Only a
 * small regular file is read (a FIFO would block, a link to /dev/zero never end).
 */
export async function starterTasks(dir: string): Promise<TaskInfo[] | undefined> {
  const path = `${dir}/${STARTER_RECORD}`;
  const info = await Deno.lstat(path).catch(() => undefined);
  if (!info) return undefined;
  let tasks: unknown;
  if (info.isFile && info.size <= 4096) {
    try {
      tasks = JSON.parse(Deno.readTextFileSync(path))?.tasks;
    } catch { /* not JSON: refused below */ }
  }
  if (!Array.isArray(tasks) || !tasks.every((t) => typeof t === "string")) {
    throw new UsageError(
      `${path} is not a starter's list of tasks; name the tasks with --tasks 02.1,04.1`,
    );
  }
  return parseTasks(tasks.join(","));
}

/** The tasks named by `--tasks 02.1,04.1` (ids or function names), in course order. */
export function parseTasks(list: string): TaskInfo[] {
  const order = (t: TaskInfo) => GRADED_TASKS.indexOf(t);
  const tasks = list.split(",").map((s) => s.trim()).filter(Boolean).map((id) => {
    const task = findTask(id) ?? GRADED_TASKS.find((t) => t.fn === id);
    if (!task) {
      throw new UsageError(
        `unknown task "${id}" (tasks: ${GRADED_TASKS.map((t) => t.id).join(", ")})`,
      );
    }
    return task;
  }).filter((t, i, all) => all.indexOf(t) === i).sort((a, b) => order(a) - order(b));
  if (tasks.length === 0) throw new UsageError("--tasks names no task");
  return tasks;
}

/** A whole number within the safe integers, or a UsageError naming the flag. */
export function safeInteger(flag: string, text: string, min = -Number.MAX_SAFE_INTEGER): number {
  const n = /^\s*-?\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min) {
    throw new UsageError(
      `${flag} must be a whole number${min > -Number.MAX_SAFE_INTEGER ? ` ≥ ${min}` : ""} ` +
        `within ±(2^53 − 1), got ${JSON.stringify(text)}`,
    );
  }
  return n;
}

/** What a Gradescope package's autograder.json fixes (see package.ts). */
export interface PackageSettings {
  tasks: string[];
  seed: number;
  runs: number;
  budget: number;
}

/** Reads and checks a package's settings. */
export async function readPackage(path: string): Promise<PackageSettings> {
  let raw: Partial<PackageSettings>;
  try {
    raw = JSON.parse(await Deno.readTextFile(path));
  } catch (e) {
    throw new UsageError(`--package: cannot read ${path}: ${(e as Error).message}`);
  }
  const ok = raw !== null && typeof raw === "object" && Array.isArray(raw.tasks) &&
    raw.tasks.every((t) => typeof t === "string") && Number.isSafeInteger(raw.seed) &&
    Number.isSafeInteger(raw.runs) && (raw.runs as number) >= 1 &&
    typeof raw.budget === "number" && raw.budget > 0;
  if (!ok) throw new UsageError(`--package: ${path} is not a package's autograder.json`);
  return raw as PackageSettings;
}

/** How many folders directly in `dir` hold a `mod.ts` (a class folder has one a student). */
async function studentLike(dir: string): Promise<number> {
  let n = 0;
  for await (const e of Deno.readDir(dir)) {
    if (!e.isDirectory) continue;
    if (await Deno.lstat(`${dir}/${e.name}/mod.ts`).then((i) => i.isFile, () => false)) n++;
  }
  return n;
}

/** Runs the command; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let out: string | undefined;
  try {
    const { values, positionals } = parseFlags(argv, GRADE_FLAGS, { positionals: true });
    // With --all, --out names a folder: a results file is never written in its place.
    out = values.out === undefined || values.all ? undefined : userPath(values.out);
    const outDir = values.all && values.out !== undefined ? userPath(values.out) : undefined;
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (positionals.length !== 1) {
      throw new UsageError(
        positionals.length === 0
          ? "name the folder to grade"
          : `one folder at a time, got ${positionals.join(" ")}`,
      );
    }
    const dir = userPath(positionals[0]);
    const stat = await Deno.stat(dir).catch(() => undefined);
    if (!stat?.isDirectory && values.package !== undefined) {
      // run_autograder's call: the student reads this, not the staff's usage text.
      const message = `no submission was found (${dir} is missing): the upload may have ` +
        "failed; submit again, and tell your instructor if this persists";
      console.error(terminalSafe(message));
      if (out) await writeResults(out, failureResults(message)).catch(() => {});
      return 1;
    }
    if (!stat?.isDirectory) throw new UsageError(`${dir} is not a folder`);

    let settings: PackageSettings | undefined;
    if (values.package !== undefined) {
      for (const flag of ["seed", "tasks", "runs", "budget", "hidden", "all"] as const) {
        if (values[flag]) {
          throw new UsageError(`--package fixes the tasks, seed, runs and budget: drop --${flag}`);
        }
      }
      settings = await readPackage(userPath(values.package));
    }
    const seed = settings?.seed ??
      (values.seed === undefined ? 1 : safeInteger("--seed", values.seed));
    const runs = settings?.runs ??
      (values.runs === undefined ? 50 : safeInteger("--runs", values.runs, 1));
    const budgetS = settings?.budget ??
      (values.budget === undefined ? DEFAULT_BUDGET_S : safeInteger("--budget", values.budget, 1));
    const jobs = values.jobs === undefined ? 1 : safeInteger("--jobs", values.jobs, 1);
    if (values.jobs !== undefined && !values.all) throw new UsageError("--jobs goes with --all");
    // Staff grading (--all, --package) chooses its tasks; check-my-work, without --tasks,
    // grades the tasks the starter folder was made for (a student only fools themselves).
    const fromStarter = settings || values.all || values.tasks !== undefined
      ? undefined
      : await starterTasks(dir);
    const tasks = settings
      ? parseTasks(settings.tasks.join(","))
      : values.tasks !== undefined
      ? parseTasks(values.tasks)
      : fromStarter;
    const hidden = settings ? true : values.hidden ?? false;
    const taskList = values.tasks ?? fromStarter?.map((t) => t.id).join(",");
    const flags = [hidden ? " --hidden" : "", taskList ? ` --tasks ${taskList}` : ""].join("");

    if (values.all) {
      const summary = await gradeAll(dir, outDir ?? userPath("grades"), {
        tasks,
        hidden,
        seed,
        numRuns: runs,
        budgetS,
        jobs,
        progress: (line) => console.log(line),
      });
      console.log(terminalSafe(summary));
      return 0;
    }

    const grade = await gradeSubmission(dir, {
      tasks,
      hidden,
      seed,
      secretSeed: settings !== undefined,
      numRuns: runs,
      budgetS,
      startedAt: 0, // the process's start: execution_time counts the grader's own start-up
      replay: `deno task grade ${positionals[0]}${flags} --seed ${seed}`,
    });
    if (!values.package && grade.problem?.includes("has no mod.ts")) {
      const classOf = await studentLike(dir);
      if (classOf >= 2) {
        grade.notes.push(
          `${dir} holds ${classOf} folders with a mod.ts each: if it is a class, grade it ` +
            `with --all.`,
        );
      }
    }
    if (fromStarter) {
      grade.notes.unshift(
        `Tasks ${taskList}: the ones this starter was made for (its ${STARTER_RECORD}); ` +
          `--tasks grades others.`,
      );
    }
    console.log(textReport(grade));
    if (out) await writeResults(out, toResults(grade));
    return 0;
  } catch (e) {
    const misuse = e instanceof UsageError;
    // The stack goes to stderr (Gradescope keeps it from students); results.json says what.
    const message = misuse ? usageLine(COMMAND, e) : `grader error: ${(e as Error).message ?? e}`;
    // Folder names in the message are a student's: escaped like everything else shown.
    console.error(terminalSafe(misuse ? message : `grader error: ${(e as Error).stack ?? e}`));
    if (out) await writeResults(out, failureResults(message)).catch(() => {});
    return misuse ? 2 : 1;
  } finally {
    await releaseRuntimes();
  }
}

/** The stop under way after a signal (it ends the process itself). */
let stopping: Promise<void> | undefined;

/**
 * Stopped by a signal: no child, sandbox or private runtime outlives the grader. Grading may
 * finish while the children are being killed (their calls fail at once): the exit waits.
 */
function stopOn(signal: "SIGINT" | "SIGTERM", code: number): void {
  Deno.addSignalListener(signal, () => {
    stopping ??= (async () => {
      await killAllChildren();
      removeAllSync();
      Deno.exit(code);
    })();
  });
}

if (import.meta.main) {
  stopOn("SIGINT", 130);
  stopOn("SIGTERM", 143);
  const code = await main(Deno.args);
  await stopping;
  Deno.exit(code);
}

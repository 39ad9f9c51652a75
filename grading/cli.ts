/**
 * `deno task grade`: the student's check-my-work command and the instructor's grader.
 *
 * ```text
 * deno task grade DIR [--out results.json] [--seed N] [--hidden] [--tasks 02.1,04.1] [--runs N]
 * deno task grade --all DIR [--out grades/] [--seed N] [--tasks …]   one CSV plus each results.json
 * ```
 *
 * Exits 0 whenever it graded, whatever the submission did; 2 when it was misused. With
 * `--out`, the results file is written in every case, even on misuse or a grader error.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { findTask, type TaskInfo } from "../kernels/registry.ts";
import { UsageError } from "../kernels/errors.ts";
import { GRADED_TASKS } from "./cases.ts";
import { gradeSubmission } from "./grade.ts";
import { textReport } from "./report.ts";
import { failureResults, toResults, writeResults } from "./results.ts";
import { gradeAll } from "./batch.ts";
import { userPath } from "./paths.ts";

const USAGE =
  `usage: deno task grade DIR [--out results.json] [--seed N] [--hidden] [--tasks 02.1,04.1] [--runs N]
       deno task grade --all DIR [--out FOLDER] [--seed N] [--hidden] [--tasks …]`;

/** The tasks named by `--tasks 02.1,04.1` (ids or function names), in course order. */
export function parseTasks(list: string): TaskInfo[] {
  const order = (t: TaskInfo) => GRADED_TASKS.indexOf(t);
  return list.split(",").map((s) => s.trim()).filter(Boolean).map((id) => {
    const task = findTask(id) ?? GRADED_TASKS.find((t) => t.fn === id);
    if (!task) {
      throw new UsageError(
        `unknown task "${id}" (tasks: ${GRADED_TASKS.map((t) => t.id).join(", ")})`,
      );
    }
    return task;
  }).filter((t, i, all) => all.indexOf(t) === i).sort((a, b) => order(a) - order(b));
}

/** The tasks a starter folder was made for (its assignment.json), if any. */
async function starterTasks(dir: string): Promise<TaskInfo[] | undefined> {
  try {
    const { tasks } = JSON.parse(await Deno.readTextFile(`${dir}/assignment.json`));
    return Array.isArray(tasks) ? parseTasks(tasks.join(",")) : undefined;
  } catch {
    return undefined;
  }
}

/** Runs the command; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let out: string | undefined;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        out: { type: "string" },
        seed: { type: "string" },
        hidden: { type: "boolean", default: false },
        tasks: { type: "string" },
        runs: { type: "string" },
        all: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      allowPositionals: true,
    });
    out = values.out === undefined ? undefined : userPath(values.out);
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError("give exactly one folder");
    const dir = userPath(positionals[0]);
    const stat = await Deno.stat(dir).catch(() => undefined);
    if (!stat?.isDirectory) throw new UsageError(`${dir} is not a folder`);
    const seed = values.seed === undefined ? 1 : Number(values.seed);
    const runs = values.runs === undefined ? 50 : Number(values.runs);
    if (!Number.isSafeInteger(seed)) {
      throw new UsageError(`--seed must be a whole number, got ${values.seed}`);
    }
    if (!Number.isSafeInteger(runs) || runs < 1) {
      throw new UsageError(`--runs must be ≥ 1, got ${values.runs}`);
    }
    const flags = [values.hidden ? " --hidden" : "", values.tasks ? ` --tasks ${values.tasks}` : ""]
      .join("");

    if (values.all) {
      const tasks = values.tasks ? parseTasks(values.tasks) : undefined;
      const summary = await gradeAll(dir, out ?? userPath("grades"), {
        tasks,
        hidden: values.hidden,
        seed,
        numRuns: runs,
      });
      console.log(summary);
      return 0;
    }

    const fromStarter = values.tasks ? undefined : await starterTasks(dir);
    const tasks = values.tasks ? parseTasks(values.tasks) : fromStarter;
    const grade = await gradeSubmission(dir, {
      tasks,
      hidden: values.hidden,
      seed,
      numRuns: runs,
      replay: `deno task grade ${positionals[0]}${flags} --seed ${seed}`,
    });
    if (fromStarter) {
      grade.notes.unshift(
        `Graded the tasks in ${dir}/assignment.json: ${fromStarter.map((t) => t.id).join(", ")}.`,
      );
    }
    console.log(textReport(grade));
    if (out) await writeResults(out, toResults(grade));
    return 0;
  } catch (e) {
    const misuse = e instanceof UsageError ||
      (e as Error).name === "TypeError" && /option|argument/i.test((e as Error).message);
    const message = misuse
      ? `${(e as Error).message}\n${USAGE}`
      : `grader error: ${(e as Error).stack ?? e}`;
    console.error(message);
    if (out) await writeResults(out, failureResults(message)).catch(() => {});
    return misuse ? 2 : 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));

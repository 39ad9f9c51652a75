/**
 * `deno task assignment new DIR [--tasks 02.1,04.1]`: writes a starter folder (see
 * starter.ts) for the tasks named, or for every task.
 *
 * A starter inside the course's folder would be seen by the course's own `deno test`,
 * `deno lint`, `deno fmt` and `deno check` (a nested deno.json does not hide it, and its
 * failing tests and unfinished stubs are the point of it), so inside the course only a folder
 * that the course's deno.json excludes is allowed (`my-work/`, the name the lessons use);
 * anywhere outside it is fine.
 *
 * @module
 */
import { isAbsolute, relative, resolve } from "node:path";
import { GRADED_TASKS } from "./cases.ts";
import { GRADE_FLAGS, parseTasks } from "./cli.ts";
import { writeStarter } from "./starter.ts";
import { callerPath, flagHelp, type Flags, type FlagValues } from "../cli/flags.ts";
import { staffCommand } from "./command.ts";
import { UsageError } from "../kernels/errors.ts";

const COMMAND = "deno task assignment";

const FLAGS = {
  tasks: {
    ...GRADE_FLAGS.tasks,
    help: "the tasks, by id or function name (02.1,conv2d); default every task",
  },
} as const satisfies Flags;

export const HELP = `${COMMAND} new DIR [flags]

Writes a starter folder: mod.ts with a stub per task, the visible tests (deno test there),
the judge and types they need, a README, and assignment.json, which records the tasks, so
that \`deno task grade DIR\` grades those. Inside the course's folder only my-work/ (or another
folder the course's deno.json excludes) may hold it; anywhere else is fine.

${flagHelp(FLAGS)}
`;

const COURSE = resolve(new URL("..", import.meta.url).pathname);

/** The folders the course's deno.json keeps from its own test, lint, fmt and check. */
async function excludedFolders(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(`${COURSE}/deno.json`));
  return (config.exclude as string[] ?? []).map((e) => resolve(COURSE, e));
}

/** Refuses a starter folder where the course's own checks would run the student's work. */
export async function checkPlace(dir: string): Promise<void> {
  const inCourse = relative(COURSE, dir);
  if (inCourse.startsWith("..") || isAbsolute(inCourse)) return;
  const excluded = await excludedFolders();
  if (excluded.some((e) => dir === e || dir.startsWith(`${e}/`))) return;
  const name = dir.split("/").pop();
  throw new UsageError(
    `${dir} is inside the course, whose own deno test and deno lint would run your ` +
      `unfinished work; use my-work (excluded there) or a folder beside the course, ../${name}`,
  );
}

/** `new DIR`: writes the starter, refusing a folder inside the course or one with a starter. */
async function writeNamedStarter(values: FlagValues<typeof FLAGS>, positionals: string[]) {
  if (positionals[0] !== "new") {
    const near = positionals[0] === undefined ? "" : ` '${positionals[0]}'`;
    throw new UsageError(
      `the one action is new, as in ${COMMAND} new my-work; got${near || " none"}`,
    );
  }
  if (positionals.length !== 2) throw new UsageError("name one folder: new DIR");
  const dir = callerPath(positionals[1]);
  await checkPlace(dir);
  const tasks = values.tasks ? parseTasks(values.tasks) : [...GRADED_TASKS];
  if (await Deno.lstat(`${dir}/mod.ts`).then(() => true, () => false)) {
    const sub = `${positionals[1].replace(/\/+$/, "")}/${tasks.map((t) => t.id).join("-")}`;
    throw new UsageError(
      `${dir} holds a starter already (its mod.ts is your work, left as it is); ` +
        `make this one a folder of its own: ${COMMAND} new ${sub}${
          values.tasks ? ` --tasks ${values.tasks}` : ""
        }`,
    );
  }
  const files = await writeStarter(dir, tasks);
  console.log(
    `wrote ${dir}/: ${files.join(", ")}\n` +
      `tasks ${tasks.map((t) => t.id).join(", ")}; next: cd ${dir} && deno test`,
  );
}

/** Runs the command; returns the exit code. */
export const main = staffCommand({ name: COMMAND, help: HELP, flags: FLAGS }, writeNamedStarter);

if (import.meta.main) Deno.exit(await main(Deno.args));

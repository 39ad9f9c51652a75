/**
 * `deno task assignment new DIR [--tasks 02.1,04.1]`: writes a starter folder (see
 * starter.ts) for the tasks named, or for every task.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { GRADED_TASKS } from "./cases.ts";
import { parseTasks } from "./cli.ts";
import { writeStarter } from "./starter.ts";
import { userPath } from "./paths.ts";

const USAGE = "usage: deno task assignment new DIR [--tasks 02.1,04.1]";

/** Runs the command; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { tasks: { type: "string" }, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (positionals.length !== 2 || positionals[0] !== "new") throw new Error(USAGE);
    const dir = userPath(positionals[1]);
    const tasks = values.tasks ? parseTasks(values.tasks) : [...GRADED_TASKS];
    const files = await writeStarter(dir, tasks);
    console.log(
      `wrote ${dir}/: ${files.join(", ")}\n` +
        `tasks ${tasks.map((t) => t.id).join(", ")}; next: cd ${dir} && deno test`,
    );
    return 0;
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));

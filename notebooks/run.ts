/**
 * `deno task notebooks:run [--out DIR] [--timeout S] [LESSON…]`: makes the lessons' notebooks
 * (`build.ts`), executes each with real Jupyter on Deno's own kernel (`execute.ts`) and checks
 * them: no error, the lecture's numbers, every figure and table the lesson's page shows. The executed
 * notebooks, outputs and figures in them, stay in DIR (default `notebooks/`), ready to open.
 * One line per notebook; exit 1 if any failed.
 *
 * @module
 */
import { callerPath, flagHelp, type Flags, parseFlags, usageLine } from "../cli/flags.ts";
import { executeNotebooks } from "./execute.ts";
import { NOTEBOOK_DIR, pickLessons, writeNotebooks } from "./build.ts";
import { UsageError } from "../kernels/errors.ts";
import type { LessonEntry } from "../lessons/index.ts";
import { lessonCounts } from "../lessons/counts.ts";

const FLAGS = {
  out: {
    type: "string",
    value: "DIR",
    help: "where to write them, relative to where you are (default notebooks/ in the course)",
  },
  timeout: { type: "string", value: "S", help: "seconds one notebook may run (default 300)" },
} as const satisfies Flags;

const HELP = `deno task notebooks:run [flags] [LESSON…]

Writes each lesson's notebook (all, or those named: 02, 2, conv1d), runs it in Jupyter on
Deno's kernel and checks it: no error, the lecture's numbers, every figure and table.

${flagHelp(FLAGS)}
`;

if (import.meta.main) {
  const command = "deno task notebooks:run";
  let paths: string[];
  let timeout: number;
  let lessons: LessonEntry[];
  try {
    const { values, positionals } = parseFlags(Deno.args, FLAGS, { positionals: true });
    if (values.help) {
      console.log(HELP);
      Deno.exit(0);
    }
    timeout = Number(values.timeout ?? 300);
    if (!Number.isInteger(timeout) || timeout < 1) {
      throw new UsageError(`--timeout needs whole seconds ≥ 1, got '${values.timeout}'`);
    }
    lessons = pickLessons(positionals);
    const out = values.out === undefined ? NOTEBOOK_DIR : callerPath(values.out);
    paths = await writeNotebooks(out, lessons);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(usageLine(command, e));
    Deno.exit(2);
  }
  // Every figure and table the lesson's page shows: its outputs that are either.
  const expected = await lessonCounts(lessons);
  // One line per notebook as it finishes (two run at once, so not always in order).
  const reports = await executeNotebooks(paths, {
    timeout,
    minFigures: (slug) => expected[slug]?.figures ?? 0,
    minTables: (slug) => expected[slug]?.tables ?? 0,
    onReport: (r) => {
      const name = r.path.split("/").pop();
      const status = r.problems.length ? `FAILED: ${r.problems.join("; ")}` : "ok";
      console.log(
        `${name}  ${
          r.seconds.toFixed(1)
        } s, ${r.codeCells} code cells, ${r.figures} figure(s), ${r.tables} table(s)  ${status}`,
      );
    },
  });
  const failed = reports.filter((r) => r.problems.length > 0).length;
  console.log(`${reports.length - failed} of ${reports.length} notebooks ran clean`);
  Deno.exit(failed ? 1 : 0);
}

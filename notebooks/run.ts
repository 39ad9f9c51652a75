/**
 * `deno task notebooks:run [--out DIR] [--timeout S] [LESSON…]`: makes the lessons' notebooks
 * (`build.ts`), executes each with real Jupyter on Deno's own kernel (`execute.ts`) and checks
 * them: no error, the lecture's numbers, every figure and table the lesson's page shows. The executed
 * notebooks, outputs and figures in them, stay in DIR (default `notebooks/`), ready to open.
 * One line per notebook; exit 1 if any failed.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { executeNotebooks } from "./execute.ts";
import { NOTEBOOK_DIR, pickLessons, writeNotebooks } from "./build.ts";
import { UsageError } from "../kernels/errors.ts";
import type { LessonEntry } from "../lessons/index.ts";
import { lessonCounts } from "../lessons/counts.ts";

const USAGE = "usage: deno task notebooks:run [--out DIR] [--timeout S] [LESSON…]";

if (import.meta.main) {
  let paths: string[];
  let timeout: number;
  let lessons: LessonEntry[];
  try {
    const { values, positionals } = parseArgs({
      args: Deno.args,
      options: {
        out: { type: "string" },
        timeout: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: true,
    });
    if (values.help) {
      console.log(USAGE);
      Deno.exit(0);
    }
    timeout = Number(values.timeout ?? 300);
    if (!Number.isInteger(timeout) || timeout < 1) {
      throw new UsageError(`--timeout needs whole seconds ≥ 1, got '${values.timeout}'`);
    }
    lessons = pickLessons(positionals);
    paths = await writeNotebooks(values.out ?? NOTEBOOK_DIR, lessons);
  } catch (e) {
    const usage = e instanceof UsageError ||
      (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
    if (!usage) throw e;
    console.error(`deno task notebooks:run: ${(e as Error).message}\n${USAGE}`);
    Deno.exit(2);
  }
  // Every figure and table the lesson's page shows: its outputs that are either.
  const expected = await lessonCounts(lessons);
  const reports = await executeNotebooks(paths, {
    timeout,
    minFigures: (slug) => expected[slug]?.figures ?? 0,
    minTables: (slug) => expected[slug]?.tables ?? 0,
  });
  for (const r of reports) {
    const name = r.path.split("/").pop();
    const status = r.problems.length ? `FAILED: ${r.problems.join("; ")}` : "ok";
    console.log(
      `${name}  ${
        r.seconds.toFixed(1)
      } s, ${r.codeCells} code cells, ${r.figures} figure(s), ${r.tables} table(s)  ${status}`,
    );
  }
  const failed = reports.filter((r) => r.problems.length > 0).length;
  console.log(`${reports.length - failed} of ${reports.length} notebooks ran clean`);
  Deno.exit(failed ? 1 : 0);
}

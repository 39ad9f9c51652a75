/**
 * Executing notebooks with real Jupyter (Debian's `python3-nbclient`, through `execute.py`) on
 * Deno's own kernel, installed for the run only (`kernel.ts`), and checking what they show.
 *
 * A notebook fails when a cell raises (an error output), a cell runs past the timeout, the
 * kernel dies, or its outputs lack what the lecture printed (the numbers below) or the figures
 * its lesson page shows.
 *
 * @module
 */
import { installPrivateKernel } from "./kernel.ts";
import type { Notebook } from "./notebook.ts";

/** The lecture's printed numbers, by lesson: each must appear in the executed outputs. */
export const LECTURE_NUMBERS: Record<string, string[]> = {
  "02-conv1d": ["[ 5 14 16 26 24 34 19 22]"],
  "07-regularization": ["0.3711", "0.5996"],
  "08-mnist-cnn": ["[4, 64, 7, 7]", "[4, 3136]"],
};

/** What one executed notebook shows. */
export interface NotebookReport {
  path: string;
  /** Seconds to execute. */
  seconds: number;
  /** Code cells, and how many produced output. */
  codeCells: number;
  /** image/svg+xml outputs. */
  figures: number;
  /** text/html outputs holding a table. */
  tables: number;
  /** What is wrong, empty when nothing is. */
  problems: string[];
}

/** Every output of a notebook, with its cell's index. */
function outputsOf(nb: Notebook) {
  return nb.cells.flatMap((c, i) =>
    c.cell_type === "code" ? (c.outputs as Record<string, unknown>[]).map((o) => ({ i, o })) : []
  );
}

/** nbformat's multiline string (a string, or a list of lines) as one string. */
const join = (v: unknown) => (Array.isArray(v) ? v.join("") : typeof v === "string" ? v : "");

/** The text an output carries (streams, text/plain, markdown), for searching. */
function textOf(o: Record<string, unknown>): string {
  if (o.output_type === "stream") return join(o.text);
  const data = (o.data ?? {}) as Record<string, unknown>;
  return join(data["text/plain"]) + join(data["text/markdown"]);
}

/** Whether an output is a figure (an SVG). */
const isFigure = (o: Record<string, unknown>) =>
  (o.data as Record<string, unknown> | undefined)?.["image/svg+xml"] !== undefined;

/** Whether an output is a table (HTML holding one). */
const isTable = (o: Record<string, unknown>) =>
  join((o.data as Record<string, unknown> | undefined)?.["text/html"]).includes("<table");

/** The errors an executed notebook shows: error outputs, and claims that printed ✗. */
export function outputProblems(nb: Notebook): string[] {
  const problems: string[] = [];
  for (const { i, o } of outputsOf(nb)) {
    if (o.output_type === "error") {
      problems.push(`cell ${i} raised ${o.ename}: ${String(o.evalue).slice(0, 200)}`);
    }
    const failed = textOf(o).split("\n").filter((line) => line.startsWith("✗ "));
    for (const line of failed) problems.push(`cell ${i}: a claim failed: ${line.slice(2, 200)}`);
  }
  return problems;
}

/**
 * Checks an executed notebook: errors and failed claims, the lecture's numbers, at least
 * `minFigures` SVGs and `minTables` HTML tables.
 */
export function checkExecuted(
  nb: Notebook,
  slug: string,
  minFigures: number,
  minTables = 0,
): string[] {
  const problems = outputProblems(nb);
  const outputs = outputsOf(nb);
  const text = outputs.map(({ o }) => textOf(o)).join("\n");
  for (const number of LECTURE_NUMBERS[slug] ?? []) {
    if (!text.includes(number)) problems.push(`the lecture's ${number} is in no output`);
  }
  const figures = outputs.filter(({ o }) => isFigure(o)).length;
  if (figures < minFigures) problems.push(`${figures} figure(s), expected at least ${minFigures}`);
  const tables = outputs.filter(({ o }) => isTable(o)).length;
  if (tables < minTables) problems.push(`${tables} table(s), expected at least ${minTables}`);
  return problems;
}

/** The exit status of execute.py, as a sentence. */
const STATUS: Record<number, string> = {
  1: "a cell raised",
  2: "the kernel failed or could not start",
  3: "a cell ran past the timeout",
  4: "not a valid notebook (nbformat 4)",
};

/** How `executeNotebooks` runs and checks the notebooks. */
export interface ExecuteOptions {
  /** Seconds one notebook may run. */
  timeout?: number;
  /** The python that has nbclient (default Debian's). */
  python?: string;
  /** Notebooks executed at once (default 2). */
  jobs?: number;
  minFigures?: (slug: string) => number;
  minTables?: (slug: string) => number;
  /** Called as each notebook finishes, for progress. */
  onReport?: (report: NotebookReport) => void;
}

/**
 * Executes each notebook of `paths` in place, `jobs` at a time (default 2: a notebook spends
 * much of its time waiting for its kernel's late outputs, which another can use).
 * `minFigures(slug)` and `minTables(slug)` are the figures and tables its lesson must show;
 * `python` the interpreter that has nbclient. The reports come in the order of `paths`.
 */
export async function executeNotebooks(
  paths: string[],
  options: ExecuteOptions = {},
): Promise<NotebookReport[]> {
  const kernel = await installPrivateKernel();
  const reports: NotebookReport[] = new Array(paths.length);
  let next = 0;
  const worker = async () => {
    for (let k = next++; k < paths.length; k = next++) {
      reports[k] = await executeOne(paths[k], kernel, options);
      options.onReport?.(reports[k]);
    }
  };
  try {
    const jobs = Math.max(1, Math.min(options.jobs ?? 2, paths.length));
    await Promise.all(Array.from({ length: jobs }, worker));
  } finally {
    await kernel.remove();
  }
  return reports;
}

/** Executes the notebook at `path` in place on `kernel` and checks it. */
async function executeOne(
  path: string,
  kernel: { name: string; jupyterPath: string },
  options: ExecuteOptions,
): Promise<NotebookReport> {
  const started = performance.now();
  const out = await new Deno.Command(options.python ?? "/usr/bin/python3", {
    args: [
      new URL("./execute.py", import.meta.url).pathname,
      path,
      path,
      "--timeout",
      String(options.timeout ?? 300),
      "--kernel",
      kernel.name,
    ],
    env: { JUPYTER_PATH: kernel.jupyterPath },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const seconds = (performance.now() - started) / 1000;
  const problems: string[] = [];
  if (out.code !== 0) {
    const why = STATUS[out.code] ?? `execute.py exited ${out.code}`;
    const detail = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-3);
    problems.push(`${why}: ${detail.join(" | ")}`);
  }
  let nb: Notebook | undefined;
  try {
    nb = JSON.parse(await Deno.readTextFile(path));
  } catch (e) {
    problems.push(`no executed notebook: ${(e as Error).message}`);
  }
  const slug = path.split("/").pop()!.replace(/\.ipynb$/, "").replaceAll("_", "-");
  if (nb) {
    problems.push(
      ...checkExecuted(
        nb,
        slug,
        options.minFigures?.(slug) ?? 0,
        options.minTables?.(slug) ?? 0,
      ),
    );
  }
  const shown = (is: (o: Record<string, unknown>) => boolean) =>
    nb ? outputsOf(nb).filter(({ o }) => o.output_type === "display_data" && is(o)).length : 0;
  return {
    path,
    seconds,
    codeCells: nb?.cells.filter((c) => c.cell_type === "code").length ?? 0,
    figures: shown(isFigure),
    tables: shown(isTable),
    problems: [...new Set(problems)],
  };
}

/**
 * `deno task notebooks [--out DIR] [SLUG…]`: every lesson as a Jupyter notebook on Deno's
 * kernel, made from the source the site renders: prose blocks as Markdown cells, code blocks
 * as code cells, graded tasks as exercise cells at the end. Relative imports are rewritten
 * for the notebook's folder, `import.meta.url` becomes the lesson's URL (cells are scripts),
 * the closing `import.meta.main` block is left out, each output cell ends with
 * `await shown();`, and a first cell turns `Deno.test` off.
 *
 * @module
 */
import { callerPath, flagHelp, type Flags, parseFlags, usageLine } from "../cli/flags.ts";
import { findLesson } from "../lessons/run.ts";
import { relative, resolve } from "node:path";
import { type LessonEntry, LESSONS } from "../lessons/index.ts";
import { splitLiterate } from "../lessons/literate.ts";
import { findOp, tasksOfLesson } from "../kernels/registry.ts";
import { show } from "../kernels/nested.ts";
import { declarationOf } from "../kernels/declaration.ts";
import { UsageError } from "../kernels/errors.ts";
import type { Cell, Notebook } from "./notebook.ts";

export type { Cell, Notebook };

/** Where `deno task notebooks` writes by default: this folder. */
export const NOTEBOOK_DIR: string = new URL(".", import.meta.url).pathname;

/** nbformat's `source`: lines, each but the last ending in "\n". */
function lines(text: string): string[] {
  const parts = text.split("\n");
  return parts.map((l, i) => (i < parts.length - 1 ? `${l}\n` : l));
}

/** `target` as a relative specifier from the folder `from` ("./x.ts" or "../y/x.ts"). */
function specifierFrom(from: string, target: string): string {
  const r = relative(from, target).replaceAll("\\", "/");
  return r.startsWith(".") ? r : `./${r}`;
}

/** A lesson's code block as a cell's source, for a notebook in the folder `outDir`. */
export function cellCode(code: string, lessonFile: string, outDir: string): string {
  const lessonDir = resolve(lessonFile, "..");
  return code
    .replace(
      /(\bfrom\s*|\bimport\s*\(?\s*)(["'])(\.{1,2}\/[^"']+)\2/g,
      (_m, before, q, spec) =>
        `${before}${q}${specifierFrom(outDir, resolve(lessonDir, spec))}${q}`,
    )
    .replace(
      /\bimport\.meta\.url\b/g,
      `new URL(${JSON.stringify(specifierFrom(outDir, lessonFile))}, Deno.mainModule).href`,
    );
}

/** A comment that tries `mine` on the task's first example and says what it should give. */
function tryLine(fn: string, mine: string): string {
  const op = findOp(fn)!;
  const [what, [args]] = op.task.examples[0];
  const call = `${mine}(${args.map((a) => show(a ?? null, 200)).join(", ")})`;
  const expected = show(op.naive(...args), 200);
  const give = expected.length <= 100
    ? `should give ${expected}`
    : "its visible test says what it should give";
  return `// Try it on ${what}:\n// ${call}\n// ${give}`;
}

/** The exercise cells of a lesson's graded tasks: what to write, how to check it, a stub. */
async function exerciseCells(lesson: LessonEntry): Promise<Cell[]> {
  const cells: Cell[] = [];
  for (const task of tasksOfLesson(lesson.slug)) {
    const mine = `my${task.fn[0].toUpperCase()}${task.fn.slice(1)}`;
    const declaration = (await declarationOf(task.fn))
      .replace(`export function ${task.fn}`, `function ${mine}`);
    cells.push(
      {
        id: `task-${task.id.replace(".", "-")}`,
        cell_type: "markdown",
        metadata: {},
        source: lines(
          `### Exercise: task ${task.id}, \`${task.fn}\`: ${task.title}\n\n` +
            `Write it below as \`${mine}\` to try it here. To have it graded, start a starter ` +
            `folder and check your work with the grader, from the course's folder:\n\n` +
            "```sh\n" +
            `deno task assignment new my-work --tasks ${task.id}\n` +
            `deno task grade my-work            # the visible tests\n` +
            `deno task grade my-work --hidden   # and the property runs on random inputs\n` +
            "```",
        ),
      },
      {
        id: `task-${task.id.replace(".", "-")}-code`,
        cell_type: "code",
        metadata: { tags: ["exercise"] },
        source: lines(
          `${declaration} {\n  throw new Error("not written yet (task ${task.id})");\n}\n` +
            tryLine(task.fn, mine),
        ),
        outputs: [],
        execution_count: null,
      },
    );
  }
  return cells;
}

/** The notebook of `lesson`, for the folder `outDir`. */
export async function lessonNotebook(lesson: LessonEntry, outDir: string): Promise<Notebook> {
  const file = lesson.url.pathname;
  const name = file.split("/").pop()!.replace(/\.ts$/, "");
  const show = specifierFrom(outDir, resolve(file, "../show.ts"));
  const cells: Cell[] = [{
    id: "setup",
    cell_type: "code",
    metadata: { tags: ["setup"] },
    source: lines(
      `// Made from lessons/${name}.ts by \`deno task notebooks\`: run the cells in order.\n` +
        `// The lesson's claims are tests that \`deno task test\` runs (some train a model); here\n` +
        `// each claim cell only says what it claims.\n` +
        `void (Deno.test = ((a: unknown) => {\n` +
        `  const name = typeof a === "string" ? a : (a as { name?: string }).name ?? "";\n` +
        `  console.log(\`claim, checked by deno task test: \${name}\`);\n` +
        `}) as unknown as typeof Deno.test);\n` +
        `import { shown } from ${JSON.stringify(show)};`,
    ),
    outputs: [],
    execution_count: null,
  }];
  for (const [i, block] of splitLiterate(await Deno.readTextFile(lesson.url)).entries()) {
    if (block.kind === "prose") {
      cells.push({
        id: `${name}-${i}`,
        cell_type: "markdown",
        metadata: {},
        source: lines(block.markdown),
      });
      continue;
    }
    if (/^if \(import\.meta\.main\)/.test(block.code)) continue;
    let code = cellCode(block.code, file, outDir);
    if (/\bshow\(/.test(code)) code += "\nawait shown();";
    cells.push({
      id: `${name}-${i}`,
      cell_type: "code",
      metadata: { lesson_line: block.line },
      source: lines(code),
      outputs: [],
      execution_count: null,
    });
  }
  cells.push(...await exerciseCells(lesson));
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: "deno", display_name: "Deno", language: "typescript" },
      language_info: {
        name: "typescript",
        file_extension: ".ts",
        mimetype: "text/x.typescript",
        codemirror_mode: "typescript",
        nbconvert_exporter: "script",
        pygments_lexer: "typescript",
      },
      litconv: { lesson: `lessons/${name}.ts`, title: lesson.title },
    },
    cells,
  };
}

/** The notebook's file name: the lesson's, `.ipynb`. */
export function notebookName(lesson: LessonEntry): string {
  return lesson.url.pathname.split("/").pop()!.replace(/\.ts$/, ".ipynb");
}

/** The lessons named by slug or number (`02-conv1d`, `02`), or all of them. */
export function pickLessons(names: string[]): LessonEntry[] {
  if (names.length === 0) return [...LESSONS];
  const slugs = LESSONS.map((l) => l.slug);
  // The same names `deno task lesson` takes: 2, 02, conv1d, 02-conv1d, lessons/02_conv1d.ts.
  return names.map((n) => LESSONS[slugs.indexOf(findLesson(n, slugs))]);
}

/** Writes the notebooks of `lessons` into `outDir`; returns their paths. */
export async function writeNotebooks(outDir: string, lessons: LessonEntry[]): Promise<string[]> {
  await Deno.mkdir(outDir, { recursive: true });
  const dir = await Deno.realPath(outDir);
  const paths: string[] = [];
  for (const lesson of lessons) {
    const path = `${dir}/${notebookName(lesson)}`;
    await Deno.writeTextFile(
      path,
      JSON.stringify(await lessonNotebook(lesson, dir), null, 1) + "\n",
    );
    paths.push(path);
  }
  return paths;
}

const FLAGS = {
  out: {
    type: "string",
    value: "DIR",
    help: "where to write them, relative to where you are (default notebooks/ in the course)",
  },
} as const satisfies Flags;

const HELP = `deno task notebooks [flags] [LESSON…]

Writes each lesson (all, or those named: 02, 2, conv1d) as a Jupyter notebook on Deno's kernel.

${flagHelp(FLAGS)}
`;

if (import.meta.main) {
  const command = "deno task notebooks";
  try {
    const { values, positionals } = parseFlags(Deno.args, FLAGS, { positionals: true });
    if (values.help) {
      console.log(HELP);
      Deno.exit(0);
    }
    const out = values.out === undefined ? NOTEBOOK_DIR : callerPath(values.out);
    const paths = await writeNotebooks(out, pickLessons(positionals));
    for (const p of paths) console.log(`wrote ${p}`);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(usageLine(command, e));
    Deno.exit(2);
  }
}

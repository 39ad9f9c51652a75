/**
 * `deno task notebooks [--out DIR] [--check] [SLUG…]`: every lesson as a Jupyter notebook on
 * Deno's kernel, made from the source the site renders: prose blocks as Markdown cells, code
 * blocks as code cells, graded tasks as exercise cells at the end. Relative imports are
 * rewritten for the notebook's folder (or as `file://` URLs, for a notebook to download),
 * `import.meta.url` becomes the lesson's URL (cells are scripts), the closing
 * `import.meta.main` block is left out, and a first cell makes `Deno.test` check each claim
 * where it stands (`claims.ts`). A cell that shows outputs ends with `await shown();`, one that
 * states claims with `await checked();`. A notebook in DIR that is executed and still its
 * lesson's is kept as it is. `--check` writes nothing: it says which notebooks in DIR are not
 * their lessons' any more, or not executed (`stale.ts`).
 *
 * @module
 */
import { callerPath, flagHelp, type Flags, parseFlags, usageLine } from "../cli/flags.ts";
import { findLesson } from "../lessons/run.ts";
import { relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type LessonEntry, LESSONS } from "../lessons/index.ts";
import { splitLiterate } from "../lessons/literate.ts";
import { findOp, tasksOfLesson } from "../kernels/registry.ts";
import { show } from "../kernels/nested.ts";
import { declarationOf } from "../kernels/declaration.ts";
import { UsageError } from "../kernels/errors.ts";
import { type Cell, CHECKED, type Notebook, SHOWN } from "./notebook.ts";
import { staleness } from "./stale.ts";

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

/**
 * How a notebook's cells name the course's files: relative to the folder it is written to
 * (it runs there), or by `file://` URL (it runs wherever it is saved, on the machine whose
 * course made it).
 */
export type Linking = { folder: string } | { fileUrls: true };

/** The specifier of the course file `target` in a notebook linked by `linking`. */
function specifier(linking: Linking, target: string): string {
  return "folder" in linking ? specifierFrom(linking.folder, target) : pathToFileURL(target).href;
}

/** A lesson's code block as a cell's source, for a notebook linked by `linking`. */
export function cellCode(code: string, lessonFile: string, linking: Linking): string {
  const lessonDir = resolve(lessonFile, "..");
  // A cell is a script of the kernel's, so its import.meta is not the lesson's.
  const lessonUrl = "folder" in linking
    ? `new URL(${JSON.stringify(specifier(linking, lessonFile))}, Deno.mainModule).href`
    : JSON.stringify(specifier(linking, lessonFile));
  return code
    .replace(
      /(\bfrom\s*|\bimport\s*\(?\s*)(["'])(\.{1,2}\/[^"']+)\2/g,
      (_m, before, q, spec) => `${before}${q}${specifier(linking, resolve(lessonDir, spec))}${q}`,
    )
    .replace(/\bimport\.meta\.url\b/g, lessonUrl);
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

/** The notebook of `lesson`, its imports linked by `linking`. */
export async function lessonNotebook(lesson: LessonEntry, linking: Linking): Promise<Notebook> {
  const file = lesson.url.pathname;
  const name = file.split("/").pop()!.replace(/\.ts$/, "");
  const show = specifier(linking, resolve(file, "../show.ts"));
  const claims = specifier(linking, new URL("./claims.ts", import.meta.url).pathname);
  const cells: Cell[] = [{
    id: "setup",
    cell_type: "code",
    metadata: { tags: ["setup"] },
    source: lines(
      `// Made from lessons/${name}.ts by \`deno task notebooks\`: run the cells in order.\n` +
        `// Each claim of the lesson (a Deno.test) runs where it stands and prints ✓ or ✗ with\n` +
        `// its name; one that cannot run here says why. \`deno task test\` runs them all.\n` +
        `import { shown } from ${JSON.stringify(show)};\n` +
        `import { checked, runClaimsHere } from ${JSON.stringify(claims)};\n` +
        `runClaimsHere();`,
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
    let code = cellCode(block.code, file, linking);
    if (/\bshow\(/.test(code)) code += `\n${SHOWN}`;
    if (/\bDeno\.test\(/.test(code)) code += `\n${CHECKED}`;
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
    await Deno.writeTextFile(path, notebookText(await lessonNotebook(lesson, { folder: dir })));
    paths.push(path);
  }
  return paths;
}

/** A notebook as its file holds it. */
export function notebookText(nb: Notebook): string {
  return JSON.stringify(nb, null, 1) + "\n";
}

/**
 * What is stale among the notebooks of `lessons` in `dir`: one line for each that is missing,
 * not its lesson's any more, or not executed, with the command that refreshes it.
 */
export async function staleNotebooks(dir: string, lessons: LessonEntry[]): Promise<string[]> {
  // A folder that is not there holds no notebook: each reads as missing below.
  const folder = await Deno.realPath(dir).catch(() => resolve(dir));
  const lines: string[] = [];
  for (const lesson of lessons) {
    const path = `${folder}/${notebookName(lesson)}`;
    const fresh = await lessonNotebook(lesson, { folder });
    let problems: string[];
    try {
      problems = staleness(fresh, JSON.parse(await Deno.readTextFile(path)));
    } catch (e) {
      problems = [`unreadable: ${(e as Error).message.split("\n")[0]}`];
    }
    if (problems.length === 0) continue;
    const out = folder === (await Deno.realPath(NOTEBOOK_DIR)) ? "" : ` --out ${folder}`;
    const order = String(lesson.order).padStart(2, "0");
    const shown = relative(Deno.cwd(), path).startsWith("..") ? path : relative(Deno.cwd(), path);
    lines.push(
      `${shown} is stale: ${problems.join("; ")}. ` +
        `Refresh it with \`deno task notebooks:run${out} ${order}\` and commit it.`,
    );
  }
  return lines;
}

const FLAGS = {
  out: {
    type: "string",
    value: "DIR",
    help: "where to write them, relative to where you are (default notebooks/ in the course)",
  },
  check: {
    type: "boolean",
    help: "write nothing; fail if a notebook in DIR is not its lesson's or not executed",
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
    if (values.check) {
      const lessons = pickLessons(positionals);
      const stale = await staleNotebooks(out, lessons);
      for (const line of stale) console.error(line);
      if (stale.length) Deno.exit(1);
      console.log(`${lessons.length} notebook(s) current and executed`);
      Deno.exit(0);
    }
    // A notebook that is executed and still its lesson's stays: writing it anew drops its outputs.
    const kept: LessonEntry[] = [];
    const lessons = pickLessons(positionals);
    for (const l of lessons) if ((await staleNotebooks(out, [l])).length === 0) kept.push(l);
    const paths = await writeNotebooks(out, lessons.filter((l) => !kept.includes(l)));
    for (const l of kept) console.log(`kept ${notebookName(l)}: executed, and its lesson's`);
    for (const p of paths) console.log(`wrote ${p}`);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(usageLine(command, e));
    Deno.exit(2);
  }
}

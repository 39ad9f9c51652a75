/**
 * The lessons as Jupyter notebooks, executed by real Jupyter (Debian's python3-nbclient) on
 * Deno's own kernel: every cell runs without an error, the lecture's numbers are in the
 * outputs, and each notebook shows every figure its lesson page shows, as SVG, under the cell
 * that draws it. Also: a cell that raises is reported, and the checks catch a missing number
 * or figure.
 *
 * The commands run in child processes: importing the lessons here would register their own
 * tests a second time (tests/lessons_test.ts runs them).
 */
import assert from "node:assert/strict";
import type { Notebook } from "../notebooks/notebook.ts";
import { checkExecuted, executeNotebooks } from "../notebooks/execute.ts";
import { nbclientMissing, needs } from "./requirements.ts";

const NOTEBOOKS = new URL("../notebooks/", import.meta.url).pathname;

/** A scratch folder beside the notebooks, so their relative imports reach the library. */
const scratch = () => Deno.makeTempDir({ dir: NOTEBOOKS, prefix: ".test-" });

/** `deno run -A notebooks/<script> …args`: exit code and output. */
async function notebooksCommand(script: string, ...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${NOTEBOOKS}${script}`, ...args],
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/** Why Jupyter cannot run here, if it cannot: the tests that execute notebooks need it. */
const jupyterMissing = await nbclientMissing();
const read = async (path: string): Promise<Notebook> => JSON.parse(await Deno.readTextFile(path));

/** An nbformat-4 notebook on Deno's kernel holding `cells`. */
const notebookOf = (cells: Notebook["cells"]): Notebook => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: "deno", display_name: "Deno", language: "typescript" } },
  cells,
});

Deno.test(needs(jupyterMissing, {
  name: "every lesson's notebook runs in Jupyter on Deno's kernel, its outputs under its cells",
  fn: everyNotebookRuns,
}));
async function everyNotebookRuns() {
  const dir = await scratch();
  try {
    const run = await notebooksCommand("run.ts", "--out", dir, "--timeout", "240");
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const lines = run.stdout.trim().split("\n");
    assert.equal(lines.at(-1), "11 of 11 notebooks ran clean");
    // Each notebook shows every figure and table of its lesson's page: run.ts compares them
    // with lessons/counts.ts, which counts them from the lessons; a notebook short of them fails.
    for (const line of lines.slice(0, -1)) {
      assert.match(line, /^\d\d_\w+\.ipynb .* ok$/, line);
      assert.doesNotMatch(line, /, 0 figure\(s\)/, `${line}: every lesson draws figures`);
    }
    // Outputs sit under the cell that computes them: lesson 02's conv1d under the one cell that
    // shows it, with the lecture's numbers.
    const nb = await read(`${dir}/02_conv1d.ipynb`);
    const holding = nb.cells.filter((c) =>
      c.cell_type === "code" && JSON.stringify(c.outputs).includes("Conv1d Implementation")
    );
    assert.equal(holding.length, 1);
    assert.match(holding[0].source.join(""), /show\("Conv1d Implementation"/);
    assert.match(JSON.stringify(holding[0]), /\[ 5 14 16 26 24 34 19 22\]/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a notebook is the lesson's blocks in order, imports rewritten, no closing main block", async () => {
  const dir = await scratch();
  try {
    const made = await notebooksCommand("build.ts", "--out", dir, "06");
    assert.equal(made.code, 0, made.stderr);
    const nb = await read(`${dir}/06_channels.ipynb`);
    assert.equal((nb.metadata.kernelspec as { name: string }).name, "deno");
    const code = nb.cells.filter((c) => c.cell_type === "code").map((c) => c.source.join(""));
    const all = code.join("\n");
    assert.doesNotMatch(all, /import\.meta/, "import.meta is a syntax error in a cell");
    assert.doesNotMatch(all, /from "\.\/(show|twins|literate)\.ts"/, "a lesson-relative import");
    assert.match(all, /from "\.\.\/\.\.\/lessons\/show\.ts"/);
    // The claims' cells say what they claim: Deno.test prints each claim's name.
    assert.match(code[0], /console\.log\(`claim, checked by deno task test: \$\{name\}`\)/);
    assert.ok(code.every((c) => !/\bshow\(/.test(c) || c.trimEnd().endsWith("await shown();")));
    // The lesson's prose, in order: its title first.
    const markdown = nb.cells.filter((c) => c.cell_type === "markdown").map((c) =>
      c.source.join("")
    );
    assert.match(markdown[0], /^# 06 · /);
    // The exercise: the real declaration, renamed so it does not clash with the import.
    assert.ok(code.some((c) => /^function myConv2dLayer\(/m.test(c)));
    assert.ok(markdown.some((m) => m.includes("deno task grade my-work")));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test(needs(jupyterMissing, {
  name: "a cell that raises is reported, with its error",
  fn: aRaisingCellIsReported,
}));
async function aRaisingCellIsReported() {
  const dir = await scratch();
  try {
    const path = `${dir}/boom.ipynb`;
    const nb = notebookOf(
      ["console.log('before');", 'throw new Error("boom from a cell");', "1 + 1"].map((
        source,
        i,
      ) => ({
        id: `c${i}`,
        cell_type: "code" as const,
        metadata: {},
        source: [source],
        outputs: [],
        execution_count: null,
      })),
    );
    await Deno.writeTextFile(path, JSON.stringify(nb));
    const [report] = await executeNotebooks([path], { timeout: 60 });
    const problems = report.problems.join("\n");
    assert.match(problems, /a cell raised/);
    assert.match(problems, /boom from a cell/);
    const [first, , last] = (await read(path)).cells.map((c) => JSON.stringify(c));
    assert.match(first, /before/);
    assert.match(last, /"outputs":\[\]/, "cells after the error do not run");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test(needs(jupyterMissing, {
  name: "a notebook Jupyter would refuse (an invalid cell id) is reported before it runs",
  fn: anInvalidNotebookIsReported,
}));
async function anInvalidNotebookIsReported() {
  const dir = await scratch();
  try {
    const path = `${dir}/bad.ipynb`;
    const nb = notebookOf([
      { id: "task-02.1", cell_type: "markdown", metadata: {}, source: ["# hi"] },
    ]);
    await Deno.writeTextFile(path, JSON.stringify(nb));
    const [report] = await executeNotebooks([path], { timeout: 60 });
    assert.match(report.problems.join("\n"), /not a valid notebook/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("the checks of an executed notebook miss no lecture number, no figure and no table", () => {
  const executed = (text: string, svgs: number): Notebook => ({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [{
      id: "a",
      cell_type: "code",
      metadata: {},
      source: [],
      execution_count: 1,
      outputs: [
        { output_type: "stream", name: "stdout", text: [text] },
        ...Array.from(
          { length: svgs },
          () => ({ output_type: "display_data", data: { "image/svg+xml": "<svg/>" } }),
        ),
      ],
    }],
  });
  assert.deepEqual(checkExecuted(executed("BCE 0.3711, CE 0.5996", 2), "07-regularization", 2), []);
  assert.match(checkExecuted(executed("BCE 0.3711", 2), "07-regularization", 2)[0], /0\.5996/);
  assert.match(
    checkExecuted(executed("x", 1), "05-pooling", 2)[0],
    /1 figure\(s\), expected at least 2/,
  );
  assert.match(
    checkExecuted(executed("x", 2), "05-pooling", 2, 1)[0],
    /0 table\(s\), expected at least 1/,
  );
});

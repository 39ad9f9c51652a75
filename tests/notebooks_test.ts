/**
 * The lessons as Jupyter notebooks, executed by real Jupyter (Debian's python3-nbclient) on
 * Deno's own kernel: every cell runs without an error, the lecture's numbers are in the
 * outputs, each notebook shows every figure its lesson page shows, as SVG, under the cell
 * that draws it, and each claim cell prints what it checked. The executed notebooks committed
 * under notebooks/ are their lessons' (a stale one fails), the notebook a lesson page offers
 * runs from a folder outside the course, and a figure survives nbconvert's HTML export. Also:
 * a cell that raises is reported, and the checks catch a missing number, figure or claim.
 *
 * The commands run in child processes: importing the lessons here would register their own
 * tests a second time (tests/lessons_test.ts runs them).
 */
import assert from "node:assert/strict";
import type { Notebook } from "../notebooks/notebook.ts";
import { checkExecuted, executeNotebooks } from "../notebooks/execute.ts";
import { checkClaim } from "../notebooks/claims.ts";
import { NOT_IN_NOTEBOOK } from "../lessons/requires.ts";
import { nbclientMissing, needs, programMissing } from "./requirements.ts";

const NOTEBOOKS = new URL("../notebooks/", import.meta.url).pathname;
const ROOT = new URL("..", import.meta.url).pathname;

/** A temporary folder, removed when the `await using` that holds it goes out of scope. */
async function tempFolder(
  options: Deno.MakeTempOptions,
): Promise<AsyncDisposable & { path: string }> {
  const path = await Deno.makeTempDir(options);
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

/** A scratch folder beside the notebooks, so their relative imports reach the library. */
const scratch = () => tempFolder({ dir: NOTEBOOKS, prefix: ".test-" });

/** `deno <args…>`: exit code and output. */
async function deno(...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), { args }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/** `deno run -A notebooks/<script> …args`: exit code and output. */
const notebooksCommand = (script: string, ...args: string[]) =>
  deno("run", "-A", `${NOTEBOOKS}${script}`, ...args);

/** Every line a claim printed in a notebook's outputs (✓, ✗ or ○ first). */
const claimLines = (nb: Notebook): string[] =>
  nb.cells.flatMap((c) => c.cell_type === "code" ? c.outputs : [])
    .flatMap((o) => {
      const out = o as { output_type: string; text?: string | string[] };
      return out.output_type === "stream" ? [out.text ?? ""].flat().join("").split("\n") : [];
    })
    .filter((line) => /^[✓✗○] /.test(line));

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
  await using folder = await scratch();
  const dir = folder.path;
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
  // Each claim printed what became of it, under the cell that states it; none failed.
  const claims = claimLines(nb);
  assert.equal(claims.length, 4, claims.join("\n"));
  assert.ok(
    claims.includes(
      "✓ 02: conv1d matches the formula, the TF.js twin, and the lecture's numbers",
    ),
  );
  // Freshly executed notebooks pass the check that the committed ones must pass.
  const check = await notebooksCommand("build.ts", "--check", "--out", dir);
  assert.equal(check.code, 0, check.stderr);
  assert.match(check.stdout, /^11 notebook\(s\) current and executed$/m);
  // Making the notebooks again keeps one that is current and executed, outputs and all.
  const before = await Deno.readTextFile(`${dir}/02_conv1d.ipynb`);
  const again = await notebooksCommand("build.ts", "--out", dir, "02");
  assert.match(again.stdout, /^kept 02_conv1d\.ipynb: executed, and its lesson's$/m);
  assert.equal(await Deno.readTextFile(`${dir}/02_conv1d.ipynb`), before);
}

Deno.test("a notebook is the lesson's blocks in order, imports rewritten, no closing main block", async () => {
  await using folder = await scratch();
  const dir = folder.path;
  const made = await notebooksCommand("build.ts", "--out", dir, "06");
  assert.equal(made.code, 0, made.stderr);
  const nb = await read(`${dir}/06_channels.ipynb`);
  assert.equal((nb.metadata.kernelspec as { name: string }).name, "deno");
  const code = nb.cells.filter((c) => c.cell_type === "code").map((c) => c.source.join(""));
  const all = code.join("\n");
  assert.doesNotMatch(all, /import\.meta/, "import.meta is a syntax error in a cell");
  assert.doesNotMatch(all, /from "\.\/(show|twins|literate)\.ts"/, "a lesson-relative import");
  assert.match(all, /from "\.\.\/\.\.\/lessons\/show\.ts"/);
  // The first cell makes each claim run where it stands; a claim cell waits for their lines.
  assert.match(
    code[0],
    /import \{ checked, runClaimsHere \} from "\.\.\/claims\.ts";\nrunClaimsHere\(\);/,
  );
  assert.ok(code.every((c) => !/\bshow\(/.test(c) || c.includes("\nawait shown();")));
  const claimCells = code.filter((c) => /\bDeno\.test\(/.test(c));
  assert.ok(claimCells.length > 0 && claimCells.every((c) => c.endsWith("\nawait checked();")));
  // The lesson's prose, in order: its title first.
  const markdown = nb.cells.filter((c) => c.cell_type === "markdown").map((c) => c.source.join(""));
  assert.match(markdown[0], /^# 06 · /);
  // The exercise: the real declaration, renamed so it does not clash with the import.
  assert.ok(code.some((c) => /^function myConv2dLayer\(/m.test(c)));
  assert.ok(markdown.some((m) => m.includes("deno task grade my-work")));
});

Deno.test(needs(jupyterMissing, {
  name: "a cell that raises is reported, with its error",
  fn: aRaisingCellIsReported,
}));
async function aRaisingCellIsReported() {
  await using folder = await scratch();
  const dir = folder.path;
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
}

Deno.test(needs(jupyterMissing, {
  name: "a notebook Jupyter would refuse (an invalid cell id) is reported before it runs",
  fn: anInvalidNotebookIsReported,
}));
async function anInvalidNotebookIsReported() {
  await using folder = await scratch();
  const dir = folder.path;
  const path = `${dir}/bad.ipynb`;
  const nb = notebookOf([
    { id: "task-02.1", cell_type: "markdown", metadata: {}, source: ["# hi"] },
  ]);
  await Deno.writeTextFile(path, JSON.stringify(nb));
  const [report] = await executeNotebooks([path], { timeout: 60 });
  assert.match(report.problems.join("\n"), /not a valid notebook/);
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
  assert.match(
    checkExecuted(executed("✓ 05: holds\n✗ 05: pools: Error: no\n", 2), "05-pooling", 2)[0],
    /a claim failed: 05: pools: Error: no/,
  );
});

Deno.test("a claim in a notebook prints ✓, ✗ with its error's first line, or why it did not run", async () => {
  let ran = 0;
  const holds = { name: "holds", fn: () => void ran++ };
  assert.equal(await checkClaim(holds), "✓ holds");
  const fails = {
    name: "fails",
    fn: () => assert.equal(1 + 1, 3, "one and one\nis not three"),
  };
  assert.equal(await checkClaim(fails), "✗ fails: AssertionError: one and one");
  const marked = { name: "reads records", fn: () => void ran++, [NOT_IN_NOTEBOOK]: "a reason" };
  assert.equal(
    await checkClaim(marked),
    "○ reads records: not run here (a reason); deno task test runs it",
  );
  const ignored = { name: "needs x (ignored: x missing)", ignore: true, fn: () => void ran++ };
  assert.match(await checkClaim(ignored), /^○ needs x \(ignored: x missing\): not run here/);
  assert.equal(ran, 1, "only the claim that may run here ran");
});

Deno.test("the executed notebooks under notebooks/ are their lessons' (deno task notebooks --check)", async () => {
  const check = await notebooksCommand("build.ts", "--check");
  assert.equal(check.code, 0, check.stderr);
  assert.match(check.stdout, /^11 notebook\(s\) current and executed$/m);
  for await (const f of Deno.readDir(NOTEBOOKS)) {
    if (!f.name.endsWith(".ipynb")) continue;
    const claims = claimLines(await read(`${NOTEBOOKS}${f.name}`));
    assert.ok(claims.some((l) => l.startsWith("✓ ")), `${f.name}: no claim checked`);
    assert.ok(!claims.some((l) => l.startsWith("✗ ")), `${f.name}: a claim failed`);
  }
});

Deno.test("the stale check names an unexecuted notebook, an edited cell, and the command to refresh", async () => {
  await using folder = await scratch();
  const dir = folder.path;
  const made = await notebooksCommand("build.ts", "--out", dir, "02");
  assert.equal(made.code, 0, made.stderr);
  const unexecuted = await notebooksCommand("build.ts", "--check", "--out", dir, "02");
  assert.equal(unexecuted.code, 1);
  assert.match(unexecuted.stderr, /02_conv1d\.ipynb is stale: .*have none \(not executed\)/);
  assert.match(unexecuted.stderr, new RegExp(`deno task notebooks:run --out ${dir} 02\``));
  const path = `${dir}/02_conv1d.ipynb`;
  const nb = await read(path);
  const i = nb.cells.findIndex((c) => c.source.join("").includes("Conv1d Implementation"));
  nb.cells[i].source = nb.cells[i].source.map((l) => l.replace("padding: 2", "padding: 1"));
  await Deno.writeTextFile(path, JSON.stringify(nb));
  const edited = await notebooksCommand("build.ts", "--check", "--out", dir, "02");
  assert.equal(edited.code, 1);
  assert.match(edited.stderr, new RegExp(`cell ${i} \\(${nb.cells[i].id}\\) differs`));
});

Deno.test(needs(jupyterMissing, {
  name: "the notebook a lesson page offers runs from a folder outside the course",
  fn: theOfferedNotebookRunsAnywhere,
}));
async function theOfferedNotebookRunsAnywhere() {
  // What the site copies for lesson 02's download link, made in a child (it imports lessons).
  const offer = await deno(
    "eval",
    `import { LESSONS } from "${ROOT}lessons/index.ts";
     import { offeredNotebook } from "${ROOT}site/lib/notebook_data.ts";
     console.log(JSON.stringify(await offeredNotebook(LESSONS[1])));`,
  );
  assert.equal(offer.code, 0, offer.stderr);
  const offered = JSON.parse(offer.stdout);
  assert.equal(offered.name, "02_conv1d.ipynb");
  assert.ok(offered.executed, "the committed 02 is stale, so the offer carries no outputs");
  await using folder = await tempFolder({ prefix: "litconv-download-" });
  const away = folder.path;
  assert.ok(!(await Deno.realPath(away)).startsWith(ROOT), `${away} is inside the course`);
  const nb = await read(offered.path);
  const code = nb.cells.flatMap((c) => c.cell_type === "code" ? [c.source.join("")] : []);
  assert.doesNotMatch(code.join("\n"), /from "\.{1,2}\//, "a relative import");
  assert.match(code[0], new RegExp(`from "file://${ROOT}lessons/show\\.ts"`));
  // Without its outputs, so what it shows below comes from this run.
  for (const c of nb.cells) if (c.cell_type === "code") c.outputs = [];
  const path = `${away}/02_conv1d.ipynb`;
  await Deno.writeTextFile(path, JSON.stringify(nb));
  const [report] = await executeNotebooks([path], { timeout: 240 });
  assert.deepEqual(report.problems, []);
  const text = JSON.stringify((await read(path)).cells);
  assert.match(text, /\[ 5 14 16 26 24 34 19 22\]/);
  assert.equal(claimLines(await read(path)).filter((l) => l.startsWith("✓ ")).length, 4);
}

const nbconvertMissing = await programMissing(
  "/usr/bin/python3",
  ["-c", "import nbconvert"],
  "python3-nbconvert",
);

Deno.test(needs(nbconvertMissing, {
  name: "a committed notebook's figures survive jupyter nbconvert --to html, marks and all",
  fn: async () => {
    const out = await new Deno.Command("/usr/bin/python3", {
      args: ["-m", "nbconvert", "--to", "html", "--stdout", `${NOTEBOOKS}02_conv1d.ipynb`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    const html = new TextDecoder().decode(out.stdout);
    const images = [...html.matchAll(/src="data:image\/svg\+xml;base64,([^"]+)"/g)];
    assert.ok(images.length >= 2, `${images.length} figure(s) in the HTML`);
    for (const [, base64] of images) {
      const svg = new TextDecoder().decode(Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0)));
      assert.match(svg, /^<svg [^>]*>/);
      assert.match(svg, /<(rect|line|path|text|circle|polyline)\b/, "the figure's marks");
    }
    assert.match(html, /\[ 5 14 16 26 24 34 19 22\]/);
  },
}));

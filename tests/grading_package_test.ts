/**
 * The Gradescope package: unzipped into a stand-in for /autograder (run_autograder's root is
 * overridable), run_autograder grades a correct and a hostile submission into
 * results/results.json.
 */
import assert from "node:assert/strict";
import { unzipSync } from "../deps/fflate.ts";
import { buildPackage, packageSettings } from "../grading/package.ts";
import { assemble, FIXTURES, readResults } from "./grading_helpers.ts";

/** Unpacks `zip` as Gradescope does: into ROOT/source, with ROOT/submission and ROOT/results. */
async function autograderRoot(zip: Uint8Array, submission: string): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "litconv-autograder-" });
  for (const [path, data] of Object.entries(unzipSync(zip))) {
    const file = `${root}/source/${path}`;
    await Deno.mkdir(file.slice(0, file.lastIndexOf("/")), { recursive: true });
    await Deno.writeFile(file, data);
  }
  await Deno.mkdir(`${root}/submission`);
  for await (const e of Deno.readDir(submission)) {
    await Deno.copyFile(`${submission}/${e.name}`, `${root}/submission/${e.name}`);
  }
  return root;
}

/** What run_autograder printed on stderr, by root: shown when a check fails. */
const printed = new Map<string, string>();

async function runAutograder(root: string): Promise<number> {
  const out = await new Deno.Command("bash", {
    args: [`${root}/source/run_autograder`],
    env: { AUTOGRADER_ROOT: root },
    stdout: "null",
    stderr: "piped",
  }).output();
  printed.set(root, new TextDecoder().decode(out.stderr).slice(-4000));
  return out.code;
}

Deno.test("the Gradescope package grades a correct and a hostile submission", async () => {
  // The seed is the package's own: random, not 1 (a student's --hidden default), secret.
  const zip = await buildPackage(packageSettings({ tasks: ["02.1", "04.1", "07.2"], runs: 20 }));
  const unzipped = unzipSync(zip);
  const files = Object.keys(unzipped);
  const settings = JSON.parse(new TextDecoder().decode(unzipped["autograder.json"]));
  assert.ok(Number.isSafeInteger(settings.seed) && settings.seed !== 1, String(settings.seed));
  const runScript = new TextDecoder().decode(unzipped["run_autograder"]);
  assert.doesNotMatch(runScript, new RegExp(String(settings.seed)), "not on a command line");
  for (
    const f of [
      "setup.sh",
      "run_autograder",
      "autograder.json",
      "grading/cli.ts",
      "grading/harness.ts",
      "kernels/conv.ts",
      "data/atomic.ts",
      "deno.json",
    ]
  ) {
    assert.ok(files.includes(f), `${f} in the zip`);
  }
  const escape = await assemble("escape");
  const [correct, hostile] = await Promise.all([
    autograderRoot(zip, `${FIXTURES}correct`),
    autograderRoot(zip, escape),
  ]);
  const syntax = await new Deno.Command("bash", { args: ["-n", `${correct}/source/setup.sh`] })
    .output();
  assert.ok(syntax.success, "setup.sh parses");

  assert.deepEqual(await Promise.all([runAutograder(correct), runAutograder(hostile)]), [0, 0]);
  const good = await readResults(`${correct}/results/results.json`);
  assert.equal(good.score, good.tests.reduce((s, t) => s + t.max_score, 0));
  assert.ok(
    good.tests.some((t) => t.visibility === "after_due_date"),
    `hidden tests included: ${good.output}\n${printed.get(correct)}`,
  );
  assert.deepEqual([...new Set(good.tests.map((t) => t.name.split(":")[0]))], [
    "conv1d",
    "conv2d",
    "softmax",
  ]);
  for (const root of [correct, hostile]) {
    const text = await Deno.readTextFile(`${root}/results/results.json`);
    assert.doesNotMatch(text, new RegExp(String(settings.seed)), "the seed is never shown");
    assert.doesNotMatch(text, /seed \d/);
  }
  const bad = await readResults(`${hostile}/results/results.json`);
  for (const t of bad.tests) assert.equal(t.score, 0, t.name); // each function tries an escape
  assert.match(bad.tests[0].output, /Requires read access/);
  // Deno fills source/node_modules from its cache: hundreds of MB, not left in /tmp.
  for (const d of [correct, hostile, escape]) await Deno.remove(d, { recursive: true });
});

Deno.test("run_autograder leaves a valid results.json even when the grader cannot start", async () => {
  const zip = await buildPackage();
  const root = await autograderRoot(zip, `${FIXTURES}empty`);
  await Deno.remove(`${root}/source/grading/cli.ts`); // a broken install
  assert.equal(await runAutograder(root), 0);
  const r = JSON.parse(await Deno.readTextFile(`${root}/results/results.json`));
  assert.equal(r.score, 0);
  assert.match(r.output, /failed to start/);
  await Deno.remove(root, { recursive: true });
});

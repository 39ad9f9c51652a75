/**
 * A starter folder made by `deno task assignment new` in a temporary folder outside the
 * repository: its visible tests run with a plain `deno test` there and fail as
 * unimplemented; filled with correct code they pass, and the grader gives full marks.
 */
import assert from "node:assert/strict";
import { FIXTURES, gradeCli, readResults, REPO, studentDeno } from "./grading_helpers.ts";

Deno.test("a starter folder works outside the repo, from stubs to full marks", async () => {
  const parent = await Deno.makeTempDir({ prefix: "litconv-starter-" });
  const dir = `${parent}/hw`;
  assert.ok(!dir.startsWith(REPO));
  const made = await studentDeno(
    ["task", "assignment", "new", dir, "--tasks", "04.1,02.1,10.1"],
    REPO,
  );
  assert.equal(made.code, 0, made.text);
  const mod = await Deno.readTextFile(`${dir}/mod.ts`);
  // Course order, whatever order --tasks gave.
  assert.ok(mod.indexOf("function conv1d") < mod.indexOf("function conv2d"));
  assert.match(mod, /throw new Error\("not implemented yet \(task 02.1\)"\)/);
  assert.doesNotMatch(mod, /function maxPool2d/);

  const stubs = await studentDeno(["test", "--no-config"], dir);
  assert.notEqual(stubs.code, 0);
  assert.match(stubs.text, /not implemented yet \(task 02.1\)/);
  assert.match(stubs.text, /not implemented yet \(task 10.1\)/);
  assert.match(stubs.text, /0 passed/);

  // Check-my-work from the student's own folder: "." is where the student is, not the repo.
  // The starter's README gives the command, tasks included: the folder cannot choose them.
  const readme = await Deno.readTextFile(`${dir}/README.md`);
  assert.match(readme, /grade \. --tasks 02\.1,04\.1,10\.1/);
  const check = await studentDeno(
    ["task", "--config", `${REPO}deno.json`, "grade", ".", "--tasks", "02.1,04.1,10.1"],
    dir,
  );
  assert.equal(check.code, 0, check.text);
  assert.match(check.text, /Score: 0 \/ \d+/);
  assert.match(check.text, /not implemented yet \(task 02.1\)/);

  await Deno.copyFile(`${FIXTURES}correct/mod.ts`, `${dir}/mod.ts`);
  const filled = await studentDeno(["test", "--no-config"], dir);
  assert.equal(filled.code, 0, filled.text);
  assert.match(filled.text, /ok \| \d+ passed \| 0 failed/);

  const out = `${parent}/results.json`;
  const graded = await gradeCli([dir, "--hidden", "--tasks", "02.1,04.1,10.1", "--out", out]);
  assert.equal(graded.code, 0);
  const r = await readResults(out);
  assert.equal(r.score, r.tests.reduce((s, t) => s + t.max_score, 0), graded.stdout);
  assert.deepEqual(
    [...new Set(r.tests.map((t) => t.name.split(":")[0]))],
    ["conv1d", "conv2d", "extraConvModel"],
  );
  await Deno.remove(parent, { recursive: true });
});

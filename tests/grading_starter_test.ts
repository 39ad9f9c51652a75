/**
 * A starter folder made by `deno task assignment new` in a temporary folder outside the
 * repository: its visible tests run with a plain `deno test` there and fail as
 * unimplemented; filled with correct code they pass, one Deno test per graded test, and
 * check-my-work, with no task named, gives full marks out of the starter's own tasks.
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
  // With no --tasks it grades the tasks the starter was made for, and says so.
  const readme = await Deno.readTextFile(`${dir}/README.md`);
  assert.match(readme, /deno task --config PATH\/TO\/litconv\/deno\.json grade \.`/);
  const check = await studentDeno(["task", "--config", `${REPO}deno.json`, "grade", "."], dir);
  assert.equal(check.code, 0, check.text);
  assert.match(check.text, /Tasks 02\.1,04\.1,10\.1: the ones this starter was made for/);
  const zero = check.text.match(/Score: 0 \/ (\d+)/);
  assert.ok(zero, check.text);
  assert.match(check.text, /not implemented yet \(task 02.1\)/);
  assert.doesNotMatch(check.text, /maxPool2d|Task 05\.1/, "a task the starter never had");

  await Deno.copyFile(`${FIXTURES}correct/mod.ts`, `${dir}/mod.ts`);
  const filled = await studentDeno(["test", "--no-config"], dir);
  assert.equal(filled.code, 0, filled.text);
  const counted = filled.text.match(/ok \| (\d+) passed(?: \((\d+) steps\))? \| 0 failed/);
  assert.ok(counted, filled.text);

  // Full marks out of the starter's own tasks, and deno test counted the grader's tests.
  const visibleOut = `${parent}/visible.json`;
  const visible = await gradeCli([dir, "--out", visibleOut]);
  assert.equal(visible.code, 0, visible.stderr);
  const v = await readResults(visibleOut);
  assert.equal(v.score, Number(zero[1]), visible.stdout);
  assert.equal(v.tests.length, Number(counted[1]), "one Deno test per graded test");
  assert.deepEqual(
    [...new Set(v.tests.map((t) => t.name.split(":")[0]))],
    ["conv1d", "conv2d", "extraConvModel"],
  );

  const out = `${parent}/results.json`;
  const graded = await gradeCli([dir, "--hidden", "--out", out]);
  assert.equal(graded.code, 0);
  const r = await readResults(out);
  assert.equal(r.score, r.tests.reduce((s, t) => s + t.max_score, 0), graded.stdout);
  assert.ok(r.tests.some((t) => t.visibility === "after_due_date"));
  assert.deepEqual(
    [...new Set(r.tests.map((t) => t.name.split(":")[0]))],
    ["conv1d", "conv2d", "extraConvModel"],
  );

  // Staff grading chooses its tasks itself: --all grades every task, whatever the folder says.
  const staff = await gradeCli(["--all", parent, "--out", `${parent}/grades`]);
  assert.equal(staff.code, 0, staff.stderr);
  const csv = await Deno.readTextFile(`${parent}/grades/grades.csv`);
  assert.match(csv.split("\n")[0], /05\.1/);
  // --tasks still chooses, with or without the starter's record.
  const chosen = await gradeCli([dir, "--tasks", "02.1", "--out", `${parent}/one.json`]);
  assert.equal(chosen.code, 0);
  assert.deepEqual(
    [...new Set((await readResults(`${parent}/one.json`)).tests.map((t) => t.name.split(":")[0]))],
    ["conv1d"],
  );
  await Deno.remove(parent, { recursive: true });
});

/**
 * What course staff and students tripped on (issue 15): starters for every task, a class
 * folder with hostile students in the middle and odd entries beside them, zips of one
 * folder, `mod.js`, a main file by another name, and stray files that must cost nothing.
 */
import assert from "node:assert/strict";
import { GRADED_TASKS } from "../grading/cases.ts";
import { gradeSubmission } from "../grading/grade.ts";
import { textReport } from "../grading/report.ts";
import {
  assemble,
  assembleTree,
  byFunction,
  FIXTURES,
  gradeCli,
  readResults,
  REPO,
  studentDeno,
  tempDir,
} from "./grading_helpers.ts";
import { toResults } from "../grading/results.ts";

/** Runs `script` in sh with `$1` = `dir`: Deno's APIs cannot name a file that is not UTF-8. */
async function nonUtf8(script: string, dir: string): Promise<void> {
  const out = await new Deno.Command("sh", { args: ["-c", script, "sh", dir] }).output();
  assert.ok(out.success, script);
}

Deno.test("a starter for every task, and the README's 02.1,04.1, type-checks and runs deno test outside the repo", async () => {
  const parent = await Deno.makeTempDir({ prefix: "litconv-starters-" });
  assert.ok(!parent.startsWith(REPO));
  const lists = [...GRADED_TASKS.map((t) => t.id), "02.1,04.1"];
  const check = async (list: string) => {
    const dir = `${parent}/hw-${list.replace(",", "-")}`;
    const made = await studentDeno(["task", "assignment", "new", dir, "--tasks", list], REPO);
    assert.equal(made.code, 0, made.text);
    // Plain `deno test` as the README says: type checking first, then every visible case,
    // each failing as not implemented yet.
    const stubs = await studentDeno(["test"], dir);
    const ids = list.split(",");
    assert.doesNotMatch(stubs.text, /TS\d{4}/, `${list}: ${stubs.text}`);
    assert.match(stubs.text, /running \d+ tests from \.\/mod_test\.ts/, `${list}: ${stubs.text}`);
    assert.match(stubs.text, / 0 passed \| [1-9]\d* failed/, list);
    for (const id of ids) {
      assert.match(stubs.text, new RegExp(`not implemented yet \\(task ${id}\\)`));
    }
    if (list === "02.1,04.1") {
      await Deno.copyFile(`${FIXTURES}correct/mod.ts`, `${dir}/mod.ts`);
      const filled = await studentDeno(["test"], dir);
      assert.match(filled.text, /ok \| \d+ passed(?: \(\d+ steps\))? \| 0 failed/, filled.text);
    }
  };
  // The first alone: with an empty Deno cache it installs `deno bundle`'s esbuild, which two
  // processes installing at once can trip over. Then two at a time: each is a type check and a
  // test run.
  await check(lists[0]);
  for (let i = 1; i < lists.length; i += 2) await Promise.all(lists.slice(i, i + 2).map(check));
  await Deno.remove(parent, { recursive: true });
});

Deno.test("--all: hostile students in the middle, odd entries skipped with the reason, own output never graded", async () => {
  const root = await tempDir("litconv-class-");
  const student = async (name: string, fixture: string) =>
    await Deno.rename(await assembleTree(fixture), `${root}/${name}`);
  await student("alice", "correct");
  await student("bob", "huge_import_error");
  await student("carol", "deep_answer");
  await student("dave", "forged_frames");
  await student("erin", "infinite_loop");
  await student("zoe", "correct");
  await Deno.mkdir(`${root}/.trash`);
  await Deno.symlink(`${root}/alice`, `${root}/alice-link`);
  await Deno.writeFile(`${root}/frank.zip`, new Uint8Array(10));
  // A folder whose name is not UTF-8 (Latin-1 "é"): Deno cannot even name it.
  await nonUtf8(`mkdir "$1/ren$(printf '\\351')"`, root);
  const out = `${root}/grades`;
  const args = ["--all", root, "--out", out, "--tasks", "02.1,04.1", "--jobs", "2"];
  const first = await gradeCli(args);
  assert.equal(first.code, 0, first.stderr);
  // As staff ran it: `grade --all .` inside the class folder, the default output grades/ there.
  const again = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${REPO}grading/cli.ts`, "--all", ".", ...args.slice(4)],
    cwd: root,
    clearEnv: true, // no INIT_CWD from `deno task test`: "." and grades/ are the class folder's
    env: Object.fromEntries(Object.entries(Deno.env.toObject()).filter(([k]) => k !== "INIT_CWD")),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const second = {
    code: again.code,
    stdout: new TextDecoder().decode(again.stdout),
    stderr: new TextDecoder().decode(again.stderr),
  };
  assert.equal(second.code, 0, second.stderr);
  for (const run of [first, second]) {
    // One progress line per student, then what was skipped and why.
    assert.equal(run.stdout.match(/^\[\d\/6\] /gm)?.length, 6, run.stdout);
    assert.match(run.stdout, /skipped ".trash": its name starts with a dot/);
    assert.match(run.stdout, /skipped "alice-link": a link, not a folder/);
    assert.match(run.stdout, /skipped "frank.zip": a file, not a folder: unzip it/);
    assert.match(run.stdout, /skipped "ren\uFFFD": its name is not valid UTF-8/);
  }
  assert.match(second.stdout, /skipped "grades": the grader's own output folder/);
  const csv = (await Deno.readTextFile(`${out}/grades.csv`)).trim().split("\n");
  assert.equal(csv[0], `"student","score","max","02.1 conv1d","04.1 conv2d","error"`);
  const rows = Object.fromEntries(csv.slice(1).map((l) => [l.split(",")[0], l]));
  assert.deepEqual(Object.keys(rows), [`"alice"`, `"bob"`, `"carol"`, `"dave"`, `"erin"`, `"zoe"`]);
  assert.equal(rows[`"alice"`], `"alice",8,8,4,4,""`);
  assert.equal(rows[`"zoe"`], `"zoe",8,8,4,4,""`, "the student after the hostile ones is graded");
  assert.match(
    rows[`"bob"`],
    /^"bob",0,8,0,0,"mod.ts did not load: Error: BIGERROR x+… \(\d+ more/,
  );
  assert.match(rows[`"carol"`], /^"carol",4,8,0,4,""/);
  assert.match(rows[`"dave"`], /^"dave",4,8,0,4,""/);
  assert.match(rows[`"erin"`], /^"erin",4,8,0,4,""/);
  for (const s of ["alice", "bob", "carol", "dave", "erin", "zoe"]) {
    await readResults(`${out}/${s}.results.json`);
  }
  assert.ok(!(await Deno.stat(`${out}/grades.results.json`).then(() => true, () => false)));
});

Deno.test("a zip of one folder, a mod.js: graded; another main file: told what to rename", async () => {
  const [top, js, main] = await Promise.all(
    ["single_top_folder", "mod_js", "no_mod_main"].map(assembleTree),
  );
  const tasks = GRADED_TASKS.filter((t) => t.id === "02.1");
  const topGrade = await gradeSubmission(top, { tasks });
  assert.equal(topGrade.score, topGrade.maxScore, textReport(topGrade));
  assert.match(textReport(topGrade), /Graded the folder hw2\/ \(the submission's only content\)/);
  const jsGrade = await gradeSubmission(js, { tasks });
  assert.equal(jsGrade.score, jsGrade.maxScore, textReport(jsGrade));
  assert.match(textReport(jsGrade), /Graded mod.js: there is no mod.ts/);
  const mainGrade = await gradeSubmission(main, { tasks });
  assert.equal(mainGrade.score, 0);
  assert.match(
    textReport(mainGrade),
    /rename the file that exports your functions to mod.ts \(found: correct.ts, main.ts\)/,
  );
});

Deno.test("stray files never cost points: a Latin-1 name, a deep folder, big files, a FIFO", async () => {
  const dir = await assembleTree("stray_files");
  await nonUtf8(`echo x > "$1/notes-caf$(printf '\\351').ts"`, dir);
  let deep = dir;
  for (let i = 0; i < 40; i++) await Deno.mkdir(deep += "/deeper");
  await Deno.writeTextFile(`${deep}/lost.ts`, "export const x = 1;\n");
  await Deno.writeFile(`${dir}/data.bin`, new Uint8Array(5 * 2 ** 20));
  await Deno.writeTextFile(`${dir}/bundle.js`, "// " + "x".repeat(2 * 2 ** 20) + "\n");
  await new Deno.Command("mkfifo", { args: [`${dir}/notes.txt`] }).output();
  const grade = await gradeSubmission(dir, { tasks: GRADED_TASKS.slice(0, 3) });
  assert.equal(grade.score, grade.maxScore, textReport(grade));
  const report = textReport(grade);
  assert.match(report, /notes-caf\uFFFD.ts" \(its name is not valid UTF-8/);
  assert.match(report, /\(a folder more than 8 levels deep\)/);
  assert.match(report, /"bundle.js" \(larger than 1 MiB\)/);
  assert.doesNotMatch(report, /data.bin|notes.txt/, "non-source files are not even mentioned");
  assert.equal(toResults(grade).score, grade.maxScore);
});

Deno.test("a Worker gets its own sentence, not 'out of memory'", async () => {
  const dir = await assemble("workers");
  const out = `${await tempDir("litconv-workers-")}/results.json`;
  await gradeCli([dir, "--tasks", "02.1,04.1", "--out", out]);
  const r = await readResults(out);
  assert.equal(byFunction(r).get("conv1d")!.score, 0);
  assert.equal(byFunction(r).get("conv2d")!.score, byFunction(r).get("conv2d")!.max);
  const conv1d = r.tests.filter((t) => t.name.startsWith("conv1d:")).map((t) => t.output).join();
  assert.match(conv1d, /threw Error: Workers are not allowed in a submission/);
  assert.doesNotMatch(conv1d, /out of memory/);
});

/**
 * The grader's third round (issue 26): each hole's class and each misleading message, with
 * its own fixture (`tests/fixtures/submissions/r3_*`). Every test here failed on the grader
 * before the round's fixes (see the commit that adds this file).
 */
import assert from "node:assert/strict";
import { type Grade, gradeSubmission } from "../grading/grade.ts";
import { toResults } from "../grading/results.ts";
import { textReport } from "../grading/report.ts";
import { parseTasks } from "../grading/cli.ts";
import { copySubmission, readRegular } from "../grading/sandbox/copy.ts";
import type { SandboxLimits } from "../grading/sandbox.ts";
import { NO_WORKERS } from "../grading/harness.ts";
import {
  assemble,
  assertOnlyLost,
  FIXTURES,
  gradeCli,
  readResults,
  tempDir,
} from "./grading_helpers.ts";
import { needs, rootMissing } from "./requirements.ts";

// Generous for honest calls on a loaded machine; nothing here races the clock.
const LIMITS: Partial<SandboxLimits> = { callMs: 20_000, loadMs: 60_000, graceMs: 300 };

/** Fixture `name` graded on `tasks` (ids or function names) under this file's limits. */
async function gradeFixture(
  name: string,
  tasks: string,
  options: Parameters<typeof gradeSubmission>[1] = {},
): Promise<Grade> {
  const dir = await assemble(name);
  return await gradeSubmission(dir, { tasks: parseTasks(tasks), limits: LIMITS, ...options });
}

/** Characters that steer a terminal or reorder a line: none may reach one from a submission. */
// deno-lint-ignore no-control-regex -- the control characters are what it looks for
const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;

/** The outputs of `fn`'s tests in a results object, joined. */
const outputsOf = (r: { tests: { name: string; output: string }[] }, fn: string) =>
  r.tests.filter((t) => t.name.startsWith(`${fn}:`)).map((t) => t.output).join("\n");

/** A class folder holding `students` (name → assembled fixture folder). */
async function classOf(students: Record<string, string>): Promise<string> {
  const dir = await tempDir("litconv-class-");
  for (const [name, from] of Object.entries(students)) await Deno.rename(from, `${dir}/${name}`);
  return dir;
}

Deno.test("hole 1: a 24 MiB forged frame is dropped unread as the submission's, and an honest neighbour graded beside it keeps every point", async () => {
  const dir = await classOf({
    alice: await assemble("correct"),
    mallory: await assemble("r3_huge_frame"),
  });
  const out = await tempDir("litconv-out-");
  const run = await gradeCli([
    "--all",
    dir,
    "--out",
    out,
    "--jobs",
    "2",
    "--tasks",
    "conv1d,conv2d,softmax",
  ]);
  assert.equal(run.code, 0, run.stderr);
  const alice = await readResults(`${out}/alice.results.json`);
  assert.equal(alice.score, alice.tests.reduce((s, t) => s + t.max_score, 0), "alice: full marks");
  const mallory = await readResults(`${out}/mallory.results.json`);
  assertOnlyLost(mallory, ["conv1d"], "mallory");
  // The forged reply is named for what it is, not parsed and judged as an answer.
  assert.match(outputsOf(mallory, "conv1d"), /protocol of more than 4 MiB/);
});

Deno.test("hole 1: the print cap counts the student's own output, not the harness's replies (--runs in the thousands)", async () => {
  // A cap far below what the replies of these runs take: honest code prints nothing itself.
  const grade = await gradeFixture("correct", "conv1d,dropout", {
    hidden: true,
    numRuns: 60,
    limits: { ...LIMITS, outputBytes: 8 * 1024 },
  });
  assert.equal(grade.score, grade.maxScore, textReport(grade));
});

Deno.test("hole 2: results.json's visible output carries no exit code of a hidden run, no total with hidden tests, no seed", async () => {
  const grade = await gradeFixture("r3_exit_byte", "conv1d", {
    hidden: true,
    seed: 987654321,
    numRuns: 20,
  });
  const results = toResults(grade);
  // The attack did happen: a hidden run's child exited, and the hidden test says so.
  const hidden = results.tests.filter((t) => t.visibility === "after_due_date");
  assert.match(hidden.map((t) => t.output).join("\n"), /exited \(code \d+\)/);
  // What a student sees before the due date says nothing of it.
  assert.doesNotMatch(results.output, /exited|code \d/);
  assert.doesNotMatch(results.output, /987654321/);
  assert.doesNotMatch(results.output, new RegExp(`${grade.score} / ${grade.maxScore}`));
  assert.match(results.output, /Score of the visible tests: 4 \/ 4/);
  for (const t of results.tests.filter((t) => t.visibility === "visible")) {
    assert.doesNotMatch(t.output, /exited/, t.name);
  }
  // The staff's terminal keeps everything.
  assert.match(textReport(grade), /exited \(code \d+\)/);
});

Deno.test("hole 3: nothing a submission prints, throws or names reaches a terminal, a progress line or the CSV unescaped", async () => {
  const grade = await gradeFixture("r3_terminal", "conv1d,softmax");
  const report = textReport(grade);
  assert.doesNotMatch(report, UNSAFE);
  assert.match(report, /\\x1b\]52;c;ZXZpbA==/); // shown, harmless
  assert.match(report, /\\u202e/);
  const results = toResults(grade);
  assert.doesNotMatch(JSON.stringify(results.output), /\\u001b|\\u0007/);
  for (const t of results.tests) assert.doesNotMatch(t.output, UNSAFE, t.name);

  // The folder name is the student's too: a progress line cannot be forged with it.
  const forged = "mallory\r[1|2] mallory: 100 of 100\x1b[K";
  const klass = await classOf({ [forged]: await assemble("r3_terminal") });
  const out = await tempDir("litconv-out-");
  const run = await gradeCli(["--all", klass, "--out", out, "--tasks", "conv1d"]);
  assert.equal(run.code, 0, run.stderr);
  assert.doesNotMatch(run.stdout, UNSAFE);
  assert.match(run.stdout, /\[1\/1\] "mallory\\r\[1\|2\] mallory: 100 of 100\\u001b\[K": 0 \//);
  const csv = await Deno.readTextFile(`${out}/grades.csv`);
  assert.doesNotMatch(csv.replaceAll("\n", ""), UNSAFE);

  // A file name in a refusal sent to the staff's stderr is escaped too.
  const one = await tempDir("litconv-one-");
  await Deno.writeTextFile(`${one}/mod.\x1b]0;pwned\x07.ts`, "export {};\n");
  const refused = await gradeCli(["--all", one, "--out", await tempDir("litconv-out-")]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /one submission, not a class/);
  assert.doesNotMatch(refused.stderr, UNSAFE);
});

Deno.test("hole 4: dropout must toss a coin per element and draw it from the seed", async () => {
  const [right, first, random] = await Promise.all(
    ["correct", "r3_dropout_first", "r3_dropout_random"].map(async (name) =>
      toResults(await gradeFixture(name, "dropout", { hidden: true, numRuns: 20 }))
    ),
  );
  assert.equal(right.score, right.tests.reduce((s, t) => s + t.max_score, 0), "correct: full");
  // Zeros by position: the right share, in 2 runs.
  const thousand = first.tests.find((t) => /1,000 elements/.test(t.name))!;
  assert.equal(thousand.score, 0);
  assert.match(thousand.output, /fall in 2 runs/);
  // Math.random(): each mask plausible alone, another on the same seed.
  const half = random.tests.find((t) => /p 0\.5 in training/.test(t.name))!;
  assert.equal(half.score, 0);
  assert.match(half.output, /the same seed \(7\) gave another mask/);
  // Once shown to ignore its seed, every later case in training fails too: only evaluation
  // (where no mask is drawn) keeps its points.
  for (const t of random.tests.filter((t) => /in training|1,000|p 0 keeps/.test(t.name))) {
    assert.equal(t.score, 0, t.name);
  }
});

Deno.test("hole 5: a file swapped for a FIFO between the check and the open is refused at once", async () => {
  const dir = await tempDir("litconv-race-");
  const path = `${dir}/mod.ts`;
  await Deno.writeTextFile(path, "export {};\n");
  const checked = await Deno.lstat(path);
  await Deno.remove(path);
  await new Deno.Command("mkfifo", { args: [path] }).output();
  // A blocked open would wait for a writer for ever: the guard plays that writer, so a
  // failure is reported instead of hanging the suite.
  let guard: ReturnType<typeof setTimeout> | undefined;
  const blocked = new Promise<string>((resolve) => {
    guard = setTimeout(async () => {
      const w = await Deno.open(path, { write: true });
      w.close();
      resolve("the open blocked until a writer came");
    }, 10_000);
  });
  const read = (async () => {
    try {
      await readRegular(path, checked, 1024);
      return "read it";
    } catch (e) {
      return `refused: ${(e as Error).message}`;
    }
  })();
  const outcome = await Promise.race([read, blocked]);
  clearTimeout(guard);
  assert.match(outcome, /^refused: /);
});

Deno.test("hole 5: a folder swapped for a link while the copy runs is never followed", async () => {
  const from = await tempDir("litconv-swap-");
  const outside = await tempDir("litconv-outside-");
  await Deno.writeTextFile(`${outside}/secret.ts`, "export const secret = 42;\n");
  await Deno.writeTextFile(`${from}/mod.ts`, "export {};\n");
  await Deno.mkdir(`${from}/lib`);
  await Deno.writeTextFile(`${from}/lib/own.ts`, "export {};\n");
  await Deno.symlink(outside, `${from}/alt`);
  // The student's side: swap lib (a folder) and alt (a link to elsewhere) atomically, over
  // and over (renameat2 with RENAME_EXCHANGE), while the grader copies.
  const swapper = new Deno.Command("python3", {
    args: [
      "-c",
      `
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
a, b = os.fsencode(${JSON.stringify(`${from}/lib`)}), os.fsencode(${JSON.stringify(`${from}/alt`)})
while True:
    if libc.renameat2(-100, a, -100, b, 2) != 0:
        raise SystemExit("renameat2: errno %d" % ctypes.get_errno())
`,
    ],
    stderr: "piped",
  }).spawn();
  let leaked = 0;
  try {
    for (let i = 0; i < 300; i++) {
      const to = await tempDir("litconv-copy-");
      await copySubmission(from, to);
      for (const where of ["lib", "alt"]) {
        if (await Deno.lstat(`${to}/${where}/secret.ts`).then(() => true, () => false)) leaked++;
      }
      await Deno.remove(to, { recursive: true });
    }
  } finally {
    swapper.kill();
    await swapper.status;
  }
  assert.equal(leaked, 0, `${leaked} of 300 copies took a file from outside the submission`);
});

Deno.test("honest students: odd but valid submissions get their marks and true messages", async (t) => {
  const grade = (name: string, tasks = "conv1d,softmax") => gradeFixture(name, tasks);

  await t.step("a malformed percent escape in an import is refused with a sentence", async () => {
    const g = await grade("r3_percent_import");
    const report = textReport(g);
    assert.doesNotMatch(report, /grader failed|tell your instructor/i);
    assert.match(report, /%zz-outside\.ts/);
    assert.match(g.problem ?? "", /^refused/);
  });
  await t.step("an export name of 300 characters does not stop the load", async () => {
    const g = await grade("r3_long_export");
    assert.equal(g.score, g.maxScore, textReport(g));
  });
  await t.step("a JSON file imported from inside the folder is copied", async () => {
    const g = await grade("r3_json_import");
    assert.equal(g.score, g.maxScore, textReport(g));
  });
  for (const route of ["r3_builtin_worker", "r3_import_worker"]) {
    await t.step(
      `a Worker of node:worker_threads (${route}) gets the Worker sentence`,
      async () => {
        const g = await grade(route, "conv1d");
        const out = g.tests.map((t) => t.output).join("\n");
        assert.match(out, new RegExp(NO_WORKERS));
        assert.doesNotMatch(out, /out of memory/);
      },
    );
  }
  await t.step("hw2/mod.ts beside a notes file: the report names hw2/mod.ts", async () => {
    const dir = await tempDir("litconv-hw2-");
    await Deno.mkdir(`${dir}/hw2`);
    await Deno.copyFile(`${FIXTURES}correct/mod.ts`, `${dir}/hw2/mod.ts`);
    await Deno.writeTextFile(`${dir}/notes.txt`, "my notes\n");
    const g = await gradeSubmission(dir, { tasks: parseTasks("conv1d"), limits: LIMITS });
    assert.match(textReport(g), /hw2\/mod\.ts/);
  });
});

Deno.test("staff mistakes get a sentence, not a wrong grade", async (t) => {
  const klass = await classOf({
    alice: await assemble("correct"),
    bob: await assemble("correct"),
  });
  await t.step("a class folder without --all: a hint to use it", async () => {
    const run = await gradeCli([klass, "--tasks", "conv1d"]);
    assert.equal(run.code, 0);
    assert.match(
      run.stdout,
      /2 folders with a mod\.ts each: if it is a class, grade it with --all/,
    );
  });
  await t.step("a class of one without --all: graded, and told about --all", async () => {
    const one = await classOf({ carol: await assemble("correct") });
    const run = await gradeCli([one, "--tasks", "conv1d"]);
    assert.match(run.stdout, /grade it with --all/);
  });
  await t.step("--all on one student's folder is refused", async () => {
    const run = await gradeCli(["--all", `${klass}/alice`, "--out", await tempDir("o-")]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /one submission, not a class/);
  });
  await t.step("--out inside a student's folder is refused, their folder untouched", async () => {
    const before = [...Deno.readDirSync(`${klass}/bob`)].map((e) => e.name).sort();
    const run = await gradeCli(["--all", klass, "--out", `${klass}/bob/grades`]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /inside the student folder bob/);
    assert.deepEqual([...Deno.readDirSync(`${klass}/bob`)].map((e) => e.name).sort(), before);
  });
  await t.step("a Gradescope package without a submission folder tells the student", async () => {
    const pkg = `${await tempDir("litconv-pkg-")}/autograder.json`;
    await Deno.writeTextFile(
      pkg,
      JSON.stringify({ tasks: ["02.1"], seed: 5, runs: 5, budget: 60 }),
    );
    const out = `${await tempDir("litconv-res-")}/results.json`;
    const run = await gradeCli([`${klass}/nobody-here`, "--package", pkg, "--out", out]);
    assert.notEqual(run.code, 0);
    const r = await readResults(out);
    assert.match(r.output, /no submission was found/);
    assert.doesNotMatch(r.output, /usage|--package|deno task grade/i);
  });
  await t.step("the summary counts only the results files it wrote", async () => {
    const out = await tempDir("litconv-out-");
    await Deno.mkdir(`${out}/alice.results.json`); // in the way: this write fails
    const run = await gradeCli(["--all", klass, "--out", out, "--tasks", "conv1d"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /and 1 results files in .*\(1 could not be written/);
  });
});

Deno.test(needs(rootMissing(), {
  name: "a TMPDIR the child cannot reach stops the batch once, not with a CSV of zeros",
  fn: async () => {
    const klass = await classOf({ alice: await assemble("correct") });
    const tmp = await tempDir("litconv-tmp-");
    await Deno.chmod(tmp, 0o700); // nobody cannot enter it
    const out = await tempDir("litconv-out-");
    const run = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("../grading/cli.ts", import.meta.url).pathname,
        "--all",
        klass,
        "--out",
        out,
        "--tasks",
        "conv1d",
      ],
      env: { TMPDIR: tmp },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(run.code, 1);
    assert.match(new TextDecoder().decode(run.stderr), /cannot grade anyone: .*TMPDIR/);
    const csv = await Deno.readTextFile(`${out}/grades.csv`).catch(() => "");
    assert.doesNotMatch(csv, /alice/);
  },
}));

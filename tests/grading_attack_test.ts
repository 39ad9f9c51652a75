/**
 * The grader under attack (issue 15): one fixture or more for each of the eleven classes of
 * problem a determined or careless student found, each graded as the CLI and Gradescope
 * would, asserting the outcome: only the submission's own points are lost, with the true
 * reason, and results.json stays valid, small and UTF-8. The submissions are graded
 * concurrently to keep the suite short.
 */
import assert from "node:assert/strict";
import { type Grade, gradeSubmission } from "../grading/grade.ts";
import { MAX_RESULTS_BYTES, type Results, toResults, writeResults } from "../grading/results.ts";
import type { SandboxLimits } from "../grading/sandbox.ts";
import { textReport } from "../grading/report.ts";
import { GRADED_TASKS, testsFor } from "../grading/cases.ts";
import {
  assembleTree,
  assertOnlyLost,
  byFunction,
  gradeCli,
  readResults,
  REPO,
  tempDir,
} from "./grading_helpers.ts";
import { bubblewrapMissing, needs, programMissing, rootMissing } from "./requirements.ts";

/** Whether children run under bubblewrap here (then a file outside the copy is not there). */
const underBwrap = (await bubblewrapMissing()) === undefined;

// Generous per-call limits (the suite loads the machine); the budget test sets its own.
const LIMITS: Partial<SandboxLimits> = { callMs: 10_000, graceMs: 300, loadMs: 60_000 };
const pythonMissing = await programMissing("python3", ["--version"]);
const ONLY = (...ids: string[]) => GRADED_TASKS.filter((t) => ids.includes(t.id));

interface Graded {
  grade: Grade;
  results: Results;
  /** results.json as written to disk. */
  text: string;
  report: string;
  seconds: number;
}

async function grade(
  dir: string,
  options: Parameters<typeof gradeSubmission>[1] = {},
): Promise<Graded> {
  const started = performance.now();
  const grade = await gradeSubmission(dir, { limits: LIMITS, numRuns: 10, ...options });
  const seconds = (performance.now() - started) / 1000;
  const path = `${await tempDir("litconv-attack-out-")}/results.json`;
  await writeResults(path, toResults(grade));
  // Strict UTF-8 for every results.json: a byte that is not would throw here.
  const text = new TextDecoder("utf-8", { fatal: true }).decode(await Deno.readFile(path));
  return { grade, results: await readResults(path), text, report: textReport(grade), seconds };
}

const outputs = (r: Results, fn: string) =>
  r.tests.filter((t) => t.name.startsWith(fn + ":")).map((t) => t.output).join("\n");

/** A FIFO at `path` (mkfifo(1): Deno has no mkfifo). */
async function mkfifo(path: string): Promise<void> {
  const out = await new Deno.Command("mkfifo", { args: [path] }).output();
  assert.ok(out.success, `mkfifo ${path}`);
}

/** source_map, with a map outside the folder that nobody may read and that names a source. */
async function sourceMap(): Promise<string> {
  const dir = await assembleTree("source_map");
  const maps = await tempDir("litconv-maps-");
  await Deno.chmod(maps, 0o755);
  await Deno.writeTextFile(
    `${maps}/x.map`,
    JSON.stringify({
      version: 3,
      sources: ["SECRET-SOURCE-NAME.ts"],
      names: [],
      mappings: "AAAA;AACA;AACA;AACA;AACA",
    }),
  );
  await Deno.chmod(`${maps}/x.map`, 0o644);
  await Deno.writeTextFile(
    `${dir}/mod.ts`,
    `\n//# sourceMappingURL=file://${maps}/x.map\n`,
    { append: true },
  );
  return dir;
}

/** special_files, with a FIFO and links where the grader used to read. */
async function specialFiles(): Promise<string> {
  const dir = await assembleTree("special_files");
  await mkfifo(`${dir}/assignment.json`);
  await mkfifo(`${dir}/helper.ts`);
  await Deno.symlink("/dev/zero", `${dir}/data.ts`);
  await Deno.symlink("/dev/zero", `${dir}/zero.json`);
  await Deno.symlink(`${REPO}kernels/conv.ts`, `${dir}/kernels.ts`);
  return dir;
}

/** A submission that imports a FIFO outside its folder, one nobody may open. */
async function importFifo(): Promise<string> {
  const dir = await assembleTree("special_files");
  const pipes = await tempDir("litconv-pipes-");
  await Deno.chmod(pipes, 0o755);
  await mkfifo(`${pipes}/pipe.ts`);
  await Deno.chmod(`${pipes}/pipe.ts`, 0o666);
  await Deno.writeTextFile(
    `${dir}/mod.ts`,
    `import "${pipes}/pipe.ts";\nexport * from "./correct.ts";\n`,
  );
  return dir;
}

Deno.test("the grader under attack: each class costs only the submission's own points", async (t) => {
  const started = performance.now();
  const jobs: Record<string, () => Promise<Graded>> = {
    forged_frames: async () =>
      grade(await assembleTree("forged_frames"), { tasks: ONLY("02.1", "04.1") }),
    deep_answer: async () =>
      grade(await assembleTree("deep_answer"), { tasks: ONLY("02.1", "04.1") }),
    huge_import_error: async () => grade(await assembleTree("huge_import_error")),
    import_device: async () => grade(await assembleTree("import_device"), { tasks: ONLY("02.1") }),
    import_fifo: async () =>
      grade(await importFifo(), { tasks: ONLY("02.1"), limits: { ...LIMITS, checkMs: 4000 } }),
    special_files: async () => grade(await specialFiles(), { tasks: ONLY("02.1", "07.9") }),
    disk_fill: async () => grade(await assembleTree("disk_fill"), { tasks: ONLY("02.1") }),
    dropout_zeros: async () =>
      grade(await assembleTree("dropout_zeros"), {
        tasks: ONLY("07.9"),
        hidden: true,
        numRuns: 50,
      }),
    hidden_leak: async () => grade(await assembleTree("hidden_leak"), { hidden: true, seed: 7 }),
    time_budget: async () => grade(await assembleTree("time_budget"), { hidden: true, budgetS: 8 }),
    huge_errors: async () => grade(await assembleTree("huge_errors"), { hidden: true }),
    source_map: async () => grade(await sourceMap(), { tasks: ONLY("02.1") }),
    lone_surrogates: async () =>
      grade(await assembleTree("lone_surrogates"), { tasks: ONLY("02.1") }),
  };
  const graded = Object.fromEntries(
    await Promise.all(
      Object.entries(jobs).map(async ([name, job]) => [name, await job()] as const),
    ),
  );
  console.log(
    `graded ${Object.keys(graded).length} attacks concurrently in ${
      ((performance.now() - started) / 1000).toFixed(1)
    } s`,
  );

  // No grader path (a stack trace) in anything a student sees, and every file small.
  for (const [name, { text }] of Object.entries(graded)) {
    assert.doesNotMatch(text, new RegExp(`${REPO}grading`), name);
    assert.ok(new TextEncoder().encode(text).length <= MAX_RESULTS_BYTES, name);
  }

  await t.step(
    "1. forged frames (exports an object, error an object, junk) are that call's failure",
    () => {
      const { results } = graded.forged_frames;
      assertOnlyLost(results, ["conv1d"], "forged_frames");
      assert.match(outputs(results, "conv1d"), /not a valid reply \(a forged frame on stdout\?\)/);
      assert.doesNotMatch(outputs(results, "conv1d"), /took longer/);
    },
  );

  await t.step("1. an answer nested 200,000 levels deep is judged wrong, not a crash", () => {
    const { results } = graded.deep_answer;
    assertOnlyLost(results, ["conv1d"], "deep_answer");
    assert.match(outputs(results, "conv1d"), /nested more than 64 levels deep/);
  });

  await t.step("1/8. a 20 MB error at import: every test 0, the error once, a small file", () => {
    const { results, text } = graded.huge_import_error;
    assert.equal(results.score, 0);
    assert.ok(results.tests.every((t) => /^mod.ts did not load/.test(t.output)));
    assert.ok(text.length < 200_000, `results.json is ${text.length} bytes`);
    assert.match(results.output, /mod.ts did not load: Error: BIGERROR x{100}/);
    assert.match(results.output, /more characters\)/);
  });

  await t.step("2. importing /dev/urandom is refused at once, in the sandbox", () => {
    const { results, report } = graded.import_device;
    assert.equal(results.score, 0);
    assert.match(report, /imports "\/dev\/urandom"/);
    // Refused for what it imports, not stopped by the check's time limit (the grader's own
    // account, so a loaded machine cannot fail it).
    assert.doesNotMatch(report, /took longer than/);
  });

  await t.step(
    "2. importing a FIFO outside: refused, never waited on past the check's limit",
    () => {
      const { results, report, seconds } = graded.import_fifo;
      assert.equal(results.score, 0);
      assert.match(report, /Refused to run the submission/);
      if (underBwrap) {
        // Not in bubblewrap's view at all: deno info finds no file there and the path is refused.
        assert.match(report, /resolves to \S*pipe\.ts, outside the submission folder/);
      } else {
        assert.match(report, /the import check \(deno info\) was stopped: it took longer than 4 s/);
        assert.ok(seconds >= 4, `stopped after ${seconds.toFixed(1)} s, before its 4 s limit`);
      }
    },
  );

  await t.step("2. FIFOs and links to /dev/zero in the folder: skipped, no point lost", () => {
    const { results, report } = graded.special_files;
    assertOnlyLost(results, [], "special_files");
    assert.match(report, /"helper.ts" \(not a regular file/);
    assert.match(report, /"data.ts" \(a link/);
  });

  await t.step("4. the Cache API, localStorage and files cannot store anything", async () => {
    const { results } = graded.disk_fill;
    assertOnlyLost(results, [], "disk_fill");
    assert.equal(await Deno.stat("/tmp/litconv-disk-fill").catch(() => null), null);
  });

  await t.step("5. a dropout of all zeros loses points, visible and hidden", () => {
    const { results } = graded.dropout_zeros;
    const lost = (vis: string) =>
      results.tests.filter((t) => t.visibility === vis && t.score < t.max_score).map((t) => t.name);
    assert.ok(lost("visible").includes("dropout: p 0.3 on 1,000 elements: about 300 zeroed"));
    assert.ok(lost("visible").includes("dropout: p 0 keeps everything"));
    assert.ok(
      lost("after_due_date").some((n) => n.includes("300 to 1,000 elements")),
      "the hidden runs on large tensors catch it too",
    );
    assert.match(outputs(results, "dropout"), /1000 of 1000 non-zero elements were zeroed/);
  });

  await t.step("6. no visible test shows a hidden input; outputs are capped", () => {
    const { results, text } = graded.hidden_leak;
    const visibleArgs = new Set(
      GRADED_TASKS.flatMap((task) =>
        testsFor(task, { hidden: false, seed: 7, numRuns: 1 }).flatMap((s) => s.cases ?? [])
      ).map((args) => JSON.stringify(args)),
    );
    let shown = 0;
    for (const t of results.tests.filter((t) => t.visibility === "visible")) {
      assert.ok(t.output.length <= 4096 + 40, `${t.name}: ${t.output.length} characters`);
      for (const [, json] of t.output.matchAll(/ARGS<(.*?)>END/g)) {
        // JSON carries undefined as null: compare after a round trip.
        const args = JSON.stringify(JSON.parse(json));
        const known = [...visibleArgs].some((v) => JSON.stringify(JSON.parse(v)) === args);
        assert.ok(known, `${t.name} shows an input that is not a visible case: ${json}`);
        shown++;
      }
    }
    assert.ok(shown > 50, `the fixture did leak what it had (${shown} inputs)`);
    assert.ok(results.tests.some((t) => t.visibility === "after_due_date"));
    assert.match(text, /"score"/);
  });

  await t.step(
    "7. the whole submission's budget: a valid result that says what was not graded",
    () => {
      const { results, grade: g, seconds } = graded.time_budget;
      // Its tests would take minutes (400 ms a call). Past its 8 s, at most the load or the
      // call under way finishes, each within its limit: a bound the limits give, not a guess.
      const ceiling = 8 + (LIMITS.loadMs! + LIMITS.callMs! + LIMITS.graceMs!) / 1000;
      assert.ok(seconds < ceiling, `stopped after ${seconds.toFixed(1)} s, over ${ceiling} s`);
      const ungraded = results.tests.filter((t) =>
        /^not graded: .*time budget \(8 s/.test(t.output)
      );
      assert.ok(ungraded.length > 0);
      assert.ok(results.tests.some((t) => t.score > 0), "what ran in time was graded");
      assert.match(
        results.output,
        /Not graded: \d+ of \d+ tests \(tasks .*\); .*time budget of 8 s/,
      );
      // execution_time is the real time: the budget's 8 s at least (rounded to 1 ms), and
      // within what this test measured around the whole grading.
      assert.ok(
        results.execution_time >= 8 - 0.001 && results.execution_time <= seconds + 0.001,
        `execution_time ${results.execution_time} s, measured ${seconds.toFixed(3)} s`,
      );
      assert.match(g.problem ?? "", /time budget/);
    },
  );

  await t.step("8. 3 MB thrown by every call: each output capped, results.json small", () => {
    const { results, text } = graded.huge_errors;
    assert.equal(results.score, 0);
    for (const t of results.tests) assert.ok(t.output.length <= 8192 + 40, t.name);
    assert.ok(text.length < MAX_RESULTS_BYTES, `${text.length} bytes`);
  });

  await t.step("10. a sourceMappingURL to a file outside is not followed", () => {
    const { grade: g, report } = graded.source_map;
    assert.match(g.printed, /where am I/);
    assert.doesNotMatch(g.printed, /SECRET-SOURCE-NAME/);
    assert.match(report, /Ignored 1 sourceMappingURL comment/);
  });

  await t.step("11. lone surrogates: results.json is valid UTF-8 with no surrogate escapes", () => {
    const { results, text } = graded.lone_surrogates;
    assert.match(outputs(results, "conv1d"), /thrown \uFFFD\uFFFD and \uFFFD/);
    assert.doesNotMatch(text, /\\ud[89a-f]/i);
  });

  // (The file decoded as strict UTF-8 in grade().) Python, as Gradescope reads it: load, then
  // encode as UTF-8, which a \ud800 escape breaks.
  await t.step(needs(pythonMissing, {
    name: "11. lone surrogates: Python loads results.json and encodes it as UTF-8",
    fn: async () => {
      const py = await new Deno.Command("python3", {
        args: [
          "-c",
          "import json,sys; json.dumps(json.load(sys.stdin), ensure_ascii=False).encode('utf-8')",
        ],
        stdin: "piped",
      }).spawn();
      const w = py.stdin.getWriter();
      await w.write(new TextEncoder().encode(graded.lone_surrogates.text));
      await w.close();
      assert.ok((await py.status).success, "python re-encodes it");
    },
  }));
});

// Only a root grader hands deno to another user.
Deno.test(needs(rootMissing(), {
  name: "3. the child's deno is the grader's own, or a fresh private copy, never a planted one",
  fn: async () => {
    // The grader's deno where nobody can run it (a 0700 folder), and a same-size fake where
    // the grader once looked for its copy ($TMPDIR/litconv-deno-<version>/deno).
    const own = await tempDir("litconv-own-deno-");
    await Deno.copyFile(Deno.execPath(), `${own}/deno`);
    await Deno.chmod(`${own}/deno`, 0o755);
    const tmp = await tempDir("litconv-tmpdir-");
    await Deno.chmod(tmp, 0o1777);
    const planted = `${tmp}/litconv-deno-${Deno.version.deno}`;
    await Deno.mkdir(planted, { mode: 0o777 });
    const fake = new Uint8Array((await Deno.stat(Deno.execPath())).size);
    fake.set(new TextEncoder().encode(
      `#!/bin/sh\nprintf '\\036litconv-frame {"id":0,"ready":true,"exports":[],"patched":[]}\\n'\nexit 0\n`,
    ));
    await Deno.writeFile(`${planted}/deno`, fake, { mode: 0o755 });
    const out = `${tmp}/results.json`;
    const cli = await new Deno.Command(`${own}/deno`, {
      args: [
        "run",
        "-A",
        `${REPO}grading/cli.ts`,
        `${REPO}tests/fixtures/submissions/correct`,
        "--tasks",
        "02.1",
        "--out",
        out,
      ],
      env: { TMPDIR: tmp },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(cli.code, 0, new TextDecoder().decode(cli.stderr));
    const r = await readResults(out);
    assert.equal(r.score, 4, "graded by the real deno");
    // The private copy is gone with the grader; the planted file was never run.
    const left = [...Deno.readDirSync(tmp)].map((e) => e.name).filter((n) =>
      n.startsWith("litconv-")
    );
    assert.deepEqual(left, [`litconv-deno-${Deno.version.deno}`]);
  },
}));

Deno.test("9. staff grading: the submission's assignment.json chooses nothing", async () => {
  const dir = await assembleTree("chooses_tasks");
  const every = GRADED_TASKS.map((t) => t.fn).sort();
  // A class (--all) and a package grade every task they name, whatever the folder ships.
  const root = await tempDir("litconv-choose-class-");
  await Deno.rename(dir, `${root}/mallory`);
  const all = await gradeCli(["--all", root, "--out", `${root}/grades`]);
  assert.equal(all.code, 0, all.stderr);
  const classwork = await readResults(`${root}/grades/mallory.results.json`);
  assert.deepEqual([...byFunction(classwork).keys()].sort(), every);
  assert.ok(classwork.score < classwork.tests.reduce((s, t) => s + t.max_score, 0));
  const settings = `${root}/grades/autograder.json`;
  await Deno.writeTextFile(
    settings,
    JSON.stringify({ tasks: ["02.1", "03.1"], seed: 3, runs: 5, budget: 60 }),
  );
  const out = `${root}/grades/package.json`;
  const pkg = await gradeCli([`${root}/mallory`, "--package", settings, "--out", out]);
  assert.equal(pkg.code, 0, pkg.stderr);
  assert.deepEqual([...byFunction(await readResults(out)).keys()], ["conv1d", "convOutputSize"]);
  assert.doesNotMatch(pkg.stdout, /assignment.json/);
  // Check-my-work on one folder takes a starter's own tasks, and says where they came from.
  const own = await gradeCli([`${root}/mallory`]);
  assert.match(
    own.stdout,
    /Tasks 03\.1: the ones this starter was made for \(its assignment\.json\)/,
  );
  // An empty list on the command line is a usage error, not "0 / 0".
  const empty = await gradeCli([`${root}/mallory`, "--tasks", ","]);
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /names no task/);
});

Deno.test("6. seeds: only safe integers; the package's is random, secret, not 1", async () => {
  for (const bad of ["1.5", "abc", "9007199254740993", "1e3", ""]) {
    const r = await gradeCli([`${REPO}tests/fixtures/submissions/empty`, "--seed", bad]);
    assert.equal(r.code, 2, bad);
    assert.match(r.stderr, /--seed must be a whole number/, bad);
  }
  const pkg = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `${REPO}grading/package.ts`,
      `${await tempDir("litconv-pkg-")}/a.zip`,
      "--seed",
      "x",
    ],
    stderr: "piped",
  }).output();
  assert.equal(pkg.code, 2);
  const { packageSettings } = await import("../grading/package.ts");
  const seeds = new Set(Array.from({ length: 20 }, () => packageSettings().seed));
  assert.ok(seeds.size === 20 && !seeds.has(1) && [...seeds].every(Number.isSafeInteger));
  assert.ok([...seeds].some((s) => s > 2 ** 32), "all 53 bits are drawn");
});

Deno.test("a grader stopped by SIGTERM mid-call leaves no child, sandbox or runtime behind", async () => {
  const dir = await assembleTree("infinite_loop");
  const tmp = await tempDir("litconv-stopped-");
  await Deno.chmod(tmp, 0o755);
  const grader = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${REPO}grading/cli.ts`, dir, "--tasks", "02.1"],
    env: { TMPDIR: tmp },
    stdout: "null",
    stderr: "null",
  }).spawn();
  // Wait until its child is in conv1d's loop (its sandbox exists), then stop the grader.
  const deadline = Date.now() + 30_000;
  while ([...Deno.readDirSync(tmp)].length === 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 1000));
  const mentions = () =>
    [...Deno.readDirSync("/proc")].filter((e) => /^\d+$/.test(e.name)).filter((e) => {
      try {
        return Deno.readTextFileSync(`/proc/${e.name}/cmdline`).includes(tmp);
      } catch {
        return false;
      }
    }).length;
  assert.ok(mentions() > 0, "a child was running");
  grader.kill("SIGTERM");
  assert.equal((await grader.status).code, 143);
  assert.equal(mentions(), 0, "no child left");
  assert.deepEqual([...Deno.readDirSync(tmp)], [], "no sandbox left");
});

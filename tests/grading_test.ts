/**
 * The grader on honest submissions: a correct one (full marks, under 60 s), the textbook's
 * stride bug (loses conv1d's stride > 1 cases only, with a shrunk counterexample), an empty
 * folder (0, "not implemented"), and the CLI's contract (results.json always written and
 * valid, exit 0 when it graded, 2 when misused).
 */
import assert from "node:assert/strict";
import fc from "../deps/fast_check.ts";
import { OPS } from "../kernels/registry.ts";
import { arbitraryOf } from "../kernels/fast_check.ts";
import {
  assemble,
  byFunction,
  FIXTURES,
  gradeCli,
  readResults,
  tempDir,
} from "./grading_helpers.ts";
import { extraConvModel } from "../kernels/extra_conv_model.ts";
import { buildModel } from "../training/model.ts";
import { currentBackend } from "../accel/backend.ts";
import { GRADED_TASKS, judgementOf, testsFor } from "../grading/cases.ts";
import { judgeAnswer } from "../grading/judge.ts";
import { type Grade, gradeSubmission } from "../grading/grade.ts";
import { toResults } from "../grading/results.ts";
import { textReport } from "../grading/report.ts";

const tmp = () => tempDir("litconv-grade-test-");

Deno.test("a correct submission gets full marks, hidden tests included", async () => {
  const out = `${await tmp()}/results.json`;
  const started = performance.now();
  const { code, stdout } = await gradeCli([`${FIXTURES}correct`, "--hidden", "--out", out]);
  const seconds = (performance.now() - started) / 1000;
  assert.equal(code, 0, stdout);
  const r = await readResults(out);
  assert.ok(r.tests.length > 50);
  assert.equal(r.score, r.tests.reduce((s, t) => s + t.max_score, 0), stdout);
  assert.ok(r.tests.some((t) => t.visibility === "after_due_date"));
  // Every task of the course is graded.
  assert.deepEqual([...byFunction(r).keys()].sort(), GRADED_TASKS.map((t) => t.fn).sort());
  console.log(`graded the correct submission in ${seconds.toFixed(1)} s (limit 60 s)`);
});

Deno.test("the textbook's stride bug loses only conv1d's stride > 1 cases, shrunk", async () => {
  const out = `${await tmp()}/results.json`;
  const { code } = await gradeCli([await assemble("stride_bug"), "--hidden", "--out", out]);
  assert.equal(code, 0);
  const r = await readResults(out);
  const failed = r.tests.filter((t) => t.status === "failed").map((t) => t.name);
  assert.deepEqual(failed, [
    "conv1d: stride 2 with a remainder",
    "conv1d: random inputs, stride 2 to 4 (property, 50 runs)",
  ]);
  const property = r.tests.find((t) => t.name.startsWith("conv1d: random inputs, stride 2"))!;
  assert.ok(property.score > 0, "partial credit: single-window cases still pass");
  assert.match(property.output, /Smallest failing input \(shrunk\): conv1d\(/);
  const shrunk = property.output.match(/conv1d\((\[.*?\]), (\[.*?\]), (\{.*?\})\)/)!;
  assert.ok(JSON.parse(shrunk[3]).stride >= 2, property.output);
  assert.ok(JSON.parse(shrunk[1]).length <= 4, `shrunk to a short input: ${property.output}`);
  assert.match(property.output, /expected: \[/);
  assert.match(property.output, /Replay: deno task grade .* --hidden --seed 1 \(fast-check seed/);
});

Deno.test("an empty folder scores 0 with 'not implemented' everywhere", async () => {
  const out = `${await tmp()}/results.json`;
  const { code, stdout } = await gradeCli([`${FIXTURES}empty`, "--out", out]);
  assert.equal(code, 0);
  const r = await readResults(out);
  assert.equal(r.score, 0);
  assert.ok(r.tests.every((t) => /not implemented/.test(t.output)));
  assert.match(
    stdout,
    /not implemented: the submission has no mod.ts \(task 02.1 asks for conv1d\)/,
  );
});

Deno.test("a misused grader exits 2 and still writes a valid results.json", async () => {
  const out = `${await tmp()}/results.json`;
  const missing = await gradeCli([`${FIXTURES}no-such-folder`, "--out", out]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /is not a folder/);
  assert.equal((await readResults(out)).score, 0);
  const badTask = await gradeCli([`${FIXTURES}correct`, "--tasks", "99.9"]);
  assert.equal(badTask.code, 2);
  assert.match(badTask.stderr, /unknown task "99.9"/);
});

Deno.test("--tasks grades only the tasks named; visible tests only without --hidden", async () => {
  const out = `${await tmp()}/results.json`;
  await gradeCli([`${FIXTURES}correct`, "--tasks", "02.1,conv2d", "--out", out]);
  const r = await readResults(out);
  assert.deepEqual([...byFunction(r).keys()], ["conv1d", "conv2d"]);
  assert.ok(r.tests.every((t) => t.visibility === "visible"));
});

Deno.test("the visible examples are the lecture's numbers", () => {
  const expected = (fn: string) => {
    const task = GRADED_TASKS.find((t) => t.fn === fn)!;
    const args = testsFor(task, { hidden: false, seed: 1, numRuns: 1 })[0].cases![0];
    return judgementOf(OPS[fn as keyof typeof OPS], args).expected;
  };
  assert.deepEqual(expected("conv1d"), [5, 14, 16, 26, 24, 34, 19, 22]);
  assert.deepEqual(expected("conv2d"), [[11, 25, 32, 13], [19, 25, 24, 13], [13, 28, 25, 17], [
    11,
    17,
    14,
    9,
  ]]);
  for (const fn of ["binaryCrossEntropy", "binaryCrossEntropyWithLogits"]) {
    assert.equal((expected(fn) as number).toFixed(4), "0.3711");
  }
  for (const fn of ["crossEntropy", "nllLoss"]) {
    assert.equal((expected(fn) as number).toFixed(4), "0.5996");
  }
});

Deno.test("task 10.1's reference matches the TF.js extra-conv model", async () => {
  await currentBackend();
  const model = buildModel("extra-conv", 1);
  try {
    const spec = extraConvModel(28);
    assert.equal(spec.params, model.countParams());
    const tfShapes = model.layers
      .map((l) => (l.outputShape as number[]).slice(1))
      // TF.js is channels-last: [H, W, C] → [C, H, W]
      .map((s) => (s.length === 3 ? [s[2], s[0], s[1]] : s))
      .map((s) => s.join("×"))
      .filter((s, i, all) => i === 0 || s !== all[i - 1]);
    assert.deepEqual(spec.layers.map((l) => l.shape.join("×")), tfShapes);
  } finally {
    model.dispose();
  }
});

Deno.test("--all grades every student folder into one CSV and a results.json each", async () => {
  const [root, out] = [await tmp(), await tmp()];
  await Deno.mkdir(`${root}/alice`);
  await Deno.copyFile(`${FIXTURES}correct/mod.ts`, `${root}/alice/mod.ts`);
  await Deno.rename(await assemble("stride_bug"), `${root}/bob`);
  await Deno.mkdir(`${root}/=HYPERLINK("x")`); // an empty folder with a hostile name
  const { code } = await gradeCli(["--all", root, "--out", out, "--tasks", "02.1,03.1"]);
  assert.equal(code, 0);
  const csv = await Deno.readTextFile(`${out}/grades.csv`);
  assert.equal(
    csv,
    [
      `"student","score","max","02.1 conv1d","03.1 convOutputSize","error"`,
      `"'=HYPERLINK(""x"")",0,8,0,0,"not implemented: the submission has no mod.ts"`,
      `"alice",8,8,4,4,""`,
      `"bob",7,8,3,4,""`,
      "",
    ].join("\n"),
  );
  for (const s of ["alice", "bob", `=HYPERLINK("x")`]) {
    await readResults(`${out}/${s}.results.json`);
  }
});

Deno.test("a failure replays: the same seed gives the same draws and the same shrunk input", async () => {
  const dir = await assemble("stride_bug");
  const conv1d = GRADED_TASKS.filter((t) => t.fn === "conv1d");
  const run = async (seed: number) =>
    (await gradeSubmission(dir, { tasks: conv1d, hidden: true, seed, numRuns: 30 })).tests
      .find((t) => t.name.startsWith("conv1d: random inputs, stride 2"))!.output;
  const first = await run(5);
  assert.match(first, /Smallest failing input \(shrunk\)/);
  assert.match(first, /--seed 5 \(fast-check seed/);
  assert.equal(await run(5), first);
});

Deno.test("the float64 tolerance accepts another summation order and rejects a slip", () => {
  const conv1dArbitrary = arbitraryOf(OPS.conv1d);
  const l2Arbitrary = arbitraryOf(OPS.l2Penalty);
  const judge = (op: typeof OPS.conv1d | typeof OPS.l2Penalty, args: unknown[], got: unknown) =>
    judgeAnswer(judgementOf(op, args), got);
  // conv1d summed from the kernel's last tap to its first, l2 summed pairwise.
  const conv1dBackwards = (x: number[], w: number[], o: { padding?: number; stride?: number }) => {
    const [p, s] = [o.padding ?? 0, o.stride ?? 1];
    const xp = [...Array(p).fill(0), ...x, ...Array(p).fill(0)];
    const n = Math.floor((xp.length - w.length) / s) + 1;
    return Array.from({ length: n }, (_, i) => {
      let sum = 0;
      for (let k = w.length - 1; k >= 0; k--) sum += xp[i * s + k] * w[w.length - 1 - k];
      return sum;
    });
  };
  const pairwise = (xs: number[]): number =>
    xs.length <= 2
      ? xs.reduce((a, b) => a + b, 0)
      : pairwise(xs.slice(0, xs.length >> 1)) + pairwise(xs.slice(xs.length >> 1));
  const leaves = (t: unknown): number[] => Array.isArray(t) ? t.flatMap(leaves) : [t as number];
  let slipsCaught = 0;
  for (const args of fc.sample(conv1dArbitrary, { seed: 3, numRuns: 300 })) {
    const [x, w, o] = args as Parameters<typeof conv1dBackwards>;
    const got = conv1dBackwards(x, w, o);
    assert.equal(judge(OPS.conv1d, args, got), undefined, JSON.stringify(args));
    // A slip of 10⁻⁹ of the element's summed magnitude (1000× the tolerance) is no rounding.
    const scale =
      (OPS.conv1d.task.scale!(args as Parameters<typeof conv1dBackwards>) as number[])[0];
    const slipped = got[0] + 1e-9 * (Math.max(scale, Math.abs(got[0])) || 1);
    if (slipped !== got[0]) { // a subnormal output has no room for a slip
      got[0] = slipped;
      assert.notEqual(judge(OPS.conv1d, args, got), undefined, JSON.stringify([args, got]));
      slipsCaught++;
    }
  }
  assert.ok(slipsCaught > 290, `${slipsCaught} slips tried`);
  for (const args of fc.sample(l2Arbitrary, { seed: 4, numRuns: 300 })) {
    const [params, lambda] = args as [unknown[], number];
    const got = lambda * pairwise(params.flatMap(leaves).map((v) => v * v));
    assert.equal(judge(OPS.l2Penalty, args, got), undefined, JSON.stringify(args));
  }
});

Deno.test("with hidden tests, what a submission prints stays out of the visible summary", () => {
  const grade: Grade = {
    score: 0,
    maxScore: 0,
    executionTime: 1,
    tests: [],
    notes: [],
    hiddenNotes: [],
    printed: "conv1d got [0.123, 4.56] (a hidden input)\n",
    seed: 1,
    secretSeed: false,
    hidden: false,
  };
  assert.match(toResults(grade).output, /\| conv1d got \[0.123, 4.56\]/);
  assert.doesNotMatch(toResults({ ...grade, hidden: true }).output, /0\.123/);
  assert.match(textReport({ ...grade, hidden: true }), /0\.123/); // the terminal keeps it
});

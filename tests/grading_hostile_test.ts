/**
 * Hostile submissions: each one attacks the grader in one way and must cost only what it
 * affects, with a clear reason, while results.json stays valid. They are graded
 * concurrently (one child each) to keep the suite short.
 */
import assert from "node:assert/strict";
import { type Grade, gradeSubmission } from "../grading/grade.ts";
import { toResults } from "../grading/results.ts";
import type { SandboxLimits } from "../grading/sandbox.ts";
import { textReport } from "../grading/report.ts";
import type { Results } from "../grading/results.ts";
import { assemble, assertOnlyLost, FIXTURES, REPO, tempDir } from "./grading_helpers.ts";

// A call gets 10 s: generous for honest calls (milliseconds) on a machine the whole suite
// loads, short for the loops. Where a cap races the clock (memory, output), the cap gets a
// minute, so the outcome does not depend on the machine's load.
const LIMITS: Partial<SandboxLimits> = { callMs: 10_000, graceMs: 300, loadMs: 60_000 };
const OWN_LIMITS: Record<string, Partial<SandboxLimits>> = {
  memory: { ...LIMITS, callMs: 60_000 },
  flood: { ...LIMITS, callMs: 60_000, outputBytes: 4 * 2 ** 20 },
  slow: { ...LIMITS, functionMs: 1000 },
};

/** Grades a folder the way the CLI does, visible tests only, and checks the results. */
async function grade(
  dir: string,
  limits = LIMITS,
): Promise<{ grade: Grade; results: Results; report: string }> {
  const grade = await gradeSubmission(dir, { limits, numRuns: 10 });
  const results = JSON.parse(JSON.stringify(toResults(grade))) as Results;
  assert.ok(Number.isFinite(results.score));
  return { grade, results, report: textReport(grade) };
}

/** The test outputs of function `fn`, joined. */
const outputs = (r: Results, fn: string) =>
  r.tests.filter((t) => t.name.startsWith(fn + ":")).map((t) => t.output).join("\n");

/** A submission that imports the course's conv.ts by its absolute path. */
async function absoluteImport(): Promise<string> {
  const dir = await tempDir("litconv-abs-");
  await Deno.writeTextFile(`${dir}/mod.ts`, `export { conv1d } from "${REPO}kernels/conv.ts";\n`);
  return dir;
}

/** deno_json_remap with its deno.json pointing at the course's kernels by absolute path. */
async function remap(): Promise<string> {
  const dir = await assemble("deno_json_remap");
  await Deno.writeTextFile(
    `${dir}/deno.json`,
    JSON.stringify({ imports: { "litconv-kernels": `${REPO}kernels/conv.ts` } }),
  );
  return dir;
}

Deno.test("the grader survives every hostile submission, costing only what each affects", async (t) => {
  const started = performance.now();
  const dirs: Record<string, Promise<string>> = {
    infinite_loop: assemble("infinite_loop"),
    slow: assemble("slow"),
    ignore_sigterm: assemble("ignore_sigterm"),
    exit_at_import: assemble("exit_at_import"),
    fake_output: assemble("fake_output"),
    patch_globals: assemble("patch_globals"),
    escape: assemble("escape"),
    memory: assemble("memory"),
    flood: assemble("flood"),
    bad_answers: assemble("bad_answers"),
    deno_json_remap: remap(),
    import_relative: Promise.resolve(`${FIXTURES}import_relative`),
    import_absolute: absoluteImport(),
  };
  const graded = Object.fromEntries(
    await Promise.all(
      Object.entries(dirs).map(async ([name, dir]) =>
        [name, await grade(await dir, OWN_LIMITS[name] ?? LIMITS)] as const
      ),
    ),
  );
  console.log(
    `graded ${Object.keys(graded).length} hostile submissions concurrently in ${
      ((performance.now() - started) / 1000).toFixed(1)
    } s`,
  );

  await t.step("an infinite loop: that function times out, the rest keep full marks", () => {
    const { results } = graded.infinite_loop;
    assertOnlyLost(results, ["conv1d"], "infinite_loop");
    assert.match(outputs(results, "conv1d"), /conv1d took longer than 10 s \(stopped\)/);
  });

  await t.step("a slow function is stopped by its budget for all its calls", () => {
    const { results } = graded.slow;
    const conv1d = results.tests.filter((t) => t.name.startsWith("conv1d:"));
    assert.ok(conv1d.some((t) => t.score < t.max_score));
    assert.match(
      outputs(results, "conv1d"),
      /conv1d (used up|would overrun) its 1 s for all its calls/,
    );
    for (const t of results.tests.filter((t) => !t.name.startsWith("conv1d:"))) {
      assert.equal(t.score, t.max_score, t.name);
    }
  });

  await t.step("ignoring SIGTERM: SIGKILL ends it, only conv2d lost", () => {
    const { results } = graded.ignore_sigterm;
    assertOnlyLost(results, ["conv2d"], "ignore_sigterm");
    assert.match(outputs(results, "conv2d"), /took longer than 10 s/);
  });

  await t.step("Deno.exit(0) at import: nothing ran, everything 0, the reason given", () => {
    const { results, report } = graded.exit_at_import;
    assert.equal(results.score, 0);
    assert.match(report, /mod.ts did not load: the process exited \(code 0\) while loading/);
  });

  await t.step("fake results and 'passed' lines are shown as prints, not graded", () => {
    const { results, report } = graded.fake_output;
    assertOnlyLost(results, [], "fake_output");
    assert.ok(results.tests.every((t) => t.score <= t.max_score));
    assert.match(report, /The submission printed \(shown, not graded\):\n {2}\| /);
    assert.match(report, /\| \{"score":1000/);
  });

  await t.step("patched globals do not fool the harness; they break only their users", () => {
    const { results, report } = graded.patch_globals;
    // Math.exp returns 0.5: the functions that use it fail, every other one is judged right.
    assertOnlyLost(results, [
      "sigmoid",
      "softmax",
      "logSoftmax",
      "binaryCrossEntropyWithLogits",
      "crossEntropy",
      "crossEntropyBackward",
      "trainSteps",
    ], "patch");
    assert.match(report, /mod.ts replaced Math.exp, JSON.stringify, JSON.parse, Object.is/);
  });

  await t.step(
    "files, environment, /proc, sockets, writes, processes, FFI, sys: denied",
    async () => {
      const { results } = graded.escape;
      const denied: Record<string, RegExp> = {
        conv1d: /Requires read access to "\/etc\/passwd"/,
        conv2d: /Requires env access/,
        maxPool2d: /Requires read access to "\/proc\/self\/environ"/,
        avgPool2d: /Requires net access/,
        sigmoid: /Requires write access/,
        // Under bubblewrap there is no sh to find (Deno looks it up before asking permission).
        softmax: /Requires run access|Failed to spawn 'sh': entity not found/,
        logSoftmax: /Requires ffi access/,
        nllLoss: /Requires sys access/,
      };
      assertOnlyLost(results, Object.keys(denied), "escape");
      for (const [fn, why] of Object.entries(denied)) assert.match(outputs(results, fn), why, fn);
      assert.equal(await Deno.stat("/tmp/litconv-escaped").catch(() => null), null);
      assert.equal(await Deno.stat(`${await dirs.escape}/escaped.txt`).catch(() => null), null);
    },
  );

  await t.step("memory: typed arrays hit the rlimit, a full heap kills only that child", () => {
    const { results } = graded.memory;
    assertOnlyLost(results, ["conv2d", "maxPool2d"], "memory");
    assert.match(outputs(results, "conv2d"), /Array buffer allocation failed/);
    assert.match(outputs(results, "maxPool2d"), /out of memory/);
  });

  await t.step("flooding stdout or stderr is stopped at the cap", () => {
    const { results } = graded.flood;
    assertOnlyLost(results, ["conv1d", "conv2d"], "flood");
    assert.match(outputs(results, "conv1d"), /printed more than 4 MiB \(stopped\)/);
    assert.match(outputs(results, "conv2d"), /printed more than 4 MiB \(stopped\)/);
  });

  await t.step("NaN, wrong shapes, Proxies, getters, lying toJSON, promises: judged wrong", () => {
    const { results } = graded.bad_answers;
    assertOnlyLost(
      results,
      ["conv1d", "conv2d", "maxPool2d", "avgPool2d", "softmax", "sigmoid", "logSoftmax"],
      "bad_answers",
    );
    assert.match(outputs(results, "conv1d"), /is NaN, not a finite number/);
    assert.match(outputs(results, "conv2d"), /shape \[16\], expected \[4, 4\]/);
    assert.match(outputs(results, "maxPool2d"), /bad answer: Error: gotcha/);
    assert.match(outputs(results, "avgPool2d"), /bad answer: the result has a getter at index 0/);
    assert.match(outputs(results, "softmax"), /bad answer: the result contains a function/);
    assert.match(outputs(results, "sigmoid"), /bad answer: the result contains a Promise/);
    assert.match(outputs(results, "logSoftmax"), /bad answer: the result contains a Float64Array/);
  });

  await t.step(
    "importing the course's kernels (relative, absolute, via deno.json) is refused",
    () => {
      for (const name of ["import_relative", "import_absolute", "deno_json_remap"]) {
        const { results, report } = graded[name];
        assert.equal(results.score, 0, name);
        assert.match(report, /Refused to run the submission/, name);
        assert.ok(results.tests.every((t) => /^refused/.test(t.output)), name);
      }
      assert.match(graded.import_relative.report, /resolves to .*\/kernels\/conv.ts, outside/);
      assert.match(graded.import_absolute.report, /resolves to .*\/kernels\/conv.ts, outside/);
      assert.match(graded.deno_json_remap.report, /a deno.json is ignored/);
    },
  );
});

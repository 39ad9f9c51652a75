/**
 * Grades one submission folder: checks its import graph, copies it into the sandbox, runs
 * every graded test's cases through the child, judges each answer in the parent, and
 * returns one result per test with partial credit by the share of cases passed. Whatever
 * the submission does, this returns (refusals, crashes and timeouts become 0 points for the
 * tests they affect, with the reason).
 *
 * @module
 */
import fc from "npm:fast-check@4.10.2";
import { findOp, type TaskInfo } from "../kernels/registry.ts";
import { expectedText, GRADED_TASKS, judgementOf, testsFor, type TestSpec } from "./cases.ts";
import { checkImports } from "./imports.ts";
import { judgeAnswer, show } from "./judge.ts";
import { Child } from "./child.ts";
import { DEFAULT_LIMITS, SandboxDir, type SandboxLimits } from "./sandbox.ts";

/** One graded test's outcome, in Gradescope's terms. */
export interface TestResult {
  name: string;
  number: string;
  score: number;
  max_score: number;
  status: "passed" | "failed";
  output: string;
  visibility: "visible" | "after_due_date";
}

/** The whole grade. */
export interface Grade {
  score: number;
  maxScore: number;
  /** Seconds. */
  executionTime: number;
  tests: TestResult[];
  /** What the grader has to say about the submission as a whole (refusals, patches…). */
  notes: string[];
  /** What the submission printed, the first 2 KiB: shown, never graded. */
  printed: string;
  seed: number;
  hidden: boolean;
}

/** Options of {@link gradeSubmission}. */
export interface GradeOptions {
  tasks?: readonly TaskInfo[];
  hidden?: boolean;
  seed?: number;
  /** Draws per property test. */
  numRuns?: number;
  limits?: Partial<SandboxLimits>;
  /** How `deno task grade` was called, for the replay hint. */
  replay?: string;
}

/** Rounds a score to hundredths (Gradescope shows two decimals). */
const points = (max: number, passed: number, total: number) =>
  total === 0 ? 0 : Math.round((100 * max * passed) / total) / 100;

/** `conv1d([1, 2], [3], {"padding":1})`, cut when long. */
const callText = (fn: string, args: unknown[]) =>
  `${fn}(${args.map((a) => (a === undefined ? "undefined" : show(a, 200))).join(", ")})`;

/** Runs the child for as long as it lives; a dead child is replaced for the next task. */
class Runner {
  private child: Child | undefined;
  private loadFailed: string | undefined;
  printed = "";
  constructor(private sandbox: SandboxDir, private limits: SandboxLimits) {}

  /** A live child, or the reason none could start. */
  async live(): Promise<Child | string> {
    if (this.child && !this.child.isDead()) return this.child;
    if (this.loadFailed) return this.loadFailed;
    await this.retire();
    const child = new Child(this.sandbox, this.limits);
    const started = await child.start();
    if (!started.ok) {
      await child.stop();
      this.collect(child);
      return (this.loadFailed = started.reason);
    }
    this.child = child;
    return child;
  }

  async retire(): Promise<void> {
    if (!this.child) return;
    await this.child.stop();
    this.collect(this.child);
    this.child = undefined;
  }

  private collect(child: Child): void {
    if (this.printed.length < 2048 && child.printed) {
      this.printed = (this.printed + child.printed).slice(0, 2048);
    }
  }
}

/** One case: undefined when it passes, else why not; `fatal` when the child died. */
async function runCase(
  child: Child,
  fn: string,
  args: unknown[],
): Promise<{ fail?: string; fatal?: string }> {
  const reply = await child.call(fn, args);
  if (reply.kind === "fatal") return { fail: reply.reason, fatal: reply.reason };
  if (reply.kind === "error") return { fail: reply.message };
  const verdict = judgeAnswer(judgementOf(findOp(fn)!, args), reply.value);
  return verdict === undefined ? {} : { fail: `${verdict}\n  got: ${show(reply.value)}` };
}

/** A fixed test: every case, each failure with its input and expected value (visible ones). */
async function runFixed(child: Child, spec: TestSpec): Promise<[number, string, string?]> {
  const fn = spec.task.fn;
  const cases = spec.cases ?? [];
  let passed = 0;
  const lines: string[] = [];
  for (const [i, args] of cases.entries()) {
    const { fail, fatal } = await runCase(child, fn, args);
    if (!fail) {
      passed++;
      continue;
    }
    lines.push(
      `case ${i + 1}: ${callText(fn, args)}\n  expected: ${
        expectedText(findOp(fn)!, args)
      }\n  ${fail}`,
    );
    if (fatal) {
      if (i + 1 < cases.length) lines.push(`cases ${i + 2}–${cases.length} not run: ${fatal}`);
      return [passed / cases.length, lines.join("\n"), fatal];
    }
  }
  return [
    passed / cases.length,
    lines.length ? lines.join("\n") : `${passed} of ${cases.length} cases passed`,
  ];
}

/** A property test: the share of draws passed, then the smallest failing input, shrunk. */
async function runProperty(
  child: Child,
  spec: TestSpec,
  replay: string,
): Promise<[number, string, string?]> {
  const fn = spec.task.fn;
  const { arbitrary, numRuns, seed } = spec.property!;
  const draws = fc.sample(arbitrary, { seed, numRuns });
  let passed = 0;
  let fatal: string | undefined;
  for (const args of draws) {
    const r = await runCase(child, fn, args);
    if (!r.fail) passed++;
    if (r.fatal) {
      fatal = r.fatal;
      break;
    }
  }
  if (passed === draws.length) return [1, `${passed} of ${draws.length} runs passed`];
  if (fatal) {
    return [
      passed / draws.length,
      `${passed} of ${draws.length} runs passed, then: ${fatal}`,
      fatal,
    ];
  }
  // Shrink: fast-check replays the same seed and reduces the first failure it finds.
  let lastFail = "";
  const details = await fc.check(
    fc.asyncProperty(arbitrary, async (args) => {
      const r = await runCase(child, fn, args);
      if (r.fail) lastFail = r.fail;
      if (r.fatal) fatal ??= r.fatal;
      return r.fail === undefined || r.fatal !== undefined;
    }),
    { seed, numRuns, interruptAfterTimeLimit: 20_000 },
  );
  const lines = [`${passed} of ${draws.length} runs passed.`];
  if (details.failed && details.counterexample) {
    const [args] = details.counterexample as [unknown[]];
    // Judge the shrunk input once more so expected and got belong to it.
    const r = await runCase(child, fn, args);
    lastFail = r.fail ?? lastFail;
    lines.push(
      `Smallest failing input (shrunk): ${callText(fn, args)}`,
      `  expected: ${expectedText(findOp(fn)!, args)}`,
      `  ${lastFail}`,
      `Replay: ${replay} (fast-check seed ${details.seed}, path ${details.counterexamplePath})`,
    );
  }
  if (fatal) lines.push(`While shrinking: ${fatal}`);
  return [passed / draws.length, lines.join("\n"), fatal];
}

/** Every test of `tasks` failed with the same reason (refused, did not load, not exported). */
function failAll(specs: TestSpec[], reason: string): [TestSpec, number, string][] {
  return specs.map((s) => [s, 0, reason]);
}

/** Grades `dir` (a folder with `mod.ts`). */
export async function gradeSubmission(dir: string, options: GradeOptions = {}): Promise<Grade> {
  const started = performance.now();
  const seed = options.seed ?? 1;
  const hidden = options.hidden ?? false;
  const tasks = options.tasks ?? GRADED_TASKS;
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const replay = options.replay ?? `deno task grade DIR${hidden ? " --hidden" : ""} --seed ${seed}`;
  const byTask = tasks.map((task) => ({
    task,
    specs: testsFor(task, { hidden, seed, numRuns: options.numRuns ?? 50 }),
  }));
  const allSpecs = byTask.flatMap((t) => t.specs);
  const notes: string[] = [];
  const outcomes: [TestSpec, number, string][] = [];
  let printed = "";

  // lstat: a mod.ts that is a link (to /etc/shadow, say) is not the student's code.
  const hasMod = await Deno.lstat(`${dir}/mod.ts`).then((s) => s.isFile, () => false);
  let sandbox: SandboxDir | undefined;
  if (!hasMod) {
    const reason = "not implemented: the submission has no mod.ts";
    notes.push(`${reason}.`);
    for (const { task, specs } of byTask) {
      outcomes.push(...failAll(specs, `${reason} (task ${task.id} asks for ${task.fn})`));
    }
  } else {
    try {
      sandbox = await SandboxDir.create(dir);
    } catch (e) {
      notes.push(`Could not copy the submission: ${(e as Error).message}`);
      outcomes.push(...failAll(allSpecs, `refused: ${(e as Error).message}`));
    }
  }
  if (sandbox) {
    try {
      // The graph of the copy (source files only, no links), so deno info reads nothing else.
      const refused = await checkImports(sandbox.submission);
      if (refused.length) {
        notes.push(
          "Refused to run the submission: it imports modules from outside its folder.",
          ...refused.map((r) => `  ${r.from} imports "${r.specifier}": ${r.why}`),
        );
        outcomes.push(
          ...failAll(
            allSpecs,
            "refused: mod.ts imports from outside the submission folder (see the report's notes)",
          ),
        );
      } else {
        const runner = new Runner(sandbox, limits);
        try {
          await gradeInSandbox(runner, byTask, notes, outcomes, replay);
        } finally {
          await runner.retire();
          printed = runner.printed;
        }
      }
    } finally {
      await sandbox.remove();
    }
  }

  const tests: TestResult[] = outcomes.map(([spec, share, output], i) => {
    const score = points(spec.maxScore, share, 1);
    return {
      name: spec.name,
      number: `${spec.task.id}.${i + 1}`,
      score,
      max_score: spec.maxScore,
      status: score === spec.maxScore ? "passed" : "failed",
      output,
      visibility: spec.visibility,
    };
  });
  const sum = (xs: number[]) => Math.round(100 * xs.reduce((s, x) => s + x, 0)) / 100;
  return {
    score: sum(tests.map((t) => t.score)),
    maxScore: sum(tests.map((t) => t.max_score)),
    executionTime: Math.round(performance.now() - started) / 1000,
    tests,
    notes,
    printed,
    seed,
    hidden,
  };
}

async function gradeInSandbox(
  runner: Runner,
  byTask: { task: TaskInfo; specs: TestSpec[] }[],
  notes: string[],
  outcomes: [TestSpec, number, string][],
  replay: string,
): Promise<void> {
  let firstStart = true;
  for (const { task, specs } of byTask) {
    const child = await runner.live();
    if (typeof child === "string") {
      const reason = `mod.ts did not load: ${child}`;
      if (!notes.includes(reason)) notes.push(reason);
      outcomes.push(...failAll(specs, reason));
      continue;
    }
    if (firstStart) {
      firstStart = false;
      const patched = child.patched();
      if (patched.length) {
        notes.push(
          `mod.ts replaced ${
            patched.join(", ")
          }: the grader does not use them, but your own code does.`,
        );
      }
    }
    if (!child.exports().includes(task.fn)) {
      outcomes.push(
        ...failAll(specs, `not implemented: mod.ts does not export ${task.fn} (task ${task.id})`),
      );
      continue;
    }
    let fatal: string | undefined;
    child.startBudget(task.fn);
    for (const spec of specs) {
      if (fatal) {
        outcomes.push([spec, 0, `not run: ${fatal}`]);
        continue;
      }
      const [share, output, died] = spec.property
        ? await runProperty(child, spec, replay)
        : await runFixed(child, spec);
      outcomes.push([spec, share, output]);
      if (died) {
        fatal = died;
        notes.push(`${task.fn} (task ${task.id}): ${died}; its remaining tests were not run.`);
      }
    }
  }
}

/**
 * Grades one submission folder: copies it into the sandbox, checks its imports there, runs
 * every graded test's cases through the child, judges each answer in the parent, and gives
 * partial credit by the share of cases passed. Whatever the submission does, this returns
 * (refusals, crashes, timeouts and the grader's own exceptions become 0 points with the
 * reason). Every visible test runs before any hidden one, and the whole submission has a
 * time budget ({@link DEFAULT_BUDGET_S}).
 *
 * Longer than most modules (about 550 lines) on purpose: one submission's grading is one
 * sequence, and keeping it in one file is how a reader checks that no hidden input reaches a
 * visible field. The sandbox it runs in is `sandbox/`; the judges are `judge.ts`.
 *
 * @module
 */
import fc from "../deps/fast_check.ts";
import { findOp, type TaskInfo } from "../kernels/registry.ts";
import { SEED_CONTRACTS, type SeedContract } from "../kernels/contracts.ts";
import { expectedText, GRADED_TASKS, judgementOf, testsFor, type TestSpec } from "./cases.ts";
import { checkImports } from "./imports.ts";
import { judgeAnswer, show } from "./judge.ts";
import { capText, Child, type Deadline } from "./child.ts";
import { terminalSafe } from "./escape.ts";
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
  /**
   * Notes made once hidden inputs had been sent (a child that died on one, the budget spent
   * on them): they may carry what a hidden input made the submission do, so results.json's
   * visible output leaves them out.
   */
  hiddenNotes: string[];
  /** What the submission printed, the first 2 KiB: shown, never graded. */
  printed: string;
  seed: number;
  /** The seed is the package's secret: no report shows it. */
  secretSeed: boolean;
  hidden: boolean;
  /** One line when the submission as a whole could not be (fully) graded: why. */
  problem?: string;
}

/** Options of {@link gradeSubmission}. */
export interface GradeOptions {
  tasks?: readonly TaskInfo[];
  hidden?: boolean;
  seed?: number;
  /** The seed is secret (a Gradescope package's): never shown, no replay line. */
  secretSeed?: boolean;
  /** Draws per property test. */
  numRuns?: number;
  limits?: Partial<SandboxLimits>;
  /** How `deno task grade` was called, for the replay hint. */
  replay?: string;
  /** Seconds for the whole submission: copy, import check, loads and every call. */
  budgetS?: number;
  /** When grading began (`performance.now()`); the CLI passes 0, its own start. */
  startedAt?: number;
}

/** The whole-submission time budget by default, in seconds: well under Gradescope's usual 10 min. */
export const DEFAULT_BUDGET_S = 240;

/** The longest output of one test, by visibility. */
export const MAX_TEST_OUTPUT = { visible: 4096, after_due_date: 8192 } as const;

/** How a test the budget left out starts its output. */
const NOT_GRADED = "not graded:";

/** Rounds a score to hundredths (Gradescope shows two decimals). */
const points = (max: number, share: number) => Math.round(100 * max * share) / 100;

/** `conv1d([1, 2], [3], {"padding":1})`, cut when long. */
const callText = (fn: string, args: unknown[]) =>
  `${fn}(${args.map((a) => (a === undefined ? "undefined" : show(a, 200))).join(", ")})`;

/** A test's share of its points, its output, and what stopped the child if it died. */
type Share = [share: number, output: string, fatal?: string];

/** What grading one submission keeps track of. */
class Session {
  readonly outcomes = new Map<TestSpec, [number, string]>();
  readonly notes: string[] = [];
  readonly hiddenNotes: string[] = [];
  /** Which tests run now: once "after_due_date", notes go to {@link hiddenNotes}. */
  phase: "visible" | "after_due_date" = "visible";
  problem: string | undefined;
  /** Milliseconds each function has left of its budget, over both phases. */
  readonly functionLeft = new Map<string, number>();
  /** Functions that failed their seed contract across calls, and how (see runCase). */
  readonly seedBroken = new Map<string, string>();

  /** How runCase judges a case: across calls or not, with what is known so far. */
  cases(across: boolean): { across: boolean; seedBroken: Map<string, string> } {
    return { across, seedBroken: this.seedBroken };
  }

  /** What stopped a function (it died or timed out): its later tests are not run. */
  readonly stopped = new Map<string, string>();

  constructor(
    readonly deadline: Deadline,
    readonly budgetS: number,
    readonly replay: string | undefined,
  ) {}

  timeLeft(): number {
    return this.deadline.at - performance.now();
  }

  set(spec: TestSpec, share: number, output: string): void {
    if (!this.outcomes.has(spec)) {
      this.outcomes.set(spec, [share, capText(output, MAX_TEST_OUTPUT[spec.visibility])]);
    }
  }

  failAll(specs: readonly TestSpec[], reason: string): void {
    for (const s of specs) this.set(s, 0, reason);
  }

  note(text: string, phase = this.phase): void {
    const capped = capText(text, 2048);
    const notes = phase === "visible" ? this.notes : this.hiddenNotes;
    if (notes.length < 60 && !notes.includes(capped)) notes.push(capped);
  }

  notGraded(): string {
    return `${NOT_GRADED} the submission used up its time budget (${this.budgetS} s for all its tests)`;
  }
}

/** Runs the child for as long as it lives; a dead child is replaced for the next task. */
class Runner {
  private child: Child | undefined;
  private loadFailed: string | undefined;
  printed = "";
  constructor(
    private sandbox: SandboxDir,
    private limits: SandboxLimits,
    private deadline: Deadline,
  ) {}

  /** A live child, or the reason none could start. */
  async live(): Promise<Child | string> {
    if (this.child && !this.child.isDead()) return this.child;
    if (this.loadFailed) return this.loadFailed;
    await this.retire();
    const child = new Child(this.sandbox, this.limits, this.deadline);
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

/**
 * How many draws of each property test are also judged across calls (two more calls each):
 * a seed ignored or a mask fixed shows on the first, and the function's time budget stays
 * with the draws.
 */
const ACROSS_DRAWS = 10;

/**
 * One case: undefined when it passes, else why not; `fatal` when the child died. `across`:
 * a seeded operation's answer is also judged across calls (see {@link acrossCalls});
 * `seedBroken` holds the functions that already failed that, by what they did: a function
 * that ignores its seed fails every later seeded case too, checked or not.
 */
async function runCase(
  child: Child,
  fn: string,
  args: unknown[],
  { across, seedBroken }: { across: boolean; seedBroken: Map<string, string> },
): Promise<{ fail?: string; fatal?: string }> {
  const reply = await child.call(fn, args);
  if (reply.kind === "fatal") return { fail: reply.reason, fatal: reply.reason };
  if (reply.kind === "error") return { fail: reply.message };
  const fail = judged(fn, args, reply.value);
  if (fail) return { fail };
  const op = findOp(fn)!;
  const seeded = op.contract ? SEED_CONTRACTS[op.contract] : undefined;
  const reseeded = seeded?.reseed(args);
  if (!seeded || !reseeded) return {};
  const broken = seedBroken.get(fn);
  if (broken) return { fail: `as on an earlier call: ${broken}` };
  if (!across) return {};
  const r = await acrossCalls(child, fn, args, reply.value, seeded, reseeded);
  if (r.fail && !r.fatal) seedBroken.set(fn, r.fail);
  return r;
}

/**
 * A seeded operation's answer that passed on its own, judged across calls (see
 * `SEED_CONTRACTS`): the same arguments once more, then another seed.
 */
async function acrossCalls(
  child: Child,
  fn: string,
  args: unknown[],
  first: unknown,
  seeded: SeedContract,
  reseeded: unknown[],
): Promise<{ fail?: string; fatal?: string }> {
  const answers: unknown[] = [];
  for (const [what, call] of [["the same arguments", args], ["another seed", reseeded]] as const) {
    const reply = await child.call(fn, call);
    const why = `called again with ${what}: `;
    if (reply.kind === "fatal") return { fail: why + reply.reason, fatal: reply.reason };
    if (reply.kind === "error") return { fail: why + reply.message };
    const fail = judged(fn, call, reply.value);
    if (fail) return { fail: why + fail };
    answers.push(reply.value);
  }
  try {
    return { fail: seeded.judge(args, first, answers[0], answers[1]) };
  } catch (e) {
    return { fail: `the grader could not judge these answers (${capText(String(e), 200)})` };
  }
}

/** The judge's verdict on one answer; a judge that throws fails this case, nothing more. */
function judged(fn: string, args: unknown[], value: unknown): string | undefined {
  try {
    const verdict = judgeAnswer(judgementOf(findOp(fn)!, args), value);
    return verdict === undefined ? undefined : `${verdict}\n  got: ${show(value)}`;
  } catch (e) {
    return `the grader could not judge this answer (${capText(String(e), 200)})\n  got: ${
      show(value)
    }`;
  }
}

/** The expected answer's text, or a placeholder should the reference itself throw. */
function expected(fn: string, args: unknown[]): string {
  try {
    return capText(expectedText(findOp(fn)!, args), 600);
  } catch (e) {
    return `(the reference failed: ${capText(String(e), 200)})`;
  }
}

/** A fixed test: every case, each failure with its input and expected value (visible ones). */
async function runFixed(child: Child, spec: TestSpec, session: Session): Promise<Share> {
  const fn = spec.task.fn;
  const cases = spec.cases ?? [];
  let passed = 0;
  const lines: string[] = [];
  for (const [i, args] of cases.entries()) {
    const { fail, fatal } = await runCase(child, fn, args, session.cases(true));
    if (!fail) {
      passed++;
      continue;
    }
    lines.push(
      `case ${i + 1}: ${callText(fn, args)}\n  expected: ${expected(fn, args)}\n  ${
        capText(fail, 1200)
      }`,
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
async function runProperty(child: Child, spec: TestSpec, session: Session): Promise<Share> {
  const fn = spec.task.fn;
  const { arbitrary, numRuns, seed } = spec.property!;
  const draws = fc.sample(arbitrary, { seed, numRuns });
  let passed = 0;
  let fatal: string | undefined;
  for (const [i, args] of draws.entries()) {
    const r = await runCase(child, fn, args, session.cases(i < ACROSS_DRAWS));
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
      const r = await runCase(child, fn, args, session.cases(true));
      if (r.fail) lastFail = r.fail;
      if (r.fatal) fatal ??= r.fatal;
      return r.fail === undefined || r.fatal !== undefined;
    }),
    { seed, numRuns, interruptAfterTimeLimit: Math.max(0, Math.min(20_000, session.timeLeft())) },
  );
  const lines = [`${passed} of ${draws.length} runs passed.`];
  if (details.failed && details.counterexample) {
    const [args] = details.counterexample as [unknown[]];
    // Judge the shrunk input once more so expected and got belong to it.
    const r = await runCase(child, fn, args, session.cases(true));
    lastFail = r.fail ?? lastFail;
    lines.push(
      `Smallest failing input (shrunk): ${callText(fn, args)}`,
      `  expected: ${expected(fn, args)}`,
      `  ${capText(lastFail, 1200)}`,
      session.replay
        ? `Replay: ${session.replay} (fast-check seed ${details.seed}, path ${details.counterexamplePath})`
        : "Replay: the grader's seed is secret; the input above is the smallest failing one it found.",
    );
  }
  if (fatal) lines.push(`While shrinking: ${fatal}`);
  return [passed / draws.length, lines.join("\n"), fatal];
}

/** Grades `dir` (a folder with `mod.ts`). Never throws for anything the submission does. */
export async function gradeSubmission(dir: string, options: GradeOptions = {}): Promise<Grade> {
  const started = options.startedAt ?? performance.now();
  const seed = options.seed ?? 1;
  const secretSeed = options.secretSeed ?? false;
  const hidden = options.hidden ?? false;
  const tasks = options.tasks ?? GRADED_TASKS;
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const budgetS = options.budgetS ?? DEFAULT_BUDGET_S;
  const replay = secretSeed
    ? undefined
    : options.replay ?? `deno task grade DIR${hidden ? " --hidden" : ""} --seed ${seed}`;
  const byTask = tasks.map((task) => ({
    task,
    specs: testsFor(task, { hidden, seed, numRuns: options.numRuns ?? 50 }),
  }));
  const allSpecs = byTask.flatMap((t) => t.specs);
  const session = new Session(
    {
      at: started + budgetS * 1000,
      reason: `the submission used up its time budget (${budgetS} s for all its tests)`,
    },
    budgetS,
    replay,
  );
  let printed = "";
  try {
    printed = await gradeInto(session, dir, byTask, limits);
  } catch (e) {
    // The grader's own failure on this submission: its 0 with the reason, not the batch's end.
    const reason = `the grader failed while grading this submission: ${
      capText((e as Error)?.message ?? String(e), 300)
    }`;
    console.error(terminalSafe(`grader error on ${dir}: ${(e as Error)?.stack ?? e}`));
    session.problem ??= reason;
    session.note(`${reason}. Please tell your instructor.`);
    session.failAll(allSpecs, reason);
  }

  const ungraded = allSpecs.filter((s) => session.outcomes.get(s)?.[1].startsWith(NOT_GRADED));
  if (ungraded.length) {
    const which = [...new Set(ungraded.map((s) => s.task.id))].join(", ");
    const line =
      `Not graded: ${ungraded.length} of ${allSpecs.length} tests (tasks ${which}); the submission used up its time budget of ${budgetS} s.`;
    // Time spent on hidden inputs is theirs to tell: such a line is a hidden note.
    const visibleLeft = ungraded.some((s) => s.visibility === "visible");
    session.note(line, visibleLeft ? "visible" : "after_due_date");
    session.problem ??= line;
  }

  const tests: TestResult[] = allSpecs.map((spec, i) => {
    const [share, output] = session.outcomes.get(spec) ?? [0, "not run"];
    const score = points(spec.maxScore, share);
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
    notes: session.notes,
    hiddenNotes: session.hiddenNotes,
    printed,
    seed,
    secretSeed,
    hidden,
    problem: session.problem,
  };
}

/** Copies, checks and runs; fills `session`; returns what the submission printed. */
async function gradeInto(
  session: Session,
  dir: string,
  byTask: { task: TaskInfo; specs: TestSpec[] }[],
  limits: SandboxLimits,
): Promise<string> {
  const allSpecs = byTask.flatMap((t) => t.specs);
  const sandbox = await SandboxDir.create(dir);
  try {
    for (const n of sandbox.copied.notes) session.note(n);
    if (!sandbox.entry) {
      session.problem = "not implemented: the submission has no mod.ts";
      for (const { task, specs } of byTask) {
        session.failAll(specs, `${session.problem} (task ${task.id} asks for ${task.fn})`);
      }
      return "";
    }
    if (session.timeLeft() <= 0) {
      session.failAll(allSpecs, session.notGraded());
      return "";
    }
    // The graph of the copy (source files only, no links), read in the sandbox.
    const refused = await checkImports(
      sandbox,
      limits,
      Math.max(1, Math.min(limits.checkMs, session.timeLeft())),
    );
    if (refused.length) {
      session.problem = "refused: it imports modules from outside its folder";
      session.note("Refused to run the submission: it imports modules from outside its folder.");
      for (const r of refused.slice(0, 20)) {
        const what = r.specifier === undefined ? "" : ` imports "${capText(r.specifier, 200)}"`;
        session.note(`  ${r.from}${what}: ${r.why}`);
      }
      session.failAll(
        allSpecs,
        `refused: ${sandbox.copied.entry} imports from outside the submission folder (see the report's notes)`,
      );
      return "";
    }
    const runner = new Runner(sandbox, limits, session.deadline);
    try {
      // Visible tests of every task first: no hidden input reaches the child before then.
      for (const phase of ["visible", "after_due_date"] as const) {
        session.phase = phase;
        for (const { task, specs } of byTask) {
          const ofPhase = specs.filter((s) => s.visibility === phase);
          if (ofPhase.length) await runTask(session, runner, limits, task, ofPhase);
        }
      }
    } finally {
      await runner.retire();
    }
    return runner.printed;
  } finally {
    await sandbox.remove();
  }
}

/** One task's tests of one phase. */
async function runTask(
  session: Session,
  runner: Runner,
  limits: SandboxLimits,
  task: TaskInfo,
  specs: TestSpec[],
): Promise<void> {
  if (session.timeLeft() <= 0) return session.failAll(specs, session.notGraded());
  const child = await runner.live();
  if (typeof child === "string") {
    if (session.timeLeft() <= 0) return session.failAll(specs, session.notGraded());
    session.note(`mod.ts did not load: ${child}`);
    session.problem ??= `mod.ts did not load: ${capText(child, 200)}`;
    return session.failAll(specs, `mod.ts did not load: ${capText(child, 300)}`);
  }
  if (child.patched().length) {
    session.note(
      `mod.ts replaced ${
        child.patched().join(", ")
      }: the grader does not use them, but your own code does.`,
    );
  }
  if (!child.exports().includes(task.fn)) {
    return session.failAll(
      specs,
      `not implemented: mod.ts does not export ${task.fn} (task ${task.id})`,
    );
  }
  const fn = task.fn;
  const left = session.functionLeft.get(fn) ?? limits.functionMs;
  child.startBudget(fn, left);
  const t0 = performance.now();
  for (const spec of specs) {
    const stopped = session.stopped.get(fn);
    if (stopped) {
      session.set(spec, 0, `not run: ${stopped}`);
      continue;
    }
    if (session.timeLeft() <= 0) {
      session.set(spec, 0, session.notGraded());
      continue;
    }
    const [share, output, died] = spec.property
      ? await runProperty(child, spec, session)
      : await runFixed(child, spec, session);
    if (died?.startsWith(session.deadline.reason)) {
      session.set(spec, share, `${session.notGraded()}\n${output}`);
      continue;
    }
    session.set(spec, share, output);
    if (died) {
      session.stopped.set(fn, died);
      session.note(`${fn} (task ${task.id}): ${died}; its remaining tests were not run.`);
    }
  }
  session.functionLeft.set(fn, left - (performance.now() - t0));
}

/**
 * Helpers of the grading tests: assemble a fixture submission in a temporary folder (the
 * hostile fixtures re-export `./correct.ts`, a copy of the correct fixture, and override one
 * function each), run the grader's CLI on it, and check a results.json as Gradescope reads it.
 */
import assert from "node:assert/strict";
import { TASKS } from "../kernels/registry.ts";
import type { Results } from "../grading/results.ts";
import { processesBelow } from "../grading/sandbox.ts";

export const FIXTURES = new URL("./fixtures/submissions/", import.meta.url).pathname;
export const REPO = new URL("../", import.meta.url).pathname;

const made = new Set<string>();
addEventListener("unload", () => {
  for (const dir of made) {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch { /* removed already */ }
  }
});

/** A temporary folder, removed when the test file's process ends. */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix });
  made.add(dir);
  return dir;
}

/** A temporary copy of fixture `name` with `correct.ts` beside its mod.ts. */
export async function assemble(name: string): Promise<string> {
  const dir = await tempDir(`litconv-${name}-`);
  for await (const e of Deno.readDir(`${FIXTURES}${name}`)) {
    await Deno.copyFile(`${FIXTURES}${name}/${e.name}`, `${dir}/${e.name}`);
  }
  await Deno.copyFile(`${FIXTURES}correct/mod.ts`, `${dir}/correct.ts`);
  return dir;
}

/** Runs `deno task grade` (the CLI) with `args`; returns its exit code, stdout and results. */
export async function gradeCli(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${REPO}grading/cli.ts`, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Reads a results.json and checks it is what Gradescope expects, with finite scores. */
export async function readResults(path: string): Promise<Results> {
  const r = JSON.parse(await Deno.readTextFile(path)) as Results;
  assert.ok(Number.isFinite(r.score), "score is finite");
  assert.ok(Number.isFinite(r.execution_time));
  assert.equal(typeof r.output, "string");
  const fns = new Set(TASKS.map((t) => t.fn));
  for (const t of r.tests) {
    assert.ok(fns.has(t.name.split(":")[0]), `test name starts with a function: ${t.name}`);
    assert.match(t.number, /^\d\d\.\d+\.\d+$/);
    assert.ok(Number.isFinite(t.score) && t.score >= 0 && t.score <= t.max_score, t.name);
    assert.ok(t.status === (t.score === t.max_score ? "passed" : "failed"), t.name);
    assert.ok(["visible", "after_due_date", "hidden"].includes(t.visibility));
  }
  const sum = Math.round(100 * r.tests.reduce((s, t) => s + t.score, 0)) / 100;
  assert.equal(r.score, sum);
  return r;
}

/** Score and maximum per function. */
export function byFunction(r: Results): Map<string, { score: number; max: number }> {
  const m = new Map<string, { score: number; max: number }>();
  for (const t of r.tests) {
    const fn = t.name.split(":")[0];
    const e = m.get(fn) ?? { score: 0, max: 0 };
    e.score += t.score;
    e.max += t.max_score;
    m.set(fn, e);
  }
  return m;
}

/** Asserts full marks for every function except `lost`, and 0 for each of those. */
export function assertOnlyLost(r: Results, lost: string[], label: string): void {
  for (const [fn, { score, max }] of byFunction(r)) {
    if (lost.includes(fn)) assert.equal(score, 0, `${label}: ${fn} should score 0`);
    else assert.equal(score, max, `${label}: ${fn} should keep full marks`);
  }
}

/**
 * Copies fixture `name` into `to`, folders included, completing it as a student would have
 * handed it in: `correct.ts` (the correct fixture) beside every file that imports
 * "./correct.ts", and `_every_function/mod.ts` as the mod.ts of a folder that holds only the
 * `wrap.ts` of a misbehaviour shared by every function.
 */
export async function copyFixture(name: string, to: string): Promise<void> {
  const copy = async (from: string, dest: string) => {
    await Deno.mkdir(dest, { recursive: true });
    for await (const e of Deno.readDir(from)) {
      if (e.isDirectory) {
        await copy(`${from}/${e.name}`, `${dest}/${e.name}`);
        continue;
      }
      await Deno.copyFile(`${from}/${e.name}`, `${dest}/${e.name}`);
      if ((await Deno.readTextFile(`${from}/${e.name}`)).includes(`"./correct.ts"`)) {
        await Deno.copyFile(`${FIXTURES}correct/mod.ts`, `${dest}/correct.ts`);
      }
    }
  };
  await copy(`${FIXTURES}${name}`, to);
  const has = (file: string) => Deno.lstat(`${to}/${file}`).then(() => true, () => false);
  if (await has("wrap.ts") && !await has("mod.ts")) await copy(`${FIXTURES}_every_function`, to);
}

/** A temporary copy of fixture `name`, completed as {@link copyFixture} says. */
export async function assembleTree(name: string): Promise<string> {
  const dir = await tempDir(`litconv-${name}-`);
  await copyFixture(name, dir);
  return dir;
}

/** Every `/tmp` entry the grader makes (sandboxes, private runtimes), for leak checks. */
export async function graderLeftovers(): Promise<string[]> {
  const tmp = Deno.env.get("TMPDIR") ?? "/tmp";
  const found: string[] = [];
  for await (const e of Deno.readDir(tmp)) {
    if (/^litconv-(grade|runtime)-/.test(e.name)) found.push(`${tmp}/${e.name}`);
  }
  return found;
}

/**
 * `deno ARGS` in `cwd`, as from a student's shell: no INIT_CWD inherited from the
 * `deno task test` running us (deno task keeps an INIT_CWD it finds, so "." would mean the
 * repo). Exit code and stdout + stderr.
 */
export async function studentDeno(
  args: string[],
  cwd: string,
): Promise<{ code: number; text: string }> {
  const out = await shellDeno(args, cwd);
  return { code: out.code, text: out.stdout + out.stderr };
}

/** `deno ARGS` in `cwd` as from a user's shell (see {@link studentDeno}): code, stdout, stderr. */
export async function shellDeno(
  args: string[],
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = Deno.env.toObject();
  delete env.INIT_CWD;
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    clearEnv: true,
    env: { ...env, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/**
 * The pid of the `deno` running below `pid` (the sandbox's spawned process: deno itself, or
 * bubblewrap, whose grandchild it is), read from /proc; undefined when none runs.
 */
export function denoUnder(pid: number): number | undefined {
  return [pid, ...processesBelow(pid)].find((p) => {
    try {
      return Deno.readTextFileSync(`/proc/${p}/comm`).trim() === "deno";
    } catch {
      return false; // gone meanwhile
    }
  });
}

/**
 * The grader's soak (issue 15), not part of `deno task test` (it takes minutes):
 *
 * ```sh
 * nice deno run -A tests/grading_soak.ts [--students 200] [--jobs 4] [--budget 60] [--runs 20]
 * ```
 *
 * Generates a class of submissions (half correct, a quarter buggy, a quarter hostile: every
 * hostile fixture of tests/fixtures/submissions/ in turn, round 3's classes of issue 26
 * written below, and FIFOs and links beside some), runs `grade --all --hidden` on it as a
 * child process with its own TMPDIR, once with `--jobs 1` and once with `--jobs N`, and
 * reports for each: the wall time, the peak memory (VmHWM) of the grader and of the
 * processes below it (sampled from /proc every 50 ms), that the CSV has one row per student,
 * and that nothing is left behind: no file in the grader's TMPDIR, no process of the
 * grader's. Then that every honest student (correct or buggy) has the same score both ways:
 * a hostile neighbour in parallel must cost them nothing.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { processesBelow } from "../grading/sandbox.ts";
import { copyFixture, FIXTURES, REPO } from "./grading_helpers.ts";

const BUGGY: Record<string, string> = {
  off_by_a_little: `import * as c from "./correct.ts";\nexport * from "./correct.ts";\n` +
    `export const softmax = (x: number[][]) => c.softmax(x).map((r) => r.map((v) => v + 1e-3));\n`,
  partial: `export { conv1d, conv2d, sigmoid } from "./correct.ts";\n`,
  todo:
    `export * from "./correct.ts";\nexport function maxPool2d() {\n  throw new Error("todo");\n}\n`,
};
const BUGGY_FIXTURES = ["stride_bug", "dropout_zeros"];
const HOSTILE = [
  "infinite_loop",
  "slow",
  "ignore_sigterm",
  "exit_at_import",
  "fake_output",
  "patch_globals",
  "escape",
  "memory",
  "flood",
  "bad_answers",
  "deno_json_remap",
  "import_relative",
  "forged_frames",
  "deep_answer",
  "huge_import_error",
  "import_device",
  "special_files",
  "disk_fill",
  "hidden_leak",
  "time_budget",
  "huge_errors",
  "chooses_tasks",
  "source_map",
  "lone_surrogates",
  "workers",
  "single_top_folder",
  "mod_js",
  "stray_files",
];

/**
 * Round 3's classes (issue 26), one student each, written here: a forged reply frame of
 * ~24 MiB on stdout, a byte of a hidden input as the exit code, escape sequences that forge a
 * score line, set the title and write the clipboard (also in the student's folder name),
 * dropout that zeros the first round(n·p) elements or ignores the seed, and every way out of
 * the sandbox tried at import (network, /etc/passwd, /proc, another process).
 */
const HOSTILE_R3: Record<string, string> = {
  huge_frame: `export * from "./correct.ts";
import * as c from "./correct.ts";
let id = 0;
const big = new Array(2_500_000).fill(1.2345678);
export function conv1d(...a: Parameters<typeof c.conv1d>) {
  const frame = "\u001elitconv-frame " + JSON.stringify({ id: ++id, ok: true, value: big }) + "\n";
  Deno.stdout.writeSync(new TextEncoder().encode(frame));
  return c.conv1d(...a);
}
`,
  exit_code_leak: `export * from "./correct.ts";
export function conv2d(...a: unknown[]) {
  Deno.exit(JSON.stringify(a).charCodeAt(5) & 255);
}
`,
  terminal_escapes: `export * from "./correct.ts";
import * as c from "./correct.ts";
const forged = "\x1b[2J\x1b[HScore: 100 / 100  ok\x1b]0;graded\x07\x1b]52;c;cHduZWQ=\x07\u202e";
console.log(forged);
export function sigmoid(...a: Parameters<typeof c.sigmoid>) {
  console.error(forged);
  throw new Error(forged);
}
`,
  dropout_first_zeros: `export * from "./correct.ts";
type N = number | N[];
const count = (v: N): number => Array.isArray(v) ? v.reduce((s: number, e) => s + count(e), 0) : 1;
export function dropout(x: N, p: number, o: { training: boolean }): N {
  if (!o.training) return x;
  let zeros = Math.round(count(x) * p);
  const walk = (v: N): N => Array.isArray(v) ? v.map(walk) : zeros-- > 0 ? 0 : v / (1 - p);
  return walk(x);
}
`,
  dropout_random: `export * from "./correct.ts";
type N = number | N[];
export function dropout(x: N, p: number, o: { training: boolean }): N {
  const walk = (v: N): N => Array.isArray(v) ? v.map(walk) : Math.random() < p ? 0 : v / (1 - p);
  return o.training ? walk(x) : x;
}
`,
  sandbox_escape: `export * from "./correct.ts";
const tries: Record<string, () => unknown> = {
  network: () => fetch("http://127.0.0.1:9/"),
  passwd: () => Deno.readTextFile("/etc/passwd"),
  proc: () => Array.from(Deno.readDirSync("/proc")).length,
  signal: () => Deno.kill(1, "SIGCONT"),
  run: () => new Deno.Command("sh", { args: ["-c", "true"] }).output(),
};
for (const [name, t] of Object.entries(tries)) {
  try {
    await t();
    console.log(name + ": got through");
  } catch (e) {
    console.log(name + ": " + (e as Error).name);
  }
}
`,
};
/**
 * Round 3's classes first (so a small class has them all): those above, its fixtures `r3_*`
 * where they exist, and a sourceMappingURL built at run time.
 */
const ROUND3 = [
  ...Object.keys(HOSTILE_R3),
  ...[...Deno.readDirSync(FIXTURES)].filter((e) => e.isDirectory && e.name.startsWith("r3_"))
    .map((e) => e.name).sort(),
  "runtime_source_map",
];

/** Student `i` of the class: what it is and its folder's content. */
async function makeStudent(i: number, dir: string): Promise<string> {
  const slot = i % 8;
  if (slot < 4) {
    await copyFixture("correct", dir);
    return "correct";
  }
  if (slot < 6) {
    const kinds = [...Object.keys(BUGGY), ...BUGGY_FIXTURES];
    const kind = kinds[Math.floor(i / 8) % kinds.length];
    if (kind in BUGGY) {
      await Deno.mkdir(dir);
      await Deno.copyFile(`${FIXTURES}correct/mod.ts`, `${dir}/correct.ts`);
      await Deno.writeTextFile(`${dir}/mod.ts`, BUGGY[kind]);
    } else await copyFixture(kind, dir);
    return `buggy:${kind}`;
  }
  const kinds = [...ROUND3, ...HOSTILE];
  const kind = kinds[(2 * Math.floor(i / 8) + slot - 6) % kinds.length];
  if (kind in HOSTILE_R3) {
    // The folder's name forges a progress line too ("∕": a slash cannot be in a name).
    const name = kind === "terminal_escapes" ? `${dir}\x1b[2K\r100 \u2215 100\x1b]0;ok\x07` : dir;
    await Deno.mkdir(name);
    await Deno.copyFile(`${FIXTURES}correct/mod.ts`, `${name}/correct.ts`);
    await Deno.writeTextFile(`${name}/mod.ts`, HOSTILE_R3[kind]);
    return `hostile:${kind}`;
  }
  await copyFixture(kind, dir);
  if (kind === "runtime_source_map") {
    // A map outside the folder, readable by nobody, that would move the trace to line 42.
    const maps = `${dir.slice(0, dir.lastIndexOf("/class/"))}/maps`;
    await Deno.mkdir(maps, { recursive: true, mode: 0o755 });
    const map = `${maps}/${dir.slice(dir.lastIndexOf("/") + 1)}.map`;
    await Deno.writeTextFile(map, `{"version":3,"sources":["x.ts"],"names":[],"mappings":"AAyCI"}`);
    await Deno.chmod(map, 0o644);
    const mod = await Deno.readTextFile(`${dir}/mod.ts`);
    await Deno.writeTextFile(`${dir}/mod.ts`, mod.replaceAll("__MAP_URL__", `file://${map}`));
  }
  if (kind === "special_files") {
    await new Deno.Command("mkfifo", { args: [`${dir}/assignment.json`, `${dir}/helper.ts`] })
      .output();
    await Deno.symlink("/dev/zero", `${dir}/data.ts`);
  }
  return `hostile:${kind}`;
}

/** VmHWM (peak resident set) of a process, in MiB, or undefined when it is gone. */
function peakMiB(pid: number): number | undefined {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kb = status.match(/^VmHWM:\s+(\d+) kB/m)?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/** The processes whose command line mentions `text`. */
function processesMentioning(text: string): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name) || Number(e.name) === Deno.pid) continue;
    try {
      const cmd = Deno.readTextFileSync(`/proc/${e.name}/cmdline`).replaceAll("\0", " ");
      if (cmd.includes(text)) out.push(`${e.name}: ${cmd.slice(0, 120)}`);
    } catch { /* gone */ }
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** Splits one CSV line (cells quoted or bare, `""` an escaped quote) into its cells. */
function csvCells(line: string): string[] {
  const cells: string[] = [];
  let at = 0;
  while (at <= line.length) {
    if (line[at] === '"') {
      let cell = "";
      at++;
      while (at < line.length) {
        if (line[at] === '"' && line[at + 1] === '"') [cell, at] = [cell + '"', at + 2];
        else if (line[at] === '"') break;
        else cell += line[at++];
      }
      cells.push(cell);
      at += 2; // the closing quote and the comma
    } else {
      const end = line.indexOf(",", at) < 0 ? line.length : line.indexOf(",", at);
      cells.push(line.slice(at, end));
      at = end + 1;
    }
  }
  return cells;
}

/** One `grade --all` of the class with `jobs` at a time: its summary, and each row's score. */
async function gradeClass(
  klass: string,
  work: string,
  tmp: string,
  jobs: string,
  values: { budget?: string; runs?: string },
): Promise<{ ok: boolean; summary: Record<string, unknown>; scores: Map<string, string> }> {
  const out = `${work}/grades-jobs${jobs}`;
  const args = [
    "run",
    "-A",
    `${REPO}grading/cli.ts`,
    "--all",
    klass,
    "--out",
    out,
    "--hidden",
    "--jobs",
    jobs,
    "--budget",
    values.budget!,
    "--runs",
    values.runs!,
  ];
  console.log(`deno ${args.join(" ")}   (TMPDIR=${tmp})`);
  const started = performance.now();
  const grader = new Deno.Command(Deno.execPath(), {
    args,
    env: { TMPDIR: tmp },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let graderPeak = 0;
  const childPeaks = new Map<number, number>();
  const sampler = setInterval(() => {
    graderPeak = Math.max(graderPeak, peakMiB(grader.pid) ?? 0);
    // Every process below the grader: setpriv, prlimit and bwrap exec into each other; the
    // deno inside bubblewrap is two levels further down.
    for (const pid of processesBelow(grader.pid)) {
      const peak = peakMiB(pid);
      if (peak !== undefined) childPeaks.set(pid, Math.max(childPeaks.get(pid) ?? 0, peak));
    }
  }, 50);
  const [status, stdout, stderr] = await Promise.all([
    grader.status,
    new Response(grader.stdout).text(),
    new Response(grader.stderr).text(),
  ]);
  clearInterval(sampler);
  const wall = (performance.now() - started) / 1000;
  await new Promise((r) => setTimeout(r, 500));

  const [head, ...rows] = (await Deno.readTextFile(`${out}/grades.csv`)).trim().split("\n")
    .map(csvCells);
  const [student, score, error] = ["student", "score", "error"].map((c) => head.indexOf(c));
  const results = [...Deno.readDirSync(out)].filter((e) => e.name.endsWith(".results.json"));
  const left = [...Deno.readDirSync(tmp)].map((e) => e.name);
  const procs = processesMentioning(tmp);
  const peaks = [...childPeaks.values()].filter((p) => p > 20); // deno, not the launchers
  const n = [...Deno.readDirSync(klass)].length;
  const summary = {
    jobs: Number(jobs),
    students: n,
    exitCode: status.code,
    csvRows: rows.length,
    resultsFiles: results.length,
    rowsWithError: rows.filter((r) => r[error] !== "").length,
    wallSeconds: Math.round(wall),
    graderPeakMiB: Math.round(graderPeak),
    childrenSampled: peaks.length,
    childPeakMiBMax: Math.round(Math.max(...peaks)),
    childPeakMiBMedian: Math.round(median(peaks)),
    leftInTmpdir: left,
    processesLeft: procs,
  };
  console.log(stdout.split("\n").slice(-3).join("\n"));
  if (stderr.trim()) {
    console.log(`grader stderr (first 2000 characters):\n${stderr.slice(0, 2000)}`);
  }
  console.log(JSON.stringify(summary, null, 2));
  const ok = status.code === 0 && rows.length === n && results.length === n && left.length === 0 &&
    procs.length === 0;
  return { ok, summary, scores: new Map(rows.map((r) => [r[student], r[score]])) };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      students: { type: "string", default: "200" },
      jobs: { type: "string", default: "4" },
      budget: { type: "string", default: "60" },
      runs: { type: "string", default: "20" },
    },
  });
  const n = Number(values.students);
  const work = await Deno.makeTempDir({ prefix: "litconv-soak-" });
  await Deno.chmod(work, 0o755); // the children (nobody) pass through it to their TMPDIR
  const [klass, tmp] = [`${work}/class`, `${work}/tmp`];
  await Deno.mkdir(klass);
  await Deno.mkdir(tmp, { mode: 0o1777 });
  await Deno.chmod(tmp, 0o1777);
  const kinds = new Map<string, number>();
  const honest: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = `s${String(i).padStart(3, "0")}`;
    const kind = await makeStudent(i, `${klass}/${name}`);
    const group = kind.split(":")[0];
    kinds.set(group, (kinds.get(group) ?? 0) + 1);
    if (group !== "hostile") honest.push(name);
  }
  console.log(`class of ${n}: ${[...kinds].map(([k, c]) => `${c} ${k}`).join(", ")} in ${klass}`);

  const one = await gradeClass(klass, work, tmp, "1", values);
  const many = await gradeClass(klass, work, tmp, values.jobs!, values);
  const changed = honest.filter((s) => one.scores.get(s) !== many.scores.get(s))
    .map((s) =>
      `${s}: ${one.scores.get(s)} with --jobs 1, ${many.scores.get(s)} with --jobs ${values.jobs}`
    );
  const missing = honest.filter((s) => one.scores.get(s) === undefined);
  console.log(
    `honest students: ${honest.length}, same score with --jobs 1 and --jobs ${values.jobs}: ` +
      `${honest.length - changed.length - missing.length}` +
      (changed.length ? `\n  changed: ${changed.join("\n  changed: ")}` : "") +
      (missing.length ? `\n  no row: ${missing.join(", ")}` : ""),
  );
  const ok = one.ok && many.ok && changed.length === 0 && missing.length === 0;
  console.log(ok ? "soak: OK" : "soak: FAILED");
  if (ok) await Deno.remove(work, { recursive: true });
  else console.log(`kept ${work} for a look`);
  Deno.exit(ok ? 0 : 1);
}

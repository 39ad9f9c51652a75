/**
 * The grader's soak (issue 15), not part of `deno task test` (it takes minutes):
 *
 * ```sh
 * nice deno run -A tests/grading_soak.ts [--students 200] [--jobs 4] [--budget 60] [--runs 20]
 * ```
 *
 * Generates a class of submissions (half correct, a quarter buggy, a quarter hostile: every
 * hostile fixture of tests/fixtures/submissions/ in turn, and FIFOs and links beside some),
 * runs `grade --all --hidden` on it as a child process with its own TMPDIR, and reports: the
 * wall time, the peak memory (VmHWM) of the grader and of the children it started (sampled
 * from /proc every 50 ms), that the CSV has one row per student, and that nothing is left
 * behind: no file in the grader's TMPDIR, no process of the grader's.
 *
 * @module
 */
import { parseArgs } from "node:util";

const REPO = new URL("../", import.meta.url).pathname;
const FIXTURES = `${REPO}tests/fixtures/submissions/`;

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

/** Copies fixture `name` into `to`, with correct.ts beside every file that imports it. */
async function copyFixture(name: string, to: string): Promise<void> {
  const copy = async (from: string, dest: string) => {
    await Deno.mkdir(dest, { recursive: true });
    for await (const e of Deno.readDir(from)) {
      if (e.isDirectory) {
        await copy(`${from}/${e.name}`, `${dest}/${e.name}`);
        continue;
      }
      const text = await Deno.readTextFile(`${from}/${e.name}`);
      await Deno.writeTextFile(`${dest}/${e.name}`, text);
      if (text.includes(`"./correct.ts"`)) {
        await Deno.copyFile(`${FIXTURES}correct/mod.ts`, `${dest}/correct.ts`);
      }
    }
  };
  await copy(`${FIXTURES}${name}`, to);
}

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
  const kind = HOSTILE[(2 * Math.floor(i / 8) + slot - 6) % HOSTILE.length];
  await copyFixture(kind, dir);
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

/** The processes whose parent is `ppid`. */
function childrenOf(ppid: number): number[] {
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) === ppid) out.push(Number(e.name));
    } catch { /* gone */ }
  }
  return out;
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
  const [klass, out, tmp] = [`${work}/class`, `${work}/grades`, `${work}/tmp`];
  await Deno.mkdir(klass);
  await Deno.mkdir(tmp, { mode: 0o1777 });
  await Deno.chmod(tmp, 0o1777);
  const kinds = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const kind = await makeStudent(i, `${klass}/s${String(i).padStart(3, "0")}`);
    const group = kind.split(":")[0];
    kinds.set(group, (kinds.get(group) ?? 0) + 1);
  }
  console.log(`class of ${n}: ${[...kinds].map(([k, c]) => `${c} ${k}`).join(", ")} in ${klass}`);

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
    values.jobs!,
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
    for (const pid of childrenOf(grader.pid)) {
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

  const rows = (await Deno.readTextFile(`${out}/grades.csv`)).trim().split("\n").slice(1);
  const results = [...Deno.readDirSync(out)].filter((e) => e.name.endsWith(".results.json"));
  const left = [...Deno.readDirSync(tmp)].map((e) => e.name);
  const procs = processesMentioning(tmp);
  const peaks = [...childPeaks.values()];
  const summary = {
    students: n,
    exitCode: status.code,
    csvRows: rows.length,
    resultsFiles: results.length,
    rowsWithError: rows.filter((r) => !r.endsWith(`,""`)).length,
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
  console.log(ok ? "soak: OK" : "soak: FAILED");
  if (ok) await Deno.remove(work, { recursive: true });
  else console.log(`kept ${work} for a look`);
  Deno.exit(ok ? 0 : 1);
}

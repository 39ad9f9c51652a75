/**
 * `deno task grade:package OUT.zip [--tasks 02.1,04.1] [--seed N] [--runs N] [--budget S]`:
 * a Gradescope autograder zip (`setup.sh`, `run_autograder`, `autograder.json` and the
 * grader's sources). The seed of the hidden property runs is the package's secret: random
 * (53 bits) unless `--seed` gives one, written only into autograder.json, never printed, on
 * a command line or in a results.json.
 *
 * @module
 */
import { callerPath, flagHelp, type Flags, type FlagValues } from "../cli/flags.ts";
import { staffCommand } from "./command.ts";
import { type Zippable, zipSync } from "../deps/fflate.ts";
import { GRADE_FLAGS, type PackageSettings, parseTasks, safeInteger } from "./cli.ts";
import { GRADED_TASKS } from "./cases.ts";
import { DEFAULT_BUDGET_S } from "./grade.ts";
import { UsageError } from "../kernels/errors.ts";

const REPO = new URL("../", import.meta.url);
/** What the grader needs of the course besides its code graph, relative to the repository root. */
const SOURCES = ["grading", "deno.json", "deno.lock"];

/**
 * Every local module the grader's entry points import (kernels/, data/atomic.ts, …), relative
 * to the repository: read from `deno info`, so a new import is packaged without a list to keep.
 */
async function graderGraph(): Promise<string[]> {
  const entries = ["grading/cli.ts", "grading/harness.ts"].map((f) => new URL(f, REPO).pathname);
  const files = new Set<string>();
  for (const entry of entries) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", "--config", new URL("deno.json", REPO).pathname, entry],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
    const { modules } = JSON.parse(new TextDecoder().decode(out.stdout)) as {
      modules: { specifier: string }[];
    };
    for (const m of modules) {
      if (m.specifier.startsWith(REPO.href)) files.add(m.specifier.slice(REPO.href.length));
    }
  }
  return [...files].sort();
}

/**
 * setup.sh: Deno 2.9.6 from npm, util-linux's setpriv/prlimit and bubblewrap (the child's
 * namespaces; where Gradescope's container forbids them, the grader says so and runs without).
 */
export const SETUP = `#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends ca-certificates nodejs npm util-linux bubblewrap
npm i -g deno@2.9.6 || true
if ! deno --version >/dev/null 2>&1; then
  # An old npm may not run deno's postinstall: unpack the platform package's binary instead.
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack "@deno/linux-$(uname -m | sed 's/x86_64/x64/;s/aarch64/arm64/')-glibc@2.9.6" &&
    tar -xzf ./*.tgz && install -m 755 package/deno /usr/local/bin/deno)
fi
deno --version
cd /autograder/source
# Fetch the grader's npm packages now: grading runs offline and must not wait for them.
deno cache grading/cli.ts
`;

/** run_autograder: grades the submission; results.json exists whatever happens. */
export function runAutograder(): string {
  return `#!/usr/bin/env bash
# Gradescope runs this for every submission. AUTOGRADER_ROOT overrides /autograder (tests).
set -uo pipefail
ROOT="\${AUTOGRADER_ROOT:-/autograder}"
mkdir -p "$ROOT/results"
cd "$ROOT/source"
# Every path absolute: an INIT_CWD left by whatever started us must not move them.
deno run -A grading/cli.ts "$ROOT/submission" --package "$ROOT/source/autograder.json" \\
  --out "$ROOT/results/results.json"
status=$?
if [ ! -s "$ROOT/results/results.json" ]; then
  # The grader could not even start: still leave Gradescope a valid file.
  printf '{"score": 0, "execution_time": 0, "output": "The autograder failed to start (exit %s); please tell your instructor.", "output_format": "text", "visibility": "visible", "stdout_visibility": "hidden", "tests": []}\\n' "$status" > "$ROOT/results/results.json"
fi
exit 0
`;
}

/** Every file under `path` (a file or a folder), relative to the repository. */
async function collect(path: string, into: Zippable): Promise<void> {
  const url = new URL(path, REPO);
  const info = await Deno.stat(url);
  if (info.isFile) {
    into[path] = await Deno.readFile(url);
    return;
  }
  for await (const e of Deno.readDir(url)) await collect(`${path}/${e.name}`, into);
}

/** A random safe integer: 53 bits from the system's generator. */
export function secretSeed(): number {
  const [high, low] = crypto.getRandomValues(new Uint32Array(2));
  return (high % 2 ** 21) * 2 ** 32 + low;
}

/** What a package grades, with the defaults filled in (every task, a random seed). */
export function packageSettings(opts: Partial<PackageSettings> = {}): PackageSettings {
  return {
    tasks: opts.tasks ?? GRADED_TASKS.map((t) => t.id),
    seed: opts.seed ?? secretSeed(),
    runs: opts.runs ?? 50,
    budget: opts.budget ?? DEFAULT_BUDGET_S,
  };
}

/** The autograder zip's bytes. */
export async function buildPackage(
  settings: PackageSettings = packageSettings(),
): Promise<Uint8Array> {
  const files: Zippable = {};
  for (const s of [...SOURCES, ...await graderGraph()]) await collect(s, files);
  const exec = { os: 3, attrs: (0o100755 << 16) >>> 0 }; // Unix, rwxr-xr-x
  files["setup.sh"] = [new TextEncoder().encode(SETUP), exec];
  files["run_autograder"] = [new TextEncoder().encode(runAutograder()), exec];
  files["autograder.json"] = new TextEncoder().encode(JSON.stringify(settings, null, 2) + "\n");
  return zipSync(files, { level: 9 });
}

const COMMAND = "deno task grade:package";

/** The grading command's flags that a package fixes, told as the package fixes them. */
const FLAGS = {
  tasks: {
    ...GRADE_FLAGS.tasks,
    help: "the tasks it grades, by id or function name (default every task)",
  },
  seed: {
    ...GRADE_FLAGS.seed,
    help: "seed of the property runs (default: random, 53 bits, kept secret)",
  },
  runs: GRADE_FLAGS.runs,
  budget: GRADE_FLAGS.budget,
} as const satisfies Flags;

export const HELP = `${COMMAND} OUT.zip [flags]

Writes a Gradescope autograder: setup.sh, run_autograder, autograder.json (the tasks, seed,
runs and budget) and the grader's sources. Try it before uploading: unpack it into
ROOT/source, put a submission's files in ROOT/submission, and run
AUTOGRADER_ROOT=ROOT bash ROOT/source/run_autograder; it writes ROOT/results/results.json.

${flagHelp(FLAGS)}
`;

/** `OUT.zip`: builds the package from the flags' settings and writes it. */
async function writePackage(values: FlagValues<typeof FLAGS>, positionals: string[]) {
  if (positionals.length !== 1 || !positionals[0].endsWith(".zip")) {
    throw new UsageError("name the zip to write, OUT.zip");
  }
  const settings = packageSettings({
    tasks: values.tasks === undefined ? undefined : parseTasks(values.tasks).map((t) => t.id),
    seed: values.seed === undefined ? undefined : safeInteger("--seed", values.seed),
    runs: values.runs === undefined ? undefined : safeInteger("--runs", values.runs, 1),
    budget: values.budget === undefined ? undefined : safeInteger("--budget", values.budget, 1),
  });
  const zip = await buildPackage(settings);
  await Deno.writeFile(callerPath(positionals[0]), zip);
  console.log(
    `wrote ${positionals[0]} (${(zip.length / 1024).toFixed(0)} KiB): tasks ${
      settings.tasks.join(",")
    }, ${settings.runs} runs per property, a budget of ${settings.budget} s per submission; ` +
      `the seed is in its autograder.json${values.seed === undefined ? " (random, secret)" : ""}`,
  );
}

/** Runs the command; returns the exit code. */
export const main = staffCommand({ name: COMMAND, help: HELP, flags: FLAGS }, writePackage);

if (import.meta.main) Deno.exit(await main(Deno.args));

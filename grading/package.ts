/**
 * `deno task grade:package OUT.zip [--tasks 02.1,04.1] [--seed N]`: a Gradescope autograder.
 *
 * The zip holds `setup.sh` (installs Deno from npm and caches the grader's dependencies),
 * `run_autograder` (grades `/autograder/submission` into `/autograder/results/results.json`,
 * hidden tests included; its root is `$AUTOGRADER_ROOT` when set, so it can be tried
 * anywhere) and the grader's sources (grading/, kernels/, data/atomic.ts, deno.json and deno.lock). Gradescope unpacks it into `/autograder/source` and runs setup.sh as root.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { type Zippable, zipSync } from "npm:fflate@0.8.3";
import { parseTasks } from "./cli.ts";
import { userPath } from "./paths.ts";

const REPO = new URL("../", import.meta.url);
/** What the grader needs of the course, relative to the repository root. */
const SOURCES = ["grading", "kernels", "data/atomic.ts", "deno.json", "deno.lock"];

/** setup.sh: Deno 2.9.6 from npm (util-linux's setpriv/prlimit are in Gradescope's image). */
export const SETUP = `#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends ca-certificates nodejs npm util-linux
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
export function runAutograder(args: string): string {
  return `#!/usr/bin/env bash
# Gradescope runs this for every submission. AUTOGRADER_ROOT overrides /autograder (tests).
set -uo pipefail
ROOT="\${AUTOGRADER_ROOT:-/autograder}"
mkdir -p "$ROOT/results"
cd "$ROOT/source"
deno run -A grading/cli.ts "$ROOT/submission" --hidden ${args} --out "$ROOT/results/results.json"
status=$?
if [ ! -s "$ROOT/results/results.json" ]; then
  # The grader could not even start: still leave Gradescope a valid file.
  printf '{"score": 0, "output": "The autograder failed to start (exit %s); please tell your instructor.", "tests": []}\\n' "$status" > "$ROOT/results/results.json"
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

/** The autograder zip's bytes. */
export async function buildPackage(graderArgs = ""): Promise<Uint8Array> {
  const files: Zippable = {};
  for (const s of SOURCES) await collect(s, files);
  const exec = { os: 3, attrs: (0o100755 << 16) >>> 0 }; // Unix, rwxr-xr-x
  files["setup.sh"] = [new TextEncoder().encode(SETUP), exec];
  files["run_autograder"] = [new TextEncoder().encode(runAutograder(graderArgs)), exec];
  return zipSync(files, { level: 9 });
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    options: { tasks: { type: "string" }, seed: { type: "string" } },
    allowPositionals: true,
  });
  if (positionals.length !== 1 || !positionals[0].endsWith(".zip")) {
    console.error("usage: deno task grade:package OUT.zip [--tasks 02.1,04.1] [--seed N]");
    Deno.exit(2);
  }
  const args = [
    values.tasks ? `--tasks ${parseTasks(values.tasks).map((t) => t.id).join(",")}` : "",
    `--seed ${Number.isSafeInteger(Number(values.seed)) ? Number(values.seed) : 1}`,
  ].filter(Boolean).join(" ");
  const zip = await buildPackage(args);
  await Deno.writeFile(userPath(positionals[0]), zip);
  console.log(`wrote ${positionals[0]} (${(zip.length / 1024).toFixed(0)} KiB): grader ${args}`);
}

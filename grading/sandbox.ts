/**
 * The sandbox launcher: copies a submission to a private folder and builds the command of a
 * child `deno` that can read only that folder, with no network, environment, subprocesses,
 * FFI, writes or system info (Deno's default with `--no-prompt`), no config file
 * (`--no-config`: a submission's own `deno.json` could remap imports), no remote or npm
 * modules, an rlimit on its data segment (V8's heap flag does not cap typed arrays;
 * `RLIMIT_DATA` does, while `RLIMIT_AS` stops V8 from even reserving its heap cage), no file
 * it may grow (`RLIMIT_FSIZE` 0, and a `DENO_DIR` it cannot write: the Cache API and
 * localStorage fail instead of filling the disk), as `nobody` when the grader runs as root.
 * `child.ts` runs it within the time and output limits; `imports.ts` runs the import check
 * (`deno info`) in the same sandbox.
 *
 * The copy is the only place the grader itself reads submission paths, and it reads them
 * defensively ({@link copySubmission}): regular files only (no links, FIFOs, devices or
 * sockets: a FIFO would block the grader, `/dev/zero` would never end), each one and all of
 * them under a size cap, a bounded number of entries and folder depth, no recursion. A file
 * it cannot or will not copy is skipped with a note; it costs nothing unless the code needs
 * it, and then the import check says which one is missing.
 *
 * @module
 */

/** Limits for one child. */
export interface SandboxLimits {
  /** Milliseconds mod.ts may take to load. */
  loadMs: number;
  /** Milliseconds one call may take. */
  callMs: number;
  /** Milliseconds all the calls of one function may take together. */
  functionMs: number;
  /** Milliseconds between SIGTERM and SIGKILL. */
  graceMs: number;
  /** Bytes the child's data segment may grow to (RLIMIT_DATA; Deno needs over 512 MiB to start). */
  memoryBytes: number;
  /** Bytes of V8's old-space heap (plain JS objects and arrays; typed arrays are not in it). */
  heapBytes: number;
  /** Bytes the child may write to stdout and stderr, all calls together. */
  outputBytes: number;
  /** Milliseconds the import check (`deno info`, in the sandbox) may take. */
  checkMs: number;
}

/** The defaults: generous for honest code (calls take milliseconds), short for a loop. */
export const DEFAULT_LIMITS: SandboxLimits = {
  loadMs: 15_000,
  callMs: 5_000,
  functionMs: 30_000,
  graceMs: 500,
  memoryBytes: 1024 * 1024 * 1024,
  heapBytes: 256 * 1024 * 1024,
  outputBytes: 32 * 1024 * 1024,
  checkMs: 20_000,
};

/** The submission's source files that are copied; configs, lockfiles and links are not. */
export const SOURCE = /\.(ts|mts|js|mjs|tsx|jsx)$/;

/** What the copy accepts: beyond these, files are skipped (with a note), never read. */
export const COPY_LIMITS = {
  /** Source files copied. */
  files: 500,
  /** Bytes of one source file. */
  fileBytes: 1024 * 1024,
  /** Bytes of all source files together. */
  totalBytes: 8 * 1024 * 1024,
  /** Folders below the submission's top. */
  depth: 8,
  /** Directory entries looked at, all folders together. */
  entries: 10_000,
};

/** The entry files the grader accepts, in order of preference. */
const ENTRIES = ["mod.ts", "mod.js", "mod.mts", "mod.mjs", "mod.tsx", "mod.jsx"];
/** Folders that are never the student's code. */
const IGNORED = new Set(["node_modules", "__MACOSX"]);

/** The user and group the child runs as when the grader is root: nobody and nogroup. */
export const NOBODY = 65534;

/** Whether this process runs as root (then the child runs as `nobody`). */
export function runningAsRoot(): boolean {
  return Deno.uid?.() === 0;
}

/** What the copy found: the entry file (relative to the copy) and what it skipped. */
export interface Copied {
  /** `"mod.ts"`, or `"mod.js"` etc. when there is no mod.ts; undefined when none. */
  entry: string | undefined;
  /** The folder of the submission that was copied, relative to it: "" or `"hw2/"`. */
  top: string;
  /** Lines for the report: what was skipped and why, what was graded instead of mod.ts. */
  notes: string[];
}

/** `//# sourceMappingURL=` (or `//@`, or in a block comment), unless the map is inline. */
const MAP_URL = new TextEncoder().encode("sourceMappingURL");

/**
 * Neutralises source-map comments that point at a file (Deno would read it, even outside
 * `--allow-read`, to rewrite stack traces). Same length, byte for byte, so nothing else moves;
 * an inline `data:` map stays.
 */
export function stripSourceMapUrls(bytes: Uint8Array): number {
  let changed = 0;
  outer: for (let i = 0; i + MAP_URL.length < bytes.length; i++) {
    for (let k = 0; k < MAP_URL.length; k++) if (bytes[i + k] !== MAP_URL[k]) continue outer;
    let j = i + MAP_URL.length;
    while (bytes[j] === 0x20) j++;
    if (bytes[j] !== 0x3d) continue; // "="
    j++;
    while (bytes[j] === 0x20) j++;
    const data = String.fromCharCode(...bytes.subarray(j, j + 5));
    if (data === "data:") continue;
    bytes[i + MAP_URL.length - 1] = 0x5f; // sourceMappingUR_ : no longer the magic comment
    changed++;
  }
  return changed;
}

/** Reads a regular file that lstat said is at most `cap` bytes, re-checking it once open. */
async function readRegular(path: string, info: Deno.FileInfo, cap: number): Promise<Uint8Array> {
  const file = await Deno.open(path, { read: true });
  try {
    const now = await file.stat();
    if (!now.isFile || now.ino !== info.ino || now.dev !== info.dev || now.size > cap) {
      throw new Error("it changed while being read");
    }
    const bytes = new Uint8Array(now.size);
    let at = 0;
    while (at < bytes.length) {
      const n = await file.read(bytes.subarray(at));
      if (n === null) break;
      at += n;
    }
    return bytes.subarray(0, at);
  } finally {
    file.close();
  }
}

/** Shows a name read from a folder: quoted, control characters escaped, cut when long. */
function shown(path: string): string {
  const text = JSON.stringify(path);
  return text.length > 120 ? `${text.slice(0, 119)}…"` : text;
}

/**
 * Copies `from`'s source files into `to` (which exists), defensively: see the module
 * documentation. Never throws for anything the submission did; a file it cannot copy is
 * skipped with a note. A submission whose only content is one folder (a zip of `hw2/`) is
 * copied from that folder; without mod.ts, a `mod.js` (or `.mts`, `.mjs`, `.tsx`, `.jsx`) is the
 * entry.
 */
export async function copySubmission(from: string, to: string): Promise<Copied> {
  const notes: string[] = [];
  const skipped: string[] = [];
  const skip = (path: string, why: string) => skipped.push(`${shown(path)} (${why})`);
  let entries = 0;

  /** The entries of one folder, capped, as [name, lstat] (lstat fails on a non-UTF-8 name). */
  const list = async (dir: string): Promise<[string, Deno.FileInfo | undefined][]> => {
    const out: [string, Deno.FileInfo | undefined][] = [];
    try {
      for await (const e of Deno.readDir(dir)) {
        if (++entries > COPY_LIMITS.entries) break;
        out.push([e.name, await Deno.lstat(`${dir}/${e.name}`).catch(() => undefined)]);
      }
    } catch (e) {
      notes.push(`Could not read a folder of the submission: ${(e as Error).message}`);
    }
    return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  };

  // A zip of one folder: grade that folder (when the top has no source file of its own).
  let top = "";
  const first = await list(from);
  const visible = first.filter(([name]) => !name.startsWith(".") && !IGNORED.has(name));
  const hasSource = visible.some(([name, info]) => info?.isFile && SOURCE.test(name));
  if (!hasSource && visible.length === 1 && visible[0][1]?.isDirectory) {
    top = `${visible[0][0]}/`;
    notes.push(
      `Graded the folder ${top} (the submission's only content); ` +
        `next time put mod.ts at the top of the submission.`,
    );
  }

  let files = 0, bytes = 0, maps = 0;
  // Breadth first, with an explicit queue: no recursion on a depth the submission chooses.
  const queue: [rel: string, depth: number][] = [[top, 0]];
  while (queue.length > 0) {
    const [rel, depth] = queue.shift()!;
    const listing = rel === "" ? first : await list(`${from}/${rel}`);
    for (const [name, info] of listing) {
      const path = `${rel}${name}`;
      const dest = `${to}/${path.slice(top.length)}`; // the top folder's content at the top
      if (name.startsWith(".") || IGNORED.has(name)) continue; // .git, node_modules: not code
      if (!info) {
        skip(path, "its name is not valid UTF-8: rename it");
        continue;
      }
      if (info.isSymlink) {
        skip(path, "a link: links are not followed");
        continue;
      }
      if (info.isDirectory) {
        if (depth + 1 > COPY_LIMITS.depth) {
          skip(path, `a folder more than ${COPY_LIMITS.depth} levels deep`);
          continue;
        }
        try {
          await Deno.mkdir(dest);
          queue.push([`${path}/`, depth + 1]);
        } catch (e) {
          skip(path, `could not be copied: ${(e as Error).name}`);
        }
        continue;
      }
      if (!SOURCE.test(name)) continue; // stray non-source files: never read, never a cost
      if (!info.isFile) {
        skip(path, "not a regular file (a FIFO, device or socket)");
        continue;
      }
      if (info.size > COPY_LIMITS.fileBytes) {
        skip(path, `larger than ${COPY_LIMITS.fileBytes / 2 ** 20} MiB`);
        continue;
      }
      if (files + 1 > COPY_LIMITS.files || bytes + info.size > COPY_LIMITS.totalBytes) {
        skip(
          path,
          `over the limit of ${COPY_LIMITS.files} source files or ` +
            `${COPY_LIMITS.totalBytes / 2 ** 20} MiB in all`,
        );
        continue;
      }
      try {
        const content = await readRegular(`${from}/${path}`, info, COPY_LIMITS.fileBytes);
        maps += stripSourceMapUrls(content);
        await Deno.writeFile(dest, content, { mode: 0o644, createNew: true });
        files++;
        bytes += content.length;
      } catch (e) {
        skip(path, `could not be copied: ${(e as Error).message}`);
      }
    }
  }
  if (entries > COPY_LIMITS.entries) {
    notes.push(
      `The submission has more than ${COPY_LIMITS.entries} files and folders: the rest were not looked at.`,
    );
  }
  if (maps) {
    notes.push(
      `Ignored ${maps} sourceMappingURL comment(s) that point at files (source maps are not read).`,
    );
  }
  if (skipped.length) {
    const shownList = skipped.slice(0, 10).join("; ");
    notes.push(
      `Skipped (not copied; costs nothing unless mod.ts needs them): ${shownList}` +
        (skipped.length > 10 ? `; and ${skipped.length - 10} more` : "") + ".",
    );
  }

  let entry = ENTRIES.find((e) => exists(`${to}/${e}`));
  if (!entry) {
    // A differently cased name (Mod.ts) works as well on Linux.
    for await (const e of Deno.readDir(to)) {
      if (ENTRIES.includes(e.name.toLowerCase()) && e.isFile) entry = e.name;
    }
  }
  if (entry && entry !== "mod.ts") notes.push(`Graded ${top}${entry}: there is no mod.ts.`);
  if (!entry) {
    const found: string[] = [];
    for await (const e of Deno.readDir(to)) if (e.isFile) found.push(e.name);
    notes.push(
      found.length
        ? `There is no mod.ts${top ? ` in ${top}` : ""}: rename the file that exports your ` +
          `functions to mod.ts (found: ${found.sort().slice(0, 10).join(", ")}).`
        : `There is no mod.ts${top ? ` in ${top}` : ""}, nor any other .ts or .js file at the top.`,
    );
  }
  return { entry, top, notes };
}

function exists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** A private copy of the submission beside the harness, readable by the child's user. */
export class SandboxDir {
  /** The deno binary the child runs (one `nobody` can execute). */
  private deno = Deno.execPath();

  private constructor(
    readonly root: string,
    readonly submission: string,
    readonly copied: Copied,
  ) {}

  /** The entry file's path in the copy, or undefined when there is none. */
  get entry(): string | undefined {
    return this.copied.entry && `${this.submission}/${this.copied.entry}`;
  }

  /**
   * Copies `dir`'s source files (see {@link copySubmission}) and the harness into a fresh
   * private folder. Throws only when the grader cannot make the folder (a full disk).
   */
  static async create(dir: string): Promise<SandboxDir> {
    const root = await Deno.makeTempDir({ prefix: "litconv-grade-" }); // 0700, ours
    SANDBOXES.add(root);
    try {
      const submission = `${root}/submission`;
      await Deno.mkdir(submission);
      await Deno.mkdir(`${root}/harness`);
      await Deno.mkdir(`${root}/deno_dir`);
      await Deno.copyFile(new URL("./harness.ts", import.meta.url), `${root}/harness/harness.ts`);
      const copied = await copySubmission(dir, submission);
      const sandbox = new SandboxDir(root, submission, copied);
      await sandbox.lockDown();
      if (runningAsRoot() && !(await searchableByOthers(root.slice(0, root.lastIndexOf("/"))))) {
        throw new Error(
          `the child (user nobody) cannot reach ${root}: every folder above it must be ` +
            "searchable by others (o+x); set TMPDIR to a folder that is, such as /tmp",
        );
      }
      if (runningAsRoot()) sandbox.deno = await childRuntime();
      return sandbox;
    } catch (e) {
      await Deno.remove(root, { recursive: true }).catch(() => {});
      SANDBOXES.delete(root);
      throw e;
    }
  }

  /**
   * Permissions: everything read-only for the child, including its DENO_DIR (so Deno keeps
   * its caches in memory and the Cache API and localStorage cannot store anything). As root,
   * the root folder is root:nogroup 0750: the child (nobody) reads it through its group,
   * other users cannot enter.
   */
  private async lockDown(): Promise<void> {
    const stack = [this.root];
    while (stack.length) {
      const path = stack.pop()!;
      const info = await Deno.lstat(path);
      if (info.isDirectory) {
        await Deno.chmod(path, 0o755);
        for await (const e of Deno.readDir(path)) stack.push(`${path}/${e.name}`);
      } else if (info.isFile) await Deno.chmod(path, 0o644);
    }
    await Deno.chmod(`${this.root}/deno_dir`, 0o555);
    if (runningAsRoot()) {
      await Deno.chown(this.root, 0, NOBODY);
      await Deno.chmod(this.root, 0o750);
    }
  }

  /** Deletes the copy. */
  async remove(): Promise<void> {
    await Deno.remove(this.root, { recursive: true }).catch(() => {});
    SANDBOXES.delete(this.root);
  }

  /** The `deno run` arguments of the child: the harness, then the entry file. */
  runArgs(limits: SandboxLimits): string[] {
    return [
      "run",
      "--no-config",
      "--no-lock",
      "--no-remote",
      "--no-npm",
      "--no-prompt",
      `--allow-read=${this.submission},${this.root}/harness`,
      `--v8-flags=--max-old-space-size=${Math.floor(limits.heapBytes / 2 ** 20)}`,
      `${this.root}/harness/harness.ts`,
      new URL(`file://${this.entry ?? `${this.submission}/mod.ts`}`).href,
    ];
  }

  /** The `deno info` arguments of the import check. */
  infoArgs(): string[] {
    return [
      "info",
      "--json",
      "--no-config",
      "--no-lock",
      "--no-remote",
      "--no-npm",
      this.entry ?? `${this.submission}/mod.ts`,
    ];
  }

  /**
   * The command line of `deno <denoArgs>` in the sandbox: as nobody (when root), under the
   * rlimits (data segment, no core, no file growth, CPU seconds), with a bare environment.
   */
  command(
    limits: SandboxLimits,
    denoArgs: string[] = this.runArgs(limits),
    cpuSeconds = 600,
  ): { cmd: string; args: string[]; env: Record<string, string> } {
    const env = {
      PATH: "/usr/bin:/bin",
      DENO_DIR: `${this.root}/deno_dir`,
      HOME: `${this.root}/deno_dir`,
      NO_COLOR: "1",
      DENO_NO_UPDATE_CHECK: "1",
    };
    const prlimit = [
      `--data=${limits.memoryBytes}`,
      "--core=0",
      "--fsize=0",
      `--cpu=${Math.max(1, Math.ceil(cpuSeconds))}`,
      "--",
    ];
    const cmd = [this.deno, ...denoArgs];
    if (runningAsRoot()) {
      // 65534 is nobody (and nogroup) on Debian, Ubuntu and Fedora alike; names differ.
      const drop = [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "--"];
      return { cmd: "setpriv", args: [...drop, "prlimit", ...prlimit, ...cmd], env };
    }
    return hasPrlimit()
      ? { cmd: "prlimit", args: [...prlimit, ...cmd], env }
      : { cmd: cmd[0], args: cmd.slice(1), env };
  }
}

/** What a bounded run of a command gave. */
export interface Bounded {
  code: number;
  signal: Deno.Signal | null;
  stdout: Uint8Array;
  stderr: string;
  /** Why it was stopped early: the time limit, or output beyond the cap. */
  stopped?: string;
}

/** Reads `stream` into at most `cap` bytes; calls `over` once when more arrives. */
async function readCapped(
  stream: ReadableStream<Uint8Array>,
  cap: number,
  over: () => void,
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      if (size + chunk.length > cap) {
        over();
        continue;
      }
      parts.push(chunk);
      size += chunk.length;
    }
  } catch { /* the stream ends with the process */ }
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Runs a sandboxed command to its end, within `ms` (then SIGKILL: the command is the grader's
 * own, but what it reads is not) and `cap` bytes of stdout; always reaps it.
 */
export async function runBounded(
  command: { cmd: string; args: string[]; env: Record<string, string> },
  cwd: string,
  ms: number,
  cap: number,
): Promise<Bounded> {
  const process = new Deno.Command(command.cmd, {
    args: command.args,
    env: command.env,
    clearEnv: true,
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let stopped: string | undefined;
  const kill = (why: string) => {
    stopped ??= why;
    try {
      process.kill("SIGKILL");
    } catch { /* gone already */ }
  };
  const timer = setTimeout(() => kill(`it took longer than ${ms / 1000} s`), ms);
  const [stdout, stderr, status] = await Promise.all([
    readCapped(process.stdout, cap, () => kill(`it wrote more than ${cap} bytes`)),
    readCapped(process.stderr, 64 * 1024, () => {}),
    process.status,
  ]);
  clearTimeout(timer);
  return {
    code: status.code,
    signal: status.signal,
    stdout,
    stderr: new TextDecoder().decode(stderr),
    stopped,
  };
}

/** Whether every other user may pass through each folder on the way to `dir`, and `dir`. */
export async function searchableByOthers(dir: string): Promise<boolean> {
  const parts = dir.split("/").filter(Boolean);
  for (let i = 0; i <= parts.length; i++) {
    const mode = (await Deno.stat("/" + parts.slice(0, i).join("/"))).mode ?? 0;
    if ((mode & 0o001) === 0) return false;
  }
  return true;
}

/** Whether every other user may reach and run `path` (each folder on the way searchable). */
export async function executableByOthers(path: string): Promise<boolean> {
  if (!(await searchableByOthers(path.slice(0, path.lastIndexOf("/"))))) return false;
  const mode = (await Deno.stat(path)).mode ?? 0;
  return (mode & 0o001) !== 0 && (mode & 0o004) !== 0;
}

/**
 * Whether `path` is safe for the child to run as it is: every other user may reach and run
 * it, and neither it nor any folder on the way may be changed by anyone but root.
 */
export async function trustedForChild(path: string): Promise<boolean> {
  if (!(await executableByOthers(path))) return false;
  const parts = path.split("/").filter(Boolean);
  for (let i = 0; i <= parts.length; i++) {
    const info = await Deno.lstat("/" + parts.slice(0, i).join("/"));
    const sticky = ((info.mode ?? 0) & 0o1000) !== 0;
    if (info.isSymlink) return false;
    if (info.uid !== 0 || (((info.mode ?? 0) & 0o022) !== 0 && !(sticky && i < parts.length))) {
      return false;
    }
  }
  return true;
}

/** The grader's private copies of deno, to remove when it ends. */
const runtimes = new Set<string>();
let runtime: Promise<string> | undefined;

/**
 * The deno binary the child runs when the grader is root: the grader's own where `nobody`
 * can run it and no one but root can change it, else a copy of it made fresh for this
 * process in a private folder (`mkdtemp`, root:nogroup 0750: nobody reads and runs it through
 * its group and cannot write there; other users cannot even look). Never a shared or
 * predictable path.
 */
export function childRuntime(own = Deno.execPath()): Promise<string> {
  if (own !== Deno.execPath()) return privateRuntime(own);
  return runtime ??= (async () => (await trustedForChild(own)) ? own : await privateRuntime(own))();
}

/** A fresh private copy of `own` (see {@link childRuntime}). */
export async function privateRuntime(own: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "litconv-runtime-" });
  runtimes.add(dir);
  const copy = `${dir}/deno`;
  await Deno.copyFile(own, copy);
  await Deno.chown(copy, 0, NOBODY);
  await Deno.chmod(copy, 0o750);
  await Deno.chown(dir, 0, NOBODY);
  await Deno.chmod(dir, 0o750);
  return copy;
}

/** Removes this process's private copies of deno (also done when the process unloads). */
export async function releaseRuntimes(): Promise<void> {
  for (const dir of runtimes) await Deno.remove(dir, { recursive: true }).catch(() => {});
  runtimes.clear();
  runtime = undefined;
}

/** The sandboxes in use now, for {@link removeAllSync}. */
const SANDBOXES = new Set<string>();

/**
 * Removes every sandbox and private runtime of this process, synchronously: when it unloads,
 * or when it is stopped by a signal (the CLI's handler).
 */
export function removeAllSync(): void {
  for (const dir of [...SANDBOXES, ...runtimes]) {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch { /* gone */ }
  }
  SANDBOXES.clear();
  runtimes.clear();
}

addEventListener("unload", removeAllSync);

/** prlimit is util-linux's; without it (not Linux) the child runs without the rlimits. */
let prlimitFound: boolean | undefined;
function hasPrlimit(): boolean {
  if (prlimitFound === undefined) {
    try {
      prlimitFound = new Deno.Command("prlimit", {
        args: ["--version"],
        stdout: "null",
        stderr: "null",
      }).outputSync().success;
    } catch {
      prlimitFound = false;
    }
  }
  return prlimitFound;
}

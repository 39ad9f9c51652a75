/**
 * The sandboxed child's command: a private folder holding the submission's copy and the
 * harness, and a `deno` that can read only that folder (no network, environment,
 * subprocesses, FFI, writes, config file, remote or npm modules), under rlimits on its data
 * segment (V8's heap flag does not cap typed arrays; `RLIMIT_AS` would stop V8 reserving its
 * heap), CPU and file growth (none: with a read-only `DENO_DIR`), as `nobody` when the grader
 * runs as root, and inside bubblewrap's namespaces where the host allows them (`bwrap.ts`).
 * `runBounded` runs it within a time and output cap.
 *
 * @module
 */
import { bubblewrap, bwrapArgs, exitStatus, type Layer } from "./bwrap.ts";
import { type Copied, copySubmission } from "./copy.ts";
import {
  childRuntime,
  NOBODY,
  removeDirsSync,
  removeRuntimesSync,
  runningAsRoot,
  searchableByOthers,
} from "./trust.ts";

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

/** A private copy of the submission beside the harness, readable by the child's user. */
export class SandboxDir {
  /** The deno binary the child runs (one `nobody` can execute). */
  private deno = Deno.execPath();
  /** The outer layer (bubblewrap), or why the child runs without it. */
  layer: Layer = { on: false, why: "not probed" };

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
      await Deno.copyFile(new URL("../harness.ts", import.meta.url), `${root}/harness/harness.ts`);
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
      sandbox.layer = await bubblewrap(sandbox.deno, dropToNobody());
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

  /** Whether the child runs under bubblewrap (see `bwrap.ts`). */
  get bubblewrapped(): boolean {
    return this.layer.on;
  }

  /** The child's exit status as its own (bubblewrap reports a death by signal as 128 + N). */
  exitStatus(status: Deno.CommandStatus): Deno.CommandStatus {
    return exitStatus(status, this.layer.on);
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
    // Inside bubblewrap (where it works) the child sees only its runtime and this folder.
    const wrap = this.layer.on
      ? bwrapArgs(this.layer, this.deno, [this.root], this.submission)
      : [];
    const cmd = [...wrap, this.deno, ...denoArgs];
    // As root, drop to nobody first: bwrap then runs unprivileged, in its own user namespace.
    if (runningAsRoot()) {
      return {
        cmd: "setpriv",
        args: [...dropToNobody().slice(1), "prlimit", ...prlimit, ...cmd],
        env,
      };
    }
    return hasPrlimit()
      ? { cmd: "prlimit", args: [...prlimit, ...cmd], env }
      : { cmd: cmd[0], args: cmd.slice(1), env };
  }
}

/** The prefix that runs a command as nobody when the grader is root (none otherwise). */
function dropToNobody(): string[] {
  // 65534 is nobody (and nogroup) on Debian, Ubuntu and Fedora alike; names differ.
  return runningAsRoot()
    ? ["setpriv", `--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "--"]
    : [];
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
  return concatBytes(parts, size);
}

/** The bytes of `parts`, `size` in all, as one array. */
export function concatBytes(parts: Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1) return parts[0];
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

/** The sandboxes in use now, for {@link removeAllSync}. */
const SANDBOXES = new Set<string>();

/**
 * Removes every sandbox and private runtime of this process, synchronously: when it unloads,
 * or when it is stopped by a signal (the CLI's handler).
 */
export function removeAllSync(): void {
  removeDirsSync(SANDBOXES);
  removeRuntimesSync();
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

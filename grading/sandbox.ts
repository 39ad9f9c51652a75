/**
 * The sandbox launcher: copies a submission to a private folder and builds the command of a
 * child `deno` that can read only that folder, with no network, environment, subprocesses,
 * FFI, writes or system info (Deno's default with `--no-prompt`), no config file
 * (`--no-config`: a submission's own `deno.json` could remap imports), no remote or npm
 * modules, an rlimit on its data segment (V8's heap flag does not cap typed arrays;
 * `RLIMIT_DATA` does, while `RLIMIT_AS` stops V8 from even reserving its heap cage), as
 * `nobody` when the grader runs as root. `child.ts` runs it within the time and output limits.
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
};

/** The submission's source files that are copied; configs, lockfiles and links are not. */
const SOURCE = /\.(ts|mts|js|mjs|tsx|jsx)$/;
const MAX_FILES = 200;
const MAX_BYTES = 4 * 1024 * 1024;

/** Whether this process runs as root (then the child runs as `nobody`). */
export function runningAsRoot(): boolean {
  return Deno.uid?.() === 0;
}

/** A private copy of the submission beside the harness, readable by the child's user. */
export class SandboxDir {
  /** The deno binary the child runs (one `nobody` can execute). */
  private deno = Deno.execPath();

  private constructor(readonly root: string, readonly submission: string) {}

  /** Copies `dir`'s source files (not configs, not links) and the harness. */
  static async create(dir: string): Promise<SandboxDir> {
    const root = await Deno.makeTempDir({ prefix: "litconv-grade-" });
    const submission = `${root}/submission`;
    await Deno.mkdir(submission);
    await Deno.mkdir(`${root}/harness`);
    await Deno.mkdir(`${root}/deno_dir`);
    await Deno.copyFile(new URL("./harness.ts", import.meta.url), `${root}/harness/harness.ts`);
    let files = 0, bytes = 0;
    const copy = async (from: string, to: string) => {
      for await (const entry of Deno.readDir(from)) {
        if (entry.isSymlink || entry.name.startsWith(".") || entry.name === "node_modules") {
          continue;
        }
        if (entry.isDirectory) {
          await Deno.mkdir(`${to}/${entry.name}`);
          await copy(`${from}/${entry.name}`, `${to}/${entry.name}`);
        } else if (entry.isFile && SOURCE.test(entry.name)) {
          const info = await Deno.stat(`${from}/${entry.name}`);
          if (++files > MAX_FILES || (bytes += info.size) > MAX_BYTES) {
            throw new Error(
              `the submission has more than ${MAX_FILES} files or ${MAX_BYTES} bytes`,
            );
          }
          await Deno.copyFile(`${from}/${entry.name}`, `${to}/${entry.name}`);
        }
      }
    };
    const sandbox = new SandboxDir(root, submission);
    try {
      await copy(dir, submission);
      if (runningAsRoot()) {
        await sandbox.shareWithNobody();
        sandbox.deno = await denoForNobody();
      }
    } catch (e) {
      await sandbox.remove();
      throw e;
    }
    return sandbox;
  }

  /** The child runs as nobody: it reads the copy and writes only Deno's own cache. */
  private async shareWithNobody(): Promise<void> {
    const chmodTree = async (path: string) => {
      const info = await Deno.stat(path);
      await Deno.chmod(path, info.isDirectory ? 0o755 : 0o644);
      if (info.isDirectory) {
        for await (const e of Deno.readDir(path)) await chmodTree(`${path}/${e.name}`);
      }
    };
    await chmodTree(this.root);
    await Deno.chown(`${this.root}/deno_dir`, 65534, 65534);
  }

  /** Deletes the copy. */
  async remove(): Promise<void> {
    await Deno.remove(this.root, { recursive: true }).catch(() => {});
  }

  /** The command line of a child, wrapped in setpriv/prlimit where they apply. */
  command(limits: SandboxLimits): { cmd: string; args: string[]; env: Record<string, string> } {
    const denoArgs = [
      "run",
      "--no-config",
      "--no-lock",
      "--no-remote",
      "--no-npm",
      "--no-prompt",
      `--allow-read=${this.submission},${this.root}/harness`,
      `--v8-flags=--max-old-space-size=${Math.floor(limits.heapBytes / 2 ** 20)}`,
      `${this.root}/harness/harness.ts`,
      new URL(`file://${this.submission}/mod.ts`).href,
    ];
    const env = {
      PATH: "/usr/bin:/bin",
      DENO_DIR: `${this.root}/deno_dir`,
      HOME: `${this.root}/deno_dir`,
      NO_COLOR: "1",
      DENO_NO_UPDATE_CHECK: "1",
    };
    const prlimit = ["--data=" + limits.memoryBytes, "--core=0", "--"];
    const cmd = [this.deno, ...denoArgs];
    if (runningAsRoot()) {
      // 65534 is nobody (and nogroup) on Debian, Ubuntu and Fedora alike; names differ.
      const drop = ["--reuid=65534", "--regid=65534", "--clear-groups", "--"];
      return { cmd: "setpriv", args: [...drop, "prlimit", ...prlimit, ...cmd], env };
    }
    return hasPrlimit
      ? { cmd: "prlimit", args: [...prlimit, ...cmd], env }
      : { cmd: cmd[0], args: cmd.slice(1), env };
  }
}

/** Whether every other user may reach and run `path` (each folder on the way searchable). */
export async function executableByOthers(path: string): Promise<boolean> {
  const parts = path.split("/").filter(Boolean);
  for (let i = 0; i < parts.length; i++) {
    const mode = (await Deno.stat("/" + parts.slice(0, i + 1).join("/"))).mode ?? 0;
    if ((mode & 0o001) === 0 || (i === parts.length - 1 && (mode & 0o004) === 0)) return false;
  }
  return true;
}

/**
 * A deno binary `nobody` can run: this one, or where it sits in a private folder (npx's cache
 * under /root, say) a copy in a shared temporary folder, made once per version.
 */
async function denoForNobody(): Promise<string> {
  const own = Deno.execPath();
  if (await executableByOthers(own)) return own;
  const dir = `${Deno.env.get("TMPDIR") ?? "/tmp"}/litconv-deno-${Deno.version.deno}`;
  const copy = `${dir}/deno`;
  if (await Deno.stat(copy).then((s) => s.size === Deno.statSync(own).size, () => false)) {
    return copy;
  }
  await Deno.mkdir(dir, { recursive: true, mode: 0o755 });
  await Deno.chmod(dir, 0o755);
  const tmp = `${copy}.${Deno.pid}.tmp`;
  await Deno.copyFile(own, tmp);
  await Deno.chmod(tmp, 0o755);
  await Deno.rename(tmp, copy);
  return copy;
}

/** prlimit is util-linux's; without it (not Linux) the child runs without the rlimit. */
const hasPrlimit = (() => {
  try {
    return new Deno.Command("prlimit", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

/**
 * The outer layer of the sandbox: Debian's bubblewrap (`bwrap`, what Flatpak uses) puts the
 * child in its own network, PID, IPC, UTS, cgroup, user and mount namespaces. Inside, the
 * child sees a read-only root holding only the deno binary, the shared libraries it links
 * (from `ldd`), the sandbox folder (the submission's copy, the harness and an empty
 * DENO_DIR), a minimal /dev, its own /proc and a private tmpfs on /tmp; it is uid 65534 with
 * no capabilities, in a new session (no terminal to push input into), and dies with the
 * grader. Deno's permissions and the rlimits stay as they are: this layer holds where a case
 * inside the runtime is missed (a source map named at run time, a bug in a permission check).
 *
 * Probed once per process, by running the child's own command shape (`deno --version`
 * inside, as the child's user): where `bwrap` is missing or the host forbids namespaces
 * (some containers do), the grader says so once on stderr and runs without it.
 * `LITCONV_BWRAP=0` turns it off.
 *
 * @module
 */

/** Whether the child runs under bubblewrap, and with which bind mounts, or why not. */
export type Layer =
  | { on: true; bwrap: string; libraries: [from: string, to: string][] }
  | { on: false; why: string };

/** The uid and gid the child has inside its user namespace (nobody and nogroup). */
const INSIDE_ID = "65534";

let probed: Promise<Layer> | undefined;

/**
 * Whether the sandbox can use bubblewrap (probed once per process, with `deno` as the
 * child's runtime and `drop` the prefix that makes a command run as the child's user).
 * Prints one line on stderr when it cannot.
 */
export function bubblewrap(deno: string, drop: string[]): Promise<Layer> {
  return probed ??= probe(deno, drop).then((layer) => {
    if (!layer.on) {
      console.error(
        `bubblewrap unavailable: ${layer.why}; running with Deno permissions and rlimits only`,
      );
    }
    return layer;
  });
}

async function probe(deno: string, drop: string[]): Promise<Layer> {
  if (Deno.env.get("LITCONV_BWRAP") === "0") {
    return { on: false, why: "turned off (LITCONV_BWRAP=0)" };
  }
  const bwrap = findOnPath("bwrap");
  if (!bwrap) return { on: false, why: "bwrap not found (apt-get install bubblewrap)" };
  const libraries = await sharedLibraries(deno);
  const layer: Layer = { on: true, bwrap, libraries };
  const [cmd, ...args] = [...drop, ...bwrapArgs(layer, deno, []), deno, "--version"];
  try {
    const out = await new Deno.Command(cmd, {
      args,
      env: { PATH: "/usr/bin:/bin" },
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (out.success && /^deno /.test(new TextDecoder().decode(out.stdout))) return layer;
    const said = new TextDecoder().decode(out.stderr).trim().split("\n")[0]?.slice(0, 200);
    return { on: false, why: `bwrap could not start the child (${said || `exit ${out.code}`})` };
  } catch (e) {
    return { on: false, why: `bwrap could not start (${(e as Error).message})` };
  }
}

/**
 * bwrap's arguments up to the command: namespaces, identity, then the mounts in order (the
 * tmpfs on /tmp before the binds, since the sandbox folder and a private runtime usually
 * live under /tmp), `sandboxRoot` read-only at its own path so paths in messages stay the
 * grader's, and the root remounted read-only last.
 */
export function bwrapArgs(
  layer: Extract<Layer, { on: true }>,
  deno: string,
  sandboxRoots: string[],
  cwd?: string,
): string[] {
  const binds = [...layer.libraries, [deno, deno], ...sandboxRoots.map((r) => [r, r])];
  return [
    layer.bwrap,
    "--unshare-user",
    "--uid",
    INSIDE_ID,
    "--gid",
    INSIDE_ID,
    "--unshare-net",
    "--unshare-pid",
    "--unshare-ipc",
    "--unshare-uts",
    "--unshare-cgroup-try",
    "--cap-drop",
    "ALL",
    "--die-with-parent",
    "--new-session",
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--tmpfs",
    "/tmp",
    ...binds.flatMap(([from, to]) => ["--ro-bind", from, to]),
    ...(cwd ? ["--chdir", cwd] : []),
    "--remount-ro",
    "/",
    "--",
  ];
}

/**
 * The shared libraries `deno` loads, as [real file, path the loader asks for], from `ldd`.
 * Without ldd (or for a static binary) the library folders themselves, read-only.
 */
async function sharedLibraries(deno: string): Promise<[string, string][]> {
  try {
    const out = await new Deno.Command("ldd", { args: [deno], stdout: "piped", stderr: "null" })
      .output();
    const paths = [...new TextDecoder().decode(out.stdout).matchAll(/(\/\S+) \(0x/g)]
      .map((m) => m[1]);
    if (out.success && paths.length) {
      return await Promise.all(
        paths.map(async (p) => [await Deno.realPath(p), p] as [string, string]),
      );
    }
  } catch { /* no ldd: fall through */ }
  const dirs = ["/lib", "/lib64", "/usr/lib", "/usr/lib64"].filter((d) => exists(d));
  return await Promise.all(dirs.map(async (d) => [await Deno.realPath(d), d] as [string, string]));
}

function findOnPath(name: string): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir && exists(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  return undefined;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Signal numbers (Linux) of the deaths worth naming; bwrap reports them as 128 + N. */
const SIGNAL_NUMBERS: Partial<Record<number, Deno.Signal>> = {
  5: "SIGTRAP",
  6: "SIGABRT",
  9: "SIGKILL",
  11: "SIGSEGV",
  15: "SIGTERM",
  24: "SIGXCPU",
  25: "SIGXFSZ",
};

/**
 * A status as the child's own: bwrap cannot die of its child's signal, so it exits with
 * 128 + N instead; this turns that back into the signal (a plain `Deno.exit(137)` reads the
 * same, as it does in a shell). Statuses of commands run without bwrap pass unchanged.
 */
export function exitStatus(status: Deno.CommandStatus, underBwrap: boolean): Deno.CommandStatus {
  if (!underBwrap || status.signal || status.code <= 128) return status;
  const signal = SIGNAL_NUMBERS[status.code - 128];
  return signal ? { success: false, code: status.code, signal } : status;
}

/** The processes below `pid` (children, theirs, …), from /proc; those gone meanwhile left out. */
export function processesBelow(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    const ppid = parentOf(Number(e.name));
    if (ppid !== undefined) children.set(ppid, [...(children.get(ppid) ?? []), Number(e.name)]);
  }
  const below: number[] = [];
  const queue = [...(children.get(pid) ?? [])];
  while (queue.length) {
    const p = queue.shift()!;
    below.push(p);
    queue.push(...(children.get(p) ?? []));
  }
  return below;
}

/** "pid (comm) state ppid …" (comm may hold spaces and parentheses: the last ")" ends it). */
function statOf(pid: number): { state: string; ppid: number } | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state, ppid: Number(ppid) };
  } catch {
    return undefined; // gone, or not Linux
  }
}

function parentOf(pid: number): number | undefined {
  return statOf(pid)?.ppid;
}

/**
 * Sends `signal` to a sandboxed command's process (bwrap's monitor, or deno itself without
 * bwrap) and, for SIGKILL, to every process below it; resolves when the processes that were
 * below it have ended (a zombie has: it runs nothing), or after `ms`. Without the wait, a
 * grader could exit or report "stopped" while bwrap's namespace is still being torn down: the
 * deno inside dies a moment after the monitor (`--die-with-parent`).
 */
export async function signalSandboxed(
  pid: number,
  signal: Deno.Signal,
  ms = 5000,
): Promise<void> {
  const below = processesBelow(pid);
  const targets = signal === "SIGKILL" ? [...below].reverse().concat(pid) : [pid];
  for (const p of targets) {
    try {
      Deno.kill(p, signal);
    } catch { /* gone already */ }
  }
  const running = (p: number) => {
    const s = statOf(p);
    return s !== undefined && s.state !== "Z" && s.state !== "X";
  };
  const until = performance.now() + ms;
  while (below.some(running) && performance.now() < until) {
    await new Promise((r) => setTimeout(r, 10));
  }
}

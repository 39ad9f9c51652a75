/**
 * Which deno binary the sandboxed child may run when the grader is root: the grader's own
 * only where `nobody` can run it and no one but root can change it or a folder above it,
 * else a private copy made fresh for this process.
 *
 * @module
 */

/** The user and group the child runs as when the grader is root: nobody and nogroup. */
export const NOBODY = 65534;

/** Whether this process runs as root (then the child runs as `nobody`). */
export function runningAsRoot(): boolean {
  return Deno.uid?.() === 0;
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

/** Removes each folder of `dirs` and empties the set, synchronously; a folder gone is fine. */
export function removeDirsSync(dirs: Set<string>): void {
  for (const dir of dirs) {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch { /* gone */ }
  }
  dirs.clear();
}

/** Removes this process's private copies of deno, synchronously (see `removeAllSync`). */
export function removeRuntimesSync(): void {
  removeDirsSync(runtimes);
}

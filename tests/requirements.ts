/**
 * The pieces outside the repository that some tests need, each probed once and described in
 * the words a test's name or failure shows: `undefined` when the piece is here, else what is
 * missing ("OpenBLAS unavailable: OpenBLAS not found (apt-get install …)"). Give the answer to {@link needs}: the test is
 * ignored with that reason, or, under `LITCONV_REQUIRE=all` (as `.ci/run` sets), fails with it.
 *
 * Importing this module also prints, when the test module ends, one line naming what it
 * skipped (see lessons/requires.ts, which lessons share). The probes import what they probe
 * when called, so a grading test that needs root does not load TF.js.
 *
 * @module
 */
import { fileMissing, needs, reportMissingOnUnload } from "../lessons/requires.ts";

export { fileMissing, needs };
reportMissingOnUnload();

/** OpenBLAS for the native kernels (accel/native/blas.ts). */
export async function openblasMissing(): Promise<string | undefined> {
  const s = (await import("../accel/native/blas.ts")).blasStatus();
  return s.available ? undefined : `OpenBLAS unavailable: ${s.reason}`;
}

/** oneDNN, which runs the native convolutions where it loads (accel/native/dnnl.ts). */
export async function onednnMissing(): Promise<string | undefined> {
  const s = (await import("../accel/native/dnnl.ts")).dnnlStatus();
  return s.available ? undefined : `oneDNN unavailable: ${s.reason}`;
}

/** Root: only a root grader drops the child to nobody and hands it a private runtime. */
export function rootMissing(): string | undefined {
  const uid = Deno.uid();
  return uid === 0 ? undefined : `not root (uid ${uid}; the grader's sandbox needs root)`;
}

/** A WebGPU adapter: a GPU, or mesa-vulkan-drivers' software one. */
export async function webgpuMissing(): Promise<string | undefined> {
  const { probeBackends } = await import("../accel/backend.ts");
  const webgpu = (await probeBackends()).find((b) => b.name === "webgpu")!;
  return webgpu.available ? undefined : webgpu.detail; // "no WebGPU adapter (install …)"
}

/** A program on PATH that runs with `args` (e.g. `python3 --version`). */
export async function programMissing(
  program: string,
  args: string[],
  pkg = program,
): Promise<string | undefined> {
  try {
    const out = await new Deno.Command(program, { args, stdout: "null", stderr: "null" })
      .output();
    return out.success ? undefined : `${pkg} missing (${program} ${args.join(" ")} failed)`;
  } catch (e) {
    return `${pkg} missing (${program}: ${(e as Error).message})`;
  }
}

/** Debian's Chromium, which the site's browser tests drive (tests/site_browser_test.ts). */
export function chromiumMissing(path = "/usr/bin/chromium"): string | undefined {
  return fileMissing(new URL(`file://${path}`), "chromium");
}

/** Jupyter's notebook client for Debian's python3, which runs the lessons' notebooks. */
export function nbclientMissing(): Promise<string | undefined> {
  return programMissing("/usr/bin/python3", ["-c", "import nbclient"], "python3-nbclient");
}

/**
 * The lecture's text, `shared/seed/lecture.txt` in the nearest folder above the repository
 * that has one, or the file `LITCONV_LECTURE` names (a path that does not exist hides it).
 */
export async function lecture(): Promise<{ text: string } | { missing: string }> {
  const path = Deno.env.get("LITCONV_LECTURE") ?? findLecture();
  if (!path) {
    return {
      missing: "lecture missing (no shared/seed/lecture.txt above the repository; " +
        "LITCONV_LECTURE=path names one)",
    };
  }
  try {
    return { text: await Deno.readTextFile(path) };
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound ? "no such file" : (e as Error).message;
    return { missing: `lecture missing (${path}: ${why})` };
  }
}

function findLecture(): string {
  let dir = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
  while (dir.includes("/")) {
    dir = dir.slice(0, dir.lastIndexOf("/"));
    const path = `${dir}/shared/seed/lecture.txt`;
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch { /* not here: one folder up */ }
  }
  return "";
}

/** Bubblewrap that can make namespaces here: the grader's outer layer (grading/sandbox/bwrap.ts). */
export async function bubblewrapMissing(): Promise<string | undefined> {
  if (Deno.env.get("LITCONV_BWRAP") === "0") return "bubblewrap turned off (LITCONV_BWRAP=0)";
  const { bubblewrap, childRuntime, runningAsRoot, NOBODY } = await import("../grading/sandbox.ts");
  const deno = runningAsRoot() ? await childRuntime() : Deno.execPath();
  const drop = runningAsRoot()
    ? ["setpriv", `--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "--"]
    : [];
  const layer = await bubblewrap(deno, drop);
  return layer.on ? undefined : `bubblewrap unavailable: ${layer.why} (apt-get install bubblewrap)`;
}

/**
 * The import-graph check, run before any submission code: `deno info --json` lists the graph
 * of the entry file (`mod.ts`), and every module outside the submission's copy is refused:
 * the course's own kernels (by relative or absolute path), npm, remote and `node:` modules.
 * `deno info` only parses, it runs nothing; but it reads every file the graph names, wherever
 * it is, so it runs in the sandbox with the child's limits.
 *
 * (The child loads the entry file with a dynamic `import()`, and Deno checks read permission
 * on the static imports of a dynamically imported module; it does not for the static graph
 * of a *main* module. The check stays all the same: it refuses with a sentence before
 * anything runs, and it refuses `node:`, `npm:` and URL imports by name.)
 *
 * @module
 */
import { type Bounded, runBounded, type SandboxDir, type SandboxLimits } from "./sandbox.ts";

interface InfoModule {
  specifier: string;
  error?: string;
  dependencies?: {
    specifier: string;
    code?: { specifier?: string; error?: string };
    type?: { specifier?: string; error?: string };
  }[];
}

/** A file URL's path for a message; a malformed escape (`%zz`) is shown as written. */
function shownPath(url: string): string {
  const path = new URL(url).pathname;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** One refused import: who imports what (no specifier: the check itself failed). */
export interface RefusedImport {
  from: string;
  specifier?: string;
  why: string;
}

/**
 * The imports of the sandbox's entry file that leave the submission's copy (empty when the
 * graph is self-contained). `deno info` runs in the sandbox, like the child: as `nobody` when
 * the grader is root, under the same rlimits, killed after `ms` (an import of `/dev/urandom`
 * or of a FIFO elsewhere would otherwise read or wait for ever), its output capped.
 */
export async function checkImports(
  sandbox: SandboxDir,
  limits: SandboxLimits,
  ms = limits.checkMs,
): Promise<RefusedImport[]> {
  const root = await Deno.realPath(sandbox.submission);
  const inside = new URL(`file://${root}/`).href;
  const entry = sandbox.copied.entry ?? "mod.ts";
  const out = await runBounded(
    sandbox.command(limits, sandbox.infoArgs(), ms / 1000 + 1),
    sandbox.submission,
    ms,
    16 * 1024 * 1024,
  ).catch((e) => ({ stopped: `it could not start (${(e as Error).message})` }) as Bounded);
  if (out.stopped) {
    return [{
      from: entry,
      why: `the import check (deno info) was stopped: ${out.stopped}; ` +
        "does the code import a device, a pipe or a very large file?",
    }];
  }
  if (out.code !== 0) {
    const err = out.stderr.trim().split("\n")[0].slice(0, 500);
    return [{
      from: entry,
      why: `deno info could not read it: ${err || `it ended with ${out.signal ?? out.code}`}`,
    }];
  }
  let graph: { modules: InfoModule[] };
  try {
    graph = JSON.parse(new TextDecoder().decode(out.stdout));
    if (!Array.isArray(graph?.modules)) throw new Error("no modules");
  } catch {
    return [{ from: entry, why: "deno info gave no import graph" }];
  }
  const relative = (s: string) => s.startsWith(inside) ? s.slice(inside.length) : s;
  const refused: RefusedImport[] = [];
  // Only the submission's own imports: what an outside module imports in turn is noise.
  for (const m of graph.modules.filter((m) => m.specifier.startsWith(inside))) {
    for (const dep of m.dependencies ?? []) {
      const error = dep.code?.error ?? dep.type?.error;
      if (error) {
        refused.push({
          from: relative(m.specifier),
          specifier: dep.specifier,
          why: `cannot be resolved without a config file (a deno.json is ignored): ${error}`,
        });
      }
      for (const target of [dep.code?.specifier, dep.type?.specifier]) {
        if (target === undefined || target.startsWith(inside)) continue;
        refused.push({
          from: relative(m.specifier),
          specifier: dep.specifier,
          why: target.startsWith("file:")
            ? `resolves to ${shownPath(target)}, outside the submission folder`
            : "only files inside the submission folder may be imported",
        });
      }
    }
  }
  return refused;
}

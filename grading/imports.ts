/**
 * The import-graph check, run before any submission code: Deno's `--allow-read` does not
 * restrict a *static* import (a plain `import` of any local file works whatever the flags
 * say), so `deno info --json` lists the graph of `mod.ts` and every module outside the
 * submission folder is refused, including the course's own kernels, npm, remote and `node:`
 * modules. `deno info` only parses; it runs nothing.
 *
 * @module
 */

interface InfoModule {
  specifier: string;
  error?: string;
  dependencies?: {
    specifier: string;
    code?: { specifier?: string; error?: string };
    type?: { specifier?: string; error?: string };
  }[];
}

/** One refused import: who imports what. */
export interface RefusedImport {
  from: string;
  specifier: string;
  why: string;
}

/** The imports of `dir/mod.ts` that leave `dir` (empty when the graph is self-contained). */
export async function checkImports(dir: string): Promise<RefusedImport[]> {
  const root = await Deno.realPath(dir);
  const inside = new URL(`file://${root}/`).href;
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "info",
      "--json",
      "--no-config",
      "--no-lock",
      "--no-remote",
      "--no-npm",
      `${root}/mod.ts`,
    ],
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output().catch(() => undefined);
  if (!out) {
    return [{
      from: "mod.ts",
      specifier: "mod.ts",
      why: "deno info did not finish reading its imports",
    }];
  }
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n")[0];
    return [{ from: "mod.ts", specifier: "mod.ts", why: `deno info could not read it: ${err}` }];
  }
  const graph = JSON.parse(new TextDecoder().decode(out.stdout)) as { modules: InfoModule[] };
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
            ? `resolves to ${
              decodeURIComponent(new URL(target).pathname)
            }, outside the submission folder`
            : "only files inside the submission folder may be imported",
        });
      }
    }
  }
  return refused;
}

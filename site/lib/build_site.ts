/**
 * The static build: every page of every route, the static files, the island bundles and
 * the run files the pages link, written under one folder with relative links only.
 *
 * @module
 */
import { bundleIsland, bundleWorkers, islandNames, writeStatic } from "./assets.ts";
import { listPages, loadRoutes, renderPage } from "./router.tsx";

export interface BuildOptions {
  out: string;
  /** One line per page (and per island); silent when absent. */
  log?: (line: string) => void;
}

/** Builds the site into `out` (emptied first); returns the pages written and the seconds. */
export async function buildSite(
  { out, log = () => {} }: BuildOptions,
): Promise<{ pages: string[]; seconds: number }> {
  const start = performance.now();
  const secs = () => ((performance.now() - start) / 1000).toFixed(1);
  await Deno.remove(out, { recursive: true }).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
  await writeStatic(out);
  const islands = await islandNames();
  await Promise.all([
    ...islands.map(async (name) => {
      await bundleIsland(name, out);
      log(`island  islands/${name}.js  (${secs()} s)`);
    }),
    bundleWorkers(out).then((files) => files.forEach((f) => log(`worker  ${f}  (${secs()} s)`))),
  ]);
  const pages = await listPages(await loadRoutes());
  const assets = new Map<string, string>();
  for (const [k, ref] of pages.entries()) {
    const html = await renderPage(ref, assets);
    const file = `${out}/${ref.path}`;
    await Deno.mkdir(file.slice(0, file.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(file, html);
    log(`[${k + 1}/${pages.length}] ${ref.path}  (${secs()} s)`);
  }
  for (const [to, from] of assets) {
    const file = `${out}/${to}`;
    await Deno.mkdir(file.slice(0, file.lastIndexOf("/")), { recursive: true });
    await Deno.copyFile(from, file);
  }
  return { pages: pages.map((p) => p.path), seconds: (performance.now() - start) / 1000 };
}

/**
 * The development server behind `deno task site`: pages are rendered from the routes on
 * request (so an edited lesson shows on reload), static files and island bundles are
 * prepared once at start, and an unknown address gets the 404 page with status 404.
 *
 * @module
 */
import { contentType } from "./mime.ts";
import { bundleIsland, bundleWorkers, islandNames, ROOT_DIR, writeStatic } from "./assets.ts";
import { listPages, loadRoutes, type PageRef, renderPage } from "./router.tsx";

export interface ServerOptions {
  port: number;
  hostname?: string;
  /** Folder for static files and island bundles (default `.site-cache/serve`). */
  workDir?: string;
  log?: (line: string) => void;
}

/** A running server. */
export interface SiteServer {
  port: number;
  url: string;
  shutdown(): Promise<void>;
}

/** Maps a request path to a site path: `/` → `index.html`, `/results/` → `results/index.html`. */
export function sitePath(pathname: string): string | undefined {
  let p = decodeURIComponent(pathname).replace(/^\/+/, "");
  if (p === "" || p.endsWith("/")) p += "index.html";
  if (p.split("/").some((part) => part === ".." || part === ".")) return undefined;
  return p;
}

/** Prepares static files and islands, then serves on `hostname:port`. */
export async function startServer(
  { port, hostname = "127.0.0.1", workDir = `${ROOT_DIR}/.site-cache/serve`, log = () => {} }:
    ServerOptions,
): Promise<SiteServer> {
  const assets = new Map<string, string>();
  let pages = new Map<string, PageRef>();
  let notFound: PageRef;
  // Listen first, so a taken port fails before anything is written; requests wait for this.
  const prepare = async () => {
    await Deno.remove(workDir, { recursive: true }).catch(() => {});
    await writeStatic(workDir);
    for (const name of await islandNames()) await bundleIsland(name, workDir);
    await bundleWorkers(workDir);
    pages = new Map((await listPages(await loadRoutes())).map((p) => [p.path, p]));
    notFound = pages.get("404.html")!;
  };
  const ready = Promise.withResolvers<void>();

  const file = async (path: string, status = 200) =>
    new Response(await Deno.readFile(path), {
      status,
      headers: { "content-type": contentType(path) },
    });
  const html = (body: string, status = 200) =>
    new Response(body, { status, headers: { "content-type": "text/html; charset=utf-8" } });

  const handler = async (req: Request): Promise<Response> => {
    await ready.promise;
    const path = sitePath(new URL(req.url).pathname);
    if (path === undefined) return html(await renderPage(notFound, assets, "x"), 404);
    const page = pages.get(path);
    if (page) return html(await renderPage(page, assets));
    // Assets are registered while pages render; render them all once if one is asked first.
    if (
      !assets.has(path) && !path.startsWith("static/") && !path.startsWith("islands/") &&
      !path.startsWith("workers/")
    ) {
      for (const p of pages.values()) await renderPage(p, assets);
    }
    const source = assets.get(path) ?? `${workDir}/${path}`;
    try {
      return await file(source);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound || e instanceof Deno.errors.IsADirectory)) throw e;
      return html(await renderPage(notFound, assets, path), 404);
    }
  };

  const server = Deno.serve({ port, hostname, onListen: () => {} }, async (req) => {
    try {
      const res = await handler(req);
      log(`${res.status} ${new URL(req.url).pathname}`);
      return res;
    } catch (e) {
      log(`500 ${new URL(req.url).pathname}: ${(e as Error).stack}`);
      return new Response(`Internal error: ${(e as Error).message}`, { status: 500 });
    }
  });
  await prepare().then(ready.resolve, (e) => {
    ready.reject(e);
    throw e;
  });
  const addr = server.addr as Deno.NetAddr;
  return {
    port: addr.port,
    url: `http://${hostname}:${addr.port}/`,
    shutdown: () => server.shutdown(),
  };
}

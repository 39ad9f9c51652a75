/**
 * What the browser tests share: Debian's Chromium with the flags this machine needs, launched
 * robustly, the site's static build made as a reader makes it, and a plain static file server.
 */
import assert from "node:assert/strict";
import { type Browser, type BrowserContext, chromium, type Page } from "../deps/playwright_core.ts";
import { contentType } from "../site/lib/mime.ts";
import { sitePath } from "../site/lib/server.ts";

/** Debian's Chromium. */
export const CHROMIUM = "/usr/bin/chromium";

/** Headless, and nothing that reaches past this machine. */
export const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-dev-shm-usage",
];

/**
 * Launches Chromium, giving each try a minute. Once, in a loaded full-suite run, a launch sat
 * for ten minutes with no Chromium process alive; a launch that has not answered in a minute
 * is abandoned and tried again, so such a hang fails or recovers instead of stalling CI.
 */
export async function launchBrowser(tries = 3): Promise<Browser> {
  for (let i = 1;; i++) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("Chromium did not start within 60 s")), 60_000);
    });
    try {
      return await Promise.race([
        chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 60_000 }),
        timeout,
      ]);
    } catch (e) {
      if (i >= tries) throw e;
      console.error(`launching Chromium, try ${i} of ${tries}: ${e}; trying again`);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** `deno task site:build --out DIR`, as a reader runs it. */
export async function buildSite(out: string): Promise<void> {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "site:build", "--out", out],
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
}

/** A plain static file server over `dir`, as a static host would serve the build. */
export function serveFiles(dir: string): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, async (req) => {
    const path = sitePath(new URL(req.url).pathname);
    try {
      if (path === undefined) throw new Deno.errors.NotFound();
      const body = await Deno.readFile(`${dir}/${path}`);
      return new Response(body, { headers: { "content-type": contentType(path) } });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
}

/** A built and served site with a Chromium page on it; see {@link openSite}. */
export interface SiteSession {
  /** The build's folder. */
  out: string;
  /** The server's address, ending in a slash. */
  base: string;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Every page error, console error and failed request of `page` so far. */
  problems: string[];
  /** Closes the browser, stops the server and removes the build. */
  close(): Promise<void>;
}

/**
 * The site built into a new folder named from `prefix`, served, and a 1280×900 Chromium page
 * that records its problems: the start of each browser test that walks the built site.
 */
export async function openSite(prefix: string): Promise<SiteSession> {
  const out = await Deno.makeTempDir({ prefix });
  await buildSite(out);
  const files = serveFiles(out);
  const base = `http://127.0.0.1:${files.addr.port}/`;
  const browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  page.on("requestfailed", (r) => problems.push(`failed request: ${r.url()}`));
  const close = async () => {
    await browser.close();
    await files.shutdown();
    await Deno.remove(out, { recursive: true });
  };
  return { out, base, browser, context, page, problems, close };
}

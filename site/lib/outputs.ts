/**
 * A lesson's computed outputs for the site, with a cache for the slow ones.
 *
 * The rule: every build computes each lesson's outputs, except that a lesson whose outputs
 * took longer than {@link SLOW_SECONDS} (today 08, 09 and 10, which load MNIST and trained
 * models) is stored in `.site-cache/outputs/<slug>.json` under the SHA-256 of everything its
 * outputs are made from ({@link sharedInputs}): the lesson file, every other module of
 * `lessons/` (output, table and figure code), every module of `drawing/`, the reference runs'
 * metrics and the seed record. Later builds reuse it until one of those changes.
 *
 * @module
 */
import type { Output } from "../../lessons/show.ts";
import type { LessonEntry } from "../../lessons/index.ts";

/** Outputs that take longer than this are cached. */
export const SLOW_SECONDS = 5;

/** Where cached outputs live (git-ignored). */
export const CACHE_DIR: string = new URL("../../.site-cache/outputs", import.meta.url).pathname;

const ROOT = new URL("../../", import.meta.url);

/**
 * The files every lesson's outputs depend on, besides the lesson itself: every module of
 * `lessons/` that is not a lesson (the output, table and figure code), `drawing/`, and the
 * committed runs and seed record that lessons read.
 */
export function sharedInputs(root: URL = ROOT): URL[] {
  const files: URL[] = [];
  const walk = (dir: URL, keep: (name: string) => boolean) => {
    try {
      for (const e of [...Deno.readDirSync(dir)].sort((a, b) => a.name.localeCompare(b.name))) {
        if (e.isDirectory) walk(new URL(`${e.name}/`, dir), keep);
        else if (keep(e.name)) files.push(new URL(e.name, dir));
      }
    } catch { /* absent: nothing to add */ }
  };
  walk(new URL("drawing/", root), (n) => n.endsWith(".ts"));
  walk(new URL("lessons/", root), (n) => n.endsWith(".ts") && !/^\d\d_/.test(n));
  walk(
    new URL("data/reference/", root),
    (n) => n === "metrics.json" || n === "reference.json" || n === "seeds.json",
  );
  return files;
}

interface CacheEntry {
  sha256: string;
  seconds: number;
  outputs: Output[];
}

/** SHA-256 of some files' contents, in order, as hex (a missing file counts as empty). */
export async function filesHash(urls: (URL | string)[]): Promise<string> {
  const parts: Uint8Array[] = [];
  for (const url of urls) {
    parts.push(new TextEncoder().encode(`${url}\n`));
    parts.push(await Deno.readFile(url).catch(() => new Uint8Array()));
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) all.set(p, (at += p.length) - p.length);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The lesson's outputs, from the cache when it holds them for these exact sources. */
export async function cachedOutputs(
  lesson: Pick<LessonEntry, "slug" | "url" | "outputs">,
  cacheDir: string = CACHE_DIR,
  slowSeconds: number = SLOW_SECONDS,
  inputs: URL[] = sharedInputs(),
): Promise<{ outputs: Output[]; cached: boolean; seconds: number }> {
  const sha256 = await filesHash([lesson.url, ...inputs]);
  const file = `${cacheDir}/${lesson.slug}.json`;
  try {
    const entry: CacheEntry = JSON.parse(await Deno.readTextFile(file));
    if (entry.sha256 === sha256) return { outputs: entry.outputs, cached: true, seconds: 0 };
  } catch { /* no cache yet, or unreadable: compute */ }
  const start = performance.now();
  const outputs = await lesson.outputs();
  const seconds = (performance.now() - start) / 1000;
  if (seconds > slowSeconds) {
    await Deno.mkdir(cacheDir, { recursive: true });
    const entry: CacheEntry = { sha256, seconds, outputs };
    await Deno.writeTextFile(file, JSON.stringify(entry));
  }
  return { outputs, cached: false, seconds };
}

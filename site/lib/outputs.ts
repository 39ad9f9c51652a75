/**
 * A lesson's computed outputs for the site, with a cache for the slow ones.
 *
 * The rule: every build runs each lesson's `examples()`, except that a lesson whose
 * examples took longer than {@link SLOW_SECONDS} (today 08 and 10, which train a small
 * model) is stored in `.site-cache/examples/<slug>.json` under the SHA-256 of its source
 * file, and later builds reuse that until the lesson file changes.
 *
 * @module
 */
import type { Example } from "../../lessons/literate.ts";
import type { LessonEntry } from "../../lessons/index.ts";

/** Examples that take longer than this are cached. */
export const SLOW_SECONDS = 5;

/** Where cached examples live (git-ignored). */
export const CACHE_DIR: string = new URL("../../.site-cache/examples", import.meta.url).pathname;

interface CacheEntry {
  sha256: string;
  seconds: number;
  examples: Example[];
}

/** SHA-256 of a file, as hex. */
export async function fileHash(url: URL | string): Promise<string> {
  const bytes = await Deno.readFile(url);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The lesson's examples, from the cache when it holds them for this exact source. */
export async function lessonExamples(
  lesson: Pick<LessonEntry, "slug" | "url" | "examples">,
  cacheDir: string = CACHE_DIR,
  slowSeconds: number = SLOW_SECONDS,
): Promise<{ examples: Example[]; cached: boolean; seconds: number }> {
  const sha256 = await fileHash(lesson.url);
  const file = `${cacheDir}/${lesson.slug}.json`;
  try {
    const entry: CacheEntry = JSON.parse(await Deno.readTextFile(file));
    if (entry.sha256 === sha256) return { examples: entry.examples, cached: true, seconds: 0 };
  } catch { /* no cache yet, or unreadable: compute */ }
  const start = performance.now();
  const examples = await lesson.examples();
  const seconds = (performance.now() - start) / 1000;
  if (seconds > slowSeconds) {
    await Deno.mkdir(cacheDir, { recursive: true });
    const entry: CacheEntry = { sha256, seconds, examples };
    await Deno.writeTextFile(file, JSON.stringify(entry));
  }
  return { examples, cached: false, seconds };
}

/**
 * Where training runs live and finding them: the run folders `deno task train` makes in
 * `data/runs/`, and the committed reference runs in `data/reference/<model>/`, for the
 * lessons and the site.
 *
 * @module
 */
import type { Metrics } from "./run.ts";

/** Where `deno task train` puts run folders by default. */
export const RUNS_DIR: string = new URL("../data/runs", import.meta.url).pathname;

/** Where the committed reference runs live: one folder per model, `data/reference/<model>/`. */
export const REFERENCE_URL: URL = new URL("../data/reference/", import.meta.url);

/** {@link REFERENCE_URL} as a path. */
export const REFERENCE_DIR: string = REFERENCE_URL.pathname.replace(/\/$/, "");

/** A run folder and its metrics.json. */
export interface RunInfo {
  /** The run folder's path. */
  dir: string;
  /** The folder's name, e.g. `2026-12-03T10-00-00Z-lecture`. */
  name: string;
  /** Its metrics.json. */
  metrics: Metrics;
}

/**
 * Every run folder under `root` with a readable metrics.json, newest first (folder names
 * start with a timestamp). `finished` keeps only runs that reached their test accuracy.
 */
export async function listRuns(root = RUNS_DIR, finished = false): Promise<RunInfo[]> {
  const runs: RunInfo[] = [];
  try {
    for await (const entry of Deno.readDir(root)) {
      if (!entry.isDirectory) continue;
      const dir = `${root}/${entry.name}`;
      try {
        const metrics: Metrics = JSON.parse(await Deno.readTextFile(`${dir}/metrics.json`));
        if (!finished || metrics.testAccuracy !== null) {
          runs.push({ dir, name: entry.name, metrics });
        }
      } catch { /* a run that never finished an epoch: skip it */ }
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return runs.sort((a, b) => b.name.localeCompare(a.name));
}

/** The newest finished run of `model` ("lecture" by default), if any. */
export async function latestRun(model = "lecture", root = RUNS_DIR): Promise<RunInfo | undefined> {
  return (await listRuns(root, true)).find((r) => r.metrics.config.model === model);
}

/**
 * The training runs the site shows: every run folder in `data/runs/` (newest first) and the
 * committed reference runs in `data/reference/<name>/`, so a fresh clone has results.
 *
 * @module
 */
import { listRuns, REFERENCE_DIR, RUNS_DIR } from "../../training/runs.ts";
import type { Metrics } from "../../training/run.ts";

/** A run as the site lists it. */
export interface SiteRun {
  /** Unique, URL-safe: the folder name, or `reference-<name>`. */
  id: string;
  dir: string;
  reference: boolean;
  metrics: Metrics;
  /** Files present in the folder (curves.svg, predictions.png, …). */
  files: string[];
}

async function filesIn(dir: string): Promise<string[]> {
  const files: string[] = [];
  for await (const e of Deno.readDir(dir)) if (e.isFile) files.push(e.name);
  return files.sort();
}

/** Reference runs first (lecture, then the rest by name), then `data/runs/`, newest first. */
export async function siteRuns(
  runsDir = RUNS_DIR,
  referenceDir = REFERENCE_DIR,
): Promise<SiteRun[]> {
  const refs = (await listRuns(referenceDir)).sort((a, b) =>
    a.name === "lecture" ? -1 : b.name === "lecture" ? 1 : a.name.localeCompare(b.name)
  );
  const runs = await listRuns(runsDir);
  const out: SiteRun[] = [];
  for (const r of refs) {
    out.push({
      id: `reference-${r.name}`,
      dir: r.dir,
      reference: true,
      metrics: r.metrics,
      files: await filesIn(r.dir),
    });
  }
  for (const r of runs) {
    out.push({
      id: r.name,
      dir: r.dir,
      reference: false,
      metrics: r.metrics,
      files: await filesIn(r.dir),
    });
  }
  return out;
}

// The lecture's test accuracy after its 20 epochs lives in lesson 08, which reproduces it.
export { LECTURE_TEST_ACCURACY } from "../../lessons/mnist_cnn.ts";

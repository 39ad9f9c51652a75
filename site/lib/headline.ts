/**
 * Which run the front page headlines. Apart from runs_data.ts, which loads lesson 08 for the
 * lecture's accuracy: a test of this choice need not load (and register) a lesson.
 *
 * @module
 */
import type { SiteRun } from "./runs_data.ts";

/** Finished runs of the lecture's model, in the order `siteRuns` gives. */
const finishedLecture = (runs: SiteRun[]) =>
  runs.filter((r) => r.metrics.testAccuracy !== null && r.metrics.config.model === "lecture");

/**
 * The run the home page headlines: the committed reference run of the lecture's model (its
 * full 20 epochs), else the newest finished lecture run. A quick run of a few thousand
 * images is no measure of the course, however new.
 */
export function headlineRun(runs: SiteRun[]): SiteRun | undefined {
  const done = finishedLecture(runs);
  return done.find((r) => r.reference) ?? done[0];
}

/** The newest finished lecture run of `data/runs/` (the reader's own), if any. */
export function newestRun(runs: SiteRun[]): SiteRun | undefined {
  return finishedLecture(runs).find((r) => !r.reference);
}

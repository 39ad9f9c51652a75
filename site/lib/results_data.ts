/**
 * What the results page shows of each run: its facts, per-epoch table and charts (drawn by
 * `drawing/charts.ts`, the same Observable Plot code that writes the run folders' SVGs),
 * and a comparison of the lecture's model with the extra-conv exercise on the same axes.
 *
 * @module
 */
import {
  type ChartStyle,
  compareSvg,
  confusionSvg,
  curvesSvg,
  rotationSvg,
} from "../../drawing/charts.ts";
import type { ReferenceInfo } from "../../training/publish_reference.ts";
import type { EpochRecord } from "../../training/run.ts";
import { LECTURE_TEST_ACCURACY, type SiteRun, siteRuns } from "./runs_data.ts";
import { readReference, readSeedRuns, type SeedRun, seedSpread } from "../../lessons/reference.ts";
import { insideNetwork } from "../../lessons/inside_network.ts";
import type { Figure } from "../../lessons/show.ts";

/** Charts inline in the page: its colours (light or dark), panels stacked for a narrow column. */
const PAGE: ChartStyle = { page: true };

/** One run, ready to print. */
export interface RunView {
  run: SiteRun;
  /** Total training seconds over all epochs. */
  seconds: number;
  /** Where the run ran (when metrics.json records it). */
  machine?: string;
  curves?: string;
  rotation?: string;
  confusion?: string;
  /** Test accuracy recomputed from the confusion matrix, when there is one. */
  confusionAccuracy?: number;
  /** For a reference run: what publishing it measured (float vs uint8 weights). */
  reference?: ReferenceInfo;
}

export interface ResultsData {
  runs: RunView[];
  /** The seed record (`data/reference/seeds.json`) and its spread, when committed. */
  seeds?: {
    runs: SeedRun[];
    spread: ReturnType<typeof seedSpread>;
    lecture: number;
    /** The lecture's own PyTorch loop for the same seed numbers, when recorded. */
    pytorch?: { runs: SeedRun[]; spread: ReturnType<typeof seedSpread> };
  };
  /** The two runs compared, and their chart. */
  comparison?: { a: string; b: string; svg: string };
  /** Inside the committed lecture model: kernels, one digit's volumes, saliency (lesson 08's). */
  inside?: { label: string; figure: Figure }[];
}

/** Lesson 08's three figures of the committed lecture model, when it is committed. */
async function insideOfReference(): Promise<ResultsData["inside"]> {
  const r = await readReference("lecture");
  if (!r) return undefined;
  try {
    await Deno.stat(new URL("model.json", r.dir));
  } catch {
    return undefined;
  }
  const inside = await insideNetwork(r.dir);
  return [
    { label: "conv1's 32 kernels", figure: inside.kernels },
    { label: `Test digit ${inside.digit} after each stage`, figure: inside.volumes },
    { label: "Saliency of misread digits", figure: inside.saliency },
  ];
}

async function confusionOf(
  run: SiteRun,
): Promise<{ matrix: number[][]; accuracy: number } | undefined> {
  if (!run.files.includes("confusion.json")) return undefined;
  return JSON.parse(await Deno.readTextFile(`${run.dir}/confusion.json`));
}

function view(
  run: SiteRun,
  confusion?: { matrix: number[][]; accuracy: number },
  reference?: ReferenceInfo,
): RunView {
  const m = run.metrics;
  const history: EpochRecord[] = m.history;
  // deno-lint-ignore no-explicit-any
  const extra = m as any;
  return {
    run,
    seconds: history.reduce((s, h) => s + h.seconds, 0),
    machine: typeof extra.machine === "string"
      ? extra.machine
      : extra.machine
      ? Object.values(extra.machine).join(", ")
      : undefined,
    curves: history.length > 0 ? curvesSvg(history, `Training curves, ${run.id}`, PAGE) : undefined,
    rotation: m.rotation && m.rotation.length > 0
      ? rotationSvg(m.rotation, `Accuracy on rotated test digits, ${run.id}`, PAGE)
      : undefined,
    confusion: confusion &&
      confusionSvg(confusion.matrix, `Confusion matrix (test set), ${run.id}`, PAGE),
    confusionAccuracy: confusion?.accuracy,
    reference,
  };
}

/** The run of `model` to compare: its reference run, else its newest finished run. */
function pick(runs: SiteRun[], model: string): SiteRun | undefined {
  const of = runs.filter((r) => r.metrics.config.model === model && r.metrics.history.length > 0);
  return of.find((r) => r.reference) ?? of[0];
}

export async function resultsData(): Promise<ResultsData> {
  const runs = await siteRuns();
  const views: RunView[] = [];
  for (const run of runs) {
    const reference = run.files.includes("reference.json")
      ? JSON.parse(await Deno.readTextFile(`${run.dir}/reference.json`)) as ReferenceInfo
      : undefined;
    views.push(view(run, await confusionOf(run), reference));
  }
  const a = pick(runs, "lecture"), b = pick(runs, "extra-conv");
  const comparison = a && b
    ? {
      a: a.id,
      b: b.id,
      // Short labels: they are written beside the lines' ends (the ids are in the heading).
      svg: compareSvg(
        [
          { label: "lecture", history: a.metrics.history },
          { label: "extra-conv", history: b.metrics.history },
        ],
        undefined,
        PAGE,
      ),
    }
    : undefined;
  const [seedRuns, torchRuns] = [await readSeedRuns(), await readSeedRuns("pytorch")];
  const seeds = seedRuns && seedRuns.length > 1
    ? {
      runs: seedRuns,
      spread: seedSpread(seedRuns),
      lecture: LECTURE_TEST_ACCURACY,
      pytorch: torchRuns && torchRuns.length > 1
        ? { runs: torchRuns, spread: seedSpread(torchRuns) }
        : undefined,
    }
    : undefined;
  return { runs: views, comparison, seeds, inside: await insideOfReference() };
}

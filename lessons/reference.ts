/**
 * The committed reference runs: one `deno task train` run per model, kept in
 * `data/reference/<model>/` (the same files as any run folder: metrics.json, curves.svg,
 * predictions.png, rotation.json, model.json + weights.bin). Lessons 08 to 10 read their
 * training figures from there instead of training while a page is built; when a folder is
 * absent they say so.
 *
 * @module
 */
import type { Metrics } from "../training/run.ts";
import type { ModelVariant } from "../training/model.ts";
import type { ReferenceInfo } from "../training/publish_reference.ts";
import { REFERENCE_URL } from "../training/runs.ts";
import { fileMissing } from "./requires.ts";

/** A reference run's folder and its metrics.json. */
export interface ReferenceRun {
  model: ModelVariant;
  /** The folder, as a URL. */
  dir: URL;
  /** The folder as a repository path, for links: `data/reference/lecture`. */
  path: string;
  metrics: Metrics;
  /**
   * What publishing it measured (reference.json): the committed model holds uint8-quantized
   * weights, and this says how its test accuracy compares with the float model's.
   */
  info?: ReferenceInfo;
}

/** The repository path of a reference file, e.g. `data/reference/lecture/curves.svg`. */
export function referencePath(model: ModelVariant, file = ""): string {
  return `data/reference/${model}${file ? `/${file}` : ""}`;
}

/**
 * The finished reference run of `model`, or undefined when its metrics.json is absent or
 * the run never reached its test accuracy.
 *
 * @example Absent folders read as undefined, not as an error
 * ```ts
 * import assert from "node:assert/strict";
 * import { readReference } from "./reference.ts";
 * assert.equal(await readReference("lecture", new URL("file:///nonexistent/")), undefined);
 * ```
 */
export async function readReference(
  model: ModelVariant,
  root: URL = REFERENCE_URL,
): Promise<ReferenceRun | undefined> {
  const dir = new URL(`${model}/`, root);
  let metrics: Metrics;
  try {
    metrics = JSON.parse(await Deno.readTextFile(new URL("metrics.json", dir)));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
  if (metrics.testAccuracy === null || metrics.history.length === 0) return undefined;
  let info: ReferenceInfo | undefined;
  try {
    info = JSON.parse(await Deno.readTextFile(new URL("reference.json", dir)));
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return { model, dir, path: referencePath(model), metrics, ...(info ? { info } : {}) };
}

/** A run's measured training time: the sum of its epochs' seconds. */
export function trainingSeconds(metrics: Metrics): number {
  return metrics.history.reduce((s, h) => s + h.seconds, 0);
}

/** What the run's native kernels were (metrics.json `kernels`), in a few words. */
export function kernelsOf(metrics: Metrics): string {
  const k = metrics.kernels?.kernels ?? "not recorded";
  return k.replace(/ NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY \w+ MAX_THREADS=\d+/, "");
}

/** The sentence a lesson prints when a reference run is missing. */
export function missingReference(model: ModelVariant): string {
  return `no reference run in ${referencePath(model)}/ yet: make one with ` +
    `\`deno task train${model === "lecture" ? "" : ` --model ${model}`} --out ${
      referencePath(model)
    }\``;
}

/** Why a claim about `model`'s committed reference run cannot run; undefined when it can. */
export function referenceRunMissing(model: ModelVariant): string | undefined {
  return fileMissing(
    new URL(`${model}/metrics.json`, REFERENCE_URL),
    `the ${model} model's reference run`,
  );
}

/** One run of the seed record: a seed and the test accuracy its run reached. */
export interface SeedRun {
  seed: number;
  epochs: number;
  testAccuracy: number;
  validAccuracy: number;
  minutes: number;
  device: string;
}

/**
 * The seed record, `data/reference/seeds.json`: the lecture's model trained by the default
 * run for several seeds with the current kernels (`"litconv"`), or by the lecture's own
 * PyTorch loop for seeds of its own (`"pytorch"`, `bench/torch_seeds.ts`); undefined where
 * it is absent.
 */
export async function readSeedRuns(
  of: "litconv" | "pytorch" = "litconv",
  root: URL = REFERENCE_URL,
): Promise<SeedRun[] | undefined> {
  try {
    const record = JSON.parse(await Deno.readTextFile(new URL("seeds.json", root)));
    return of === "litconv" ? record.runs : record.pytorch?.runs;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

/** The spread of test accuracies over seeds: lowest, highest, mean and sample deviation. */
export function seedSpread(runs: readonly SeedRun[]) {
  const acc = runs.map((r) => r.testAccuracy);
  const mean = acc.reduce((s, a) => s + a, 0) / acc.length;
  const sd = Math.sqrt(acc.reduce((s, a) => s + (a - mean) ** 2, 0) / (acc.length - 1));
  return { lowest: Math.min(...acc), highest: Math.max(...acc), mean, sd };
}

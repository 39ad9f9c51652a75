/**
 * `deno task train --kernels naive`: a whole run trained by the course's naive kernels, and
 * the same run folder as any run (`run.ts`), with `backend: "naive"` in metrics.json.
 *
 * Training, validation and the test accuracy run on the naive loops alone (`naive_loop.ts`).
 * Afterwards the trained weights are copied into the TF.js model of `model.ts` (an exact
 * copy, the layouts converted), which writes what the site reads and what a TF.js run
 * writes too: model.json + weights.bin, and the rotation curve (19 angles of the test set,
 * which the naive forward pass would take longer over than the whole training). The
 * checkpoint is a TF.js run's, weights and Adam's moments in TF.js's layout, so `--resume`
 * continues a naive run with the naive loop (its meta says `kernels: "naive"`).
 *
 * @module
 */
import { tf } from "../accel/backend.ts";
import { writeAtomic, writeJsonAtomic } from "../data/atomic.ts";
import { Rng } from "../kernels/rng.ts";
import type { CheckpointMeta, EpochRecord, Metrics, RunOptions } from "./run.ts";
import { epochLine, epochRecord, runSplits, trainingMetrics, writeRotation } from "./run.ts";
import { buildModel } from "./model.ts";
import { loadCheckpoint, readCheckpointMeta, saveCheckpoint } from "./checkpoint.ts";
import { ProgressBar } from "./progress.ts";
import { confusionSvg, curvesSvg } from "../drawing/charts.ts";
import { confusionFromLabels, summarize } from "./confusion.ts";
import { predictionsPng } from "./predictions_png.ts";
import { saveModel } from "./save_model.ts";
import { Adam, type ParamSet } from "../kernels/adam.ts";
import { evaluateNaive, trainEpochNaive } from "./naive_loop.ts";
import { initParams, type NaiveParams, paramsFromTfjs, paramsToTfjs } from "./naive_model.ts";

/** What metrics.json says ran the step. */
export const NAIVE_BACKEND = "naive";
/** …and on what. */
export const NAIVE_DEVICE =
  "the course's naive kernels: plain TypeScript loops, float64, one thread";

/** A checkpoint's meta for a naive run: the usual, plus which kernels trained it. */
export interface NaiveCheckpointMeta extends CheckpointMeta {
  kernels: "naive";
}

/** A TF.js model of the lecture holding `params`, to save and to rotate with. */
function tfjsModelOf(params: NaiveParams, seed: number): tf.LayersModel {
  const model = buildModel("lecture", seed);
  const values = paramsToTfjs(params);
  const tensors = model.getWeights().map((w, i) => tf.tensor(values[i], w.shape));
  model.setWeights(tensors);
  tf.dispose(tensors);
  return model;
}

/**
 * Saves params and Adam's state as a TF.js run's checkpoint: the model's weights, then
 * TF.js Adam's `iter`, its first moments and its second moments, each in TF.js's layout.
 */
async function saveNaiveCheckpoint(
  dir: string,
  params: NaiveParams,
  adam: Adam,
  meta: NaiveCheckpointMeta,
): Promise<void> {
  const model = tfjsModelOf(params, meta.config.seed);
  const optimizer = tf.train.adam(adam.learningRate, adam.beta1, adam.beta2, adam.epsilon);
  const { t, m, v } = adam.state;
  const moments = (set: ParamSet, suffix: string) =>
    paramsToTfjs(set as unknown as NaiveParams).map((values, i) => ({
      name: `${model.trainableWeights[i].originalName}/${suffix}`,
      tensor: tf.tensor(values, model.trainableWeights[i].shape as number[]),
    }));
  const state = t === 0 ? [] : [...moments(m, "m"), ...moments(v, "v")];
  await optimizer.setWeights([{ name: "iter", tensor: tf.scalar(t, "int32") }, ...state]);
  await saveCheckpoint(dir, model, optimizer, meta);
  tf.dispose(state.map((s) => s.tensor));
  model.dispose();
  optimizer.dispose();
}

/** The inverse of {@link saveNaiveCheckpoint}: params, Adam and the meta. */
async function loadNaiveCheckpoint(
  dir: string,
  learningRate: number,
): Promise<{ params: NaiveParams; adam: Adam; meta: NaiveCheckpointMeta }> {
  const meta = await readCheckpointMeta<NaiveCheckpointMeta>(dir);
  const model = buildModel("lecture", meta.config.seed);
  const optimizer = tf.train.adam(learningRate);
  await loadCheckpoint(dir, model, optimizer);
  const data = (ts: tf.Tensor[]) => ts.map((t) => t.dataSync() as Float32Array);
  const params = paramsFromTfjs(data(model.getWeights()));
  const adam = new Adam(learningRate);
  const [iter, ...moments] = await optimizer.getWeights();
  const t = (await iter.tensor.data())[0];
  if (t > 0) {
    const half = moments.length / 2;
    const toSet = (list: typeof moments) =>
      paramsFromTfjs(data(list.map((x) => x.tensor))) as unknown as ParamSet;
    adam.state = { t, m: toSet(moments.slice(0, half)), v: toSet(moments.slice(half)) };
  }
  model.dispose();
  optimizer.dispose();
  return { params, adam, meta };
}

/** Trains (or resumes) a naive run and writes its folder; returns the final metrics. */
export async function runNaiveTraining(opts: RunOptions): Promise<Metrics> {
  const log = opts.log ?? ((line: string) => console.error(line));
  const { outDir } = opts;
  await Deno.mkdir(outDir, { recursive: true });

  let config = opts.config;
  let history: EpochRecord[] = [];
  let params = initParams(config.seed);
  let adam = new Adam(config.learningRate);
  const rng = new Rng(config.seed);
  if (opts.resume) {
    const saved = await loadNaiveCheckpoint(outDir, config.learningRate);
    config = { ...saved.meta.config, epochs: Math.max(config.epochs, saved.meta.config.epochs) };
    ({ params, adam } = saved);
    history = saved.meta.history;
    rng.state = saved.meta.rngState;
    log(`resuming ${outDir} after epoch ${history.length} of ${config.epochs}`);
  }

  const { train, valid, test } = runSplits(opts, config);
  const trainer = { backend: NAIVE_BACKEND, device: NAIVE_DEVICE, kernels: null };

  for (let epoch = history.length + 1; epoch <= config.epochs; epoch++) {
    const bar = new ProgressBar(`epoch ${epoch}/${config.epochs} (naive)`, opts.progressOut);
    const start = performance.now();
    const fit = trainEpochNaive(params, adam, train, rng, config.batchSize, (r) => bar.update(r));
    const trainSeconds = (performance.now() - start) / 1000;
    const score = evaluateNaive(params, valid);
    const record = epochRecord(epoch, fit, score, start, train.count / trainSeconds);
    history = [...history, record];
    bar.message(epochLine(record));
    await saveNaiveCheckpoint(outDir, params, adam, {
      config,
      history,
      rngState: rng.state,
      kernels: "naive",
    });
    await writeAtomic(`${outDir}/curves.svg`, curvesSvg(history));
    await writeJsonAtomic(`${outDir}/metrics.json`, trainingMetrics(config, trainer, history));
    log(`checkpoint saved: epoch ${epoch} in ${outDir}`);
  }

  const testScore = evaluateNaive(params, test);
  log(`Test accuracy: ${testScore.accuracy.toFixed(4)} (naive kernels)`);
  const confusion = summarize(confusionFromLabels(test.labels, testScore.predicted));
  await writeJsonAtomic(`${outDir}/confusion.json`, confusion);
  await writeAtomic(`${outDir}/confusion.svg`, confusionSvg(confusion.matrix));
  await writeAtomic(
    `${outDir}/predictions.png`,
    predictionsPng(test, testScore.predicted.subarray(0, 12)),
  );

  const model = tfjsModelOf(params, config.seed);
  await saveModel(model, outDir);
  log(
    `rotating ${test.count} test digits from -45° to 45° in steps of ${config.rotationStep}° ` +
      `(with TF.js, on a copy of the trained weights)`,
  );
  const rotation = await writeRotation(model, test, config.rotationStep, outDir, log);
  model.dispose();

  const final = {
    ...trainingMetrics(config, trainer, history),
    testAccuracy: testScore.accuracy,
    rotation,
  };
  await writeJsonAtomic(`${outDir}/metrics.json`, final);
  return final;
}

/** Whether the run folder `dir` was trained by the naive kernels (its checkpoint says so). */
export async function isNaiveRun(dir: string): Promise<boolean> {
  const meta = await readCheckpointMeta<Partial<NaiveCheckpointMeta>>(dir);
  return meta.kernels === "naive";
}

/**
 * One training run, start to finish, and the run folder it leaves behind.
 *
 * ```text
 * data/runs/2026-11-28T06-30-00Z-lecture/
 *   checkpoint.bin    weights + Adam state + history + random stream, after every epoch
 *   metrics.json      config, backend, device, versions, per-epoch history, test accuracy
 *   curves.svg        loss and accuracy by epoch, train vs validation
 *   model.json        the trained model (TF.js layers format) …
 *   weights.bin       … and its weights
 *   predictions.png   the first 12 test digits with predicted and true labels
 *   rotation.json     test accuracy at each rotation angle, −45° … 45°
 *   rotation.svg      the same as a chart
 *   confusion.json    the test set's confusion matrix (rows: true digit, columns: predicted)
 *   confusion.svg     the same as a heat map
 * ```
 *
 * @module
 */
import { tf } from "../accel/backend.ts";
import type { LayersModel } from "../accel/tf_types.ts";
import type { BackendInfo } from "../accel/backend.ts";
import { type NativeReport, nativeReport } from "../accel/native/index.ts";
import { loadMnist, type Mnist, type MnistSplit, take } from "../data/mnist.ts";
import { adam } from "../accel/adam.ts";
import { buildModel, type ModelVariant } from "./model.ts";
import { Rng } from "../kernels/rng.ts";
import { evaluate, predictLabels, trainEpoch } from "./loop.ts";
import { loadCheckpoint, readCheckpointMeta, saveCheckpoint } from "./checkpoint.ts";
import { ProgressBar } from "./progress.ts";
import { confusionSvg, curvesSvg, rotationSvg } from "../drawing/charts.ts";
import { confusionMatrix } from "./confusion.ts";
import { predictionsPng } from "./predictions_png.ts";
import { rotationAngles, rotationCurve, type RotationPoint } from "./rotate.ts";
import { saveModel } from "./save_model.ts";
import { writeAtomic, writeJsonAtomic } from "../data/atomic.ts";

/** Everything that decides what a run computes. */
export interface TrainConfig {
  /** The lecture's model, or the exercise's with an extra conv block. */
  model: ModelVariant;
  /** Epochs to train. */
  epochs: number;
  /** Seed of the weights, the shuffling and dropout. */
  seed: number;
  /** First N training images; null = all 50,000. */
  limit: number | null;
  /** First N validation and test images; null = all 10,000. */
  evalLimit: number | null;
  /** Images per step (64). */
  batchSize: number;
  /** Adam's learning rate (1e-3). */
  learningRate: number;
  /** Degrees between the angles of the rotation curve (−45 … 45). */
  rotationStep: number;
}

/** The lecture's protocol: Adam 1e-3, batch 64. */
export function defaultConfig(overrides: Partial<TrainConfig> = {}): TrainConfig {
  return {
    model: "lecture",
    epochs: 3,
    seed: 1,
    limit: null,
    evalLimit: null,
    batchSize: 64,
    learningRate: 1e-3,
    rotationStep: 5,
    ...overrides,
  };
}

/** One finished epoch, as the lecture's `hist` records it, plus timing. */
export interface EpochRecord {
  /** The epoch, from 1. */
  epoch: number;
  /** Mean training loss over the epoch (dropout on, weights changing). */
  trainLoss: number;
  /** Training accuracy over the epoch. */
  trainAccuracy: number;
  /** Validation loss after the epoch. */
  validLoss: number;
  /** Validation accuracy after the epoch. */
  validAccuracy: number;
  /** Wall time of the epoch's training and validation. */
  seconds: number;
  /** Training images per second. */
  imagesPerSecond: number;
}

/** What a checkpoint remembers besides the tensors. */
export interface CheckpointMeta {
  /** The run's settings. */
  config: TrainConfig;
  /** Every finished epoch. */
  history: EpochRecord[];
  /** The run's random stream after the last finished epoch. */
  rngState: number;
}

/** The content of metrics.json. */
export interface Metrics {
  /** The run's settings. */
  config: TrainConfig;
  /** The TF.js backend that trained it. */
  backend: string;
  /** What the backend ran on. */
  device: string;
  /**
   * On wasm: native BLAS (library, version, calls per kernel) or wasm and why; else null.
   * Absent from runs recorded before it existed.
   */
  kernels?: NativeReport | null;
  /** The versions of TF.js, Deno, V8 and TypeScript. */
  versions: { tfjs: string; deno: string; v8: string; typescript: string };
  /** Every finished epoch. */
  history: EpochRecord[];
  /** null until the run has finished. */
  testAccuracy: number | null;
  /** Test accuracy against rotation angle; null until the run has finished. */
  rotation: RotationPoint[] | null;
  /** When the file was written (ISO 8601). */
  updatedAt: string;
}

/** What {@link runTraining} is asked to do. */
export interface RunOptions {
  /** The run's settings. */
  config: TrainConfig;
  /** The run folder. */
  outDir: string;
  /** The backend it runs on (from `useBackend`). */
  backend: BackendInfo;
  /** Continue from `outDir/checkpoint.bin`, training up to `config.epochs`. */
  resume?: boolean;
  /** Where messages go (stderr by default). */
  log?: (line: string) => void;
  /** Where the progress bar is written; stderr by default. */
  progressOut?: { writeSync(p: Uint8Array): number; isTerminal(): boolean };
  /** MNIST, if the caller loaded it already. */
  data?: Mnist;
}

/** The versions a run records: TF.js, Deno, V8 and TypeScript. */
export function runVersions(): Metrics["versions"] {
  return {
    tfjs: tf.version.tfjs,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    typescript: Deno.version.typescript,
  };
}

/** An epoch's record: its training pass, its validation, and its time since `start`. */
export function epochRecord(
  epoch: number,
  fit: { loss: number; accuracy: number },
  score: { loss: number; accuracy: number },
  start: number,
  imagesPerSecond: number,
): EpochRecord {
  return {
    epoch,
    trainLoss: fit.loss,
    trainAccuracy: fit.accuracy,
    validLoss: score.loss,
    validAccuracy: score.accuracy,
    seconds: (performance.now() - start) / 1000,
    imagesPerSecond,
  };
}

/** The run's three splits: the caller's MNIST or a fresh load, cut to the config's limits. */
export function runSplits(
  opts: RunOptions,
  config: TrainConfig,
): { train: MnistSplit; valid: MnistSplit; test: MnistSplit } {
  const data = opts.data ?? loadMnist();
  return {
    train: take(data.train, config.limit ?? undefined),
    valid: take(data.valid, config.evalLimit ?? undefined),
    test: take(data.test, config.evalLimit ?? undefined),
  };
}

/** metrics.json while a run trains: who trains it and its epochs so far, no test yet. */
export function trainingMetrics(
  config: TrainConfig,
  trainer: Pick<Metrics, "backend" | "device" | "kernels">,
  history: EpochRecord[],
): Metrics {
  return {
    config,
    ...trainer,
    versions: runVersions(),
    history,
    testAccuracy: null,
    rotation: null,
    updatedAt: new Date().toISOString(),
  };
}

/**
 * The test accuracy of `model` at every `step` degrees from −45° to 45°, each angle logged,
 * written to the run folder as rotation.json and rotation.svg.
 */
export async function writeRotation(
  model: LayersModel,
  test: MnistSplit,
  step: number,
  outDir: string,
  log: (line: string) => void,
): Promise<RotationPoint[]> {
  const rotation = await rotationCurve(
    model,
    test,
    rotationAngles(45, step),
    (p) => log(`  angle ${String(p.angle).padStart(3)}°: accuracy ${p.accuracy.toFixed(4)}`),
  );
  await writeJsonAtomic(`${outDir}/rotation.json`, rotation);
  await writeAtomic(`${outDir}/rotation.svg`, rotationSvg(rotation));
  return rotation;
}

/** The lecture's line for an epoch, with both losses and the epoch's time. */
export function epochLine(r: EpochRecord): string {
  return `Epoch ${r.epoch} accuracy: ${r.trainAccuracy.toFixed(4)} val_accuracy: ` +
    `${r.validAccuracy.toFixed(4)} (loss ${r.trainLoss.toFixed(4)} / ${r.validLoss.toFixed(4)}, ` +
    `${r.seconds.toFixed(1)} s)`;
}

/** Trains (or resumes) a run and writes its folder; returns the final metrics. */
export async function runTraining(opts: RunOptions): Promise<Metrics> {
  const log = opts.log ?? ((line: string) => console.error(line));
  const { outDir, backend } = opts;
  await Deno.mkdir(outDir, { recursive: true });

  let config = opts.config;
  let history: EpochRecord[] = [];
  let saved: CheckpointMeta | undefined;
  if (opts.resume) {
    // The checkpoint decides everything (model, seed, limits) but how many epochs to reach.
    saved = await readCheckpointMeta<CheckpointMeta>(outDir);
    config = { ...saved.config, epochs: Math.max(config.epochs, saved.config.epochs) };
  }
  const model = buildModel(config.model, config.seed);
  const optimizer = adam(config.learningRate);
  const rng = new Rng(config.seed);
  if (saved) {
    await loadCheckpoint<CheckpointMeta>(outDir, model, optimizer);
    history = saved.history;
    rng.state = saved.rngState;
    log(`resuming ${outDir} after epoch ${history.length} of ${config.epochs}`);
  }

  const { train, valid, test } = runSplits(opts, config);
  // A function: the native kernels' call counts grow as it trains.
  const trainer = () => ({
    backend: backend.name,
    device: backend.device,
    kernels: backend.name === "wasm" ? nativeReport() : null,
  });

  for (let epoch = history.length + 1; epoch <= config.epochs; epoch++) {
    const bar = new ProgressBar(`epoch ${epoch}/${config.epochs}`, opts.progressOut);
    const start = performance.now();
    const fit = await trainEpoch(
      model,
      optimizer,
      train,
      rng,
      config.batchSize,
      (r) => bar.update(r),
    );
    const trainSeconds = (performance.now() - start) / 1000;
    const score = await evaluate(model, valid);
    const record = epochRecord(epoch, fit, score, start, train.count / trainSeconds);
    history = [...history, record];
    // The lecture's line, then the checkpoint: a kill after this loses nothing.
    bar.message(epochLine(record));
    await saveCheckpoint<CheckpointMeta>(outDir, model, optimizer, {
      config,
      history,
      rngState: rng.state,
    });
    await writeAtomic(`${outDir}/curves.svg`, curvesSvg(history));
    await writeJsonAtomic(`${outDir}/metrics.json`, trainingMetrics(config, trainer(), history));
    log(`checkpoint saved: epoch ${epoch} in ${outDir}`);
  }

  const testScore = await evaluate(model, test);
  log(`Test accuracy: ${testScore.accuracy.toFixed(4)}`);
  const confusion = await confusionMatrix(model, test);
  await writeJsonAtomic(`${outDir}/confusion.json`, confusion);
  await writeAtomic(`${outDir}/confusion.svg`, confusionSvg(confusion.matrix));
  const predicted = await predictLabels(model, take(test, 12));
  await writeAtomic(`${outDir}/predictions.png`, predictionsPng(test, predicted));
  await saveModel(model, outDir);

  log(`rotating ${test.count} test digits from -45° to 45° in steps of ${config.rotationStep}°`);
  const rotation = await writeRotation(model, test, config.rotationStep, outDir, log);

  const final = {
    ...trainingMetrics(config, trainer(), history),
    testAccuracy: testScore.accuracy,
    rotation,
  };
  await writeJsonAtomic(`${outDir}/metrics.json`, final);
  model.dispose();
  optimizer.dispose();
  return final;
}

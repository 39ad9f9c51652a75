/**
 * The lecture's CNN and its training run: the model (and the exercise's variant), the
 * training loop and evaluation, the whole run that `deno task train` makes (checkpoints,
 * run folder, charts, predictions grid, rotation curve), saved models and the run folders.
 *
 * ```ts ignore
 * import { defaultConfig, runTraining } from "./mod.ts";
 * import { useBackend } from "../tfjs/mod.ts";
 * const backend = await useBackend("wasm");
 * const config = defaultConfig({ epochs: 1, limit: 3000, evalLimit: 1000 });
 * const metrics = await runTraining({ config, outDir: "/tmp/run", backend, resume: false });
 * console.log(metrics.testAccuracy);
 * ```
 *
 * @module
 */
export { buildModel, MODEL_VARIANTS, type ModelVariant } from "./model.ts";
export {
  type CheckpointMeta,
  defaultConfig,
  type EpochRecord,
  type Metrics,
  type RunOptions,
  runTraining,
  type TrainConfig,
} from "./run.ts";
export {
  type BatchReport,
  crossEntropyLoss,
  evaluate,
  predictLabels,
  type Score,
  trainEpoch,
} from "./loop.ts";
export { loadModel, saveModel } from "./save_model.ts";
export {
  type Interpolation,
  rotateImage,
  rotationAngles,
  rotationCurve,
  type RotationPoint,
} from "./rotate.ts";
export { latestRun, listRuns, type RunInfo, RUNS_DIR } from "./runs.ts";
export { adam } from "../accel/adam.ts";
export type {
  AdamOptimizer,
  LayersModel,
  Optimizer,
  Scalar,
  Sequential,
  Tensor,
  Tensor1D,
  Tensor4D,
  TfNamespace,
} from "../accel/tf_types.ts";
export type { Mnist, MnistSplit } from "../data/mnist.ts";
export { type BackendInfo, type BackendName, BACKENDS } from "../accel/backend.ts";
export type { NativeReport } from "../accel/native/index.ts";
export type { Rng } from "../kernels/rng.ts";

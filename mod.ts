/**
 * litconv: learn convolutional neural networks by building them.
 *
 * The public face of the library:
 * - the **naive kernels**, plain loops a student reads beside the lecture
 *   (`conv1d`, `conv2d`, `conv2dLayer`, pooling, activations, losses, L2, dropout);
 * - their **TF.js twins** under `tfjs`, the same names, async, on the chosen backend;
 * - **backends**: `useBackend`, `probeBackends`, `currentBackend`;
 * - the **pair registry** `PAIRS` that the property tests (and graders) read;
 * - **data** and **training**: the MNIST loader, the lecture's model, the training run.
 *
 * The lessons are not exported here: each lesson module registers its claims as
 * `Deno.test`s, which a student's own test file importing `mod.ts` should not inherit.
 * Import `lessons/index.ts` for the course itself.
 *
 * ```ts
 * import { conv1d, tfjs, useBackend } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const x = [1, 3, 2, 4, 5, 6, 1, 3], w = [1, 0, 3, 1, 2];
 * assert.deepEqual(conv1d(x, w, { padding: 2 }), [5, 14, 16, 26, 24, 34, 19, 22]);
 * await useBackend("cpu");
 * assert.deepEqual(await tfjs.conv1d(x, w, { padding: 2 }), [5, 14, 16, 26, 24, 34, 19, 22]);
 * ```
 *
 * @module
 */
export { LitconvError } from "./kernels/errors.ts";
export type {
  ConvOptions,
  DropoutOptions,
  IntPair,
  NestedNumberArray,
  PoolOptions,
} from "./kernels/types.ts";
export {
  conv1d,
  conv2d,
  conv2dLayer,
  convOutputSize,
  flipKernel1d,
  flipKernel2d,
} from "./kernels/conv.ts";
export { avgPool2d, maxPool2d } from "./kernels/pool.ts";
export { logSoftmax, sigmoid, softmax } from "./kernels/activation.ts";
export {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  nllLoss,
} from "./kernels/loss.ts";
export { dropout, l2Penalty } from "./kernels/regularize.ts";
export * as tfjs from "./kernels/tfjs/index.ts";
export { checkDropoutResult, type Pair, PAIRS } from "./kernels/registry.ts";
export {
  assertClose,
  type CheckOptions,
  checkPair,
  compareOnce,
} from "./kernels/tfjs/agreement.ts";
export * as arbitraries from "./kernels/arbitraries.ts";
export {
  availableBackends,
  type BackendInfo,
  type BackendName,
  type BackendReport,
  BACKENDS,
  currentBackend,
  probeBackends,
  tf,
  useBackend,
} from "./accel/backend.ts";
export { parseIdx } from "./data/idx.ts";
export {
  imageRows,
  loadMnist,
  type Mnist,
  MNIST_FILES,
  mnistDataDir,
  type MnistSplit,
  take,
} from "./data/mnist.ts";
export { buildModel, MODEL_VARIANTS, type ModelVariant } from "./training/model.ts";
export {
  defaultConfig,
  type EpochRecord,
  type Metrics,
  runTraining,
  type TrainConfig,
} from "./training/run.ts";
export { evaluate, predictLabels, trainEpoch } from "./training/loop.ts";
export { loadModel, saveModel } from "./training/save_model.ts";
export { rotateImage, rotationCurve } from "./training/rotate.ts";
export { latestRun, listRuns, type RunInfo } from "./training/runs.ts";
export { adam, FusedAdam } from "./accel/adam.ts";

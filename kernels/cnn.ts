/**
 * A CNN of the lecture's shape (any sizes), trained by nothing but the course's naive kernels:
 * plain nested arrays, channels first as in PyTorch, float64 throughout.
 *
 * ```text
 * x [N,1,S,S] → conv1 k×k pad (k−1)/2 → ReLU → maxpool 2 → conv2 k×k pad (k−1)/2 → ReLU
 *   → maxpool 2 → flatten → fc1 → ReLU → dropout → fc2 → logits [N,classes]
 * ```
 *
 * {@link forward} keeps every intermediate the backward pass needs; {@link backward} walks
 * the same layers in reverse, one `…Backward` kernel per forward kernel: the chain rule,
 * written out. The lecture's sizes are {@link LECTURE} (`deno task train --kernels naive`
 * trains it, `training/naive_run.ts`); task 11.10 trains a small one (`train_steps.ts`).
 * The kernels are a parameter, so the same passes run a student's own.
 *
 * @module
 */
import type * as ops from "./ops.ts";
import { conv2dLayer } from "./conv.ts";
import { conv2dLayerBackward } from "./conv_backward.ts";
import { linear, linearBackward } from "./linear.ts";
import { crossEntropy, crossEntropyBackward } from "./loss.ts";
import { maxPool2dLayer, maxPool2dLayerBackward } from "./pool_layer.ts";
import { dropout, dropoutBackward } from "./regularize.ts";
import { relu, reluBackward } from "./relu.ts";
import { Rng } from "./rng.ts";
import type { Adam } from "./adam.ts";
import type { CnnParams, TrainingBatch } from "./types.ts";

/** The kernels a forward and backward pass call: the course's, or a student's own. */
export type Kernels = Pick<
  typeof ops,
  | "conv2dLayer"
  | "conv2dLayerBackward"
  | "relu"
  | "reluBackward"
  | "maxPool2dLayer"
  | "maxPool2dLayerBackward"
  | "linear"
  | "linearBackward"
  | "dropout"
  | "dropoutBackward"
  | "crossEntropy"
  | "crossEntropyBackward"
>;

/** The course's own kernels (the root entry's). */
export const COURSE_KERNELS: Kernels = {
  conv2dLayer,
  conv2dLayerBackward,
  relu,
  reluBackward,
  maxPool2dLayer,
  maxPool2dLayerBackward,
  linear,
  linearBackward,
  dropout,
  dropoutBackward,
  crossEntropy,
  crossEntropyBackward,
};

/**
 * The network's sizes. The lecture's is {@link LECTURE}; the grader trains a smaller one
 * with the same layers so that 20 steps fit in its time limit.
 */
export interface Architecture {
  /** Side of the square one-channel input. */
  inputSize: number;
  /** Output channels of conv1 and conv2. */
  channels: [number, number];
  /** Side of both conv kernels; the padding is (kernel − 1)/2, so convs keep the size. */
  kernel: number;
  /** Units of fc1. */
  hidden: number;
  /** Units of fc2: the classes. */
  classes: number;
  /** Dropout's rate before fc2. */
  dropoutRate: number;
}

/** The lecture's CNN: 28×28 → 5×5×32 → 5×5×64 → 1024 → 10, dropout 0.5. */
export const LECTURE: Architecture = {
  inputSize: 28,
  channels: [32, 64],
  kernel: 5,
  hidden: 1024,
  classes: 10,
  dropoutRate: 0.5,
};

/** Gradients, one per parameter, same shapes. */
export type CnnGrads = CnnParams;

/** Channels, height and width of the pooled maps that fc1 reads (two 2×2 pools). */
export function featureShape(arch: Architecture): [number, number, number] {
  const side = Math.floor(Math.floor(arch.inputSize / 2) / 2);
  return [arch.channels[1], side, side];
}

const POOL = { size: 2 } as const;
const convOptions = (arch: Architecture) => ({ padding: (arch.kernel - 1) / 2 });

/** A `[rows × cols]` matrix of draws from `draw`. */
function matrix(rows: number, cols: number, draw: () => number): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, draw));
}

/**
 * Fresh weights: Glorot-uniform kernels and zero biases, as Keras's defaults that
 * `model.ts` uses. Limit √(6 / (fanIn + fanOut)), where a conv's fans count its window:
 * fanIn = Cin·kH·kW, fanOut = Cout·kH·kW. The same distribution as TF.js's, drawn from our
 * own seeded generator (so the same seed gives the same weights, but not TF.js's).
 */
export function initParams(seed = 1, arch: Architecture = LECTURE): CnnParams {
  const rng = new Rng(seed * 1000);
  const glorot = (fanIn: number, fanOut: number) => {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    return () => rng.uniform(-limit, limit);
  };
  const k = arch.kernel;
  const conv = (cOut: number, cIn: number) => {
    const draw = glorot(cIn * k * k, cOut * k * k);
    return Array.from(
      { length: cOut },
      () => Array.from({ length: cIn }, () => matrix(k, k, draw)),
    );
  };
  const zeros = (n: number) => new Array<number>(n).fill(0);
  const [c1, c2] = arch.channels;
  const features = featureShape(arch).reduce((a, b) => a * b);
  return {
    conv1Weight: conv(c1, 1),
    conv1Bias: zeros(c1),
    conv2Weight: conv(c2, c1),
    conv2Bias: zeros(c2),
    fc1Weight: matrix(arch.hidden, features, glorot(features, arch.hidden)),
    fc1Bias: zeros(arch.hidden),
    fc2Weight: matrix(arch.classes, arch.hidden, glorot(arch.hidden, arch.classes)),
    fc2Bias: zeros(arch.classes),
  };
}

/** Every intermediate of one forward pass that the backward pass reads. */
export interface ForwardCache {
  x: number[][][][];
  z1: number[][][][];
  a1: number[][][][];
  p1: number[][][][];
  z2: number[][][][];
  a2: number[][][][];
  flat: number[][];
  z3: number[][];
  dropped: number[][];
  logits: number[][];
  /** The dropout seed, or null when dropout was off (evaluation). */
  seed: number | null;
}

/** `[N,C,H,W]` → `[N, C·H·W]`, channel by channel, as PyTorch's `x.view(N, -1)`. */
export function flatten(x: number[][][][]): number[][] {
  return x.map((sample) => sample.flat(2));
}

/** The inverse of {@link flatten} for `[C,H,W]` samples. */
export function unflatten(x: number[][], c: number, h: number, w: number): number[][][][] {
  return x.map((row) =>
    Array.from(
      { length: c },
      (_, ch) =>
        Array.from({ length: h }, (_, r) => row.slice((ch * h + r) * w, (ch * h + r + 1) * w)),
    )
  );
}

/** How a pass runs: which network, which kernels. */
export interface PassOptions {
  /** The network's sizes ({@link LECTURE} by default). */
  arch?: Architecture;
  /** The kernels to call (the course's by default). */
  kernels?: Kernels;
}

/**
 * The forward pass. With a `dropoutSeed`, dropout is on (training) with that seed's mask;
 * with null it is off (evaluation), as `model.train()` / `model.eval()`.
 */
export function forward(
  params: CnnParams,
  x: number[][][][],
  dropoutSeed: number | null,
  { arch = LECTURE, kernels: k = COURSE_KERNELS }: PassOptions = {},
): ForwardCache {
  const conv = convOptions(arch);
  const z1 = k.conv2dLayer(x, params.conv1Weight, params.conv1Bias, conv);
  const a1 = k.relu(z1);
  const p1 = k.maxPool2dLayer(a1, POOL);
  const z2 = k.conv2dLayer(p1, params.conv2Weight, params.conv2Bias, conv);
  const a2 = k.relu(z2);
  const flat = flatten(k.maxPool2dLayer(a2, POOL));
  const z3 = k.linear(flat, params.fc1Weight, params.fc1Bias);
  const a3 = k.relu(z3);
  const dropped = dropoutSeed === null
    ? a3
    : k.dropout(a3, arch.dropoutRate, { training: true, seed: dropoutSeed });
  const logits = k.linear(dropped, params.fc2Weight, params.fc2Bias);
  return { x, z1, a1, p1, z2, a2, flat, z3, dropped, logits, seed: dropoutSeed };
}

/** Mean cross-entropy of the cached logits against `labels`. */
export function lossOf(cache: ForwardCache, labels: number[], kernels = COURSE_KERNELS): number {
  return kernels.crossEntropy(cache.logits, labels);
}

/**
 * The gradient of the mean cross-entropy with respect to every parameter: the chain rule,
 * one layer at a time from the loss back to the input.
 */
export function backward(
  params: CnnParams,
  cache: ForwardCache,
  labels: number[],
  { arch = LECTURE, kernels: k = COURSE_KERNELS }: PassOptions = {},
): CnnGrads {
  const conv = convOptions(arch);
  const dLogits = k.crossEntropyBackward(cache.logits, labels);
  const fc2 = k.linearBackward(cache.dropped, params.fc2Weight, dLogits);
  const dA3 = cache.seed === null
    ? fc2.dx
    : k.dropoutBackward(fc2.dx, arch.dropoutRate, { seed: cache.seed });
  const dZ3 = k.reluBackward(cache.z3, dA3);
  const fc1 = k.linearBackward(cache.flat, params.fc1Weight, dZ3);
  const dA2 = k.maxPool2dLayerBackward(cache.a2, unflatten(fc1.dx, ...featureShape(arch)), POOL);
  const dZ2 = k.reluBackward(cache.z2, dA2);
  const conv2 = k.conv2dLayerBackward(cache.p1, params.conv2Weight, dZ2, conv);
  const dA1 = k.maxPool2dLayerBackward(cache.a1, conv2.dx, POOL);
  const dZ1 = k.reluBackward(cache.z1, dA1);
  // conv1's input gradient (the image's) comes along, unused: one channel, cheap.
  const conv1 = k.conv2dLayerBackward(cache.x, params.conv1Weight, dZ1, conv);
  return {
    conv1Weight: conv1.dweight,
    conv1Bias: conv1.dbias,
    conv2Weight: conv2.dweight,
    conv2Bias: conv2.dbias,
    fc1Weight: fc1.dweight,
    fc1Bias: fc1.dbias,
    fc2Weight: fc2.dweight,
    fc2Bias: fc2.dbias,
  };
}

/** The index of each row's largest logit: the predicted digit. */
export function argmaxRows(logits: number[][]): number[] {
  return logits.map((row) => row.reduce((best, v, i) => (v > row[best] ? i : best), 0));
}

/** The argmax of every row's logits, among the labels: how many were right. */
function hitsOf(logits: number[][], labels: number[]): number {
  return argmaxRows(logits).filter((p, i) => p === labels[i]).length;
}

/** What one training step reports. */
export interface StepResult {
  /** Mean cross-entropy of the batch, before the step. */
  loss: number;
  /** Images of the batch classified right, before the step. */
  hits: number;
}

/**
 * One training step: the forward pass (dropout on with `dropoutSeed`'s mask, off with
 * null), the loss, every gradient by the backward kernels, one Adam update of `params` in
 * place.
 */
export function trainStep(
  params: CnnParams,
  adam: Adam,
  batch: TrainingBatch,
  dropoutSeed: number | null,
  options: PassOptions = {},
): StepResult {
  const cache = forward(params, batch.x, dropoutSeed, options);
  const loss = lossOf(cache, batch.labels, options.kernels);
  adam.step(params, backward(params, cache, batch.labels, options));
  return { loss, hits: hitsOf(cache.logits, batch.labels) };
}

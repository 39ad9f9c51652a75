/**
 * Mutation tests: deliberately wrong naive kernels, each a bug students (and
 * textbooks) really write. The same agreement check the property tests run must
 * reject every one of them, and must accept the real kernel, or it proves nothing.
 *
 * Runs on the cpu backend, 200 cases per check. The backward passes' mutants live in
 * `backward_mutants.ts`, shared with the finite-difference check.
 */
import assert from "node:assert/strict";
import { useBackend } from "../accel/backend.ts";
import { PAIRS } from "../kernels/registry.ts";
import type { Pair } from "../kernels/op.ts";
import { checkPair } from "../tfjs/agreement.ts";
import { sigmoid } from "../kernels/activation.ts";
import { conv2d, conv2dLayer, convOutputSize } from "../kernels/conv.ts";
import { binaryCrossEntropy } from "../kernels/loss.ts";
import type { ConvOptions, PoolOptions } from "../kernels/types.ts";
import {
  conv2dLayerBackwardNoFlip,
  conv2dLayerBackwardStrideIgnored,
  crossEntropyBackwardNoMean,
  maxPool2dLayerBackwardEveryMax,
} from "./backward_mutants.ts";

const RUNS = 200;

/** The registry entry called `name`. */
function pairNamed(name: string): Pair {
  const pair = PAIRS.find((p) => p.name === name);
  assert.ok(pair, `no pair ${name} in the registry`);
  return pair;
}

/** `[n, n]` for a number, the pair itself otherwise. */
const both = (v: number | [number, number] | undefined, fallback: number): [number, number] =>
  v === undefined ? [fallback, fallback] : typeof v === "number" ? [v, v] : v;

/** Σ x[start + k]·w[k] over the kernel. */
const windowSum = (x: number[], w: number[], start: number) =>
  w.reduce((s, wk, k) => s + x[start + k] * wk, 0);

const pad1d = (x: number[], before: number, after = before) => [
  ...new Array(before).fill(0),
  ...x,
  ...new Array(after).fill(0),
];

/** The lecture's loop: `for i in range(0, ⌊(n+2p−m)/s⌋+1, s)`, window starting at i. */
function conv1dTextbookStride(x: number[], w: number[], o: ConvOptions = {}): number[] {
  const [p, s] = [o.padding as number ?? 0, o.stride as number ?? 1];
  const xp = pad1d(x, p);
  const wr = [...w].reverse();
  const out: number[] = [];
  for (let i = 0; i < Math.floor((xp.length - wr.length) / s) + 1; i += s) {
    out.push(windowSum(xp, wr, i));
  }
  return out;
}

/** Forgets to flip the kernel: cross-correlation, not convolution. */
function conv1dNoFlip(x: number[], w: number[], o: ConvOptions = {}): number[] {
  const [p, s] = [o.padding as number ?? 0, o.stride as number ?? 1];
  const xp = pad1d(x, p);
  const n = convOutputSize(x.length, w.length, p, s);
  return Array.from({ length: n }, (_, i) => windowSum(xp, w, i * s));
}

/** A 2-D true convolution with the padding shifted: p + 1 zeros before, p − 1 after. */
function conv2dPaddingOffByOne(X: number[][], W: number[][], o: ConvOptions = {}): number[][] {
  const [pr, pc] = both(o.padding, 0);
  const [sr, sc] = both(o.stride, 1);
  const width = X[0].length + 2 * pc;
  // Same padded size as the right answer, but the image sits one row and column too low/right.
  const Xp: number[][] = Array.from({ length: X.length + 2 * pr }, () => new Array(width).fill(0));
  X.forEach((row, r) =>
    row.forEach((v, c) => {
      const [rr, cc] = [r + pr + 1, c + pc + 1];
      if (rr < Xp.length && cc < width) Xp[rr][cc] = v;
    })
  );
  const Wr = W.map((row) => [...row].reverse()).reverse();
  const outH = convOutputSize(X.length, W.length, pr, sr);
  const outW = convOutputSize(X[0].length, W[0].length, pc, sc);
  return Array.from({ length: outH }, (_, i) =>
    Array.from({ length: outW }, (_, j) => {
      let sum = 0;
      Wr.forEach((row, a) => row.forEach((wv, b) => (sum += Xp[i * sr + a][j * sc + b] * wv)));
      return sum;
    }));
}

/** Strides along the rows only: the column stride is taken to be the row stride. */
function conv2dRowStrideOnly(X: number[][], W: number[][], o: ConvOptions = {}): number[][] {
  const [sr] = both(o.stride, 1);
  return conv2d(X, W, { padding: o.padding, stride: [sr, sr] });
}

/** nn.Conv2d over the first input channel only (right whenever there is just one). */
function conv2dLayerFirstChannel(
  x: number[][][][],
  weight: number[][][][],
  bias: number[] | undefined,
  o: ConvOptions = {},
): number[][][][] {
  return conv2dLayer(x.map((image) => [image[0]]), weight.map((out) => [out[0]]), bias, o);
}

/** Average pooling that divides each window's sum by its height only. */
function avgPool2dWrongCount(X: number[][], o: PoolOptions): number[][] {
  const [kh, kw] = both(o.size, 1);
  const [sr, sc] = both(o.stride, 0).every((v) => v > 0) ? both(o.stride, 0) : [kh, kw];
  const outH = convOutputSize(X.length, kh, 0, sr);
  const outW = convOutputSize(X[0].length, kw, 0, sc);
  return Array.from({ length: outH }, (_, i) =>
    Array.from({ length: outW }, (_, j) => {
      let sum = 0;
      for (let a = 0; a < kh; a++) for (let b = 0; b < kw; b++) sum += X[i * sr + a][j * sc + b];
      return sum / kh;
    }));
}

/** Softmax straight from the formula: e^800 is Infinity, Infinity/Infinity is NaN. */
function softmaxOverflowing(x: number[][]): number[][] {
  return x.map((row) => {
    const exps = row.map(Math.exp);
    const sum = exps.reduce((s, e) => s + e, 0);
    return exps.map((e) => e / sum);
  });
}

/** BCE-with-logits as BCE(sigmoid(x)): sigmoid(−200) underflows, sigmoid(40) rounds to 1. */
function bceWithLogitsViaSigmoid(logits: number[], targets: number[]): number {
  return binaryCrossEntropy(sigmoid(logits), targets);
}

const MUTANTS: { pair: string; bug: string; naive: (...args: never[]) => unknown }[] = [
  { pair: "conv1d", bug: "the textbook's stride loop", naive: conv1dTextbookStride },
  { pair: "conv1d", bug: "a missing kernel flip", naive: conv1dNoFlip },
  { pair: "conv2d", bug: "padding off by one", naive: conv2dPaddingOffByOne },
  { pair: "conv2d", bug: "the row stride used for the columns", naive: conv2dRowStrideOnly },
  {
    pair: "conv2dLayer",
    bug: "only the first input channel summed",
    naive: conv2dLayerFirstChannel,
  },
  { pair: "avgPool2d", bug: "dividing by the wrong count", naive: avgPool2dWrongCount },
  { pair: "softmax", bug: "overflow at logit 800", naive: softmaxOverflowing },
  {
    pair: "binaryCrossEntropyWithLogits",
    bug: "BCE(sigmoid(x)) for large |x|",
    naive: bceWithLogitsViaSigmoid,
  },
  // Backward passes (backward_mutants.ts; finite_difference_test.ts rejects them too).
  {
    pair: "conv2dLayerBackward",
    bug: "a missing kernel flip in the input gradient",
    naive: conv2dLayerBackwardNoFlip,
  },
  {
    pair: "conv2dLayerBackward",
    bug: "the stride ignored in the filter gradient",
    naive: conv2dLayerBackwardStrideIgnored,
  },
  {
    pair: "maxPool2dLayerBackward",
    bug: "the gradient sent to every tied maximum",
    naive: maxPool2dLayerBackwardEveryMax,
  },
  {
    pair: "crossEntropyBackward",
    bug: "the mean's 1/N dropped",
    naive: crossEntropyBackwardNoMean,
  },
];

for (const { pair, bug, naive } of MUTANTS) {
  Deno.test(`the agreement check rejects ${pair} with ${bug}`, async () => {
    await useBackend("cpu");
    const mutant = { ...pairNamed(pair), naive } as Pair;
    await assert.rejects(() => checkPair(mutant, { numRuns: RUNS }), (e: Error) => {
      // The report must name the pair and carry what a student needs to replay it.
      assert.match(e.message, new RegExp(`^${pair}: Property failed`));
      assert.match(e.message, /Counterexample: /);
      assert.match(e.message, /replay: FC_SEED=-?\d+ FC_PATH=[\d:]+/);
      return true;
    });
  });
}

Deno.test("the agreement check accepts every unmutated kernel the mutants came from", async () => {
  await useBackend("cpu");
  for (const name of new Set(MUTANTS.map((m) => m.pair))) {
    await checkPair(pairNamed(name), { numRuns: RUNS });
  }
});

Deno.test("a reported failure replays from its seed and path", async () => {
  await useBackend("cpu");
  const mutant = { ...pairNamed("conv1d"), naive: conv1dNoFlip } as Pair;
  const first = await checkPair(mutant, { numRuns: RUNS }).then(() => "", (e: Error) => e.message);
  const [, seed, path] = first.match(/FC_SEED=(-?\d+) FC_PATH=([\d:]+)/) ?? [];
  assert.ok(seed && path, `no replay line in: ${first}`);
  const again = await checkPair(mutant, { seed: Number(seed), path, numRuns: RUNS })
    .then(() => "", (e: Error) => e.message);
  const counterexample = (m: string) => m.match(/Counterexample: (.*)/)?.[1];
  assert.ok(counterexample(first));
  assert.equal(counterexample(again), counterexample(first));
});

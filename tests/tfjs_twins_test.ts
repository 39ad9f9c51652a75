/**
 * The TF.js twins on every backend: the lecture's printed numbers, the same
 * argument errors as the naive kernels, reproducible dropout, and no leaked tensors.
 */
import assert from "node:assert/strict";
import { POOL_INPUT } from "../kernels/inputs.ts";
import fc from "../deps/fast_check.ts";
import { availableBackends, tf, useBackend } from "../accel/backend.ts";
import { LitconvError } from "../kernels/errors.ts";
import * as naive from "../kernels/conv.ts";
import * as naivePool from "../kernels/pool.ts";
import * as naiveAct from "../kernels/activation.ts";
import * as naiveLoss from "../kernels/loss.ts";
import * as naiveReg from "../kernels/regularize.ts";
import { runTwin, tfjs } from "../tfjs/mod.ts";
import { PAIRS } from "../kernels/registry.ts";
import { arbitraryOf } from "../kernels/fast_check.ts";
import type { PoolOptions } from "../kernels/types.ts";

const backends = (await availableBackends()).filter((b) => b !== "tensorflow");

for (const backend of backends) {
  Deno.test(`the lecture's numbers come out of the TF.js twins on ${backend}`, async () => {
    await useBackend(backend);
    // Section 15.4: conv1d(x, w, p=2, s=1), as np.convolve(x, w, mode='same').
    assert.deepEqual(
      await tfjs.conv1d([1, 3, 2, 4, 5, 6, 1, 3], [1, 0, 3, 1, 2], { padding: 2 }),
      [5, 14, 16, 26, 24, 34, 19, 22],
    );
    // Section 15.5: conv2d(X, W, p=(1, 1), s=(1, 1)), as scipy.signal.convolve2d 'same'.
    const X = [[1, 3, 2, 4], [5, 6, 1, 3], [1, 2, 0, 2], [3, 4, 3, 2]];
    const W = [[1, 0, 3], [1, 2, 1], [0, 1, 1]];
    assert.deepEqual(await tfjs.conv2d(X, W, { padding: [1, 1], stride: [1, 1] }), [
      [11, 25, 32, 13],
      [19, 25, 24, 13],
      [13, 28, 25, 17],
      [11, 17, 14, 9],
    ]);
    // Section 15.8: BCE of sigmoid(0.8) against 1, from probabilities and from logits.
    const probas = await tfjs.sigmoid([0.8]);
    assert.equal((await tfjs.binaryCrossEntropy(probas, [1])).toFixed(4), "0.3711");
    assert.equal((await tfjs.binaryCrossEntropyWithLogits([0.8], [1])).toFixed(4), "0.3711");
    // …and categorical cross-entropy of [1.5, 0.8, 2.1] with class 2, from logits and log-probas.
    const logits = [[1.5, 0.8, 2.1]];
    assert.equal((await tfjs.crossEntropy(logits, [2])).toFixed(4), "0.5996");
    const logProbas = (await tfjs.softmax(logits)).map((row) => row.map(Math.log));
    assert.equal((await tfjs.nllLoss(logProbas, [2])).toFixed(4), "0.5996");
    assert.equal((await tfjs.nllLoss(await tfjs.logSoftmax(logits), [2])).toFixed(4), "0.5996");
    // Pooling, lesson 05's 6×6 input: MaxPool2d(kernel_size=2) (stride = the window),
    // overlapping 3×3 windows at stride 2, and a 2×3 window at strides (1, 3).
    const P = POOL_INPUT;
    assert.deepEqual(await tfjs.maxPool2d(P, { size: 2 }), [[6, 9, 2], [3, 8, 6], [8, 3, 9]]);
    assert.deepEqual(await tfjs.avgPool2d(P, { size: 2 }), [
      [3.5, 3.75, 1.25],
      [1.5, 5, 3.5],
      [3.5, 1.75, 4.5],
    ]);
    assert.deepEqual(await tfjs.maxPool2d(P, { size: 3, stride: 2 }), [[7, 9], [7, 9]]);
    const avg3 = (await tfjs.avgPool2d(P, { size: 3, stride: 2 })).flat();
    [26 / 9, 30 / 9, 24 / 9, 38 / 9].forEach((v, i) => assert.ok(Math.abs(avg3[i] - v) < 1e-6));
    assert.deepEqual(await tfjs.maxPool2d(P, { size: [2, 3], stride: [1, 3] }), [
      [6, 9],
      [7, 5],
      [7, 8],
      [5, 9],
      [8, 9],
    ]);
  });

  Deno.test(`the TF.js twins leave no tensor behind on ${backend}`, async () => {
    await useBackend(backend);
    for (const pair of PAIRS) {
      for (const args of fc.sample(arbitraryOf(pair), 3)) {
        const before = tf.memory().numTensors;
        await runTwin(pair, args);
        assert.equal(tf.memory().numTensors, before, `${pair.name} leaked on ${backend}`);
      }
    }
  });

  Deno.test(`TF.js dropout on ${backend}: reproducible, about p dropped, identity in eval`, async () => {
    await useBackend(backend);
    const x = Array.from({ length: 1000 }, (_, i) => 1 + (i % 7));
    const a = await tfjs.dropout(x, 0.5, { training: true, seed: 42 }) as number[];
    const b = await tfjs.dropout(x, 0.5, { training: true, seed: 42 });
    assert.deepEqual(a, b, "the same seed must give the same mask");
    a.forEach((v, i) => assert.ok(v === 0 || v === 2 * x[i], `element ${i}: ${v}`));
    // 1000 fair coin flips: outside [400, 600] has probability below 1e-9.
    const dropped = a.filter((v) => v === 0).length;
    assert.ok(dropped >= 400 && dropped <= 600, `${dropped} of 1000 dropped at p = 0.5`);
    assert.deepEqual(await tfjs.dropout(x, 0.5, { training: false, seed: 42 }), x);
  });
}

/** Bad calls, each made to the naive kernel and to its twin. */
const X = [[1, 2, 3], [4, 5, 6]];
const BAD_CALLS: [string, () => unknown, () => Promise<unknown>][] = [
  [
    "conv1d kernel too long",
    () => naive.conv1d([1, 2], [1, 2, 3, 4]),
    () => tfjs.conv1d([1, 2], [1, 2, 3, 4]),
  ],
  [
    "conv1d stride 0",
    () => naive.conv1d([1, 2, 3], [1], { stride: 0 }),
    () => tfjs.conv1d([1, 2, 3], [1], { stride: 0 }),
  ],
  [
    "conv1d fractional padding",
    () => naive.conv1d([1, 2, 3], [1], { padding: 1.5 }),
    () => tfjs.conv1d([1, 2, 3], [1], { padding: 1.5 }),
  ],
  [
    "conv2d ragged",
    () => naive.conv2d([[1, 2], [3]], [[1]]),
    () => tfjs.conv2d([[1, 2], [3]], [[1]]),
  ],
  ["conv2d NaN", () => naive.conv2d(X, [[NaN]]), () => tfjs.conv2d(X, [[NaN]])],
  [
    "conv2dLayer channels",
    () => naive.conv2dLayer([[X]], [[[[1]], [[1]]]]),
    () => tfjs.conv2dLayer([[X]], [[[[1]], [[1]]]]),
  ],
  [
    "conv2dLayer bias",
    () => naive.conv2dLayer([[X]], [[[[1]]]], [1, 2]),
    () => tfjs.conv2dLayer([[X]], [[[[1]]]], [1, 2]),
  ],
  [
    "maxPool2d too big",
    () => naivePool.maxPool2d(X, { size: 3 }),
    () => tfjs.maxPool2d(X, { size: 3 }),
  ],
  [
    "avgPool2d no size",
    () => naivePool.avgPool2d(X, {} as PoolOptions),
    () => tfjs.avgPool2d(X, {} as PoolOptions),
  ],
  ["sigmoid empty", () => naiveAct.sigmoid([]), () => tfjs.sigmoid([])],
  ["softmax Infinity", () => naiveAct.softmax([[Infinity]]), () => tfjs.softmax([[Infinity]])],
  [
    "bce probability 1.5",
    () => naiveLoss.binaryCrossEntropy([1.5], [1]),
    () => tfjs.binaryCrossEntropy([1.5], [1]),
  ],
  [
    "bce with logits lengths",
    () => naiveLoss.binaryCrossEntropyWithLogits([1, 2], [1]),
    () => tfjs.binaryCrossEntropyWithLogits([1, 2], [1]),
  ],
  [
    "nllLoss target out of range",
    () => naiveLoss.nllLoss([[0, 0]], [2]),
    () => tfjs.nllLoss([[0, 0]], [2]),
  ],
  [
    "crossEntropy fractional target",
    () => naiveLoss.crossEntropy([[1, 2]], [0.5]),
    () => tfjs.crossEntropy([[1, 2]], [0.5]),
  ],
  ["l2Penalty no params", () => naiveReg.l2Penalty([], 0.1), () => tfjs.l2Penalty([], 0.1)],
  [
    "l2Penalty negative lambda",
    () => naiveReg.l2Penalty([[1]], -1),
    () => tfjs.l2Penalty([[1]], -1),
  ],
  [
    "dropout p = 1",
    () => naiveReg.dropout([1], 1, { training: true, seed: 1 }),
    () => tfjs.dropout([1], 1, { training: true, seed: 1 }),
  ],
];

Deno.test("each twin rejects bad input with the naive kernel's LitconvError, leaking nothing", async () => {
  await useBackend("cpu");
  for (const [what, naiveCall, twinCall] of BAD_CALLS) {
    let expected: LitconvError | undefined;
    try {
      naiveCall();
    } catch (e) {
      expected = e as LitconvError;
    }
    assert.ok(expected instanceof LitconvError, `${what}: the naive kernel did not throw`);
    const before = tf.memory().numTensors;
    await assert.rejects(twinCall, (e: unknown) => {
      assert.ok(e instanceof LitconvError, `${what}: ${e}`);
      assert.equal(e.message, expected.message, what);
      return true;
    });
    assert.equal(tf.memory().numTensors, before, `${what} leaked`);
  }
});

/** Sizes and options that are often invalid: kernels too long, stride 0, fractional padding. */
const size = fc.integer({ min: 1, max: 5 });
const loosePadding = fc.constantFrom(-1, 0, 1, 1.5, 2);
const looseStride = fc.constantFrom(0, 1, 2, 2.5);
const ones = (n: number) => new Array<number>(n).fill(1);
const grid = (r: number, c: number) => Array.from({ length: r }, () => ones(c));

/**
 * Runs the naive call and the twin on the same (possibly bad) arguments: either both
 * succeed, or both throw a LitconvError with the same message.
 */
async function sameVerdict(naiveCall: () => unknown, twinCall: () => Promise<unknown>) {
  let expected: unknown;
  try {
    naiveCall();
  } catch (e) {
    expected = e;
  }
  if (expected === undefined) return void await twinCall();
  assert.ok(expected instanceof LitconvError, `naive threw a non-litconv error: ${expected}`);
  await assert.rejects(twinCall, (e: unknown) => {
    assert.ok(e instanceof LitconvError, String(e));
    assert.equal(e.message, expected.message);
    return true;
  });
}

Deno.test("twins and naive kernels accept and reject the same random shapes and options", async () => {
  await useBackend("cpu");
  await fc.assert(
    fc.asyncProperty(size, size, loosePadding, looseStride, async (n, m, padding, stride) => {
      const opts = { padding, stride };
      await sameVerdict(
        () => naive.conv1d(ones(n), ones(m), opts),
        () => tfjs.conv1d(ones(n), ones(m), opts),
      );
      await sameVerdict(
        () => naive.conv2d(grid(n, m), grid(m, n), opts),
        () => tfjs.conv2d(grid(n, m), grid(m, n), opts),
      );
      const layerX = [[grid(n, n)]];
      const layerW = [Array.from({ length: stride === 2 ? 2 : 1 }, () => grid(m, m))];
      await sameVerdict(
        () => naive.conv2dLayer(layerX, layerW, undefined, opts),
        () => tfjs.conv2dLayer(layerX, layerW, undefined, opts),
      );
      const pool = { size: m, stride: stride === 1 ? undefined : stride };
      await sameVerdict(
        () => naivePool.maxPool2d(grid(n, n + 1), pool),
        () => tfjs.maxPool2d(grid(n, n + 1), pool),
      );
    }),
    { numRuns: 100 },
  );
});

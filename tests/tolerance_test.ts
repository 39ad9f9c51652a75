/**
 * The tolerances the agreement check uses, pinned, and the check shown able to fail.
 *
 * A tolerance that is too loose lets a real bug through and no property test notices:
 * multiplying `convTolerance` by 2.5 or `softmaxTolerance` by 10⁶ passed the whole
 * suite. So each registry pair's tolerance is pinned here on a hand-computed case
 * (read through the registry, so the formula *and* its wiring are checked), and for
 * every pair the check must reject a naive result nudged by 10⁻³ (far above these
 * bounds, far below what a NaN or shape check would catch).
 */
import assert from "node:assert/strict";
import { POOL_INPUT } from "../kernels/inputs.ts";
import { useBackend } from "../accel/backend.ts";
import { PAIRS } from "../kernels/registry.ts";
import type { Pair } from "../kernels/op.ts";
import { dropoutContract } from "../kernels/contracts.ts";
import { checkPair } from "../tfjs/agreement.ts";
import { EPS32 as e, UNDERFLOW as U } from "../kernels/float32.ts";
import type { NestedNumberArray } from "../kernels/types.ts";

const pairNamed = (name: string): Pair => PAIRS.find((p) => p.name === name)!;

/** The lecture's conv1d and conv2d inputs, and lesson 05's pooling input. */
const x1 = [1, 3, 2, 4, 5, 6, 1, 3], w1 = [1, 0, 3, 1, 2];
const X2 = [[1, 3, 2, 4], [5, 6, 1, 3], [1, 2, 0, 2], [3, 4, 3, 2]];
const W2 = [[1, 0, 3], [1, 2, 1], [0, 1, 1]];
const P = POOL_INPUT;
const xLayer = [[[[1, -2], [3, 4]], [[0, 5], [-6, 1]]]]; // N 1, Cin 2, 2×2; max |x| 6
const wLayer = [[[[1]], [[-2]]], [[[3]], [[0.5]]]]; // Cout 2, Cin 2, 1×1; Σ|w| per output 3, 3.5

/**
 * [pair, arguments, the bound worked out by hand]. Conv-like bounds are
 * (k + 2)·ε·(window mass) + k·U for k summed products (see kernels/float32.ts).
 */
const PINS: [string, unknown[], number][] = [
  // k = 5, max|x| = 6, Σ|w| = 7.
  ["conv1d", [x1, w1, { padding: 2 }], 7 * e * 42 + 5 * U],
  // k = 9, max|X| = 6, Σ|W| = 10.
  ["conv2d", [X2, W2, { padding: 1 }], 11 * e * 60 + 9 * U],
  // k = Cin·1·1 + bias = 3; mass 6 · 3.5 + max|bias| 1.
  ["conv2dLayer", [xLayer, wLayer, [0.25, -1], {}], 5 * e * 22 + 3 * U],
  ["conv2dLayer", [xLayer, wLayer, undefined, {}], 5 * e * 21 + 3 * U],
  // Max: one rounding of max|X| = 9. Average of a 2×3 window: 7 roundings, then a division.
  ["maxPool2d", [P, { size: 2 }], 1 * e * 9 + 1 * U],
  ["avgPool2d", [P, { size: [2, 3] }], 8 * e * 9 + 6 * U],
  // ε(max|x|/4 + 8).
  ["sigmoid", [[-8, 2]], e * (2 + 8) + U],
  // n = 3 logits, max|x| = 4: ε(max|x| + 2n + 8), log-softmax ε(3·max|x| + 2n + 16).
  ["softmax", [[[1, -4, 2], [0, 0, 0]]], e * (4 + 6 + 8) + U],
  ["logSoftmax", [[[1, -4, 2], [0, 0, 0]]], e * (12 + 6 + 16)],
  // Exact float32 inputs: no rounding part; terms ln 2 and ln 4/3; mean of 2: (2 + 4)·ε·….
  [
    "binaryCrossEntropy",
    [[0.5, 0.25], [1, 0]],
    6 * e * (8 + 2 * Math.log(2) + 2 * Math.log(4 / 3)),
  ],
  // p = 1 − 10⁻⁹ rounds to 1 in float32, where log(1 − p) is clamped at −100: that jump
  // is the rounding part; the arithmetic part is (1 + 4)·ε·(8 + 4·100).
  [
    "binaryCrossEntropy",
    [[1 - 1e-9], [0]],
    (100 + Math.log(1 - (1 - 1e-9))) + 5 * e * 408,
  ],
  // Per term 2|x|(1 + t) + 4: 12 and 10, mean 11, over 2 terms.
  ["binaryCrossEntropyWithLogits", [[2, -3], [1, 0]], 6 * e * 11],
  // Picked |log p| 2 and 3: (2 + 4)·ε·3.
  ["nllLoss", [[[-1, -2], [-3, -0.5]], [1, 0]], 6 * e * 3 + U],
  // Log-softmax 34ε, plus a mean of rows of magnitude 2·4 + ln 3 + 1.
  ["crossEntropy", [[[1, -4, 2]], [0]], 34 * e + 5 * e * (9 + Math.log(3))],
  // N = 3 weights, λΣw² = 0.5 · 14 = 7.
  ["l2Penalty", [[[1, 2], [3]], 0.5], 9 * e * 7 + 3 * U],
  // The backward passes (lesson 11). ReLU: one rounding of max|x| = 7.
  ["relu", [[[-2, 3], [0.5, -7]]], e * 7 + U],
  // dy or 0: one rounding of max|dy| = 5; and x = 1e-40 > 0 is subnormal in float32, so
  // its dy (5) may be lost.
  ["reluBackward", [[[-2, 3], [1e-40, -7]], [[1, 2], [5, 4]]], e * 5 + 5 + U],
  // In + 1 = 3 terms; Σ|terms| of the outputs: 3 + 2 + 1 = 6 and 0.5 + 2 + 4 = 6.5.
  ["linear", [[[1, -2]], [[3, 1], [0.5, -1]], [1, -4]], 5 * e * 6.5 + 3 * U],
  // dx sums Out = 2 terms, dweight and dbias N = 1: 2 at most. Largest Σ|terms|: dx[0],
  // |2·3| + |−1·0.5| = 6.5.
  ["linearBackward", [[[1, -2]], [[3, 1], [0.5, -1]], [[2, -1]]], 4 * e * 6.5 + 2 * U],
  // A 1×2 kernel on a 2×2 input: dx sums Cout·kH·kW = 2 terms, dweight N·Ho·Wo = 2. Largest
  // Σ|terms|: dweight[0][0][0][1] = |2·2| + |−3·4| = 16.
  [
    "conv2dLayerBackward",
    [[[[[1, 2], [3, 4]]]], [[[[1, -1]]]], [[[[2], [-3]]]], {}],
    4 * e * 16 + 2 * U,
  ],
  // One rounding of max|x| = 9.
  ["maxPool2dLayer", [[[[[1, -9], [3, 4]]]], { size: 2 }], e * 9 + U],
  // Windows do not overlap: one term per cell, |dy| = 5.
  ["maxPool2dLayerBackward", [[[[[1, 2], [3, 4]]]], [[[[-5]]]], { size: 2 }], 3 * e * 5 + U],
  // 1 and 1 + 10⁻¹² are one float32: TF.js sees a tie and routes dy = 3 to the first.
  [
    "maxPool2dLayerBackward",
    [[[[[1, 1 + 1e-12]]]], [[[[3]]]], { size: [1, 2] }],
    3 * e * 3 + U + 3,
  ],
  // softmax's ε(4 + 2·3 + 8) + U, 4 ε more for − y and / N, all / N = 2.
  ["crossEntropyBackward", [[[1, -4, 2], [0, 0, 0]], [0, 2]], (22 * e + U) / 2],
];

for (const [name, args, expected] of PINS) {
  Deno.test(`${name}'s tolerance on a hand-computed case: ${expected.toExponential(3)}`, () => {
    const pair = pairNamed(name);
    const got = pair.tolerance(args, pair.naive(...args));
    assert.ok(Math.abs(got - expected) <= 1e-12 * expected, `${name}: ${got} ≠ ${expected}`);
  });
}

Deno.test("every pair with an element-wise tolerance has a pinned case", () => {
  const pinned = new Set(PINS.map(([name]) => name));
  for (const pair of PAIRS) {
    if (!pair.contract) assert.ok(pinned.has(pair.name), `${pair.name} has no pinned tolerance`);
  }
});

Deno.test("dropout's contract allows 4 ε32 of rounding around x/(1 − p) and nothing more", () => {
  const x = [1, 2], p = 0.5;
  const [training, evaluation] = [{ training: true, seed: 1 }, { training: false, seed: 1 }];
  const check = (o: typeof training, result: number[]) =>
    dropoutContract([x, p, o], result, 4 * e) ?? "";
  assert.equal(check(training, [2, 0]), "");
  assert.equal(check(training, [2 * (1 + 3.9 * e), 4 * (1 - 3.9 * e)]), "");
  assert.match(check(training, [2 * (1 + 4.1 * e), 0]), /element 0/);
  assert.match(check(training, [2, 3]), /element 1 is 3/);
  assert.equal(check(evaluation, [1, 2]), "");
  assert.match(check(evaluation, [1, 2 + 1e-12]), /expected x = 2/);
});

/** `result` with its first number moved by 10⁻³·(1 + |v|) (in an object: its first value's). */
function nudge(result: NestedNumberArray | Record<string, NestedNumberArray>): unknown {
  if (!Array.isArray(result) && typeof result === "object") {
    const [first, ...rest] = Object.entries(result);
    return Object.fromEntries([[first[0], nudge(first[1])], ...rest]);
  }
  if (!Array.isArray(result)) return result + 1e-3 * (1 + Math.abs(result));
  return [nudge(result[0]), ...result.slice(1)] as NestedNumberArray;
}

for (const pair of PAIRS) {
  Deno.test(`the agreement check rejects ${pair.name} nudged by 1e-3`, async () => {
    await useBackend("cpu");
    const nudged = {
      ...pair,
      naive: (...args: unknown[]) => nudge(pair.naive(...args) as NestedNumberArray),
    } as Pair;
    await assert.rejects(() => checkPair(nudged, { numRuns: 100, seed: 1 }), (err: Error) => {
      // Rejected for the value, not for a shape or a NaN.
      assert.match(err.message, /\|difference\| [\d.e-]+ > tolerance|dropout.*element 0 is/);
      return true;
    });
  });
}

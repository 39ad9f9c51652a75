/**
 * The graded cases of every task: the lecture's examples and hand-picked edge cases (both
 * `visible`: a student sees input, expected and got), and property runs drawn from the pair
 * registry's arbitraries with a seed (`after_due_date`: their inputs are unknown in advance).
 *
 * Every test's name starts with the contract function and a colon, so a reader and a script
 * can tell which function lost points.
 *
 * @module
 */
import fc from "npm:fast-check@4.10.2";
import { PAIRS } from "../kernels/registry.ts";
import { conv1dArgs } from "../kernels/arbitraries.ts";
import type { ConvOptions } from "../kernels/types.ts";
import { type Task, TASKS } from "../lessons/tasks.ts";
import { MIN_SIZE } from "./model_spec.ts";

/** One graded test of one function. */
export interface TestSpec {
  /** `"conv1d: stride 2 with a remainder"`. */
  name: string;
  task: Task;
  /** visible: lecture examples and edge cases; after_due_date: property runs. */
  visibility: "visible" | "after_due_date";
  maxScore: number;
  /** Fixed argument lists (examples, edge cases). */
  cases?: unknown[][];
  /** Random argument lists: `numRuns` draws from `arbitrary`, seeded. */
  property?: { arbitrary: fc.Arbitrary<unknown[]>; numRuns: number; seed: number };
}

/** Points: an example or an edge case 1, a property run 3. */
const FIXED_POINTS = 1;
const PROPERTY_POINTS = 3;

/** A vector of `n` small whole numbers, deterministic. */
const ramp = (n: number, k = 1) => Array.from({ length: n }, (_, i) => ((i * 7 + k * 3) % 9) - 4);
const grid = (h: number, w: number, k = 1) => Array.from({ length: h }, (_, r) => ramp(w, k + r));

/** The lecture's 2-D example (section 15.5). */
const X4 = [[1, 3, 2, 4], [5, 6, 1, 3], [1, 2, 0, 2], [3, 4, 3, 2]];
const W3 = [[1, 0, 3], [1, 2, 1], [0, 1, 1]];

type Fixed = [string, unknown[][]];

/** The lecture's examples, by function (visible). */
const EXAMPLES: Record<string, Fixed[]> = {
  convOutputSize: [["the lecture's sizes (n 8, m 5, p 2, s 1 and 2)", [[8, 5, 2, 1], [
    8,
    5,
    2,
    2,
  ]]]],
  conv1d: [["the lecture's example, padding 2", [[[1, 3, 2, 4, 5, 6, 1, 3], [1, 0, 3, 1, 2], {
    padding: 2,
  }]]]],
  conv2d: [["the lecture's 4×4 example, padding 1", [[X4, W3, { padding: 1 }]]]],
  maxPool2d: [["2×2 windows of the 4×4 example", [[X4, { size: 2 }]]]],
  avgPool2d: [["2×2 windows of the 4×4 example", [[X4, { size: 2 }]]]],
  conv2dLayer: [[
    "two channels in, two out, with bias",
    [[[[X4, grid(4, 4, 2)]], [[W3, grid(3, 3, 5)], [grid(3, 3, 1), W3]], [1, -2], { padding: 1 }]],
  ]],
  sigmoid: [["the lecture's logit 0.8, and 0", [[[0.8, 0, -2]]]]],
  softmax: [["the lecture's logits [1.5, 0.8, 2.1]", [[[[1.5, 0.8, 2.1]]]]]],
  logSoftmax: [["the lecture's logits [1.5, 0.8, 2.1]", [[[[1.5, 0.8, 2.1]]]]]],
  binaryCrossEntropy: [["the lecture's sigmoid(0.8) with target 1 (0.3711)", [[[
    1 / (1 + Math.exp(-0.8)),
  ], [1]]]]],
  binaryCrossEntropyWithLogits: [["the lecture's logit 0.8 with target 1 (0.3711)", [[[0.8], [
    1,
  ]]]]],
  nllLoss: [[
    "the lecture's log-probabilities, target 2 (0.5996)",
    [[[[1.5, 0.8, 2.1].map((v, _, r) => v - Math.log(r.reduce((s, x) => s + Math.exp(x), 0)))], [
      2,
    ]]],
  ]],
  crossEntropy: [["the lecture's logits [1.5, 0.8, 2.1], target 2 (0.5996)", [[[[1.5, 0.8, 2.1]], [
    2,
  ]]]]],
  l2Penalty: [["a 2×2 weight and a bias, λ 0.5", [[[[[1, 2], [3, 4]], [1]], 0.5]]]],
  dropout: [["evaluation returns x", [[[[1, 2], [3, 4]], 0.5, { training: false, seed: 1 }]]]],
  extraConvModel: [["the lecture's 28×28 images", [[28]]]],
};

/** Edge cases, by function (visible). */
const EDGES: Record<string, Fixed[]> = {
  convOutputSize: [
    ["stride 4 with a remainder", [[10, 3, 0, 4], [7, 2, 1, 3]]],
    ["padding larger than the kernel", [[3, 2, 3, 1]]],
    ["1×1", [[1, 1, 0, 1]]],
  ],
  conv1d: [
    ["stride 2 with a remainder", [[ramp(8), [1, 0, 3, 1, 2], { padding: 2, stride: 2 }], [
      ramp(9),
      [2, -1],
      { stride: 3 },
    ]]],
    ["padding larger than the kernel", [[ramp(3), [2, 5], { padding: 3 }]]],
    ["a single element", [[[7], [3]], [[7], [3], { padding: 1 }]]],
  ],
  conv2d: [
    ["stride 2 with a remainder", [[grid(5, 6), W3, { stride: 2 }], [X4, W3, {
      padding: 1,
      stride: [2, 3],
    }]]],
    ["padding larger than the kernel", [[grid(2, 3), [[1, 2], [3, 4]], { padding: [3, 2] }]]],
    ["1×1 input and kernel", [[[[4]], [[-2]]], [[[4]], [[-2]], { padding: 1 }]]],
  ],
  maxPool2d: [
    ["stride 2 with a remainder", [[grid(5, 7), { size: 2 }], [grid(5, 5), {
      size: 3,
      stride: 2,
    }]]],
    ["1×1 windows", [[grid(2, 3), { size: 1 }]]],
    ["a [rows, cols] window", [[grid(4, 6), { size: [2, 3], stride: [1, 2] }]]],
  ],
  avgPool2d: [
    ["stride 2 with a remainder", [[grid(5, 7), { size: 2 }], [grid(5, 5), {
      size: 3,
      stride: 2,
    }]]],
    ["1×1 windows", [[grid(2, 3), { size: 1 }]]],
    ["a [rows, cols] window", [[grid(4, 6), { size: [2, 3], stride: [1, 2] }]]],
  ],
  conv2dLayer: [
    ["no bias, stride 2 with a remainder", [[[[grid(5, 5)], [grid(5, 5, 3)]], [[W3]], undefined, {
      stride: 2,
    }]]],
    ["1×1 input and kernel", [[[[[[3]]]], [[[[2]]], [[[-1]]]], [0.5, 0], {}]]],
  ],
  sigmoid: [["logits of ±1000", [[[-1000, -800, 1000, 800, -40, 40]]]]],
  softmax: [["logits of ±1000", [[[[1000, -1000, 0], [800, 800, 799], [-1000, -1000, -1000]]]]]],
  logSoftmax: [["logits of ±1000", [[[[1000, -1000, 0], [800, 800, 799], [-1000, -1000, -1000]]]]]],
  binaryCrossEntropy: [["probabilities exactly 0 and 1 (logs clamped at −100)", [[[0, 1, 1, 0], [
    1,
    0,
    1,
    0,
  ]]]]],
  binaryCrossEntropyWithLogits: [["logits of ±1000", [[[1000, -1000, 800, -800], [0, 1, 1, 0]]]]],
  nllLoss: [["one class", [[[[0], [0]], [0, 0]]]]],
  crossEntropy: [["logits of ±1000", [[[[1000, -1000, 0], [-1000, 1000, 0]], [1, 1]]]]],
  l2Penalty: [["a scalar parameter, λ 0 and λ 0.01", [[[3, [[1]]], 0], [[3, [[1]]], 0.01]]]],
  dropout: [["p 0.5 in training: zero or doubled", [[grid(4, 5), 0.5, {
    training: true,
    seed: 7,
  }]]], ["p 0 keeps everything", [[ramp(6), 0, { training: true, seed: 3 }]]]],
  extraConvModel: [["an 8×8 image (pool3 leaves 1×1)", [[8]]], ["a 30×30 image (floors)", [[30]]]],
};

type Args = unknown[];
const pairArbitrary = (name: string) =>
  PAIRS.find((p) => p.name === name)?.arbitrary as fc.Arbitrary<Args>;
const strideOf = (a: Args) => ((a[2] as ConvOptions).stride as number) ?? 1;

/** Property runs, by function: a name and an arbitrary of argument lists (hidden). */
function properties(fn: string): [string, fc.Arbitrary<Args>][] {
  switch (fn) {
    case "convOutputSize":
      return [[
        "random sizes",
        (conv1dArgs as fc.Arbitrary<Args>).map((a) => {
          const [x, w, o] = a as [number[], number[], ConvOptions];
          return [x.length, w.length, o.padding, o.stride];
        }),
      ]];
    case "conv1d":
      // Split by stride: the textbook's stride bug should cost the stride > 1 runs only.
      return [
        ["random inputs, stride 1", pairArbitrary(fn).filter((a) => strideOf(a) === 1)],
        ["random inputs, stride 2 to 4", pairArbitrary(fn).filter((a) => strideOf(a) > 1)],
      ];
    case "extraConvModel":
      return [["random image sizes", fc.tuple(fc.integer({ min: MIN_SIZE, max: 64 }))]];
    default:
      return [["random inputs", pairArbitrary(fn)]];
  }
}

/** A 32-bit seed for one property test, from the grading seed and the test's name. */
export function testSeed(seed: number, name: string): number {
  let h = seed | 0;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 0x9e3779b1);
  return h | 0;
}

/** Options of {@link testsFor}. */
export interface TestOptions {
  /** Include the property runs (`--hidden`). */
  hidden: boolean;
  /** The grading seed. */
  seed: number;
  /** Draws per property test. */
  numRuns: number;
}

/** The graded tests of one task, in order. */
export function testsFor(task: Task, opts: TestOptions): TestSpec[] {
  const fn = task.fn;
  const fixed = (list: Fixed[] = []): TestSpec[] =>
    list.map(([what, cases]) => ({
      name: `${fn}: ${what}`,
      task,
      visibility: "visible",
      maxScore: FIXED_POINTS,
      cases,
    }));
  const tests = [...fixed(EXAMPLES[fn]), ...fixed(EDGES[fn])];
  if (opts.hidden) {
    for (const [what, arbitrary] of properties(fn)) {
      const name = `${fn}: ${what} (property, ${opts.numRuns} runs)`;
      tests.push({
        name,
        task,
        visibility: "after_due_date",
        maxScore: PROPERTY_POINTS,
        property: { arbitrary, numRuns: opts.numRuns, seed: testSeed(opts.seed, name) },
      });
    }
  }
  return tests;
}

/** Every task that has graded tests (all of {@link TASKS}). */
export const GRADED_TASKS: readonly Task[] = TASKS.filter((t) => t.fn in EXAMPLES);

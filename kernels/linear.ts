/**
 * The fully connected layer, as PyTorch's `nn.Linear`: y = x·Wᵀ + b, and its backward pass.
 *
 * The lecture CNN ends in two of them (3136 → 1024, 1024 → 10). The backward pass follows
 * from writing one output out: y[n][o] = Σ_i x[n][i]·W[o][i] + b[o]. Each x[n][i] meets every
 * output of its row, so dx[n][i] = Σ_o dy[n][o]·W[o][i]; each weight W[o][i] meets every
 * example of the batch, so dW[o][i] = Σ_n dy[n][o]·x[n][i]; each bias is added once to every
 * example's output o, so db[o] = Σ_n dy[n][o]. The batch's gradients add up because the
 * loss is one number that every example contributes to.
 *
 * After the functions come their argument checks and each operation's definition (see
 * `op.ts`).
 *
 * @module
 */
import { assertMatrix, assertOptionalBias, describeShape, LitconvError } from "./errors.ts";
import { dotBound, maxAbs } from "./float32.ts";
import { grid, ramp } from "./inputs.ts";
import { type Fc, type Pair, scaleOfSums, type Tf } from "./op.ts";
import { matrixOf, vectorOf } from "./arbitraries.ts";
import type { LinearGrads } from "./types.ts";

/**
 * A fully connected layer, as `nn.Linear`: x `[N, In]`, weight `[Out, In]`, bias `[Out]`;
 * returns `[N, Out]`, y[n][o] = Σ_i x[n][i]·weight[o][i] + bias[o].
 *
 * ```ts
 * import { linear } from "./linear.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(linear([[1, 2]], [[1, 0], [3, -1]], [10, 20]), [[11, 21]]);
 * ```
 */
export function linear(x: number[][], weight: number[][], bias: number[]): number[][] {
  checkLinear("linear", x, weight, bias);
  const out: number[][] = [];
  for (let n = 0; n < x.length; n++) {
    const row: number[] = [];
    for (let o = 0; o < weight.length; o++) {
      let sum = bias[o];
      for (let i = 0; i < x[n].length; i++) sum += x[n][i] * weight[o][i];
      row.push(sum);
    }
    out.push(row);
  }
  return out;
}

/**
 * The backward pass of `linear(x, weight, bias)`: from dy = ∂L/∂y `[N, Out]`, the gradients
 * dx = dy·weight, dweight = dyᵀ·x and dbias = Σ_n dy (the bias itself is not needed).
 *
 * ```ts
 * import { linearBackward } from "./linear.ts";
 * import assert from "node:assert/strict";
 * const { dx, dweight, dbias } = linearBackward([[1, 2]], [[1, 0], [3, -1]], [[1, 1]]);
 * assert.deepEqual(dx, [[4, -1]]);
 * assert.deepEqual(dweight, [[1, 2], [1, 2]]);
 * assert.deepEqual(dbias, [1, 1]);
 * ```
 */
export function linearBackward(
  x: number[][],
  weight: number[][],
  dy: number[][],
): LinearGrads {
  checkLinearBackward(x, weight, dy);
  const [n, inSize, outSize] = [x.length, x[0].length, weight.length];
  // dx[n][i]: x[n][i] reached every output o of its example, through weight[o][i]. The loop
  // adds output o's share to the whole row at once, so it reads weight row by row (the same
  // sums, in the same order, as looping over o innermost).
  const dx: number[][] = [];
  for (let s = 0; s < n; s++) {
    const row: number[] = new Array(inSize).fill(0);
    for (let o = 0; o < outSize; o++) {
      const g = dy[s][o];
      const w = weight[o];
      for (let i = 0; i < inSize; i++) row[i] += g * w[i];
    }
    dx.push(row);
  }
  // dweight[o][i]: weight[o][i] multiplied x[n][i] in every example n of the batch (again a
  // whole row at a time, example by example).
  const dweight: number[][] = [];
  for (let o = 0; o < outSize; o++) {
    const row: number[] = new Array(inSize).fill(0);
    for (let s = 0; s < n; s++) {
      const g = dy[s][o];
      const xs = x[s];
      for (let i = 0; i < inSize; i++) row[i] += g * xs[i];
    }
    dweight.push(row);
  }
  // dbias[o]: bias[o] was added to output o of every example.
  const dbias: number[] = [];
  for (let o = 0; o < outSize; o++) {
    let sum = 0;
    for (let s = 0; s < n; s++) sum += dy[s][o];
    dbias.push(sum);
  }
  return { dx, dweight, dbias };
}

// ─── Argument checks ──────────────────────────────────────────────────────────

/** x `[N, In]`, weight `[Out, In]`, bias `[Out]`; returns `[N, In, Out]`. */
function checkLinear(
  fn: string,
  x: number[][],
  weight: number[][],
  bias: number[] | undefined,
): [number, number, number] {
  const [n, inSize] = assertMatrix(fn, "x", x);
  const [outSize, wIn] = assertMatrix(fn, "weight", weight);
  const context = `x ${describeShape(x)}, weight ${describeShape(weight)}`;
  if (wIn !== inSize) {
    throw new LitconvError(
      fn,
      "weight",
      `expects In=${wIn} features but x has ${inSize} (${context}; weight is [Out, In])`,
    );
  }
  assertOptionalBias(fn, bias, outSize, `Out=${outSize} outputs`, context);
  return [n, inSize, outSize];
}

/** linearBackward: the forward's shapes, and dy of the output's shape `[N, Out]`. */
function checkLinearBackward(x: number[][], weight: number[][], dy: number[][]): void {
  const fn = "linearBackward";
  const [n, , outSize] = checkLinear(fn, x, weight, undefined);
  const [rows, cols] = assertMatrix(fn, "dy", dy);
  if (rows !== n || cols !== outSize) {
    throw new LitconvError(
      fn,
      "dy",
      `has shape [${rows},${cols}] but the layer's output is [${n},${outSize}] (x ${
        describeShape(x)
      }, weight ${describeShape(weight)})`,
    );
  }
}

// ─── Definitions: TF.js twins, random arguments, tolerances, graded tasks ─────

/** The layer in TF.js: x·Wᵀ + b. */
function linearTf(
  tf: Tf,
  x: ReturnType<Tf["tensor2d"]>,
  w: ReturnType<Tf["tensor2d"]>,
  b: ReturnType<Tf["tensor1d"]>,
) {
  return tf.add(tf.matMul(x, w, false, true), b);
}

/** Sizes N 1–4, In 1–8, Out 1–5. */
function linearShape(fc: Fc) {
  return fc.record({
    n: fc.integer({ min: 1, max: 4 }),
    inSize: fc.integer({ min: 1, max: 8 }),
    outSize: fc.integer({ min: 1, max: 5 }),
  });
}

/** The example both tasks share, so the backward pass runs on the layer the forward ran. */
const EXAMPLE = "two examples, three features, two outputs";
const EXAMPLE_X = [[1, 3, 2], [5, 6, 1]];
const EXAMPLE_WEIGHT = [[1, 0, 3], [1, 2, 1]];

/**
 * linear and its twin. Each output sums In products and the bias: In + 1 terms, whose Σ|terms|
 * is the layer run on |x|, |W|, |b|; the bound takes the largest.
 */
export const linearOp: Pair<typeof linear> = {
  name: "linear",
  summary: "nn.Linear: x·Wᵀ + b",
  naive: linear,
  twin: (tf: Tf, x, weight, bias) => {
    checkLinear("linear", x, weight, bias);
    return linearTf(tf, tf.tensor2d(x), tf.tensor2d(weight), tf.tensor1d(bias));
  },
  tolerance: (args) => dotBound(args[0][0].length + 1, maxAbs(scaleOfSums(linear)(args))),
  arbitrary: (fc) =>
    linearShape(fc).chain(({ n, inSize, outSize }) =>
      fc.tuple(matrixOf(fc, n, inSize), matrixOf(fc, outSize, inSize), vectorOf(fc, outSize))
    ),
  task: {
    id: "11.3",
    lesson: "11-backprop",
    title: "a fully connected layer (as nn.Linear)",
    examples: [[EXAMPLE, [[EXAMPLE_X, EXAMPLE_WEIGHT, [0.5, -1]]]]],
    edges: [
      ["one feature, one output", [[[[3], [-2]], [[4]], [1]]]],
      ["more outputs than inputs", [[grid(2, 2), grid(5, 2, 3), ramp(5)]]],
    ],
    scale: scaleOfSums(linear),
  },
};

/**
 * linearBackward and its twin: `tf.grads` of the layer in TF.js, with dy as the upstream
 * gradient. dx sums Out products per element, dweight N, dbias N terms; the bound takes the
 * most terms and the largest Σ|terms| of any element (the backward pass run on |x|, |W|,
 * |dy|).
 */
export const linearBackwardOp: Pair<typeof linearBackward> = {
  name: "linearBackward",
  summary: "nn.Linear's backward pass: dx, dweight, dbias from dy",
  naive: linearBackward,
  twin: (tf: Tf, x, weight, dy) => {
    checkLinearBackward(x, weight, dy);
    const b = tf.zeros([weight.length]) as ReturnType<Tf["tensor1d"]>;
    const [dx, dweight, dbias] = tf.grads((xt, wt, bt) =>
      linearTf(
        tf,
        xt as ReturnType<Tf["tensor2d"]>,
        wt as ReturnType<Tf["tensor2d"]>,
        bt as ReturnType<Tf["tensor1d"]>,
      )
    )([tf.tensor2d(x), tf.tensor2d(weight), b], tf.tensor2d(dy));
    return { dx, dweight, dbias };
  },
  tolerance: (args) => {
    const terms = Math.max(args[1].length, args[0].length);
    return dotBound(terms, maxAbs(scaleOfSums(linearBackward)(args)));
  },
  arbitrary: (fc) =>
    linearShape(fc).chain(({ n, inSize, outSize }) =>
      fc.tuple(matrixOf(fc, n, inSize), matrixOf(fc, outSize, inSize), matrixOf(fc, n, outSize))
    ),
  task: {
    id: "11.4",
    lesson: "11-backprop",
    title: "the fully connected layer's backward pass",
    examples: [[EXAMPLE, [[EXAMPLE_X, EXAMPLE_WEIGHT, [[1, -1], [0.5, 2]]]]]],
    edges: [
      ["one example, one feature, one output", [[[[3]], [[4]], [[-2]]]]],
      ["a batch of four, more outputs than inputs", [[grid(4, 2), grid(5, 2, 3), grid(4, 5, 2)]]],
    ],
    scale: scaleOfSums(linearBackward),
  },
};

/**
 * Finite-difference checks: every naive backward pass agrees with the slope of its own naive
 * forward pass, measured by central differences in float64, on random inputs drawn from the
 * operation's arbitrary. This checks the backward kernels without TF.js: the property tests
 * check them against TF.js's autograd, this against calculus.
 *
 * For an upstream gradient dy the loss is L = Σ_o forward(inputs)_o · dy_o, so ∂L/∂input is
 * what the backward pass returns. Each input element k is moved by ±h and
 *
 *     (L(k + h) − L(k − h)) / 2h = Σ_o dy_o · (y_o(k + h) − y_o(k − h)) / 2h
 *
 * is summed output by output, over the outputs k reaches (the others contribute exactly 0).
 *
 * The tolerance, per element: an output that sums K terms of total magnitude S_o is off by
 * at most about (K + 2)·u·S_o in float64 (u = 2⁻⁵³), at k + h and at k − h (where the moved
 * term adds at most |Δy_o| to S_o); the difference, weighted by |dy_o|, summed and divided
 * by 2h, is off by at most (K + 4)·u/h · Σ_o |dy_o|·(S_o + |Δy_o|) over the outputs k
 * reaches. The backward pass's own sum of those outputs' shares rounds too: (count + 2)·u
 * times its Σ|terms|. The forwards here are linear in
 * each input (conv, linear, dropout) or piecewise linear (ReLU, max pooling: the inputs are
 * nudged apart so that no input sits within 4h of a kink or a tie), so central differences
 * have no truncation error; cross-entropy is smooth, and its third derivative along one
 * logit is at most 1/(6√3) per row, so h²/36 per row is added.
 *
 * Also here: the mutants of `backward_mutants.ts` fail this check (the tie mutant of max
 * pooling cannot: at a tie the slope is undefined, so the agreement check catches it), and
 * TF.js's webgpu backend routes a tied maximum's gradient to the last one, the fact
 * `maxPool2dLayerBackward`'s twin works around.
 */
import assert from "node:assert/strict";
import fc from "../deps/fast_check.ts";
import { findOp, OPS } from "../kernels/registry.ts";
import { arbitraryOf } from "../kernels/fast_check.ts";
import { leaves } from "../kernels/nested.ts";
import { relu, reluBackward } from "../kernels/relu.ts";
import { linear, linearBackward } from "../kernels/linear.ts";
import { conv2dLayer } from "../kernels/conv.ts";
import { conv2dLayerBackward } from "../kernels/conv_backward.ts";
import { maxPool2dLayer, maxPool2dLayerBackward } from "../kernels/pool_layer.ts";
import { crossEntropy, crossEntropyBackward } from "../kernels/loss.ts";
import { dropout, dropoutBackward } from "../kernels/regularize.ts";
import { ramp } from "../kernels/inputs.ts";
import type { ConvOptions, NestedNumberArray, PoolOptions } from "../kernels/types.ts";
import {
  conv2dLayerBackwardNoFlip,
  conv2dLayerBackwardStrideIgnored,
  crossEntropyBackwardNoMean,
} from "./backward_mutants.ts";
import { tf, useBackend } from "../accel/backend.ts";

/** float64's unit roundoff. */
const U64 = 2 ** -53;
/**
 * What a float64 product may lose to underflow: the arbitraries draw numbers as small as
 * 5e-324, whose products with h round to 0. Far below any real error.
 */
const UNDERFLOW64 = 2 ** -1000;
const RUNS = 100;

type Inputs = Record<string, NestedNumberArray>;

/** One backward pass, described for the check. */
interface GradCheck<A extends unknown[]> {
  /** The backward operation's name in the registry (its arbitrary draws the arguments). */
  op: string;
  /** The step. */
  h: number;
  /** Arguments made ready: inputs nudged apart from kinks and ties (default: as drawn). */
  prepare?(args: A): A;
  /** Whether no input lies within 4h of a kink or a tie (default: always). */
  clear?(args: A, h: number): boolean;
  /** The forward pass's differentiable inputs, by name. */
  inputs(args: A): Inputs;
  /** The forward's outputs at these inputs, flat. */
  outputs(inputs: Inputs, args: A): number[];
  /** The upstream gradient of each output, flat. */
  dy(args: A): number[];
  /** Σ|terms| of each output, flat, and how many terms each output sums. */
  scale(args: A): { S: number[]; K: number };
  /**
   * Whether moving input element k can move output o. Default: whether it did. (On the grid
   * of `onGrid` a linear output's change is never lost in its rounding; a smooth one's can
   * be: a softmax entry of 1e-10 moves a row's loss of 20 by less than its last bit.)
   */
  reaches?(k: number, o: number, args: A): boolean;
  /** The error of central differences for a smooth forward (default 0: linear). */
  truncation?(args: A, h: number): number;
  /** The gradients the backward pass `backward` gives, by input name. */
  analytic(backward: (...a: A) => unknown, args: A): Inputs;
}

/** A copy of `x` with its k-th number (row-major) moved by `delta`. */
function moved(x: NestedNumberArray, k: number, delta: number): NestedNumberArray {
  let i = 0;
  const walk = (v: NestedNumberArray): NestedNumberArray =>
    Array.isArray(v) ? v.map(walk) : i++ === k ? v + delta : v;
  return walk(x);
}

/** `x` with every number nudged by a distinct amount in [0, 0.01): ties and zeros broken. */
function nudged<T extends NestedNumberArray>(x: T): T {
  let k = 0;
  const walk = (v: NestedNumberArray): NestedNumberArray =>
    Array.isArray(v) ? v.map(walk) : v + 0.01 * ((++k * 0.6180339887498949) % 1);
  return walk(x) as T;
}

const abs = (x: NestedNumberArray): NestedNumberArray =>
  Array.isArray(x) ? x.map(abs) : Math.abs(x);

/**
 * Compares `backward`'s gradients with central differences on `args`; throws naming the
 * first element out of tolerance.
 */
function compare<A extends unknown[]>(
  check: GradCheck<A>,
  backward: (...a: A) => unknown,
  args: A,
): void {
  const { h } = check;
  const inputs = check.inputs(args);
  const grads = check.analytic(backward, args);
  const dy = check.dy(args);
  const { S, K } = check.scale(args);
  const truncation = check.truncation?.(args, h) ?? 0;
  for (const [name, value] of Object.entries(inputs)) {
    const analytic = leaves(grads[name]);
    const count = leaves(value).length;
    assert.equal(
      analytic.length,
      count,
      `${check.op}: d${name} has ${analytic.length} numbers, ${name} ${count}`,
    );
    for (let k = 0; k < count; k++) {
      const up = check.outputs({ ...inputs, [name]: moved(value, k, h) }, args);
      const down = check.outputs({ ...inputs, [name]: moved(value, k, -h) }, args);
      let slope = 0;
      let reach = 0; // Σ|dy_o|·(S_o at the moved point, an underflow per term)
      let mass = 0; // Σ|terms| of the analytic sum Σ_o dy_o·∂y_o/∂k
      let terms = 0;
      for (let o = 0; o < up.length; o++) {
        const reached = check.reaches ? check.reaches(k, o, args) : up[o] !== down[o];
        if (!reached) continue;
        const change = up[o] - down[o];
        slope += dy[o] * change;
        reach += Math.abs(dy[o]) * (S[o] + Math.abs(change) + K * UNDERFLOW64);
        mass += Math.abs(dy[o] * change) / (2 * h);
        terms++;
      }
      slope /= 2 * h;
      // The differences' rounding, the analytic sum's own (terms + 2)·u·mass, the truncation.
      const tolerance = ((K + 4) * U64 * reach) / h + (terms + 2) * U64 * mass + truncation +
        UNDERFLOW64;
      const diff = Math.abs(slope - analytic[k]);
      if (!(diff <= tolerance)) {
        throw new Error(
          `${check.op}: d${name}[${k}] is ${analytic[k]}, central differences give ${slope} ` +
            `(|difference| ${diff} > tolerance ${tolerance})`,
        );
      }
    }
  }
}

/**
 * The arguments with every number rounded to a multiple of 2⁻²⁰ (whole numbers, such as
 * targets, stay whole). The arbitraries draw numbers as small as 5e-324; a change of h times
 * such a number is lost in an output of size 1, and the check could not tell that loss from
 * a wrong gradient. On this grid every nonzero product is at least 2⁻⁴⁰·h.
 */
function onGrid(v: unknown): unknown {
  if (typeof v === "number") return Math.round(v * 2 ** 20) / 2 ** 20;
  return Array.isArray(v) ? v.map(onGrid) : v;
}

/** fast-check over the op's arbitrary: `backward` agrees with central differences. */
function checkGradients<A extends unknown[]>(
  check: GradCheck<A>,
  backward: (...a: A) => unknown,
  numRuns = RUNS,
): void {
  const drawn = arbitraryOf(findOp(check.op)!) as unknown as fc.Arbitrary<A>;
  const ready = drawn.map((a) => onGrid(a) as A).map((a) => (check.prepare ? check.prepare(a) : a))
    .filter((a) => check.clear?.(a, check.h) ?? true);
  fc.assert(fc.property(ready, (args) => compare(check, backward, args)), { numRuns });
}

// ─── The backward passes ──────────────────────────────────────────────────────

type X4 = number[][][][];

const reluCheck: GradCheck<[NestedNumberArray, NestedNumberArray]> = {
  op: "reluBackward",
  h: 1e-6,
  prepare: ([x, dy]) => [nudged(x), dy],
  clear: ([x], h) => leaves(x).every((v) => Math.abs(v) > 4 * h),
  inputs: ([x]) => ({ x }),
  outputs: ({ x }) => leaves(relu(x)),
  dy: ([, dy]) => leaves(dy),
  // A copy (or 0): one term, the size of x (plus the step).
  scale: ([x]) => ({ S: leaves(x).map((v) => Math.abs(v) + 1e-6), K: 1 }),
  analytic: (backward, args) => ({ x: backward(...args) as NestedNumberArray }),
};

/** The bias the checks give the layers: the backward passes do not take it, L does. */
const biasFor = (n: number) => ramp(n).map((v) => v / 2);

const linearCheck: GradCheck<[number[][], number[][], number[][]]> = {
  op: "linearBackward",
  h: 1e-3,
  inputs: ([x, weight]) => ({ x, weight, bias: biasFor(weight.length) }),
  outputs: (i) => leaves(linear(i.x as number[][], i.weight as number[][], i.bias as number[])),
  dy: ([, , dy]) => leaves(dy),
  scale: ([x, weight]) => ({
    S: leaves(
      linear(
        abs(x) as number[][],
        abs(weight) as number[][],
        abs(biasFor(weight.length)) as number[],
      ),
    ),
    K: x[0].length + 1,
  }),
  analytic: (backward, args) => {
    const { dx, dweight, dbias } = backward(...args) as ReturnType<typeof linearBackward>;
    return { x: dx, weight: dweight, bias: dbias };
  },
};

const convCheck: GradCheck<[X4, X4, X4, ConvOptions]> = {
  op: "conv2dLayerBackward",
  h: 1e-3,
  inputs: ([x, weight]) => ({ x, weight, bias: biasFor(weight.length) }),
  outputs: (i, [, , , options]) =>
    leaves(conv2dLayer(i.x as X4, i.weight as X4, i.bias as number[], options)),
  dy: ([, , dy]) => leaves(dy),
  scale: ([x, weight, , options]) => ({
    S: leaves(
      conv2dLayer(
        abs(x) as X4,
        abs(weight) as X4,
        abs(biasFor(weight.length)) as number[],
        options,
      ),
    ),
    K: leaves(weight[0]).length + 1,
  }),
  analytic: (backward, args) => {
    const { dx, dweight, dbias } = backward(...args) as ReturnType<typeof conv2dLayerBackward>;
    return { x: dx, weight: dweight, bias: dbias };
  },
};

/** `[rows, cols]` of a size or stride option. */
const pairOf = (v: number | [number, number]): [number, number] =>
  typeof v === "number" ? [v, v] : v;

/** Whether every window's largest value beats its runner-up by more than `gap`. */
function clearMaxima(x: X4, options: PoolOptions, gap: number): boolean {
  const [kh, kw] = pairOf(options.size);
  const [sr, sc] = pairOf(options.stride ?? options.size);
  return x.every((image) =>
    image.every((X) => {
      for (let i = 0; i + kh <= X.length; i += sr) {
        for (let j = 0; j + kw <= X[0].length; j += sc) {
          const window = X.slice(i, i + kh).flatMap((row) => row.slice(j, j + kw));
          window.sort((a, b) => b - a);
          if (window.length > 1 && window[0] - window[1] <= gap) return false;
        }
      }
      return true;
    })
  );
}

const poolCheck: GradCheck<[X4, X4, PoolOptions]> = {
  op: "maxPool2dLayerBackward",
  h: 1e-6,
  prepare: ([x, dy, options]) => [nudged(x), dy, options],
  clear: ([x, , options], h) => clearMaxima(x, options, 8 * h),
  inputs: ([x]) => ({ x }),
  outputs: ({ x }, [, , options]) => leaves(maxPool2dLayer(x as X4, options)),
  dy: ([, dy]) => leaves(dy),
  scale: ([x, , options]) => ({
    S: leaves(maxPool2dLayer(abs(x) as X4, options)).map((v) => v + 1e-6),
    K: 1,
  }),
  analytic: (backward, args) => ({ x: backward(...args) as NestedNumberArray }),
};

const crossEntropyCheck: GradCheck<[number[][], number[]]> = {
  op: "crossEntropyBackward",
  h: 1e-5,
  inputs: ([logits]) => ({ logits }),
  // Output n: row n's share of the mean loss, so a logit moves one output.
  outputs: ({ logits }, [, targets]) => {
    const rows = logits as number[][];
    return rows.map((row, n) => crossEntropy([row], [targets[n]]) / rows.length);
  },
  dy: ([logits]) => logits.map(() => 1),
  // A row's loss log Σe^(x − max) + max − x_t subtracts numbers of size ≤ 2·max|x| + log C.
  scale: ([logits]) => ({
    S: logits.map((row) =>
      (2 * Math.max(...row.map(Math.abs)) + Math.log(row.length) + 1) / logits.length
    ),
    K: logits[0].length + 8,
  }),
  truncation: ([logits], h) => (h * h) / 36 / logits.length,
  // Logit k sits in row ⌊k / C⌋, and moves that row's loss only.
  reaches: (k, o, [logits]) => Math.floor(k / logits[0].length) === o,
  analytic: (backward, args) => ({ logits: backward(...args) as number[][] }),
};

const dropoutCheck: GradCheck<[NestedNumberArray, number, { seed: number }]> = {
  op: "dropoutBackward",
  h: 1e-3,
  // The forward's input: any array of dy's shape (dropout is linear in it).
  inputs: ([dy]) => ({ x: nudged(abs(dy)) }),
  outputs: ({ x }, [, p, { seed }]) => leaves(dropout(x, p, { training: true, seed })),
  dy: ([dy]) => leaves(dy),
  scale: ([dy, p]) => ({ S: leaves(nudged(abs(dy))).map((v) => v / (1 - p)), K: 1 }),
  analytic: (backward, args) => ({ x: backward(...args) as NestedNumberArray }),
};

// ─── The tests ────────────────────────────────────────────────────────────────

const CHECKS: [GradCheck<never>, (...a: never[]) => unknown][] = [
  [reluCheck as GradCheck<never>, reluBackward],
  [linearCheck as GradCheck<never>, linearBackward],
  [convCheck as GradCheck<never>, conv2dLayerBackward],
  [poolCheck as GradCheck<never>, maxPool2dLayerBackward],
  [crossEntropyCheck as GradCheck<never>, crossEntropyBackward],
  [dropoutCheck as GradCheck<never>, dropoutBackward],
];

for (const [check, backward] of CHECKS) {
  Deno.test(`${check.op} agrees with central differences of its forward pass`, () => {
    checkGradients(check, backward);
  });
}

Deno.test("the lecture's 4×4 example: the analytic dweight beside central differences", () => {
  const x = [[[[1, 3, 2, 4], [5, 6, 1, 3], [1, 2, 0, 2], [3, 4, 3, 2]]]];
  const weight = [[[[1, 0, 3], [1, 2, 1], [0, 1, 1]]]];
  const dy = [[[[1, 2, 0, -1], [0, 1, 1, 0], [2, 0, -1, 1], [1, 1, 0, 0]]]];
  const args: [X4, X4, X4, ConvOptions] = [x, weight, dy, { padding: 1 }];
  compare(convCheck, conv2dLayerBackward, args);
  // And one element by hand: dweight[0][0][1][1] (the centre tap) meets every x once.
  const centre = x[0][0].flat().reduce((s, v, k) => s + v * dy[0][0].flat()[k], 0);
  assert.equal(conv2dLayerBackward(...args).dweight[0][0][1][1], centre);
});

const MUTANTS: [string, GradCheck<never>, (...a: never[]) => unknown][] = [
  [
    "conv2dLayerBackward with no kernel flip in dx",
    convCheck as GradCheck<never>,
    conv2dLayerBackwardNoFlip,
  ],
  [
    "conv2dLayerBackward with the stride ignored in dweight",
    convCheck as GradCheck<never>,
    conv2dLayerBackwardStrideIgnored,
  ],
  [
    "crossEntropyBackward without the mean's 1/N",
    crossEntropyCheck as GradCheck<never>,
    crossEntropyBackwardNoMean,
  ],
];

for (const [what, check, mutant] of MUTANTS) {
  Deno.test(`central differences reject ${what}`, () => {
    assert.throws(() => checkGradients(check, mutant, 200), (e: Error) => {
      assert.match(`${e.message} ${(e.cause as Error)?.message}`, /central differences give/);
      return true;
    });
  });
}

Deno.test("dropoutBackward uses dropout's own mask, seed for seed", () => {
  fc.assert(
    fc.property(arbitraryOf(OPS.dropoutBackward), ([dy, p, { seed }]) => {
      assert.deepEqual(dropoutBackward(dy, p, { seed }), dropout(dy, p, { training: true, seed }));
    }),
  );
});

Deno.test("TF.js's webgpu gradient of maxPool sends a tie to the last maximum (the twin turns x)", async () => {
  await useBackend("webgpu");
  const x = tf.tensor4d([1, 1, 1, 1], [1, 2, 2, 1]);
  const dx = tf.grad((t) => tf.maxPool(t as typeof x, 2, 2, "valid"))(x);
  assert.deepEqual(Array.from(await dx.data()), [0, 0, 0, 1]);
  tf.dispose([x, dx]);
});

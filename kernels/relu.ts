/**
 * The rectified linear unit, max(0, x), and its backward pass.
 *
 * ReLU is the lecture CNN's only hidden activation. Its gradient is the simplest of all
 * backward passes: where the input was positive the layer passed its input straight through,
 * so it passes the incoming gradient straight back; where the input was ≤ 0 the output did
 * not depend on it, so nothing flows back. At exactly 0, where the slope is undefined,
 * PyTorch and TF.js both take 0, and so do we.
 *
 * After the functions come their argument checks and each operation's definition (see
 * `op.ts`).
 *
 * @module
 */
import { assertTensor, describeShape, LitconvError } from "./errors.ts";
import { EPS32, maxAbs, UNDERFLOW } from "./float32.ts";
import { grid, LECTURE_X2 } from "./inputs.ts";
import { leaves } from "./nested.ts";
import { type Fc, type Pair, sameNameTwin, type Tf } from "./op.ts";
import { anyTensor, tensorOf } from "./arbitraries.ts";
import type { NestedNumberArray } from "./types.ts";

/**
 * ReLU, element-wise: max(0, x), for an array of any shape.
 *
 * ```ts
 * import { relu } from "./relu.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(relu([[-2, 0], [3, -0.5]]), [[0, 0], [3, 0]]);
 * ```
 */
export function relu<T extends NestedNumberArray>(x: T): T {
  assertTensor("relu", "x", x);
  const walk = (v: NestedNumberArray): NestedNumberArray =>
    Array.isArray(v) ? v.map(walk) : v > 0 ? v : 0;
  return walk(x) as T;
}

/**
 * ReLU's backward pass: the gradient `dy` of the loss with respect to relu(x) becomes the
 * gradient with respect to x, dx = dy where x > 0, else 0.
 *
 * ```ts
 * import { reluBackward } from "./relu.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(reluBackward([-2, 0, 3], [10, 20, 30]), [0, 0, 30]);
 * ```
 */
export function reluBackward<T extends NestedNumberArray>(x: T, dy: T): T {
  checkReluBackward(x, dy);
  const walk = (v: NestedNumberArray, g: NestedNumberArray): NestedNumberArray => {
    if (!Array.isArray(v)) return (v as number) > 0 ? g : 0;
    const grads = g as NestedNumberArray[];
    return v.map((child, i) => walk(child, grads[i]));
  };
  return walk(x, dy) as T;
}

// ─── Argument check ───────────────────────────────────────────────────────────

/** reluBackward: x and dy rectangular, of the same shape (dy is relu(x)'s gradient). */
function checkReluBackward(x: NestedNumberArray, dy: NestedNumberArray): void {
  const fn = "reluBackward";
  const shape = assertTensor(fn, "x", x);
  const dyShape = assertTensor(fn, "dy", dy);
  if (dyShape.join() !== shape.join()) {
    throw new LitconvError(
      fn,
      "dy",
      `has shape ${describeShape(dy)} but relu(x) has the shape of x, ${describeShape(x)}`,
    );
  }
}

// ─── Definitions: TF.js twins, random arguments, tolerances, graded tasks ─────

/** The smallest positive normal float32: below it a number may be flushed to 0 (webgpu). */
const MIN_NORMAL32 = 2 ** -126;

/** Random x of rank 0 to 3 and a dy of the same shape. */
function reluBackwardArgs(fc: Fc) {
  return fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 3 }).chain((shape) =>
    fc.tuple(tensorOf(fc, shape), tensorOf(fc, shape))
  );
}

/** relu and its twin, `tf.relu`. The max is exact: only the rounding of x to float32 differs. */
export const reluOp: Pair<typeof relu> = {
  name: "relu",
  summary: "ReLU, max(0, x), element-wise",
  naive: relu,
  twin: sameNameTwin("relu", assertTensor),
  tolerance: ([x]) => EPS32 * maxAbs(x) + UNDERFLOW,
  arbitrary: (fc) => fc.tuple(anyTensor(fc)),
  task: {
    id: "11.1",
    lesson: "11-backprop",
    title: "ReLU, element-wise, any shape",
    examples: [["the 4×4 example shifted by −3", [[LECTURE_X2.map((r) => r.map((v) => v - 3))]]]],
    edges: [
      ["a number, and exactly 0", [[-2], [0], [[0, -0, 1e-300]]]],
      ["a 4-D batch", [[[[grid(3, 3), grid(3, 3, 2)]]]]],
    ],
    scale: () => 0,
  },
};

/**
 * reluBackward and its twin, TF.js's own gradient of `tf.relu` with `dy` as the upstream
 * gradient. Each element is dy or 0, so the result is exact up to rounding dy (ε32·|dy|),
 * except where x's sign can be lost: a positive x below float32's normal range may round or
 * flush to 0, and then TF.js rightly returns 0 where float64 returns dy.
 */
export const reluBackwardOp: Pair<typeof reluBackward> = {
  name: "reluBackward",
  summary: "ReLU's backward pass: dy where x > 0, else 0",
  naive: reluBackward,
  twin: (tf: Tf, x, dy) => {
    checkReluBackward(x, dy);
    return tf.grad((t) => tf.relu(t))(tf.tensor(x), tf.tensor(dy));
  },
  tolerance: ([x, dy]) => {
    const [xs, gs] = [leaves(x), leaves(dy)];
    const signLost = xs.reduce(
      (m, v, i) => (v > 0 && v < MIN_NORMAL32 ? Math.max(m, Math.abs(gs[i])) : m),
      0,
    );
    return EPS32 * maxAbs(dy) + signLost + UNDERFLOW;
  },
  arbitrary: reluBackwardArgs,
  task: {
    id: "11.2",
    lesson: "11-backprop",
    title: "ReLU's backward pass",
    examples: [[
      "the 4×4 example shifted by −3, dy all ones",
      [[LECTURE_X2.map((r) => r.map((v) => v - 3)), LECTURE_X2.map((r) => r.map(() => 1))]],
    ]],
    edges: [
      ["x exactly 0 passes nothing back", [[[0, -0, 2, -2], [5, 6, 7, 8]]]],
      ["a number", [[3, -4], [-3, 4]]],
      ["a 4-D batch", [[[[grid(3, 3)], [grid(3, 3, 2)]], [[grid(3, 3, 5)], [grid(3, 3, 7)]]]]],
    ],
    scale: () => 0,
  },
};

/**
 * # 05 · Subsampling: max and mean pooling
 *
 * A pooling layer slides a window over its input, as a convolution does, but instead of
 * a weighted sum it keeps one summary of each window: the largest value (**max
 * pooling**) or the average (**mean** or **average pooling**). Written
 * $P_{k_1 \times k_2}$ for a $k_1 \times k_2$ window,
 *
 * $$\text{max: } Y[i, j] = \max_{(a, b) \in \text{window}(i, j)} X[a, b], \qquad
 *   \text{mean: } Y[i, j] = \frac{1}{k_1 k_2} \sum_{(a, b) \in \text{window}(i, j)} X[a, b].$$
 *
 * Pooling has **no parameters** to learn. It earns its place twice over: it shrinks the
 * feature maps (less computation, fewer weights in the dense layers after it, less room
 * to overfit), and max pooling adds a little *local invariance*: a feature that moves by
 * a pixel inside its window gives the same output.
 *
 * Windows usually tile the input (stride = window size, **non-overlapping**), as in the
 * lecture's network, where `MaxPool2d(kernel_size=2)` halves 28×28 maps to 14×14 and then
 * 7×7: PyTorch's `stride` defaults to `kernel_size` when it is not given, and so does the
 * `stride` of our `maxPool2d` and `avgPool2d`. A stride smaller than the window makes them
 * **overlap**, so one input can win in several windows. The output size follows the
 * convolution formula with $p = 0$.
 *
 * @module
 */
import assert from "node:assert/strict";
import { conv2d } from "../kernels/conv.ts";
import { avgPool2d, maxPool2d } from "../kernels/pool.ts";
import { POOL_INPUT } from "../kernels/inputs.ts";
import { tfjs } from "../tfjs/mod.ts";
import { useBackend } from "../accel/backend.ts";
import { formatArray, maxAbsDiff } from "./literate.ts";
import { poolingFigure } from "./figures/pooling.ts";
import { printLesson, show } from "./show.ts";
import { runPair } from "./twins.ts";

export const lesson = {
  url: import.meta.url,
  summary: "Max and mean pooling with overlapping and non-overlapping windows, against " +
    "tf.maxPool and tf.avgPool; invariance to small shifts; mean pooling as a convolution.",
};

/** A 6×6 input to pool (in `kernels/inputs.ts`, which the figure's island and the tests share). */
const X = POOL_INPUT;

/**
 * ## Non-overlapping and overlapping windows
 *
 * $P_{2 \times 2}$ with stride 2 turns the 6×6 input into 3×3; a 3×3 window with stride 2
 * overlaps its neighbours by one row or column and gives 2×2
 * ($\lfloor (6 - 3)/2 \rfloor + 1 = 2$). Both kinds run on the naive kernels
 * (`kernels/pool.ts`) and on their TF.js twins, `tf.maxPool` and `tf.avgPool` with
 * `'valid'` windows.
 */
export const CONFIGS = [
  { name: "2×2, stride 2 (non-overlapping)", options: { size: 2 } },
  { name: "3×3, stride 2 (overlapping)", options: { size: 3, stride: 2 } },
] as const;
show("X", X);
show("Max and mean pooling of X with the same 2×2 windows", () => poolingFigure(X, 2), {
  fig: "FIG 7",
});
for (const { name, options } of CONFIGS) {
  show(`max pooling ${name}`, () => runPair("maxPool2d", [X, options]));
  show(`mean pooling ${name}`, () => runPair("avgPool2d", [X, options]));
}

/**
 * ## Invariance to small shifts
 *
 * Move the bright pixel of a 4×4 image by one step, staying inside the same 2×2
 * window: max pooling cannot tell the difference. Mean pooling cannot either, in this
 * case (the window's sum is the same); move the pixel across a window border and both
 * change. Below, both poolings of all three images.
 */
const dot = (r: number, c: number) =>
  Array.from(
    { length: 4 },
    (_, i) => Array.from({ length: 4 }, (_, j) => (i === r && j === c ? 9 : 0)),
  );
const pooledA = maxPool2d(dot(0, 0), { size: 2 });
const pooledB = maxPool2d(dot(1, 1), { size: 2 });
const pooledC = maxPool2d(dot(1, 2), { size: 2 });
const meanA = avgPool2d(dot(0, 0), { size: 2 });
const meanB = avgPool2d(dot(1, 1), { size: 2 });
const meanC = avgPool2d(dot(1, 2), { size: 2 });
const stack = (ms: number[][][]) => ms.map((m) => formatArray(m)).join("\n\n");
show("a dot at (0,0) / (1,1) / (1,2)", stack([dot(0, 0), dot(1, 1), dot(1, 2)]));
show("max pool 2×2 of each", stack([pooledA, pooledB, pooledC]));
show("mean pool 2×2 of each", stack([meanA, meanB, meanC]));

/**
 * ## Mean pooling is a convolution
 *
 * Averaging a $k \times k$ window is the same as convolving with a kernel whose
 * $k^2$ entries are all $1/k^2$, at stride $k$. (Max has no such form: it is not linear.)
 */
const uniform = [[0.25, 0.25], [0.25, 0.25]];
const meanByConv = conv2d(X, uniform, { stride: 2 });
show("conv2d with a uniform 2×2 kernel, stride 2", meanByConv);

/**
 * ## Claims, checked
 *
 * Every claim above is a test: `deno test -A` runs them (through `tests/lessons_test.ts`).
 */
Deno.test("05: pooled sizes, values by hand, and the TF.js twins agree", async () => {
  await useBackend();
  assert.deepEqual(maxPool2d(X, { size: 2 }), [[6, 9, 2], [3, 8, 6], [8, 3, 9]]);
  assert.deepEqual(avgPool2d(X, { size: 2 })[0], [3.5, 3.75, 1.25]);
  assert.deepEqual(maxPool2d(X, { size: 3, stride: 2 }), [[7, 9], [7, 9]]);
  for (const { options } of CONFIGS) {
    assert.ok(maxAbsDiff(maxPool2d(X, options), await tfjs.maxPool2d(X, options)) < 1e-6);
    assert.ok(maxAbsDiff(avgPool2d(X, options), await tfjs.avgPool2d(X, options)) < 1e-5);
  }
});

Deno.test("05: max and mean pooling ignore a move inside a window, not across one", () => {
  assert.deepEqual(pooledA, pooledB);
  assert.notDeepEqual(pooledB, pooledC);
  assert.deepEqual(meanA, meanB);
  assert.notDeepEqual(meanB, meanC);
});

Deno.test("05: mean pooling equals a uniform convolution at stride k", () => {
  assert.ok(maxAbsDiff(meanByConv, avgPool2d(X, { size: 2 })) < 1e-12);
  const third = Array.from({ length: 3 }, () => [1 / 9, 1 / 9, 1 / 9]);
  assert.ok(maxAbsDiff(conv2d(X, third, { stride: 3 }), avgPool2d(X, { size: 3 })) < 1e-12);
});

/**
 * ## Exercises
 *
 * Start both with `deno task assignment new my-work --tasks 05.1,05.2` and check them
 * with `deno task grade my-work`, which compares your functions with the naive kernels on
 * random inputs, window sizes and strides, overlapping and not, and shows a failing input.
 *
 * 1. **Task 05.1** — write `maxPool2d(X: number[][], options: {size: number | [number,
 *    number], stride?: number | [number, number]}): number[][]` (stride defaults to size).
 * 2. **Task 05.2** — write `avgPool2d(X, options)`, mean pooling with the same signature.
 *    The grader knows the classic bug of dividing by the wrong count (the stride's area
 *    instead of the window's): that version fails.
 */

if (import.meta.main) await printLesson(import.meta.url);

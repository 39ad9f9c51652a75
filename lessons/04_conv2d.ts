/**
 * # 04 · Convolution in two dimensions
 *
 * Images are 2-D, so their kernels are too. The definition carries over one axis at a
 * time: for an input $\boldsymbol X$ of size $n_1 \times n_2$ and a kernel
 * $\boldsymbol W$ of size $m_1 \times m_2$,
 *
 * $$Y[i, j] = \sum_{k_1} \sum_{k_2} X[i - k_1,\, j - k_2]\; W[k_1, k_2],$$
 *
 * and the recipe is the 1-D one applied to both axes: pad $\boldsymbol X$ with zeros
 * ($p_1$ rows above and below, $p_2$ columns left and right), flip $\boldsymbol W$
 * up-down *and* left-right, slide it with strides $(s_1, s_2)$. The output has
 * $\lfloor (n_1 + 2p_1 - m_1)/s_1 \rfloor + 1$ rows and
 * $\lfloor (n_2 + 2p_2 - m_2)/s_2 \rfloor + 1$ columns.
 *
 * @module
 */
import assert from "node:assert/strict";
import { conv2d, conv2dLayer, flipKernel2d } from "../kernels/conv.ts";
import { tfjs } from "../tfjs/mod.ts";
import { currentBackend, tf, useBackend } from "../accel/backend.ts";
import { formatArray, maxAbsDiff } from "./literate.ts";
import { exampleFigure, strideFigure, windowFigure } from "./figures/conv2d.ts";
import { printLesson, show } from "./show.ts";
import { runPair } from "./twins.ts";

export const lesson = {
  url: import.meta.url,
  summary: "The lecture's 4×4 example by hand, by formula and on tf.conv2d; stride in 2-D; " +
    "convolution against the cross-correlation that tf.conv2d and nn.Conv2d compute.",
};

/**
 * ## The lecture's example
 *
 * A 4×4 input, a 3×3 kernel and padding 1 on both axes ("same": the output is 4×4
 * again). `conv2d` in `kernels/conv.ts` pads, flips and slides; the lecture's version
 * prints its flipped kernel $\boldsymbol W^r$ along the way, so we print it too.
 */
const X = [[1, 3, 2, 4], [5, 6, 1, 3], [1, 2, 0, 2], [3, 4, 3, 2]];
const W = [[1, 0, 3], [1, 2, 1], [0, 1, 1]];
show("X", X);
show("W", W);
show("The example: X ∗ W with padding 1", () => exampleFigure(X, W, 1), { fig: "conv2d" });
show("W_rot (W flipped both ways)", flipKernel2d(W), { lecture: "[[1 1 0]\n[1 2 1]\n[3 0 1]]" });
show(
  "Conv2d Implementation (naive, p=(1,1), s=(1,1))",
  () => runPair("conv2d", [X, W, { padding: 1 }]),
  {
    lecture: "Conv2d Implementation:\n[[11. 25. 32. 13.]\n[19. 25. 24. 13.]\n" +
      "[13. 28. 25. 17.]\n[11. 17. 14. 9.]]",
  },
);

/**
 * Each entry of $\boldsymbol Y$ is one window of the padded input times $\boldsymbol W^r$,
 * entry by entry, summed. Here is the window that writes $Y[1][2] = 24$:
 */
show(
  "One window: Wʳ over the padded X, nine products, one sum",
  () => windowFigure(X, W, 1, [1, 2]),
  { fig: "FIG 6" },
);

/**
 * The lecture checks its loop against `scipy.signal.convolve2d(X, W, mode='same')`. Our
 * independent check follows the double sum literally (no padding, no flipping: indices
 * outside $\boldsymbol X$ are skipped) and keeps the centred $n_1 \times n_2$ block.
 */
export function convolve2dSame(X: number[][], W: number[][]): number[][] {
  const [m1, m2] = [W.length, W[0].length];
  const [c1, c2] = [Math.floor((m1 - 1) / 2), Math.floor((m2 - 1) / 2)];
  return X.map((row, i) =>
    row.map((_, j) => {
      let sum = 0;
      for (let k1 = 0; k1 < m1; k1++) {
        for (let k2 = 0; k2 < m2; k2++) {
          const [r, c] = [i + c1 - k1, j + c2 - k2]; // full-mode index i + c1, minus k
          if (r >= 0 && r < X.length && c >= 0 && c < row.length) sum += X[r][c] * W[k1][k2];
        }
      }
      return sum;
    })
  );
}
show("scipy.signal.convolve2d(X, W, 'same') by the formula", convolve2dSame(X, W), {
  lecture: "SciPy Results:\n[[11 25 32 13]\n[19 25 24 13]\n[13 28 25 17]\n[11 17 14 9]]",
});

/**
 * ## Stride in two dimensions
 *
 * With stride 2 the window jumps two pixels at a time, in both directions, and the
 * 4×4 output shrinks to 2×2: it keeps every second row and column of the stride-1
 * result. (The lecture's 2-D loop runs to `(⌊…⌋ + 1) * s` in steps of `s`, so unlike
 * its 1-D loop in lesson 02 it visits the right windows.) Strides may differ per axis:
 * `stride: [1, 2]` halves only the columns.
 */
const strided = conv2d(X, W, { padding: 1, stride: 2 });
const stridedCols = conv2d(X, W, { padding: 1, stride: [1, 2] });
show("Windows at stride 2, and the entries they write", () => strideFigure(X, W, 1, 2), {
  fig: "FIG 5",
});
show("conv2d, p=1, s=2 (naive)", () => runPair("conv2d", [X, W, { padding: 1, stride: 2 }]));
show(
  "conv2d, p=1, s=(1,2) (naive)",
  () => runPair("conv2d", [X, W, { padding: 1, stride: [1, 2] }]),
);

/**
 * ## Convolution or cross-correlation?
 *
 * What deep-learning libraries call a convolution is, strictly, a
 * **cross-correlation**: the kernel slides *without* being flipped,
 *
 * $$Y[i, j] = \sum_{k_1} \sum_{k_2} X[i + k_1,\, j + k_2]\; W[k_1, k_2].$$
 *
 * `tf.conv2d` does this, and so does PyTorch's `nn.Conv2d`, whose naive twin here is
 * `conv2dLayer` (channels first, as in PyTorch; lesson 06 has more channels). For a
 * layer that *learns* its kernel the difference does not matter: it simply learns the
 * flipped kernel. For a kernel written down by hand, as in the lecture, it does: the
 * TF.js twin `tfjs.conv2d` flips $\boldsymbol W$ before calling `tf.conv2d`, and a raw
 * `tf.conv2d` call with $\boldsymbol W$ as given returns the cross-correlation. (TF.js
 * wants images as `[batch, height, width, channels]` and kernels as `[height, width,
 * in, out]`.)
 */
export async function rawTfConv2d(X: number[][], W: number[][], padding: number) {
  const image = tf.pad(tf.tensor4d(X.flat(), [1, X.length, X[0].length, 1]), [
    [0, 0],
    [padding, padding],
    [padding, padding],
    [0, 0],
  ]) as tf.Tensor4D;
  const kernel = tf.tensor4d(W.flat(), [W.length, W[0].length, 1, 1]);
  const out = tf.conv2d(image, kernel, 1, "valid");
  const rows = (await out.array())[0].map((row) => row.map((v) => v[0]));
  tf.dispose([image, kernel, out]);
  return rows;
}

show(
  "tf.conv2d, W as given: cross-correlation",
  async () => `${formatArray(await rawTfConv2d(X, W, 1))}\non ${(await currentBackend()).name}`,
);
show(
  "conv2dLayer (nn.Conv2d), W as given, [N, C, H, W] = [1, 1, 4, 4]",
  () => runPair("conv2dLayer", [[[X]], [[W]], undefined, { padding: 1 }]),
);
show(
  "conv2dLayer with W flipped = conv2d",
  () => runPair("conv2dLayer", [[[X]], [[flipKernel2d(W)]], undefined, { padding: 1 }]),
);

/** `nn.Conv2d` on one image with one channel, one output channel and no bias (for the tests). */
const asLayer = (X: number[][], W: number[][]) =>
  conv2dLayer([[X]], [[W]], undefined, { padding: 1 })[0][0];

/**
 * ## Claims, checked
 *
 * Every claim above is a test: `deno test -A` runs them (through `tests/lessons_test.ts`).
 */
Deno.test("04: the lecture's 4×4 example, by loop, by formula and on TF.js", async () => {
  await useBackend();
  const naive = conv2d(X, W, { padding: 1 });
  assert.deepEqual(naive, [[11, 25, 32, 13], [19, 25, 24, 13], [13, 28, 25, 17], [11, 17, 14, 9]]);
  assert.deepEqual(convolve2dSame(X, W), naive);
  assert.ok(maxAbsDiff(naive, await tfjs.conv2d(X, W, { padding: 1 })) < 1e-4);
});

Deno.test("04: stride keeps every s-th row and column of the stride-1 result", async () => {
  const full = conv2d(X, W, { padding: 1 });
  assert.deepEqual(strided, [[full[0][0], full[0][2]], [full[2][0], full[2][2]]]);
  assert.deepEqual(stridedCols, full.map((row) => [row[0], row[2]]));
  assert.ok(maxAbsDiff(strided, await tfjs.conv2d(X, W, { padding: 1, stride: 2 })) < 1e-4);
});

Deno.test("04: tf.conv2d and nn.Conv2d cross-correlate: equal to conv2d of the flipped W", async () => {
  await useBackend();
  const naive = conv2d(X, W, { padding: 1 });
  const raw = await rawTfConv2d(X, W, 1);
  assert.ok(maxAbsDiff(raw, naive) > 1, "an asymmetric W must tell the two apart");
  assert.ok(maxAbsDiff(raw, asLayer(X, W)) < 1e-4);
  assert.deepEqual(asLayer(X, flipKernel2d(W)), naive);
  assert.ok(maxAbsDiff(await rawTfConv2d(X, flipKernel2d(W), 1), naive) < 1e-4);
});

/**
 * ## Exercises
 *
 * 1. **Task 04.1** — write `conv2d(X: number[][], W: number[][], options: {padding?: number |
 *    [number, number], stride?: number | [number, number]}): number[][]`. Start with
 *    `deno task assignment new my-work --tasks 04.1`, then `deno task grade my-work`: the
 *    grader compares it with the naive kernel on random sizes, paddings and strides per
 *    axis (a missing flip or an off-by-one in the padding fails) and shows a failing input.
 * 2. Practice (not graded): write `crossCorrelate2d(X: number[][], W: number[][]):
 *    number[][]` (valid, stride 1) and compare it with `conv2dLayer` on one channel, and
 *    with `rawTfConv2d(X, W, 0)`, on a few inputs.
 */

if (import.meta.main) await printLesson(import.meta.url);

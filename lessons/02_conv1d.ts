/**
 * # 02 · Convolution in one dimension
 *
 * A discrete convolution slides a small array of weights, the *filter* or *kernel*
 * $\boldsymbol w$, along an input $\boldsymbol x$ and writes one weighted sum per position:
 *
 * $$y[i] = (\boldsymbol x * \boldsymbol w)[i] = \sum_{k} x[i - k]\, w[k].$$
 *
 * Read the index $i - k$ carefully: as $k$ walks *forward* through the kernel, the input
 * is read *backwards*. Computing it as a sliding dot product therefore takes three steps:
 *
 * 1. **pad** $\boldsymbol x$ with $p$ zeros on each side, so windows may hang over the edge;
 * 2. **flip** the kernel, $\boldsymbol w^r$ = $\boldsymbol w$ reversed;
 * 3. **slide** $\boldsymbol w^r$ along the padded input in steps of $s$ (the **stride**),
 *    taking a dot product at each stop.
 *
 * Before we convolve, a short detour through array reversal and slicing, because the
 * lecture writes the flip as NumPy's `w[::-1]`.
 *
 * @module
 */
import { LitconvError } from "../kernels/errors.ts";
import assert from "node:assert/strict";
import { conv1d, flipKernel2d } from "../kernels/conv.ts";
import { tfjs } from "../tfjs/mod.ts";
import { currentBackend, tf, useBackend } from "../accel/backend.ts";
import { formatArray, maxAbsDiff } from "./literate.ts";
import { padFlipFigure, slideFigure } from "./figures/conv1d.ts";
import { printLesson, show } from "./show.ts";
import { runPair } from "./twins.ts";

export const lesson = {
  url: import.meta.url,
  summary: "Slicing and flipping arrays, zero padding and stride; conv1d by hand against " +
    "NumPy's convolve and tf.conv1d, and the lecture's stride loop that stops too early.",
};

/**
 * ## Slicing like Python
 *
 * Python's `a[start:stop:step]` picks every `step`-th element from `start` up to (not
 * including) `stop`; a negative step walks backwards, a negative index counts from the
 * end. TypeScript has no such syntax, so here is a small function with the same rules.
 */
export function pySlice<T>(a: readonly T[], start?: number, stop?: number, step = 1): T[] {
  if (step === 0 || !Number.isInteger(step)) {
    throw new LitconvError("pySlice", "step", `must be a non-zero whole number, got ${step}`);
  }
  const n = a.length;
  const clamp = (v: number | undefined, fallback: number) => {
    if (v === undefined) return fallback;
    const i = v < 0 ? v + n : v;
    return step > 0 ? Math.min(Math.max(i, 0), n) : Math.min(Math.max(i, -1), n - 1);
  };
  const from = clamp(start, step > 0 ? 0 : n - 1);
  const to = clamp(stop, step > 0 ? n : -1);
  const out: T[] = [];
  for (let i = from; step > 0 ? i < to : i > to; i += step) out.push(a[i]);
  return out;
}

/** And Python's `range(start, stop, step)`, which the lecture's loops use. */
export function range(start: number, stop: number, step = 1): number[] {
  if (step === 0) throw new LitconvError("range", "step", "must not be 0");
  const out: number[] = [];
  for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(i);
  return out;
}

/**
 * The lecture's examples (after printing its library versions, PyTorch 1.10.1 and NumPy
 * 1.22.0; we print Deno's and TF.js's, which nothing compares): reverse a kernel, then slice
 * a 4×5 matrix by rows. On a
 * matrix, `w[::-2]` takes every second row starting from the last one, and `w[:-2]`
 * drops the last two rows.
 */
const w = [1, 0, 3, 1, 2];
const m = Array.from({ length: 4 }, () => new Array<number>(5).fill(0));
m[2][3] = -17;
m[1][2] = 3;
m[3][1] = 2;
show("Deno version", Deno.version.deno);
show("TF.js version", tf.version.tfjs);
show("w", w);
show("np.shape(w)", `[${w.length}]`, { lecture: "(5,)" });
show("w[::-1]", pySlice(w, undefined, undefined, -1), { lecture: "[2, 1, 3, 0, 1]" });
show("np.shape of the 4×5 w", `[${m.length}, ${m[0].length}]`, { lecture: "(4, 5)" });
show("4×5 w", m, {
  lecture: "array([[ 0., 0., 0., 0., 0.],\n[ 0., 0., 3., 0., 0.],\n" +
    "[ 0., 0., 0., -17., 0.],\n[ 0., 2., 0., 0., 0.]])",
});
show("w[::-2]", pySlice(m, undefined, undefined, -2), {
  lecture: "array([[0., 2., 0., 0., 0.],\n[0., 0., 3., 0., 0.]])",
});
show("w[:-2]", pySlice(m, undefined, -2), {
  lecture: "array([[0., 0., 0., 0., 0.],\n[0., 0., 3., 0., 0.]])",
});
show("range(0, 10, 2)", range(0, 10, 2), { lecture: "0\n2\n4\n6\n8" });

/**
 * ## Convolving by hand
 *
 * The lecture's test: $\boldsymbol x$ of length 8, the 5-tap kernel above and $p = 2$. With
 * $p = (m - 1)/2$, for an odd kernel length $m$ and stride 1, the output has the input's
 * length: NumPy calls that mode `'same'`. Our `conv1d` (in `kernels/conv.ts`) pads, flips
 * and slides exactly as the three steps say.
 *
 * To check it against something that does *not* pad or flip, `convolveSame` below
 * follows the formula $\sum_k x[i - k]\, w[k]$ literally, skipping indices that fall
 * outside $\boldsymbol x$, and keeps the centred part of the result, like
 * `np.convolve(x, w, mode='same')`.
 */
const x = [1, 3, 2, 4, 5, 6, 1, 3];

export function convolveSame(x: number[], w: number[]): number[] {
  const full = Array.from({ length: x.length + w.length - 1 }, (_, i) => {
    let sum = 0;
    for (let k = 0; k < w.length; k++) {
      if (i - k >= 0 && i - k < x.length) sum += x[i - k] * w[k];
    }
    return sum;
  });
  const start = Math.floor((w.length - 1) / 2);
  return full.slice(start, start + x.length);
}

/**
 * Two pictures of the three steps, drawn by `conv1d` itself: the input padded with
 * $p = 2$ zeros a side and the kernel flipped, then the flipped kernel over one window,
 * the products it takes and the output entry their sum becomes.
 */
show("Pad, then flip: x with two zeros a side, w reversed", () => padFlipFigure(x, w, 2), {
  fig: "FIG 2",
});
show("Slide: the flipped kernel over window 3 writes y[3]", () => slideFigure(x, w, 2, 3), {
  fig: "FIG 3",
});

/**
 * The lecture's test cell prints the flipped kernel, its shape and its length before the
 * convolution itself; so do we (TypeScript arrays have a `length`, not a shape).
 */
const wFlipped = pySlice(w, undefined, undefined, -1);
show("x", x);
show("w[::-1]", wFlipped, { lecture: "[2 1 3 0 1]" });
show("np.shape(w[::-1])", `[${wFlipped.length}]`, { lecture: "(5,)" });
show("w[::-1].shape[0]", wFlipped.length, { lecture: "5" });
show("Conv1d Implementation", () => runPair("conv1d", [x, w, { padding: 2 }]), {
  lecture: "Conv1d Implementation: [ 5. 14. 16. 26. 24. 34. 19. 22.]",
});
show("np.convolve(x, w, mode='same') by the formula", convolveSame(x, w), {
  lecture: "Numpy Results: [ 5 14 16 26 24 34 19 22]",
});

/**
 * ## The TF.js twin
 *
 * `tf.conv1d` does **not** flip its kernel: like PyTorch's `nn.Conv1d` and Keras's `Conv1D`
 * it computes *cross-correlation*, $\sum_k x[i + k]\, w[k]$. The twin `tfjs.conv1d` therefore
 * reverses $\boldsymbol w$ before handing it over, and then agrees with the naive loop.
 * Calling `tf.conv1d` with the kernel as given answers a different question; the
 * function below shows that raw call (TF.js wants the input as `[batch, width,
 * channels]` and the kernel as `[width, in, out]`).
 */
export async function rawTfConv1d(x: number[], w: number[], padding: number): Promise<number[]> {
  const input = tf.pad(tf.tensor3d(x, [1, x.length, 1]), [[0, 0], [padding, padding], [0, 0]]);
  const kernel = tf.tensor3d(w, [w.length, 1, 1]);
  const out = tf.conv1d(input, kernel, 1, "valid");
  const values = Array.from(await out.data());
  tf.dispose([input, kernel, out]);
  return values;
}
show(
  "tf.conv1d, kernel as given (cross-correlation)",
  async () => `${formatArray(await rawTfConv1d(x, w, 2))} on ${(await currentBackend()).name}`,
);
show(
  "tf.conv1d, kernel flipped by hand",
  async () =>
    `${formatArray(await rawTfConv1d(x, [...w].reverse(), 2))} on ${(await currentBackend()).name}`,
);

/**
 * ## Stride, and the lecture's loop
 *
 * With stride $s$ the output has $o = \lfloor (n + 2p - m)/s \rfloor + 1$ entries (lesson 03
 * derives this formula), and output $j$ reads the window that starts at $j \cdot s$. The
 * lecture's 1-D loop, `for i in range(0, o, s)`, uses the window's *start* as its loop
 * variable, which is right, but stops it at $o$, the number of *outputs*. The last window
 * starts at $(o - 1)s$, so the bound should be $(o - 1)s + 1$; with $o$ the loop visits
 * only the first $\lceil o/s \rceil$ windows when $s > 1$ and silently returns a short
 * answer. (The book's own code repository has the 1-D loop right, and the lecture's 2-D
 * loop in lesson 04 multiplies its bound by $s$.) Here it is, copied faithfully, and
 * beside it the same loop with the bound corrected:
 */
export function lectureConv1d(x: number[], w: number[], p = 0, s = 1): number[] {
  const wRot = [...w].reverse();
  const zeros = new Array<number>(p).fill(0);
  const xPadded = [...zeros, ...x, ...zeros];
  const res: number[] = [];
  for (let i = 0; i < Math.floor((xPadded.length - wRot.length) / s) + 1; i += s) {
    res.push(wRot.reduce((sum, wk, k) => sum + xPadded[i + k] * wk, 0));
  }
  return res;
}

export function lectureLoopFixed(x: number[], w: number[], p = 0, s = 1): number[] {
  const wRot = [...w].reverse();
  const zeros = new Array<number>(p).fill(0);
  const xPadded = [...zeros, ...x, ...zeros];
  const o = Math.floor((xPadded.length - wRot.length) / s) + 1;
  const res: number[] = [];
  for (let i = 0; i < (o - 1) * s + 1; i += s) {
    res.push(wRot.reduce((sum, wk, k) => sum + xPadded[i + k] * wk, 0));
  }
  return res;
}
show("conv1d, p=2, s=2", () => runPair("conv1d", [x, w, { padding: 2, stride: 2 }]));
show("lecture's loop, p=2, s=2 (bound o)", lectureConv1d(x, w, 2, 2));
show("lecture's loop, p=2, s=2, bound (o − 1)s + 1", lectureLoopFixed(x, w, 2, 2));

/**
 * For $s = 1$ the bounds $o$ and $(o - 1)s + 1$ coincide, which is why the bug survives a
 * quick test. For $s = 2$ the correct answer has 4 entries and the lecture's loop
 * returns 2. The suite keeps this loop as a *mutant* in `tests/mutants_test.ts`: the property test
 * that compares `conv1d` with its TF.js twin over random inputs and strides must reject it,
 * and a test asserts that it does.
 *
 * ## Two dimensions, one flip each way
 *
 * In 2-D the kernel is flipped along both axes, `W[::-1, ::-1]`: up-down and left-right,
 * which is the same as rotating it by 180°.
 */
const w3 = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
w3[1][2] = -1;
w3[0][1] = 3;
w3[2][1] = 2;
show("3×3 w", w3, { lecture: "[[ 0. 3. 0.]\n[ 0. 0. -1.]\n[ 0. 2. 0.]]" });
show("w[::-1, ::-1]", flipKernel2d(w3), {
  lecture: "array([[ 0., 2., 0.],\n[-1., 0., 0.],\n[ 0., 3., 0.]])",
});

/**
 * ## Claims, checked
 *
 * Every claim above is a test: `deno test -A` runs them (through `tests/lessons_test.ts`).
 */
Deno.test("02: Python-style slicing and range", () => {
  assert.deepEqual(pySlice(w, undefined, undefined, -1), [2, 1, 3, 0, 1]);
  assert.deepEqual(pySlice(m, undefined, undefined, -2), [m[3], m[1]]);
  assert.deepEqual(pySlice(m, undefined, -2), [m[0], m[1]]);
  assert.deepEqual(pySlice([0, 1, 2, 3, 4], 3, 0, -1), [3, 2, 1]);
  assert.deepEqual(pySlice([0, 1, 2, 3, 4], -2), [3, 4]);
  assert.deepEqual(range(0, 10, 2), [0, 2, 4, 6, 8]);
  assert.deepEqual(range(3, 0), []);
});

Deno.test("02: conv1d matches the formula, the TF.js twin, and the lecture's numbers", async () => {
  await useBackend();
  const naive = conv1d(x, w, { padding: 2 });
  assert.deepEqual(naive, [5, 14, 16, 26, 24, 34, 19, 22]);
  assert.deepEqual(convolveSame(x, w), naive);
  assert.ok(maxAbsDiff(naive, await tfjs.conv1d(x, w, { padding: 2 })) < 1e-4);
  // Without the flip, tf.conv1d computes something else…
  assert.ok(maxAbsDiff(naive, await rawTfConv1d(x, w, 2)) > 1);
  // …and with the kernel reversed by hand, the same thing.
  assert.ok(maxAbsDiff(naive, await rawTfConv1d(x, [...w].reverse(), 2)) < 1e-4);
});

Deno.test("02: the lecture's loop is right for stride 1, short for stride 2; (o − 1)s + 1 fixes it", () => {
  assert.deepEqual(lectureConv1d(x, w, 2, 1), conv1d(x, w, { padding: 2 }));
  const right = conv1d(x, w, { padding: 2, stride: 2 });
  const wrong = lectureConv1d(x, w, 2, 2);
  assert.equal(right.length, 4);
  assert.equal(wrong.length, 2);
  assert.deepEqual(wrong, right.slice(0, 2)); // the windows it does visit are right
  for (const [p, s] of [[0, 1], [2, 2], [2, 3], [1, 4]]) {
    assert.deepEqual(lectureLoopFixed(x, w, p, s), conv1d(x, w, { padding: p, stride: s }));
  }
});

Deno.test("02: the 2-D flip reverses both axes, and twice is the identity", () => {
  assert.deepEqual(flipKernel2d(w3), [[0, 2, 0], [-1, 0, 0], [0, 3, 0]]);
  assert.deepEqual(flipKernel2d(flipKernel2d(w3)), w3);
});

/**
 * ## Exercises
 *
 * 1. **Task 02.1** — write `conv1d(x: number[], w: number[], options: {padding?: number,
 *    stride?: number}): number[]` yourself: pad, flip, slide. Start with
 *    `deno task assignment new my-work --tasks 02.1`, write the function in the folder it
 *    makes, and run `deno task grade my-work`: the grader compares your function with the
 *    naive kernel on random inputs, paddings and strides (so the lecture's short loop fails)
 *    and shows the smallest input it disagrees on.
 * 2. Practice (not graded): write `crossCorrelate1d(x: number[], w: number[]): number[]`
 *    (no padding, stride 1, no flip), and confirm on a few inputs that it equals
 *    `conv1d(x, w reversed)` and `rawTfConv1d(x, w, 0)`.
 */

if (import.meta.main) await printLesson(import.meta.url);

/**
 * # 01 · The building blocks of a CNN
 *
 * Convolutional networks borrow an idea from neuroscience. Experiments in the late 1950s
 * on the visual cortex of cats found neurons that fire only for a pattern in one small
 * part of the visual field, and found that the first stages react to simple things
 * (edges, lines) while later stages react to combinations of them (shapes). A CNN is
 * built the same way: its early layers turn raw pixels into *feature maps* of low-level
 * features, and its last layers, fully connected as in an ordinary multilayer
 * perceptron, use those features to predict a label.
 *
 * Each entry of a feature map looks at a small patch of the input only, its
 * *local receptive field*. Two ideas make that work well on images:
 *
 * - **sparse connectivity**: one output depends on a few neighbouring pixels, not on the
 *   whole image as in a dense layer;
 * - **parameter sharing**: the same few weights (the kernel) are used at every position,
 *   so a feature is detected wherever it appears.
 *
 * This lesson measures both, by counting parameters and by poking pixels.
 *
 * @module
 */
import assert from "node:assert/strict";
import { conv2d } from "../kernels/conv.ts";
import { useBackend } from "../accel/backend.ts";
import { imageRows, loadMnist } from "../data/mnist.ts";
import { buildModel } from "../training/model.ts";
import { connectivityFigure } from "./figures/conv1d.ts";
import { featureMapFigure } from "./figures/conv2d.ts";
import { printLesson, show } from "./show.ts";
import { exactPair, runPair } from "./twins.ts";

export const lesson = {
  url: import.meta.url,
  summary: "Feature maps of a real digit, sparse connectivity and parameter sharing counted: " +
    "a 5×5 convolution against a dense layer on a 28×28 image, and the roles of " +
    "convolution, pooling and dense layers.",
};

/**
 * ## A feature map and its receptive field
 *
 * Here is the idea in one picture, computed rather than drawn: the first training digit of
 * MNIST (a 3), two 5×5 kernels, one that responds to vertical edges and one to horizontal
 * ones, and the two feature maps that `conv2d` makes from the digit (padding 2 keeps them
 * 28×28). A feature map is large where the digit looks like its kernel: the first lights up
 * along the strokes' left and right sides, the second along their tops and bottoms. The
 * marked output depends on the marked 5×5 patch of pixels and on nothing else.
 */
const stripes = [-1, -1, 0, 1, 1];
export const verticalEdges = stripes.map(() => [...stripes]);
export const horizontalEdges = stripes.map((v) => stripes.map(() => v));
show(
  "A digit, two 5×5 kernels, their feature maps, and one output's receptive field",
  () =>
    featureMapFigure(imageRows(loadMnist().train, 0), [
      { name: "vertical edges", W: verticalEdges },
      { name: "horizontal edges", W: horizontalEdges },
    ], "train[0], a 3"),
  { fig: "FIG 1" },
);

/**
 * ## Counting parameters
 *
 * A dense layer connects every input to every output: $n_{\text{in}} \cdot n_{\text{out}}$
 * weights plus one bias per output. A convolutional layer has one $k \times k$ kernel per
 * pair of input and output channels plus one bias per output channel, and *nothing* in its
 * count depends on the size of the image.
 */
export function denseParams(inputs: number, outputs: number): number {
  return inputs * outputs + outputs;
}

export function convParams(kernel: number, inChannels: number, outChannels: number): number {
  return kernel * kernel * inChannels * outChannels + outChannels;
}

/**
 * Take a 28×28 grey image (an MNIST digit) and ask for one 28×28 feature map. A dense
 * layer needs $784 \cdot 784 + 784 = 615{,}440$ parameters for it; a 5×5 convolution
 * (padding 2 keeps the size) needs $25 + 1 = 26$, more than 20,000 times fewer. Both
 * ideas contribute to that factor, and it splits cleanly in two steps:
 *
 * 1. **local connections alone**: give each of the 784 outputs its *own* 5×5 window of
 *    weights and its own bias (a "locally connected" layer, nothing shared). That is
 *    $784 \cdot 25 + 784 = 20{,}384$ parameters, about 30 times fewer than dense;
 * 2. **sharing** those windows: all 784 positions use one kernel and one bias, 26
 *    parameters, another factor of exactly 784.
 *
 * The two factors multiply to the whole saving; the code below computes each.
 */
const pixels = 28 * 28;
const denseCount = denseParams(pixels, pixels);
/** One k×k window and one bias per output position, nothing shared. */
export function locallyConnectedParams(positions: number, kernel: number): number {
  return positions * kernel * kernel + positions;
}
const localCount = locallyConnectedParams(pixels, 5);
const convCount = convParams(5, 1, 1);
show("dense 784 → 784, parameters", denseCount);
show("locally connected 5×5 (one window per output, nothing shared), parameters", localCount);
show("conv 5×5, 1 → 1 channel, parameters", convCount);
show(
  "saving: dense / local (sparse connectivity) × local / conv (sharing) = total",
  `${(denseCount / localCount).toFixed(1)} × ${localCount / convCount} = ${
    Math.round(denseCount / convCount)
  }`,
);

/**
 * ## Sparse connectivity, by experiment
 *
 * Light up a single pixel of a black image and see which outputs notice. With a 5×5
 * kernel only the 25 outputs whose window covers that pixel change; in a dense layer
 * every one of the 784 outputs would.
 */
export function outputsTouchedByOnePixel(size: number, kernel: number, at: [number, number]) {
  const image = Array.from({ length: size }, () => new Array<number>(size).fill(0));
  image[at[0]][at[1]] = 1;
  const ones = Array.from({ length: kernel }, () => new Array<number>(kernel).fill(1));
  const map = conv2d(image, ones, { padding: (kernel - 1) / 2 });
  return map.flat().filter((v) => v !== 0).length;
}
show("outputs changed by one pixel (conv 5×5)", outputsTouchedByOnePixel(28, 5, [14, 14]));
show("outputs changed by one pixel (dense)", pixels);

/**
 * The same experiment in one dimension, small enough to draw: light each of 8 inputs in
 * turn and connect it to the outputs of `conv1d` that change (a kernel of 3, padding 1).
 * Each output hears from 3 neighbours, and each colour is one of the kernel's 3 weights,
 * used again at every position: sparse connectivity and parameter sharing at a glance.
 */
show(
  "Sparse connectivity and shared weights (convolution) against a dense layer",
  () => connectivityFigure(8, [1, 2, 3], 1),
);

/**
 * ## Parameter sharing, by experiment
 *
 * Because one kernel slides over the whole image, moving the input moves the feature map
 * with it: a vertical-edge detector finds the edge wherever it is. Below, an image with an
 * edge in column 3 and the same image shifted one column right give the same response,
 * one column apart. (A dense layer has separate weights for every position, so it would
 * have to learn the edge again at each one.)
 */
const edgeKernel = [[1, 0, -1], [1, 0, -1], [1, 0, -1]];
const edgeImage = (col: number) =>
  Array.from({ length: 5 }, () => Array.from({ length: 8 }, (_, c) => (c >= col ? 9 : 0)));
const response = conv2d(edgeImage(3), edgeKernel);
const responseShifted = conv2d(edgeImage(4), edgeKernel);
show("edge kernel", edgeKernel);
show("image, edge at column 3", edgeImage(3));
show(
  "conv2d(image, kernel), edge at column 3",
  () => runPair("conv2d", [edgeImage(3), edgeKernel, {}]),
);
show(
  "conv2d(image shifted right by one, kernel)",
  () => runPair("conv2d", [edgeImage(4), edgeKernel, {}]),
);

/**
 * ## Who learns what
 *
 * A CNN stacks three kinds of layers. *Convolutional* layers have learnable kernels and
 * biases; *subsampling* (pooling) layers have no parameters at all, they only summarise
 * neighbourhoods; *fully connected* layers at the end have learnable weights again, and
 * most of them. The TF.js twin of this lesson is the lecture's network itself
 * (`training/model.ts`): TF.js counts its parameters, and our two formulas must agree.
 */
/** Our formulas for each layer of the lecture's CNN (pooling, flatten, dropout: none). */
export function formulaParams(layer: string): number | undefined {
  const counts: Record<string, number> = {
    conv1: convParams(5, 1, 32),
    conv2: convParams(5, 32, 64),
    fc1: denseParams(7 * 7 * 64, 1024),
    fc2: denseParams(1024, 10),
  };
  return counts[layer];
}

export async function layerTable() {
  await useBackend();
  const model = buildModel("lecture", 1);
  try {
    return model.layers.map((layer) => ({
      name: layer.name,
      kind: layer.getClassName(),
      params: layer.countParams(),
    }));
  } finally {
    model.dispose();
  }
}

show("the lecture's CNN, per layer, by our formulas; twin: TF.js's countParams", async () => {
  const table = await layerTable();
  const row = (name: string, kind: string, n: number) =>
    `${name.padEnd(8)} ${kind.padEnd(13)} ${String(n).padStart(9)}`;
  const total = (counts: number[]) =>
    `${"total".padEnd(22)} ${String(counts.reduce((s, v) => s + v, 0)).padStart(9)}`;
  const byFormula = table.map((r) => formulaParams(r.name) ?? 0);
  const byTf = table.map((r) => r.params);
  return exactPair(
    byFormula,
    [...table.map((r, i) => row(r.name, r.kind, byFormula[i])), total(byFormula)].join("\n"),
    byTf,
    [...table.map((r) => row(r.name, r.kind, r.params)), total(byTf)].join("\n"),
  );
});

/**
 * ## Claims, checked
 *
 * Every claim above is a test: `deno test -A` runs them (through `tests/lessons_test.ts`).
 */
Deno.test("01: the formulas match TF.js's parameter counts for every layer", async () => {
  const table = await layerTable();
  const byName = Object.fromEntries(table.map((r) => [r.name, r.params]));
  for (const name of ["conv1", "conv2", "fc1", "fc2"]) {
    assert.equal(byName[name], formulaParams(name), name);
  }
  for (const r of table) {
    if (/Pooling|Flatten|Dropout/.test(r.kind)) assert.equal(r.params, 0, r.name);
  }
});

Deno.test("01: the counts of the opening: 615,440 dense, 20,384 local, 26 shared", () => {
  assert.deepEqual([denseCount, localCount, convCount], [615_440, 20_384, 26]);
  assert.deepEqual(
    ["conv1", "conv2", "fc1", "fc2"].map(formulaParams),
    [832, 51_264, 3_212_288, 10_250],
  );
});

Deno.test("01: a 5×5 conv touches 25 outputs per pixel, fewer at the border", () => {
  assert.equal(denseCount / convCount > 20_000, true);
  // The saving is the product of the two ideas: ≈ 30× from locality, 784× from sharing.
  assert.equal(localCount, 20_384);
  assert.equal(Math.round(denseCount / localCount), 30);
  assert.equal(localCount / convCount, pixels);
  assert.equal(outputsTouchedByOnePixel(28, 5, [14, 14]), 25);
  assert.equal(outputsTouchedByOnePixel(28, 3, [14, 14]), 9);
  assert.equal(outputsTouchedByOnePixel(28, 5, [0, 0]), 9); // a corner pixel: 3×3 windows
});

Deno.test("01: shifting the input shifts the feature map (shared weights)", () => {
  assert.notDeepEqual(response, responseShifted);
  for (let r = 0; r < response.length; r++) {
    assert.deepEqual(responseShifted[r].slice(1), response[r].slice(0, -1));
  }
});

/**
 * ## Exercises
 *
 * This lesson has no graded task; these two are practice, and you check them yourself.
 *
 * 1. Write `convParamCount(kernel: [number, number], inChannels: number, outChannels:
 *    number, bias?: boolean): number` for rectangular kernels, with or without biases.
 *    Compare it with TF.js's `countParams()` on a few `tf.layers.conv2d` layers of your
 *    choosing (as `layerTable` does above).
 * 2. Write `receptiveField(layers: {kernel: number, stride: number}[]): number`: the side
 *    of the square of input pixels that one output of a stack of convolutions and
 *    poolings sees. For the lecture's network (conv 5, pool 2, conv 5, pool 2) it is 16.
 *    Confirm it by poking pixels through `conv2d` and `maxPool2d`, as
 *    `outputsTouchedByOnePixel` does for one layer.
 */

if (import.meta.main) await printLesson(import.meta.url);

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
import { buildModel } from "../training/model.ts";
import { type Example, formatArray, type LessonMeta, printExamples } from "./literate.ts";
import { exactTwin, runPair } from "./twins.ts";

export const lesson: LessonMeta = {
  slug: "01-building-blocks",
  title: "The building blocks of a CNN",
  order: 1,
  summary: "Sparse connectivity and parameter sharing, counted: a 5×5 convolution against a " +
    "dense layer on a 28×28 image, and the roles of convolution, pooling and dense layers.",
};

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
const SHARING = "Parameter sharing, by experiment";
const response = conv2d(edgeImage(3), edgeKernel);
const responseShifted = conv2d(edgeImage(4), edgeKernel);

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

export async function examples(): Promise<Example[]> {
  const table = await layerTable();
  const rows = table.map((r) =>
    `${r.name.padEnd(8)} ${r.kind.padEnd(13)} ${String(r.params).padStart(9)}`
  );
  const total = table.reduce((s, r) => s + r.params, 0);
  // The formulas' counts, layer by layer, against TF.js's countParams (exact: tolerance 0).
  const byFormula = table.map((r) => formulaParams(r.name) ?? 0);
  const formulaRows = table.map((r, i) =>
    `${r.name.padEnd(8)} ${r.kind.padEnd(13)} ${String(byFormula[i]).padStart(9)}`
  );
  const sumFormula = byFormula.reduce((s, v) => s + v, 0);
  const edge = await runPair<number[][]>("conv2d", [edgeImage(3), edgeKernel, {}]);
  const edgeShifted = await runPair<number[][]>("conv2d", [edgeImage(4), edgeKernel, {}]);
  const counting = "Counting parameters";
  return [
    { label: "dense 784 → 784, parameters", value: String(denseCount), section: counting },
    {
      label: "locally connected 5×5 (one window per output, nothing shared), parameters",
      value: String(localCount),
      section: counting,
    },
    { label: "conv 5×5, 1 → 1 channel, parameters", value: String(convCount), section: counting },
    {
      label: "saving: dense / local (sparse connectivity) × local / conv (sharing) = total",
      value: `${(denseCount / localCount).toFixed(1)} × ${localCount / convCount} = ${
        Math.round(denseCount / convCount)
      }`,
      section: counting,
    },
    {
      label: "outputs changed by one pixel (conv 5×5)",
      value: String(outputsTouchedByOnePixel(28, 5, [14, 14])),
      section: "Sparse connectivity, by experiment",
    },
    {
      label: "outputs changed by one pixel (dense)",
      value: String(pixels),
      section: "Sparse connectivity, by experiment",
    },
    { label: "edge kernel", value: formatArray(edgeKernel), section: SHARING },
    { label: "image, edge at column 3", value: formatArray(edgeImage(3)), section: SHARING },
    {
      label: "conv2d(image, kernel), edge at column 3",
      value: formatArray(edge.naive),
      section: SHARING,
      twin: edge.twin,
    },
    {
      label: "conv2d(image shifted right by one, kernel)",
      value: formatArray(edgeShifted.naive),
      section: SHARING,
      twin: edgeShifted.twin,
    },
    {
      label: "the lecture's CNN, per layer, by our formulas",
      value: [...formulaRows, `${"total".padEnd(22)} ${String(sumFormula).padStart(9)}`].join("\n"),
      section: "Who learns what",
      twin: await exactTwin(
        byFormula,
        table.map((r) => r.params),
        [...rows, `${"total".padEnd(22)} ${String(total).padStart(9)}`].join("\n"),
      ),
    },
  ];
}

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

if (import.meta.main) printExamples(await examples());

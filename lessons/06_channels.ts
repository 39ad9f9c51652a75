/**
 * # 06 · Several channels in, several channels out
 *
 * A colour image is not one matrix but three, one per **channel** (red, green, blue), and
 * the feature maps inside a CNN have as many channels as the layer before had *output
 * channels* (also called filters: one per feature it detects). So a convolutional layer
 * takes an input of shape $C_{\text{in}} \times H \times W$ and owns a separate
 * $m_1 \times m_2$ kernel for every pair of input and output channel: its weights have
 * shape $C_{\text{out}} \times C_{\text{in}} \times m_1 \times m_2$, plus one bias per
 * output channel. Output channel $k$ adds up what every input channel contributes:
 *
 * $$Z[k] = \sum_{c=1}^{C_{\text{in}}} X[c] \star W[k, c] + b_k,$$
 *
 * where $\star$ is the cross-correlation of lesson 04 (what `nn.Conv2d` computes), and an
 * activation function follows. A batch of $N$ images adds one more axis in front.
 *
 * @module
 */
import assert from "node:assert/strict";
import { decode } from "../deps/fast_png.ts";
import { conv2dLayer } from "../kernels/conv.ts";
import { tfjs } from "../tfjs/mod.ts";
import { currentBackend, useBackend } from "../accel/backend.ts";
import { Rng } from "../kernels/rng.ts";
import { formatArray, formatDiff, maxAbsDiff } from "./literate.ts";
import { maskFigure, multiChannelFigure, rgbChannelsFigure } from "./figures/channels.ts";
import { printLesson, show } from "./show.ts";
import { exactPair, runPair } from "./twins.ts";

export const lesson = {
  url: import.meta.url,
  summary: "Multi-channel convolution (conv2dLayer against its TF.js twin), NCHW against " +
    "NHWC, and an RGB image read into a [C, H, W] uint8 array and split into channels.",
};

/**
 * ## A small layer, by hand and on TF.js
 *
 * One image with 3 channels of 5×5, a layer with 2 output channels and 3×3 kernels
 * (weights $2 \times 3 \times 3 \times 3$), small whole numbers drawn from a seeded
 * generator so that every run sees the same ones.
 */
function randomInts(shape: number[], seed: number): number[] | number[][] {
  const rng = new Rng(seed);
  const build = (dims: number[]): number[] | number[][] =>
    dims.length === 1
      ? Array.from({ length: dims[0] }, () => Math.floor(rng.next() * 7) - 3)
      : Array.from({ length: dims[0] }, () => build(dims.slice(1)) as number[]);
  return build(shape);
}
const x = randomInts([1, 3, 5, 5], 6) as unknown as number[][][][];
const weight = randomInts([2, 3, 3, 3], 7) as unknown as number[][][][];
const bias = [1, -1];

/**
 * To see the sum over channels at work, compute each input channel's contribution on
 * its own (a one-channel layer, no bias) and add them up.
 */
export function byChannel(x: number[][][][], weight: number[][][][], bias: number[]) {
  return weight.map((kernels, k) => {
    const parts = kernels.map((kernel, c) => conv2dLayer([[x[0][c]]], [[kernel]])[0][0]);
    return parts.reduce((sum, part) => sum.map((row, i) => row.map((v, j) => v + part[i][j])))
      .map((row) => row.map((v) => v + bias[k]));
  });
}
show(
  "x shape (NCHW)",
  `[${[x.length, x[0].length, x[0][0].length, x[0][0][0].length].join(", ")}]`,
);
show("x[0] (3 channels of 5×5)", x[0]);
show("weight[0] (output channel 0's three kernels)", weight[0]);
show("weight[1]", weight[1]);
show("bias", bias);
show(
  "Output channel 0: one kernel per input channel, the three results summed",
  () => multiChannelFigure(x, weight, bias, 0),
  { fig: "FIG 8" },
);
show(
  "conv2dLayer(x, weight, bias), shape [1, 2, 3, 3]",
  () => runPair("conv2dLayer", [x, weight, bias, {}]),
);

/**
 * ## Channels first or channels last?
 *
 * PyTorch (and our naive `conv2dLayer`) stores a batch as **NCHW**: batch, channel, row,
 * column. TF.js stores it as **NHWC**, channels last, and its wasm backend accepts
 * nothing else; its kernels are `[kH, kW, Cin, Cout]`. The numbers are the same, only the
 * order of the axes differs, so the twin transposes on the way in and out. In NHWC the
 * channels of one pixel sit next to each other in memory, which is also how image files
 * store them.
 */
export function nchwToNhwc(x: number[][][][]): number[][][][] {
  return x.map((image) => image[0].map((row, h) => row.map((_, w) => image.map((ch) => ch[h][w]))));
}
show("pixel (0, 0): x[0][:, 0, 0] in NCHW", x[0].map((ch) => ch[0][0]));
show("pixel (0, 0): x[0][0][0] in NHWC", nchwToNhwc(x)[0][0][0]);

/**
 * ## Reading an image into $[C, H, W]$
 *
 * The lecture downloads a picture and reads it with torchvision's `read_image`, which
 * returns a `uint8` tensor of shape $[C, H, W]$. We do not fetch that picture: a lesson
 * that downloads at run time breaks offline and in CI, and the picture is not ours to ship.
 * Instead we read a picture the project makes itself, `data/channels.png` (by
 * `data/make_channels_png.ts`: red, green and blue discs mixed additively), with
 * `fast-png`'s `decode`. PNG stores pixels interleaved, $H \times W \times C$ (channels
 * last), so the reader reorders the bytes into one plane per channel, the inverse of the
 * lecture's `img.permute(1, 2, 0)` before `imshow`.
 */
export interface ImageCHW {
  /** [channels, height, width] */
  shape: [number, number, number];
  /** One plane per channel, row-major: value (c, h, w) at `(c·H + h)·W + w`. */
  data: Uint8Array;
}

const IMAGE = new URL("../data/channels.png", import.meta.url);

export async function readImageCHW(path: string | URL): Promise<ImageCHW> {
  const png = decode(await Deno.readFile(path));
  if (png.depth !== 8 || png.palette) {
    throw new Error(`readImageCHW: ${path} must be an 8-bit RGB(A) or grey PNG`);
  }
  const [C, H, W] = [png.channels, png.height, png.width];
  const data = new Uint8Array(C * H * W);
  for (let h = 0; h < H; h++) {
    for (let w = 0; w < W; w++) {
      for (let c = 0; c < C; c++) data[(c * H + h) * W + w] = png.data[(h * W + w) * C + c];
    }
  }
  return { shape: [C, H, W], data };
}

/** `img[:, r0:r1, c0:c1]`: every channel's block of rows r0…r1−1 and columns c0…c1−1. */
export function subBlock(img: ImageCHW, [r0, r1]: [number, number], [c0, c1]: [number, number]) {
  const [C, H, W] = img.shape;
  return Array.from(
    { length: C },
    (_, c) =>
      Array.from(
        { length: r1 - r0 },
        (_, i) =>
          Array.from({ length: c1 - c0 }, (_, j) => img.data[(c * H + r0 + i) * W + c0 + j]),
      ),
  );
}

/**
 * Displaying the picture needs the channels last again: the lecture's
 * `img.permute(1, 2, 0)` before `plt.imshow`. Here it is, turning the planes back into
 * the interleaved bytes a PNG (or a canvas) wants.
 */
export function toHWC(img: ImageCHW): Uint8Array {
  const [C, H, W] = img.shape;
  const out = new Uint8Array(C * H * W);
  for (let c = 0; c < C; c++) {
    for (let h = 0; h < H; h++) {
      for (let w = 0; w < W; w++) out[(h * W + w) * C + c] = img.data[(c * H + h) * W + w];
    }
  }
  return out;
}

/** One channel as a matrix: splitting the picture into its three grey images. */
export function channel(img: ImageCHW, c: number): number[][] {
  const [, H, W] = img.shape;
  return subBlock(img, [0, H], [0, W])[c];
}

/** One channel's bytes, row after row (a view of the image's data). */
export function plane(img: ImageCHW, c: number): Uint8Array {
  const [, H, W] = img.shape;
  return img.data.subarray(c * H * W, (c + 1) * H * W);
}

let picture: Promise<ImageCHW> | undefined;
const img = () => (picture ??= readImageCHW(IMAGE));
const otherPicture = "a different picture: the lecture downloads a 547×537 photo from the " +
  "web; we read data/channels.png, which the project makes (nothing is downloaded)";
show("Image shape", async () => `[${(await img()).shape.join(", ")}]`, {
  lecture: { text: "Image shape: torch.Size([3, 537, 547])", why: otherPicture },
});
show("Number of channels", async () => (await img()).shape[0], {
  lecture: "Number of channels: 3",
});
show("Image data type", async () => ((await img()).data instanceof Uint8Array ? "uint8" : "?"), {
  lecture: "Image data type: torch.uint8",
});
show("img[:, 100:102, 100:102]", async () => subBlock(await img(), [100, 102], [100, 102]), {
  lecture: {
    text: "tensor([[[255, 255],\n[255, 255]],\n[[255, 255],\n[255, 255]],\n" +
      "[[255, 255],\n[255, 255]]], dtype=torch.uint8)",
    why: "the lecture's picture is white there (255 in all three channels); ours is inside " +
      "the red disc alone, so red is 255 and green and blue are 0",
  },
});
show(
  "The picture and its three channels (img.permute(1, 2, 0) for the whole); the small " +
    "square outlines rows and columns 100–101, the block printed just above",
  async () => {
    const im = await img();
    return rgbChannelsFigure([0, 1, 2].map((c) => plane(im, c)), im.shape[1], im.shape[2], [
      100,
      100,
    ]);
  },
);
show(
  "lit pixels per channel (R, G, B)",
  async () => {
    const im = await img();
    return [0, 1, 2].map((c) => plane(im, c).filter((v) => v > 0).length);
  },
);

/**
 * Each disc lives in exactly one channel, so a channel's lit pixels form one whole disc
 * of radius 70: about $\pi \cdot 70^2 \approx 15{,}394$ pixels each.
 *
 * ## Mixing channels: a 1×1 convolution
 *
 * A 1×1 kernel looks at one pixel at a time and only mixes its channels. With weights
 * $(1, 1, -1)$ for (R, G, B) and bias $-255$ the output is positive exactly where red and
 * green are on and blue is off: the yellow region. Run as a layer over the whole picture,
 * naive and TF.js twin.
 */
const yellowWeight = [[[[1]], [[1]], [[-1]]]];
const yellowBias = [-255];

export function asBatch(img: ImageCHW): number[][][][] {
  return [Array.from({ length: img.shape[0] }, (_, c) => channel(img, c))];
}

const count = (m: number[][]) => m.flat().filter((v) => v > 0).length;
let mixed: Promise<{ naive: number[][]; twin: number[][] }> | undefined;
const yellow = () =>
  mixed ??= img().then(async (im) => ({
    naive: conv2dLayer(asBatch(im), yellowWeight, yellowBias)[0][0],
    twin: (await tfjs.conv2dLayer(asBatch(im), yellowWeight, yellowBias))[0][0],
  }));
show(
  "1×1 weights (R, G, B) and bias",
  `${formatArray(yellowWeight[0].map((k) => k[0][0]))} ${yellowBias[0]}`,
);
show("yellow pixels, 1×1 conv", async () => {
  const { naive, twin } = await yellow();
  return exactPair(count(naive), String(count(naive)), count(twin), String(count(twin)));
});
show("largest |naive − tfjs| over the whole 1×1 output", async () => {
  const { naive, twin } = await yellow();
  return `${formatDiff(maxAbsDiff(naive, twin))} on ${(await currentBackend()).name}`;
});
show("Where the 1×1 convolution is positive: the yellow region", async () => {
  const im = await img();
  return maskFigure(
    [0, 1, 2].map((c) => plane(im, c)),
    im.shape[1],
    im.shape[2],
    (await yellow()).naive,
    "red and green on, blue off",
  );
});

/**
 * ## Claims, checked
 *
 * Every claim above is a test: `deno test -A` runs them (through `tests/lessons_test.ts`).
 */
Deno.test("06: a multi-channel layer is the sum of its one-channel parts, on TF.js too", async () => {
  await useBackend();
  const naive = conv2dLayer(x, weight, bias);
  assert.deepEqual(naive[0], byChannel(x, weight, bias));
  assert.ok(maxAbsDiff(naive, await tfjs.conv2dLayer(x, weight, bias)) < 1e-4);
});

Deno.test("06: NCHW → NHWC moves the channel axis last and keeps every number", () => {
  const nhwc = nchwToNhwc(x);
  for (let c = 0; c < 3; c++) {
    for (let h = 0; h < 5; h++) {
      for (let w = 0; w < 5; w++) assert.equal(nhwc[0][h][w][c], x[0][c][h][w]);
    }
  }
});

Deno.test("06: the PNG reads as [3, H, W] uint8, one disc per channel", async () => {
  const img = await readImageCHW(IMAGE);
  assert.deepEqual(img.shape, [3, 240, 320]);
  assert.ok(img.data instanceof Uint8Array);
  const zeros = [[0, 0], [0, 0]];
  assert.deepEqual(subBlock(img, [100, 102], [100, 102]), [[[255, 255], [255, 255]], zeros, zeros]);
  for (let c = 0; c < 3; c++) {
    const values = channel(img, c).flat();
    assert.ok(values.every((v) => v === 0 || v === 255));
    const lit = values.filter((v) => v === 255).length;
    assert.ok(Math.abs(lit - Math.PI * 70 ** 2) < 0.01 * Math.PI * 70 ** 2, `channel ${c}: ${lit}`);
  }
});

Deno.test("06: permuting back to [H, W, C] gives the PNG's own bytes", async () => {
  const img = await readImageCHW(IMAGE);
  const png = decode(await Deno.readFile(IMAGE));
  assert.deepEqual(toHWC(img), png.data);
  assert.notDeepEqual(img.data, png.data); // the two layouts really differ
});

Deno.test("06: the 1×1 convolution finds exactly the yellow pixels", async () => {
  const img = await readImageCHW(IMAGE);
  const [r, g, b] = [0, 1, 2].map((c) => channel(img, c).flat());
  const expected = r.filter((_, i) => r[i] === 255 && g[i] === 255 && b[i] === 0).length;
  assert.ok(expected > 1000);
  const found = conv2dLayer(asBatch(img), yellowWeight, yellowBias)[0][0].flat().filter((v) =>
    v > 0
  );
  assert.equal(found.length, expected);
  const twin = (await tfjs.conv2dLayer(asBatch(img), yellowWeight, yellowBias))[0][0].flat();
  assert.equal(twin.filter((v) => v > 0).length, expected);
});

/**
 * ## Exercises
 *
 * 1. **Task 06.1** — write `conv2dLayer(x: number[][][][], weight: number[][][][], bias?:
 *    number[], options?: {padding?, stride?}): number[][][][]` (NCHW in and out,
 *    cross-correlation, as `nn.Conv2d`). Start with
 *    `deno task assignment new my-work --tasks 06.1`, then `deno task grade my-work`: the
 *    grader compares it with the naive kernel on random batch sizes, channel counts,
 *    kernels, paddings and strides, and shows a failing input.
 * 2. Practice (not graded): write `toCHW(pixels: Uint8Array, height: number, width: number,
 *    channels: number): Uint8Array`, the reordering `readImageCHW` does, and compare it
 *    with `tf.transpose(…, [2, 0, 1])` on a small random image.
 */

if (import.meta.main) await printLesson(import.meta.url);

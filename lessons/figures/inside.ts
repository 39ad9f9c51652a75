/**
 * Figures of the inside of the trained network (lesson 08 and the results page): conv1's
 * kernels as a grid, one digit's feature maps after each stage drawn as the volumes FIG 10
 * describes, and saliency maps of misread digits. The numbers come from `training/inside.ts`;
 * the alt text is written from the same numbers.
 *
 * @module
 */
import { IMAGE_SIZE } from "../../data/mnist.ts";
import type { Mistake, Volume } from "../../training/inside.ts";
import type { Figure } from "../show.ts";
import { COLORS, divergingPng, greyPng, image, rect, svgFigure, text } from "./svg.ts";

const fmt = (v: number) => (Math.abs(v) < 0.005 ? "0" : v.toFixed(2));
const extent = (maps: Float32Array[]) => {
  let lo = Infinity, hi = -Infinity;
  for (const m of maps) for (const v of m) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  return [lo, hi];
};

/**
 * conv1's kernels, one small picture each (blue positive, orange negative, white 0, each
 * scaled to the largest |weight| of all, so they compare), in rows of `cols`.
 */
export function kernelsFigure(kernels: Volume, cols = 8): Figure {
  const [count, kh, kw] = kernels.shape, side = 40, gap = 8, top = 4;
  const [lo, hi] = extent(kernels.maps);
  const most = Math.max(Math.abs(lo), Math.abs(hi));
  const body: string[] = [];
  kernels.maps.forEach((m, i) => {
    const x = 4 + (i % cols) * (side + gap), y = top + Math.floor(i / cols) * (side + gap);
    // One scale for all, so the same colour is the same weight in every kernel.
    body.push(
      image(x, y, side, side, divergingPng(m, kw, kh, 8, most)),
      rect(x, y, side, side, { strokeOpacity: 0.3 }),
    );
  });
  const rows = Math.ceil(count / cols), height = top + rows * (side + gap) + 18;
  body.push(
    text(4, height - 4, `blue > 0 > orange; darkest = |${fmt(most)}|`, {
      anchor: "start",
      size: 13,
    }),
  );
  const positive = kernels.maps.filter((m) => m.reduce((s, v) => s + v, 0) > 0).length;
  return svgFigure(
    8 + cols * (side + gap) - gap,
    height,
    `The ${count} kernels of ${kernels.layer} in the trained reference model, ${kh}×${kw} ` +
      `each, blue positive and orange negative on one scale: weights from ${fmt(lo)} to ` +
      `${fmt(hi)}; ${positive} of ${count} kernels sum to more than zero, so most answer a ` +
      `bright stroke with a negative sum unless their positive weights line up with it.`,
    body,
  );
}

/**
 * A digit and its activations after each stage, left to right, each drawn as a volume: a
 * stack of real feature-map thumbnails (the first few channels, front to back), its depth
 * growing with the channel count, labelled with its real shape.
 */
export function volumesFigure(digit: Float32Array, label: number, stages: Volume[]): Figure {
  const px = 3, gap = 16, base = 22, labelY = 15;
  // Most active maps in front: channel 0 alone may well be blank for this digit.
  const total = (m: Float32Array) => m.reduce((a, v) => a + v, 0);
  const items = [
    { name: "input", shape: [1, IMAGE_SIZE, IMAGE_SIZE], maps: [digit] as Float32Array[] },
    ...stages.map((s) => ({
      name: s.layer,
      shape: s.shape,
      maps: [...s.maps].sort((a, b) => total(b) - total(a)),
    })),
  ];
  // Depth drawn: one layer of the stack per 4 channels (8 for 32, 16 for 64), 2 px apart.
  const depthOf = (c: number) => (c === 1 ? 1 : Math.max(2, Math.round(c / 4)));
  const step = 2;
  const tallest = Math.max(...items.map((it) => it.shape[1] * px + depthOf(it.shape[0]) * step));
  const body: string[] = [];
  let x = 4;
  for (const it of items) {
    const [c, h, w] = it.shape, side = h * px, depth = depthOf(c);
    const floor = base + tallest; // every stack stands on one line
    // Back to front: the back layers are the later channels.
    for (let k = depth - 1; k >= 0; k--) {
      const map = it.maps[Math.min(k, it.maps.length - 1)];
      const [lo, hi] = extent([map]);
      const norm = Float32Array.from(map, (v) => (hi > lo ? (v - lo) / (hi - lo) : 0));
      const [ox, oy] = [x + k * step, floor - side - k * step];
      body.push(
        image(ox, oy, side, side, greyPng(norm, w, h, 1)),
        rect(ox, oy, side, side, { strokeOpacity: 0.5, strokeWidth: 0.6 }),
      );
    }
    const colW = side + depth * step;
    body.push(
      text(x + colW / 2, labelY, it.name, { size: 14, weight: "bold" }),
      text(x + colW / 2, floor + 18, `${c}×${h}×${w}`, { size: 14 }),
    );
    x += colW + gap;
  }
  const live = (v: Volume) => v.maps.filter((m) => m.some((a) => a > 0)).length;
  return svgFigure(
    x - gap + 4,
    base + tallest + 26,
    `Test digit ${label} through the trained network, left to right as FIG 10 draws it: ` +
      `the 1×28×28 input, then ` +
      stages.map((s) =>
        `${s.layer} ${s.shape.join("×")} (${live(s)} of ${s.shape[0]} maps active, largest ` +
        `${fmt(extent(s.maps)[1])})`
      ).join(", ") +
      `. Each volume is a stack of real maps, the most active in front, darker where larger.`,
    body,
  );
}

/**
 * Misread digits, each beside its saliency map: the gradient of the wrong class's logit
 * with respect to each pixel (blue: brightening the pixel raises that logit; orange: lowers
 * it), each scaled to its own largest |gradient|.
 */
export function saliencyFigure(mistakes: Mistake[], cols = 3): Figure {
  const side = 56, pairW = 2 * side + 6, colW = pairW + 16, cellH = side + 38;
  const body: string[] = [];
  mistakes.forEach((m, i) => {
    const x = 4 + (i % cols) * colW, y = 4 + Math.floor(i / cols) * cellH;
    body.push(
      image(x, y, side, side, greyPng(m.image, IMAGE_SIZE, IMAGE_SIZE, 2)),
      rect(x, y, side, side, { stroke: COLORS.pink, strokeWidth: 2 }),
      image(x + side + 6, y, side, side, divergingPng(m.gradient, IMAGE_SIZE, IMAGE_SIZE, 2)),
      rect(x + side + 6, y, side, side, { strokeOpacity: 0.3 }),
      text(x + pairW / 2, y + side + 16, `a ${m.label} read as ${m.predicted}`, {
        size: 13,
        weight: "bold",
        fill: COLORS.pink,
      }),
      text(x + pairW / 2, y + side + 31, `∂ logit ${m.predicted} / ∂ pixel`, { size: 12 }),
    );
  });
  const rows = Math.ceil(mistakes.length / cols);
  return svgFigure(
    8 + Math.min(cols, mistakes.length) * colW - 16,
    8 + rows * cellH,
    `${mistakes.length} test digits the reference model misreads, each beside the gradient ` +
      `of the wrong class's logit with respect to its pixels (blue: brightening raises that ` +
      `logit): ` +
      mistakes.map((m) =>
        `test digit ${m.index}, a ${m.label} read as ${m.predicted}, ${
          Math.round(100 * m.onInk)
        } % of the positive gradient on its ink`
      ).join("; ") + ".",
    body,
  );
}

/**
 * Figures of channels (lesson 06): the lecture's FIG 8, a layer with three input channels
 * and one output channel's three kernels, computed by the course's `conv2dLayer`; an RGB
 * picture and its three channel planes; and what a 1×1 convolution finds in it.
 *
 * @module
 */
import { conv2dLayer } from "../../kernels/conv.ts";
import type { Figure } from "../show.ts";
import { arrow, COLORS, image, matrix, pngDataUrl, rect, svgFigure, text } from "./svg.ts";

const rows = (m: number[][]) => `[${m.map((r) => `[${r.join(", ")}]`).join(", ")}]`;

/**
 * The lecture's FIG 8: output channel `k` of a layer adds up one cross-correlation per input
 * channel, `X[c] ⋆ W[k, c]`, and its bias: `Z[k] = Σ_c X[c] ⋆ W[k, c] + b[k]`.
 */
export function multiChannelFigure(
  x: number[][][][],
  weight: number[][][][],
  bias: number[],
  k: number,
): Figure {
  // Sums (−25) get wider squares than the one-digit inputs, so every number keeps ≥ 11 px.
  const cell = 20, sumCell = 27, size = 12, C = x[0].length;
  const parts = weight[k].map((W, c) => conv2dLayer([[x[0][c]]], [[W]])[0][0]);
  const Z = conv2dLayer(x, weight, bias)[0][k];
  const xW = x[0][0][0].length * cell, wW = weight[k][0][0].length * cell;
  const pW = parts[0][0].length * sumCell;
  const [x0, w0] = [40, 40 + xW + 22], p0 = w0 + wW + 22, z0 = p0 + pW + 44;
  const rowH = x[0][0].length * cell + 22, top = 24;
  const colors = [COLORS.pink, COLORS.green, COLORS.blue];
  const body: string[] = [];
  for (let c = 0; c < C; c++) {
    const t = top + c * rowH, mid = t + (x[0][c].length * cell) / 2;
    const kTop = mid - (weight[k][c].length * cell) / 2;
    body.push(
      text(6, mid + 5, `c=${c}`, { anchor: "start", size: 12, weight: "bold", fill: colors[c] }),
      matrix(x0, t, x[0][c], {
        cell,
        size,
        title: c === 0 ? "X[c]" : undefined,
        style: () => ({ fill: colors[c], fillOpacity: 0.18 }),
      }).svg,
      text(x0 + xW + 11, mid + 5, "⋆", { size: 16 }),
      matrix(w0, kTop, weight[k][c], {
        cell,
        size,
        title: c === 0 ? `W[${k}, c]` : undefined,
        style: () => ({ fill: COLORS.orange }),
      }).svg,
      text(w0 + wW + 11, mid + 5, "=", { size: 16 }),
      matrix(p0, mid - (parts[c].length * sumCell) / 2, parts[c], { cell: sumCell, size }).svg,
      arrow(p0 + pW + 6, mid, z0 - 8, top + (C * rowH - 22) / 2, { width: 1.2 }),
    );
  }
  const zTop = top + (C * rowH - 22) / 2 - (Z.length * sumCell) / 2;
  body.push(
    text(p0 + pW / 2, top - 8, "X[c] ⋆ W[k, c]", { size: 13 }),
    text(z0 + (Z[0].length * sumCell) / 2, zTop - 22, `Σ + b[${k}] (${bias[k]})`, {
      size: 12,
    }),
    matrix(z0, zTop, Z, {
      cell: sumCell,
      size,
      title: `Z[${k}]`,
      style: () => ({ fill: COLORS.blue, fillOpacity: 0.35 }),
    }).svg,
  );
  return svgFigure(
    z0 + Z[0].length * sumCell + 10,
    top + C * rowH + 4,
    `Output channel ${k} of a layer with ${C} input channels of ${x[0][0].length}×${
      x[0][0][0].length
    }: each input channel X[c] is cross-correlated with its own 3×3 kernel W[${k}, c], the ` +
      `${C} results ${parts.map(rows).join(", ")} are added and the bias ${bias[k]} ` +
      `is added, giving Z[${k}] = ${rows(Z)}.`,
    body,
  );
}

/** One image in a grid cell, with its label above and a thin frame. */
function tile(x: number, y: number, w: number, h: number, href: string, label: string) {
  return [
    text(x + w / 2, y - 6, label, { size: 12 }),
    image(x, y, w, h, href),
    rect(x, y, w, h, { strokeOpacity: 0.4 }),
  ];
}

/**
 * An RGB picture read as [C, H, W], shown as a whole (channels last again, as the lecture's
 * `img.permute(1, 2, 0)` before `imshow`) and as its three planes, each in its own colour.
 * The 2×2 block the lesson prints (`img[:, r0:r0+2, c0:c0+2]`) is marked.
 */
export function rgbChannelsFigure(
  planes: Uint8Array[],
  height: number,
  width: number,
  at: [number, number],
): Figure {
  const [w, h] = [160, (160 * height) / width], gap = 14, top = 22;
  const rgb = new Uint8Array(height * width * 3);
  planes.forEach((plane, c) => plane.forEach((v, i) => (rgb[i * 3 + c] = v)));
  const plane = (c: number) => {
    const px = new Uint8Array(height * width * 3);
    planes[c].forEach((v, i) => (px[i * 3 + c] = v));
    return pngDataUrl(px, width, height, 3);
  };
  const pos = [[10, top], [10 + w + gap, top], [10, top + h + gap + 18], [
    10 + w + gap,
    top + h + gap + 18,
  ]];
  const names = ["red", "green", "blue"];
  const scale = w / width;
  return svgFigure(
    10 + 2 * w + gap + 10,
    top + 2 * h + gap + 18 + 8,
    `The ${width}×${height} RGB picture, three overlapping discs on black, and its three ` +
      "channels img[0], img[1] and img[2], each shown in its own colour: each disc lives in " +
      "exactly one channel, and where discs overlap the colours add (red and green make yellow). " +
      `A small square marks rows ${at[0]}–${at[0] + 1}, columns ${at[1]}–${at[1] + 1}.`,
    [
      ...tile(pos[0][0], pos[0][1], w, h, pngDataUrl(rgb, width, height, 3), "img (all channels)"),
      rect(pos[0][0] + at[1] * scale - 3, pos[0][1] + at[0] * scale - 3, 8, 8, {
        stroke: "#ffffff",
        strokeWidth: 1.5,
      }),
      ...[0, 1, 2].flatMap((c) =>
        tile(pos[c + 1][0], pos[c + 1][1], w, h, plane(c), `img[${c}]: ${names[c]}`)
      ),
    ],
  );
}

/** The picture beside where a 1×1 convolution's output is positive (white on black). */
export function maskFigure(
  planes: Uint8Array[],
  height: number,
  width: number,
  output: number[][],
  what: string,
): Figure {
  const [w, h] = [160, (160 * height) / width], gap = 14, top = 22;
  const rgb = new Uint8Array(height * width * 3);
  planes.forEach((plane, c) => plane.forEach((v, i) => (rgb[i * 3 + c] = v)));
  const mask = new Uint8Array(height * width);
  output.forEach((row, r) => row.forEach((v, c) => (mask[r * width + c] = v > 0 ? 255 : 0)));
  const count = mask.reduce((s, v) => s + (v > 0 ? 1 : 0), 0);
  return svgFigure(
    10 + 2 * w + gap + 10,
    top + h + 8,
    `The picture, and in white the ${count} pixels where the 1×1 convolution's output is ` +
      `positive: ${what}.`,
    [
      ...tile(10, top, w, h, pngDataUrl(rgb, width, height, 3), "img"),
      ...tile(10 + w + gap, top, w, h, pngDataUrl(mask, width, height, 1), "1×1 conv > 0"),
    ],
  );
}

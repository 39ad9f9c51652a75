/**
 * Figures of lesson 11 (backpropagation), each computed by the course's own backward
 * kernels, never drawn from a formula written a second time: where one entry of the output
 * gradient `dy` of a convolution lands in the input gradient `dx`, which entries of `dy` one
 * entry of `dx` gathers (the kernel, flipped), and where max pooling sends its gradient.
 *
 * @module
 */
import {
  conv2dLayer,
  conv2dLayerBackward,
  maxPool2dLayer,
  maxPool2dLayerBackward,
} from "../../mod.ts";
import type { Figure } from "../show.ts";
import { arrow, cellBox, type CellStyle, COLORS, matrix, svgFigure, text } from "./svg.ts";

const rows = (m: number[][]) => m.map((r) => `[${r.join(", ")}]`).join(", ");

/** An h×w matrix of zeros with a 1 at (r, c). */
export function oneHot(h: number, w: number, [r, c]: [number, number]): number[][] {
  return Array.from(
    { length: h },
    (_, i) => Array.from({ length: w }, (_, j) => +(i === r && j === c)),
  );
}

/**
 * Two views of one convolution layer's backward pass (one channel, kernel `W`, padding `p`,
 * stride 1, an input of `n`×`n`):
 *
 * - scatter: a `dy` that is 1 at `out` and 0 elsewhere gives a `dx` that holds `W` itself,
 *   upright, over the window that output read;
 * - gather: the weight linking input cell `inp` to each output (the forward layer run on an
 *   input that is 1 at `inp`) is `W` rotated by 180°, so `dx[inp]` is the flipped kernel
 *   slid over `dy`: a true convolution.
 */
export function reachFigure(
  W: number[][],
  p: number,
  n: number,
  out: [number, number],
  inp: [number, number],
): Figure {
  const cell = 26, small = 18, gap = 44, x0 = 20;
  const side = n * cell, kSide = W.length * small;
  const k0 = x0 + side + gap, x1 = k0 + kSide + gap;
  const dy = oneHot(n, n, out);
  const zeros = oneHot(n, n, [-1, -1]);
  const { dx } = conv2dLayerBackward([[zeros]], [[W]], [[dy]], { padding: p });
  const scatter = dx[0][0];
  // The forward layer on an input that is 1 at `inp`: output (i, j) is the weight that links them.
  const links = conv2dLayer([[oneHot(n, n, inp)]], [[W]], undefined, { padding: p })[0][0];
  const flipped = W.map((r) => [...r].reverse()).reverse();
  const top1 = 50, top2 = top1 + side + 64;
  const dots = (m: number[][]) => m.map((r) => r.map((v) => (v === 0 ? "·" : v)));
  const reached = (m: number[][]) => (r: number, c: number): CellStyle | undefined =>
    m[r][c] !== 0 ? { fill: COLORS.orange } : undefined;
  const only = ([a, b]: [number, number]) => (r: number, c: number): CellStyle | undefined =>
    r === a && c === b ? { fill: COLORS.blue, bold: true } : undefined;
  const width = x1 + side + 10;
  const row = (top: number, heading: string) =>
    text(10, top - 30, heading, { anchor: "start", weight: "bold" });
  const kernel = (top: number, K: number[][], title: string) =>
    matrix(k0, top + (side - kSide) / 2, K, {
      cell: small,
      size: 11,
      title,
      style: () => ({ fill: COLORS.orange }),
    }).svg;
  const arrows = (top: number) => [
    arrow(x0 + side + 4, top + side / 2, k0 - 4, top + side / 2),
    arrow(k0 + kSide + 4, top + side / 2, x1 - 4, top + side / 2),
  ];
  return svgFigure(
    width,
    top2 + side + 32,
    `Scatter: a dy that is 1 at row ${out[0]}, column ${out[1]} and 0 elsewhere gives dx = ` +
      `[${rows(scatter)}]: the kernel W = [${rows(W)}] as written, over the 3×3 window that ` +
      `output read. Gather: the weights linking input cell (${inp[0]}, ${inp[1]}) to each ` +
      `output are [${rows(links)}], the kernel rotated by 180°, so dx at that cell is the ` +
      `flipped kernel slid over dy, a true convolution.`,
    [
      row(top1, "scatter: one entry of dy reaches a window of dx"),
      matrix(x0, top1, dots(dy), { cell, title: "dy", style: only(out) }).svg,
      kernel(top1, W, "W"),
      ...arrows(top1),
      matrix(x1, top1, dots(scatter), { cell, title: "dx", style: reached(scatter) }).svg,
      row(top2, "gather: one entry of dx reads a window of dy"),
      matrix(x0, top2, dots(links), { cell, title: "weight per dy", style: reached(links) })
        .svg,
      kernel(top2, flipped, "W flipped"),
      ...arrows(top2),
      matrix(x1, top2, oneHot(n, n, inp).map((r) => r.map((v) => (v ? "Σ" : ""))), {
        cell,
        title: `dx[${inp[0]}][${inp[1]}]`,
        style: only(inp),
      }).svg,
      text(width / 2, top2 + side + 24, `padding ${p}, stride 1; · marks a zero`, {
        size: 12,
        opacity: 0.75,
      }),
    ],
  );
}

/**
 * Max pooling's backward pass: `X` cut into k×k windows (stride k), each window's first
 * maximum in row-major order in bold, the incoming `dy`, and the `dx` the kernel returns:
 * each `dy` entry lands on its window's winner, every other cell gets 0.
 */
export function routingFigure(X: number[][], k: number, dy: number[][]): Figure {
  const cell = 26, top = 28, gap = 40;
  const x = [[X]], options = { size: k };
  const pooled = maxPool2dLayer(x, options)[0][0];
  const dx = maxPool2dLayerBackward(x, [[dy]], options)[0][0];
  const tile = (r: number, c: number) => (Math.floor(r / k) + Math.floor(c / k)) % 2 === 0;
  const tint = (r: number, c: number) => (tile(r, c) ? COLORS.blue : COLORS.green);
  const xStyle = (r: number, c: number): CellStyle => ({
    fill: tint(r, c),
    fillOpacity: 0.22,
    bold: dx[r][c] !== 0,
  });
  const outStyle = (r: number, c: number): CellStyle => ({
    fill: (r + c) % 2 === 0 ? COLORS.blue : COLORS.green,
    fillOpacity: 0.22,
  });
  const side = X[0].length * cell, dySide = dy[0].length * cell;
  const d0 = 10 + side + gap, x2 = d0 + dySide + gap;
  const dyTop = top + (X.length * cell - dy.length * cell) / 2;
  const winners = dx.flatMap((row, r) => row.flatMap((v, c) => (v !== 0 ? [[r, c]] : [])));
  return svgFigure(
    x2 + side + 10,
    top + X.length * cell + 30,
    `X = [${rows(X)}] in ${k}×${k} windows; max pooling gives [${rows(pooled)}]. The ` +
      `gradient dy = [${rows(dy)}] goes back to each window's first maximum in row-major ` +
      `order, at ${winners.map(([r, c]) => `(${r}, ${c})`).join(", ")}; every other entry ` +
      `of dx = [${rows(dx)}] is 0.`,
    [
      matrix(10, top, X, { cell, title: "X (winners bold)", style: xStyle }).svg,
      ...winners.map(([r, c]) => cellBox(10, top, cell, [r, c], [r, c], COLORS.orange, 2)),
      matrix(d0, dyTop, dy, { cell, title: "dy", style: outStyle }).svg,
      arrow(d0 + dySide + 6, top + (X.length * cell) / 2, x2 - 6, top + (X.length * cell) / 2),
      matrix(x2, top, dx.map((r) => r.map((v) => (v === 0 ? "·" : v))), {
        cell,
        title: "dx",
        style: (
          r,
          c,
        ) => (dx[r][c] !== 0 ? { fill: tint(r, c), fillOpacity: 0.4, bold: true } : undefined),
      }).svg,
      text((x2 + side + 10) / 2, top + X.length * cell + 22, "· marks a zero: only winners learn", {
        size: 12,
        opacity: 0.75,
      }),
    ],
  );
}

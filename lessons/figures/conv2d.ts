/**
 * Figures of two-dimensional convolution (lessons 01 and 04), each computed by the course's
 * own `conv2d`: the lecture's FIG 1 (feature maps of a real MNIST digit, with one output's
 * receptive field), its "conv2d" illustration (the example X ∗ W = Y), FIG 5 (windows at
 * stride 2) and FIG 6 (the flipped kernel at one window, its products and their sum).
 *
 * @module
 */
import { conv2d, flipKernel2d } from "../../kernels/conv.ts";
import type { Figure } from "../show.ts";
import {
  arrow,
  cellBox,
  type CellStyle,
  COLORS,
  divergingPng,
  greyPng,
  image,
  line,
  matrix,
  rect,
  svgFigure,
  text,
} from "./svg.ts";

/** `X` with `p` rows and columns of zeros around it. */
export function padded2d(X: number[][], p: number): number[][] {
  const width = X[0].length + 2 * p;
  const zeros = () => new Array<number>(width).fill(0);
  return [
    ...Array.from({ length: p }, zeros),
    ...X.map((row) => [...new Array<number>(p).fill(0), ...row, ...new Array<number>(p).fill(0)]),
    ...Array.from({ length: p }, zeros),
  ];
}

const rows = (m: number[][]) => m.map((r) => `[${r.join(", ")}]`).join(", ");
const isPad = (p: number, n1: number, n2: number) => (r: number, c: number) =>
  r < p || c < p || r >= p + n1 || c >= p + n2;

/** The lecture's "conv2d" cell: the example it sets out to compute, X ∗ W = Y with p = 1. */
export function exampleFigure(X: number[][], W: number[][], p: number): Figure {
  const cell = 26, Y = conv2d(X, W, { padding: p });
  const top = 28;
  const xW = X[0].length * cell, wW = W[0].length * cell, yW = Y[0].length * cell;
  const x0 = 10, w0 = x0 + xW + 34, y0 = w0 + wW + 34;
  const mid = top + (X.length * cell) / 2 + 6;
  const wTop = top + ((X.length - W.length) * cell) / 2;
  return svgFigure(
    y0 + yW + 10,
    top + X.length * cell + 30,
    `The lecture's 2-D example: X = [${rows(X)}] convolved with W = [${rows(W)}], padding ${p}, ` +
      `stride 1, gives Y = [${rows(Y)}], as large as X.`,
    [
      matrix(x0, top, X, { cell, title: "X" }).svg,
      text(x0 + xW + 17, mid, "∗", { size: 20 }),
      matrix(w0, wTop, W, { cell, title: "W", style: () => ({ fill: COLORS.orange }) }).svg,
      text(w0 + wW + 17, mid, "=", { size: 20 }),
      matrix(y0, top, Y, { cell, title: "Y", style: () => ({ fill: COLORS.blue }) }).svg,
      text(
        (y0 + yW + 10) / 2,
        top + X.length * cell + 22,
        `padding p = (${p}, ${p}), stride s = (1, 1)`,
        { size: 12, opacity: 0.75 },
      ),
    ],
  );
}

/**
 * The lecture's FIG 6: the padded input with the flipped kernel Wʳ over one window, the
 * nine products, and the output entry their sum becomes.
 */
export function windowFigure(
  X: number[][],
  W: number[][],
  p: number,
  [i, j]: [number, number],
): Figure {
  const cell = 24, Xp = padded2d(X, p), Wr = flipKernel2d(W), Y = conv2d(X, W, { padding: p });
  const [m1, m2] = [W.length, W[0].length];
  const products = Wr.map((row, a) => row.map((v, b) => v * Xp[i + a][j + b]));
  const sum = products.flat().reduce((s, v) => s + v, 0);
  const top = 24, xpW = Xp[0].length * cell;
  const wr0 = 10 + xpW + 30, y0 = wr0 + m2 * cell + 30;
  const pad = isPad(p, X.length, X[0].length);
  const inWindow = (r: number, c: number) => r >= i && r < i + m1 && c >= j && c < j + m2;
  const xpStyle = (r: number, c: number): CellStyle | undefined =>
    inWindow(r, c) ? { fill: COLORS.blue, pad: pad(r, c) } : pad(r, c) ? { pad: true } : undefined;
  const prodTop = top + Xp.length * cell + 40;
  const width = y0 + Y[0].length * cell + 10;
  return svgFigure(
    width,
    prodTop + m1 * cell + 14,
    `X padded with ${p} ring of zeros; the flipped kernel Wʳ = [${rows(Wr)}] over the window ` +
      `at row ${i}, column ${j}, which holds [${
        rows(Xp.slice(i, i + m1).map((r) => r.slice(j, j + m2)))
      }]; the nine products [${rows(products)}] sum to ${sum}, the entry Y[${i}][${j}].`,
    [
      matrix(10, top, Xp, { cell, size: 12, title: `X padded (p = ${p})`, style: xpStyle }).svg,
      cellBox(10, top, cell, [i, j], [i + m1 - 1, j + m2 - 1], COLORS.blue),
      matrix(wr0, top + cell, Wr, {
        cell,
        size: 12,
        title: "Wʳ",
        style: () => ({ fill: COLORS.orange }),
      }).svg,
      matrix(y0, top + cell, Y, {
        cell,
        size: 12,
        title: "Y",
        style: (r, c) => (r === i && c === j ? { fill: COLORS.blue, bold: true } : undefined),
      }).svg,
      text(10, prodTop + 16, "Wʳ ⊙ window", { anchor: "start", weight: "bold" }),
      matrix(120, prodTop, products, { cell, size: 12 }).svg,
      text(120 + m2 * cell + 10, prodTop + (m1 * cell) / 2 + 5, `sum = ${sum} = Y[${i}][${j}]`, {
        anchor: "start",
        weight: "bold",
        fill: COLORS.blue,
      }),
    ],
  );
}

const WINDOW_COLORS = [COLORS.blue, COLORS.orange, COLORS.green, COLORS.pink];

/**
 * The lecture's FIG 5: a kernel sliding in two dimensions with stride s, each window of the
 * padded input in its own colour and the output entry it writes in the same colour.
 */
export function strideFigure(X: number[][], W: number[][], p: number, s: number): Figure {
  const cell = 26, Xp = padded2d(X, p), Y = conv2d(X, W, { padding: p, stride: s });
  const [m1, m2] = [W.length, W[0].length];
  const top = 24, xpW = Xp[0].length * cell, y0 = 10 + xpW + 46;
  const colorOf = (r: number, c: number) => WINDOW_COLORS[(r * Y[0].length + c) % 4];
  const pad = isPad(p, X.length, X[0].length);
  const boxes = Y.flatMap((row, r) =>
    row.map((_, c) => {
      const inset = 2 + ((r * Y[0].length + c) % 4) * 1.5;
      return rect(
        10 + c * s * cell + inset,
        top + r * s * cell + inset,
        m2 * cell - 2 * inset,
        m1 * cell - 2 * inset,
        { stroke: colorOf(r, c), strokeWidth: 2.5, radius: 3 },
      );
    })
  );
  const yTop = top + (Xp.length * cell - Y.length * cell) / 2;
  return svgFigure(
    y0 + Y[0].length * cell + 10,
    top + Xp.length * cell + 28,
    `A 3×3 kernel over the ${X.length}×${X[0].length} input padded with ${p} ring of zeros, at ` +
      `stride ${s}: the windows start every ${s} rows and columns, ${Y.length * Y[0].length} ` +
      `in all, and the output is ${Y.length}×${Y[0].length}: [${rows(Y)}].`,
    [
      text(10, top - 8, `X padded (p = ${p}), windows at stride ${s}`, { anchor: "start" }),
      matrix(10, top, Xp, {
        cell,
        style: (r, c) => (pad(r, c) ? { pad: true } : undefined),
      }).svg,
      ...boxes,
      arrow(10 + xpW + 8, top + (Xp.length * cell) / 2, y0 - 8, top + (Xp.length * cell) / 2),
      matrix(y0, yTop, Y, {
        cell,
        title: "Y",
        style: (r, c) => ({ fill: colorOf(r, c), fillOpacity: 0.4 }),
      }).svg,
      text(
        (y0 + Y[0].length * cell + 10) / 2,
        top + Xp.length * cell + 20,
        `output ⌊(${X.length} + 2·${p} − ${m1})/${s}⌋ + 1 = ${Y.length} per side`,
        { size: 12, opacity: 0.75 },
      ),
    ],
  );
}

/**
 * The lecture's FIG 1: a real MNIST digit, two 5×5 kernels and the feature map each makes
 * (`conv2d`, padding 2, so the maps are 28×28 too). One output of the first map is marked,
 * with the 5×5 patch of pixels it sees, its local receptive field.
 */
export function featureMapFigure(
  digit: number[][],
  kernels: { name: string; W: number[][] }[],
  label: string,
): Figure {
  const n = digit.length, size = 126, scale = size / n, k = kernels[0].W.length, half = (k - 1) / 2;
  const maps = kernels.map(({ W }) => conv2d(digit, W, { padding: half }));
  // The output the first map responds to most strongly: its receptive field is marked.
  let [bi, bj, best] = [0, 0, -Infinity];
  maps[0].forEach((row, i) =>
    row.forEach((v, j) => {
      if (Math.abs(v) > best) [bi, bj, best] = [i, j, Math.abs(v)];
    })
  );
  const cell = 19, kW = k * cell;
  const x0 = 6, kx = x0 + size + 28, mx = kx + kW + 28;
  const rowTop = (r: number) => 26 + r * (size + 34);
  const digitTop = rowTop(0) + (kernels.length - 1) * (size + 34) / 2;
  const body: string[] = [
    text(x0 + size / 2, digitTop - 8, label, { size: 12 }),
    image(x0, digitTop, size, size, greyPng(digit.flat(), n, n, 4)),
    rect(x0, digitTop, size, size, { strokeOpacity: 0.4 }),
    // The receptive field: the k×k pixels the marked output reads.
    rect(x0 + (bj - half) * scale, digitTop + (bi - half) * scale, k * scale, k * scale, {
      stroke: COLORS.pink,
      strokeWidth: 2.5,
    }),
  ];
  kernels.forEach(({ name, W }, r) => {
    const top = rowTop(r), kTop = top + (size - kW) / 2;
    body.push(
      text(kx + kW / 2, kTop - 8, name, { size: 12 }),
      matrix(kx, kTop, W, {
        cell,
        size: 12,
        style: (a, b) => ({
          fill: W[a][b] > 0 ? COLORS.blue : W[a][b] < 0 ? COLORS.orange : undefined,
          fillOpacity: 0.45,
        }),
      }).svg,
      arrow(x0 + size + 6, digitTop + size / 2, kx - 6, kTop + kW / 2, { width: 1.2 }),
      arrow(kx + kW + 6, kTop + kW / 2, mx - 6, top + size / 2, { width: 1.2 }),
      text(mx + size / 2, top - 8, `feature map ${r + 1} (28×28)`, { size: 12 }),
      image(mx, top, size, size, divergingPng(maps[r].flat(), n, n, 4)),
      rect(mx, top, size, size, { strokeOpacity: 0.4 }),
    );
  });
  // The marked output and the line from its receptive field.
  body.push(
    rect(mx + bj * scale - 1.5, rowTop(0) + bi * scale - 1.5, scale + 3, scale + 3, {
      stroke: COLORS.pink,
      strokeWidth: 2.5,
    }),
    line(
      x0 + (bj + half + 1) * scale,
      digitTop + (bi - half) * scale,
      mx + bj * scale,
      rowTop(0) + bi * scale,
      { stroke: COLORS.pink, width: 1.2, dash: "4 3" },
    ),
  );
  const height = rowTop(kernels.length - 1) + size + 26;
  body.push(
    text(mx + size + 4, height - 8, "blue: positive, orange: negative", {
      anchor: "end",
      size: 11,
      opacity: 0.75,
    }),
  );
  return svgFigure(
    mx + size + 8,
    height,
    `${label}, convolved with ${kernels.length} 5×5 kernels (${
      kernels.map((kk) => kk.name).join(" and ")
    }) into ${kernels.length} feature maps of 28×28, drawn blue where positive and orange ` +
      `where negative. One output of the first map, at row ${bi}, column ${bj}, is marked ` +
      `with the 5×5 patch of the digit it is computed from, its local receptive field.`,
    body,
  );
}

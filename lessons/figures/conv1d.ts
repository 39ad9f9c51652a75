/**
 * Figures of one-dimensional convolution (lessons 01 to 03), each computed by the course's
 * own `conv1d`: the lecture's FIG 2 (pad, flip), FIG 3 (the flipped kernel at one window and
 * the output it writes), FIG 4 (full, same and valid padding of one input), and sparse
 * connectivity against a dense layer.
 *
 * @module
 */
import { conv1d, convOutputSize, flipKernel1d } from "../../kernels/conv.ts";
import type { Figure } from "../show.ts";
import { arrow, type CellStyle, COLORS, line, matrix, rect, svgFigure, text } from "./svg.ts";

/** `x` with `p` zeros on each side, as `conv1d` pads it. */
export function padded(x: readonly number[], p: number): number[] {
  const zeros = new Array<number>(p).fill(0);
  return [...zeros, ...x, ...zeros];
}

const padStyle = (p: number, n: number) => (_r: number, c: number): CellStyle | undefined =>
  c < p || c >= p + n ? { pad: true } : undefined;

/**
 * The lecture's FIG 2: the two steps before sliding. `x` gets `p` zeros on each side and the
 * kernel `w` is reversed, `wʳ = w[::-1]`; lines show where each weight goes.
 */
export function padFlipFigure(x: number[], w: number[], p: number): Figure {
  const cell = 26, left = 118, xp = padded(x, p), wr = flipKernel1d(w);
  const width = left + xp.length * cell + 10;
  const rows = [8, 64, 138, 228];
  const label = (y: number, s: string, sub: string) => [
    text(10, y + 12, s, { anchor: "start", weight: "bold" }),
    text(10, y + 28, sub, { anchor: "start", size: 12, opacity: 0.75 }),
  ];
  const xOff = left + p * cell;
  const body = [
    ...label(rows[0], "x", `n = ${x.length}`),
    matrix(xOff, rows[0], [x]).svg,
    ...label(rows[1], "x padded", `p = ${p}`),
    matrix(left, rows[1], [xp], { style: padStyle(p, x.length) }).svg,
    ...label(rows[2], "w", `m = ${w.length}`),
    matrix(left, rows[2], [w], { style: (_r, c) => ({ fill: flipColor(c, w.length) }) }).svg,
    ...label(rows[3], "wʳ = w[::-1]", "flipped"),
    matrix(left, rows[3], [wr], {
      style: (_r, c) => ({ fill: flipColor(w.length - 1 - c, w.length) }),
    }).svg,
    // Each weight's way from w to wʳ.
    ...w.map((_, k) =>
      arrow(
        left + k * cell + cell / 2,
        rows[2] + cell + 3,
        left + (w.length - 1 - k) * cell + cell / 2,
        rows[3] - 4,
        { stroke: flipColor(k, w.length), width: 1.6 },
      )
    ),
  ];
  return svgFigure(
    width,
    rows[3] + cell + 12,
    `x = [${x.join(", ")}] padded with ${p} zeros on each side to length ${xp.length}, and the ` +
      `kernel w = [${w.join(", ")}] reversed to wʳ = [${wr.join(", ")}]: its first weight ` +
      "becomes the last.",
    body,
  );
}

const FLIP_COLORS = [COLORS.blue, COLORS.orange, COLORS.green, COLORS.pink, COLORS.purple];
const flipColor = (k: number, _m: number) => FLIP_COLORS[k % FLIP_COLORS.length];

/**
 * The lecture's FIG 3: the flipped kernel under window `i` of the padded input, the products
 * it sums, and the entry `y[i]` that sum becomes in conv1d's output.
 */
export function slideFigure(x: number[], w: number[], p: number, i: number): Figure {
  const cell = 26, left = 92, xp = padded(x, p), wr = flipKernel1d(w);
  const y = conv1d(x, w, { padding: p });
  const m = w.length;
  const products = wr.map((v, k) => v * xp[i + k]);
  const rows = { xp: 10, wr: 66, prod: 116, y: 206 };
  const width = left + xp.length * cell + 12;
  const win = (r: number, c: number): CellStyle | undefined =>
    c >= i && c < i + m ? { fill: COLORS.blue } : padStyle(p, x.length)(r, c);
  const yStart = left + p * cell;
  const sum = products.reduce((a, b) => a + b, 0);
  const body = [
    text(10, rows.xp + 18, "x padded", { anchor: "start", weight: "bold" }),
    matrix(left, rows.xp, [xp], { style: win }).svg,
    rect(left + i * cell, rows.xp, m * cell, cell, { stroke: COLORS.blue, strokeWidth: 2.5 }),
    text(10, rows.wr + 18, "wʳ", { anchor: "start", weight: "bold" }),
    matrix(left + i * cell, rows.wr, [wr], { style: () => ({ fill: COLORS.orange }) }).svg,
    ...wr.map((_, k) =>
      text(left + (i + k) * cell + cell / 2, rows.wr - 6, "×", { size: 12, opacity: 0.7 })
    ),
    text(10, rows.prod + 18, "products", { anchor: "start", weight: "bold" }),
    matrix(left + i * cell, rows.prod, [products]).svg,
    text(
      left + (i + m) * cell + 8,
      rows.prod + 18,
      `sum = ${sum}`,
      { anchor: "start", weight: "bold" },
    ),
    arrow(
      left + (i + m / 2) * cell,
      rows.prod + cell + 4,
      yStart + i * cell + cell / 2,
      rows.y - 6,
      { stroke: COLORS.blue, width: 2 },
    ),
    text(10, rows.y + 18, "y = x ∗ w", { anchor: "start", weight: "bold" }),
    matrix(yStart, rows.y, [y], {
      style: (_r, c) => (c === i ? { fill: COLORS.blue, bold: true } : undefined),
    }).svg,
  ];
  return svgFigure(
    width,
    rows.y + cell + 14,
    `The flipped kernel wʳ = [${wr.join(", ")}] under window ${i} of the padded input ` +
      `[${xp.slice(i, i + m).join(", ")}]: the products [${products.join(", ")}] add up to ` +
      `${sum}, which is y[${i}] of conv1d's output [${y.join(", ")}].`,
    body,
  );
}

/** The three named paddings, for a kernel of odd length `m`. */
const MODES = (m: number) => [
  { mode: "full", p: m - 1 },
  { mode: "same", p: (m - 1) / 2 },
  { mode: "valid", p: 0 },
];

/**
 * The lecture's FIG 4: full, same and valid padding of the same input, each with its
 * padded input, its first and last window, and conv1d's output under the windows' centres.
 */
export function paddingModesFigure(x: number[], w: number[]): Figure {
  const cell = 24, m = w.length, left = 10;
  const widest = x.length + 2 * (m - 1);
  const width = left * 2 + widest * cell;
  const body: string[] = [];
  const alts: string[] = [];
  let top = 12;
  for (const { mode, p } of MODES(m)) {
    const xp = padded(x, p), y = conv1d(x, w, { padding: p });
    const o = convOutputSize(x.length, m, p);
    const x0 = left + ((widest - xp.length) / 2) * cell;
    body.push(
      text(left, top + 14, `${mode}: p = ${p}, o = ${x.length} + 2·${p} − ${m} + 1 = ${o}`, {
        anchor: "start",
        weight: "bold",
      }),
      matrix(x0, top + 24, [xp], { cell, size: 12, style: padStyle(p, x.length) }).svg,
      rect(x0, top + 24, m * cell, cell, { stroke: COLORS.blue, strokeWidth: 2.5 }),
      rect(x0 + (xp.length - m) * cell, top + 24, m * cell, cell, {
        stroke: COLORS.orange,
        strokeWidth: 2.5,
        dash: "5 3",
      }),
      // Output j sits under the centre of window j.
      matrix(x0 + ((m - 1) / 2) * cell, top + 24 + cell + 8, [y], {
        cell,
        size: 12,
        style: (_r, c) =>
          c === 0
            ? { fill: COLORS.blue }
            : c === y.length - 1
            ? { fill: COLORS.orange }
            : undefined,
      }).svg,
    );
    alts.push(`${mode} (p = ${p}): output of length ${o}, [${y.join(", ")}]`);
    top += 24 + 2 * cell + 8 + 24;
  }
  body.push(
    text(width - left, top - 4, "blue: first window, orange: last window", {
      anchor: "end",
      size: 12,
      opacity: 0.75,
    }),
  );
  return svgFigure(
    width,
    top + 4,
    `The input [${x.join(", ")}] convolved with [${w.join(", ")}] three ways; each row shows ` +
      `the padded input, its first and last window and the output under the windows' centres: ` +
      `${alts.join("; ")}.`,
    body,
  );
}

/**
 * Sparse connectivity and parameter sharing against a dense layer, 1-D: which outputs of
 * `conv1d(x, w, padding)` change when one input changes (found by lighting each input in
 * turn), coloured by the weight that connects them; below, a dense layer, where every
 * input reaches every output through a weight of its own.
 */
export function connectivityFigure(n: number, w: number[], p: number): Figure {
  const gap = 46, left = 52, r = 11;
  const width = left + 24 + (n - 1) * gap;
  // edges[i] = the outputs input i reaches, with the weight that carries it.
  const edges = Array.from({ length: n }, (_, i) => {
    const onehot = Array.from({ length: n }, (_, k) => (k === i ? 1 : 0));
    return conv1d(onehot, w, { padding: p }).flatMap((v, j) => (v === 0 ? [] : [{ j, v }]));
  });
  const colorOf = (v: number) => FLIP_COLORS[w.indexOf(v) % FLIP_COLORS.length];
  const conv = edges.flat().length;
  const nodes = (y: number, label: string) => [
    text(6, y + 4, label, { anchor: "start", size: 12, opacity: 0.8 }),
    ...Array.from(
      { length: n },
      (_, k) =>
        `<circle cx="${left + k * gap}" cy="${y}" r="${r}" fill="none" stroke="currentColor" ` +
        `stroke-width="1.5"/>`,
    ),
  ];
  const panel = (top: number, title: string, lines: string[]) => [
    text(left + ((n - 1) * gap) / 2, top, title, { weight: "bold" }),
    ...lines,
    ...nodes(top + 26, "in"),
    ...nodes(top + 116, "out"),
  ];
  const convLines = edges.flatMap((es, i) =>
    es.map(({ j, v }) =>
      line(left + i * gap, top0 + 26 + r, left + j * gap, top0 + 116 - r, {
        stroke: colorOf(v),
        width: 2.2,
      })
    )
  );
  const denseLines: string[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      denseLines.push(
        line(left + i * gap, top1 + 26 + r, left + j * gap, top1 + 116 - r, { opacity: 0.45 }),
      );
    }
  }
  const legend = w.map((v, k) =>
    text(left + ((n - 1) * gap) / 2 + (k - (w.length - 1) / 2) * 56, top0 + 150, `w = ${v}`, {
      fill: colorOf(v),
      weight: "bold",
      size: 12,
    })
  );
  return svgFigure(
    width,
    top1 + 150,
    `Connections from ${n} inputs to ${n} outputs. Convolution with a kernel of ${w.length} ` +
      `weights and padding ${p}: each output is reached by at most ${w.length} neighbouring ` +
      `inputs, ${conv} connections in all, and every connection of one colour is the same ` +
      `shared weight. Dense layer: all ${n * n} connections, each its own weight.`,
    [
      ...panel(top0, `convolution: ${conv} connections, ${w.length} weights`, convLines),
      ...legend,
      ...panel(top1, `dense: ${n * n} connections, ${n * n} weights`, denseLines),
    ],
  );
}
const top0 = 18, top1 = 190;

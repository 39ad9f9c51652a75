/**
 * The lecture's FIG 7: max and mean pooling of one input with the same windows, computed by
 * the course's `maxPool2d` and `avgPool2d`.
 *
 * @module
 */
import { avgPool2d, maxPool2d } from "../../kernels/pool.ts";
import type { Figure } from "../show.ts";
import { arrow, type CellStyle, COLORS, matrix, svgFigure, text } from "./svg.ts";

/**
 * X with its k×k windows (stride k) shaded in a checkerboard, the largest entry of each
 * window in bold, and the max-pooled and mean-pooled outputs beside it.
 */
export function poolingFigure(X: number[][], k: number): Figure {
  const cell = 26, top = 26;
  const max = maxPool2d(X, { size: k }), mean = avgPool2d(X, { size: k });
  const tile = (r: number, c: number) => (Math.floor(r / k) + Math.floor(c / k)) % 2 === 0;
  // The first largest entry of each window is the one max pooling keeps.
  const winner = (r: number, c: number) => {
    const [wr, wc] = [Math.floor(r / k), Math.floor(c / k)];
    for (let a = wr * k; a < wr * k + k; a++) {
      for (let b = wc * k; b < wc * k + k; b++) {
        if (X[a][b] === max[wr][wc]) return a === r && b === c;
      }
    }
    return false;
  };
  const style = (r: number, c: number): CellStyle => ({
    fill: tile(r, c) ? COLORS.blue : COLORS.green,
    fillOpacity: 0.22,
    bold: winner(r, c),
  });
  const xW = X[0].length * cell;
  const o0 = 10 + xW + 56, gap = 40;
  const outTop = (i: number) => top + i * (max.length * cell + gap);
  const outStyle = (r: number, c: number): CellStyle => ({
    fill: (r + c) % 2 === 0 ? COLORS.blue : COLORS.green,
    fillOpacity: 0.22,
  });
  const height = outTop(1) + mean.length * 34 + 8;
  return svgFigure(
    o0 + mean[0].length * 34 + 10,
    Math.max(height, top + X.length * cell + 24),
    `A ${X.length}×${X[0].length} input cut into ${k}×${k} windows (stride ${k}). Max pooling ` +
      `keeps each window's largest entry (bold): [${max.map((r) => `[${r.join(", ")}]`)}]; ` +
      `mean pooling keeps each window's average: [${
        mean.map((r) => `[${r.map((v) => +v.toFixed(2)).join(", ")}]`)
      }].`,
    [
      matrix(10, top, X, { cell, title: `X, ${k}×${k} windows`, style }).svg,
      matrix(o0, outTop(0), max, { cell, title: "max pooling", style: outStyle }).svg,
      matrix(o0, outTop(1), mean, { cell: 34, size: 12, title: "mean pooling", style: outStyle })
        .svg,
      arrow(10 + xW + 8, top + 40, o0 - 8, outTop(0) + (max.length * cell) / 2),
      arrow(10 + xW + 8, top + X.length * cell - 40, o0 - 8, outTop(1) + (max.length * cell) / 2),
      text(10, top + X.length * cell + 20, "pooling has no weights to learn", {
        anchor: "start",
        size: 12,
        opacity: 0.75,
      }),
    ],
  );
}

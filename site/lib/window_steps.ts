/**
 * The lessons' sliding-window figures as steps a reader can walk through: for each output
 * cell, the input window it reads, the products (or, for pooling, the values) it combines,
 * their sum and the cell's value. The output values come from the course's naive kernels
 * (`conv1d`, `conv2d`, `maxPool2d`/`avgPool2d`, `conv2dLayer`), run wherever this module
 * runs (the build and the reader's browser); the products are spelled out beside them,
 * and `tests/site_figures_test.ts` checks that their sums are the kernels' values.
 *
 * @module
 */
import { conv1d, conv2d, conv2dLayer, flipKernel1d, flipKernel2d } from "../../kernels/conv.ts";
import { avgPool2d, maxPool2d } from "../../kernels/pool.ts";
import { pad1d, pad2d } from "../../kernels/conv_layer.ts";

/** What a figure shows, as plain data (island props are JSON). */
export type WindowSpec =
  | { kind: "conv1d"; x: number[]; w: number[]; padding: number; start: number }
  | { kind: "conv2d"; X: number[][]; W: number[][]; padding: number; start: [number, number] }
  | { kind: "pool"; X: number[][]; size: number; start: [number, number] }
  | {
    kind: "channels";
    /** One sample's input channels, [C][H][W]. */
    x: number[][][];
    /** Output channel k's kernels, one per input channel, [C][kh][kw]. */
    weight: number[][][];
    bias: number;
    k: number;
    start: [number, number];
  };

/** One grid of numbers the figure draws. */
export interface Grid {
  id: string;
  title: string;
  values: number[][];
  /** Cells that are zero padding, not data. */
  pad?: (r: number, c: number) => boolean;
  /** How its cells are tinted: input, kernel, output. */
  tone: "input" | "kernel" | "output";
  /** Which input channel it belongs to (tints the channel's window and products alike). */
  channel?: number;
  /** Cells to shift it right: y sits under the windows' centres, as in the lecture's FIG 3. */
  offset?: number;
  /** Whether it slides with the window (1-D: the kernel moves along under x). */
  slides?: boolean;
}

/** A rectangle of cells in one grid. */
export interface Cells {
  grid: string;
  row: number;
  col: number;
  rows: number;
  cols: number;
}

/** One output cell's computation. */
export interface Step {
  /** The output cell, e.g. `y[3]`, `Y[1][2]`. */
  name: string;
  /** The output cells it writes (pooling writes one in each output). */
  out: Cells[];
  /** The input windows it reads. */
  windows: Cells[];
  /** The element-wise products (pooling: the window's values), one block per channel. */
  products: { title: string; values: number[][]; channel?: number }[];
  /** The arithmetic, spelled out: `1·2 + 3·1 + … = 24`. */
  sum: string;
  /** The output value, as the kernel computed it. */
  value: number;
  /** The output value from the spelled-out arithmetic (equal to `value`). */
  spelled: number;
}

/** A figure: its grids in rows, its steps in output order, the one it opens at. */
export interface WindowFigure {
  rows: Grid[][];
  steps: Step[];
  start: number;
  /** The output grid the reader steps through, and its shape. */
  outGrid: string;
  outShape: [number, number];
  /** Whether the products slide with the window too. */
  productsSlide?: boolean;
}

const fmt = (v: number) => String(Number(v.toFixed(4)));
const sumOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const padIn = (p: number, rows: number, cols: number) => (r: number, c: number) =>
  r < p || c < p || r >= p + rows || c >= p + cols;

/** The products of `kernel` and the window of `input` at (r, c). */
function products(input: number[][], kernel: number[][], r: number, c: number): number[][] {
  return kernel.map((row, a) => row.map((v, b) => v * input[r + a][c + b]));
}

/** `a·b + … = s` for a kernel over a window. */
function spell(input: number[][], kernel: number[][], r: number, c: number): string {
  return kernel.flatMap((row, a) => row.map((v, b) => `${fmt(input[r + a][c + b])}·${fmt(v)}`))
    .join(" + ");
}

const at = (grid: string, row: number, col: number, rows = 1, cols = 1): Cells => ({
  grid,
  row,
  col,
  rows,
  cols,
});

/** Where a figure steps: output grid `id` (values `out`), opening at cell [row, col]. */
const stepping = (id: string, out: number[][], [row, col]: [number, number]) => ({
  start: row * out[0].length + col,
  outGrid: id,
  outShape: [out.length, out[0].length] as [number, number],
});

/** Builds a figure's grids and steps, computing every output with the naive kernels. */
export function windowFigure(spec: WindowSpec): WindowFigure {
  switch (spec.kind) {
    case "conv1d": {
      const { x, w, padding: p } = spec;
      const xp = pad1d(x, p), wr = flipKernel1d(w), y = conv1d(x, w, { padding: p });
      const m = w.length;
      const steps = y.map((value, i): Step => {
        const prods = products([xp], [wr], 0, i);
        return {
          name: `y[${i}]`,
          out: [at("y", 0, i)],
          windows: [at("xp", 0, i, 1, m), at("wr", 0, 0, 1, m)],
          products: [{ title: "wʳ × window", values: prods }],
          sum: `${spell([xp], [wr], 0, i)} = ${fmt(value)}`,
          value,
          spelled: sumOf(prods.flat()),
        };
      });
      return {
        rows: [
          [{
            id: "xp",
            title: `x padded (p = ${p})`,
            values: [xp],
            pad: (_r, c) => c < p || c >= p + x.length,
            tone: "input",
          }],
          [{ id: "wr", title: "wʳ (w flipped)", values: [wr], tone: "kernel", slides: true }],
          [{
            id: "y",
            title: "y = x ∗ w",
            values: [y],
            tone: "output",
            offset: Math.floor((m - 1) / 2), // under each window's centre
          }],
        ],
        steps,
        ...stepping("y", [y], [0, spec.start]),
        productsSlide: true,
      };
    }
    case "conv2d": {
      const { X, W, padding: p } = spec;
      const Xp = pad2d(X, p, p), Wr = flipKernel2d(W), Y = conv2d(X, W, { padding: p });
      const [m1, m2] = [W.length, W[0].length];
      const steps = Y.flatMap((row, i) =>
        row.map((value, j): Step => {
          const prods = products(Xp, Wr, i, j);
          return {
            name: `Y[${i}][${j}]`,
            out: [at("Y", i, j)],
            windows: [at("Xp", i, j, m1, m2), at("Wr", 0, 0, m1, m2)],
            products: [{ title: "Wʳ ⊙ window", values: prods }],
            sum: `${spell(Xp, Wr, i, j)} = ${fmt(value)}`,
            value,
            spelled: sumOf(prods.flat()),
          };
        })
      );
      return {
        rows: [[
          {
            id: "Xp",
            title: `X padded (p = ${p})`,
            values: Xp,
            pad: padIn(p, X.length, X[0].length),
            tone: "input",
          },
          { id: "Wr", title: "Wʳ", values: Wr, tone: "kernel" },
          { id: "Y", title: "Y = X ∗ W", values: Y, tone: "output" },
        ]],
        steps,
        ...stepping("Y", Y, spec.start),
      };
    }
    case "pool": {
      const { X, size: k } = spec;
      const max = maxPool2d(X, { size: k }), mean = avgPool2d(X, { size: k });
      const steps = max.flatMap((row, i) =>
        row.map((value, j): Step => {
          const win = X.slice(i * k, i * k + k).map((r) => r.slice(j * k, j * k + k));
          const vals = win.flat();
          return {
            name: `window (${i}, ${j})`,
            out: [at("max", i, j), at("mean", i, j)],
            windows: [at("X", i * k, j * k, k, k)],
            products: [{ title: "the window", values: win }],
            sum: `max(${vals.map(fmt).join(", ")}) = ${fmt(value)};  mean = (${
              vals.map(fmt).join(" + ")
            }) / ${vals.length} = ${fmt(mean[i][j])}`,
            value,
            spelled: Math.max(...vals),
          };
        })
      );
      return {
        rows: [[
          { id: "X", title: `X, ${k}×${k} windows`, values: X, tone: "input" },
          { id: "max", title: "max pooling", values: max, tone: "output" },
          { id: "mean", title: "mean pooling", values: mean, tone: "output" },
        ]],
        steps,
        ...stepping("max", max, spec.start),
      };
    }
    case "channels": {
      const { x, weight, bias, k } = spec;
      // One output channel of a layer: conv2dLayer with that channel's kernels and bias.
      const Z = conv2dLayer([x], [weight], [bias])[0][0];
      const [m1, m2] = [weight[0].length, weight[0][0].length];
      const steps = Z.flatMap((row, i) =>
        row.map((value, j): Step => {
          const prods = x.map((plane, c) => products(plane, weight[c], i, j));
          const parts = prods.map((p) => sumOf(p.flat()));
          return {
            name: `Z[${k}][${i}][${j}]`,
            out: [at("Z", i, j)],
            windows: x.flatMap((_, c) => [at(`X${c}`, i, j, m1, m2), at(`W${c}`, 0, 0, m1, m2)]),
            products: prods.map((values, c) => ({ title: `c = ${c}`, values, channel: c })),
            sum: `${parts.map((s, c) => `(c=${c}) ${fmt(s)}`).join(" + ")} + b (${fmt(bias)}) = ${
              fmt(value)
            }`,
            value,
            spelled: sumOf(parts) + bias,
          };
        })
      );
      return {
        rows: [
          x.map((values, c) => ({
            id: `X${c}`,
            title: `X[${c}]`,
            values,
            tone: "input" as const,
            channel: c,
          })),
          weight.map((values, c) => ({
            id: `W${c}`,
            title: `W[${k}, ${c}]`,
            values,
            tone: "kernel" as const,
            channel: c,
          })),
          [{ id: "Z", title: `Z[${k}] = Σc X[c] ⋆ W[${k}, c] + b`, values: Z, tone: "output" }],
        ],
        steps,
        ...stepping("Z", Z, spec.start),
      };
    }
  }
}

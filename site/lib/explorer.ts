/**
 * The convolution explorer's arithmetic, in one pure function the island and the tests
 * share. Every number it shows comes from the course's naive kernels (`kernels/conv.ts`):
 * the whole output from `conv1d`/`conv2d`, and each window of the textbook's stride loop
 * from the same kernel applied to that window alone.
 *
 * The textbook's loop (`for i in range(0, o, s)`, window starting at `i`) steps the window
 * start by `s` but stops at `o`, the output length, instead of at `(o − 1)·s + 1`: for
 * `s > 1` it visits only the windows starting below `o` and returns a short answer.
 *
 * @example Stride 2 halves the lecture's output; the textbook loop keeps only 2 windows
 * ```ts
 * import assert from "node:assert/strict";
 * import { explore } from "./explorer.ts";
 * const x = [[1, 3, 2, 4, 5, 6, 1, 3]], w = [[1, 0, 3, 1, 2]];
 * const base = { dims: 1 as const, input: x, kernel: w, padding: 2, flip: true, bug: false };
 * assert.deepEqual(explore({ ...base, stride: 1 }).values, [5, 14, 16, 26, 24, 34, 19, 22]);
 * assert.equal(explore({ ...base, stride: 2 }).windows.length, 4);
 * assert.equal(explore({ ...base, stride: 2, bug: true }).windows.length, 2);
 * ```
 *
 * @module
 */
import { conv1d, conv2d, convOutputSize, flipKernel1d, flipKernel2d } from "../../kernels/conv.ts";

/** What the reader chose. 1-D data is one row. */
export interface ExplorerInput {
  dims: 1 | 2;
  input: number[][];
  kernel: number[][];
  padding: number;
  stride: number;
  /** true: convolution (the kernel is flipped); false: cross-correlation. */
  flip: boolean;
  /** Use the textbook's stride loop. */
  bug: boolean;
}

/** One window the computation visits: its top-left corner in the padded input. */
export interface Window {
  row: number;
  col: number;
  value: number;
}

export interface Exploration {
  padded: number[][];
  /** The kernel as it slides (flipped when `flip`). */
  slid: number[][];
  /** The correct output's size along rows and columns. */
  outRows: number;
  outCols: number;
  /** The windows visited, in order, each with its output value. */
  windows: Window[];
  /** The output, flat, in window order. */
  values: number[];
  /** Correct windows the textbook loop never visits (empty without `bug`). */
  skipped: { row: number; col: number }[];
  /** The output-size formula with the numbers filled in, per axis. */
  formula: string[];
  /** The kernel's error message, when the settings are impossible. */
  error?: string;
}

const range = (start: number, stop: number, step: number) => {
  const out: number[] = [];
  for (let i = start; i < stop; i += step) out.push(i);
  return out;
};

function padRows(X: number[][], p: number, dims: 1 | 2): number[][] {
  const pr = dims === 2 ? p : 0;
  const cols = X[0].length + 2 * p;
  const zeros = () => new Array<number>(cols).fill(0);
  const mid = X.map((r) => [...new Array(p).fill(0), ...r, ...new Array(p).fill(0)]);
  return [...Array.from({ length: pr }, zeros), ...mid, ...Array.from({ length: pr }, zeros)];
}

/** Runs the chosen convolution through the naive kernels and lists its windows. */
export function explore(q: ExplorerInput): Exploration {
  const { dims, input, kernel, padding: p, stride: s } = q;
  const padded = padRows(input, p, dims);
  const slid = q.flip ? (dims === 1 ? [flipKernel1d(kernel[0])] : flipKernel2d(kernel)) : kernel;
  // The kernels always flip: hand them the kernel pre-flipped for cross-correlation.
  const given = q.flip ? kernel : (dims === 1 ? [flipKernel1d(kernel[0])] : flipKernel2d(kernel));
  const m = kernel[0].length, mr = kernel.length;
  const formulaOf = (n: number, k: number, pp: number) =>
    `⌊(n + 2p − m)/s⌋ + 1 = ⌊(${n} + 2·${pp} − ${k})/${s}⌋ + 1 = ${
      Math.floor((n + 2 * pp - k) / s) + 1
    }`;
  const formula = dims === 1
    ? [formulaOf(input[0].length, m, p)]
    : [`rows: ${formulaOf(input.length, mr, p)}`, `cols: ${formulaOf(input[0].length, m, p)}`];
  const empty = { padded, slid, outRows: 0, outCols: 0, windows: [], values: [], skipped: [] };
  try {
    if (dims === 1) {
      const out = conv1d(input[0], given[0], { padding: p, stride: s });
      const o = convOutputSize(input[0].length, m, p, s);
      const correct = out.map((value, i) => ({ row: 0, col: i * s, value }));
      if (!q.bug) {
        return { ...empty, outRows: 1, outCols: o, windows: correct, values: out, formula };
      }
      const windows = range(0, o, s).map((start) => ({
        row: 0,
        col: start,
        value: conv1d(padded[0].slice(start, start + m), given[0])[0],
      }));
      const seen = new Set(windows.map((w) => w.col));
      const skipped = correct.filter((w) => !seen.has(w.col)).map(({ row, col }) => ({ row, col }));
      return {
        ...empty,
        outRows: 1,
        outCols: o,
        windows,
        values: windows.map((w) => w.value),
        skipped,
        formula,
      };
    }
    const out = conv2d(input, given, { padding: p, stride: s });
    const [or, oc] = [out.length, out[0].length];
    const correct = out.flatMap((row, i) =>
      row.map((value, j) => ({ row: i * s, col: j * s, value }))
    );
    if (!q.bug) {
      return { ...empty, outRows: or, outCols: oc, windows: correct, values: out.flat(), formula };
    }
    const windows = range(0, or, s).flatMap((r) =>
      range(0, oc, s).map((c) => ({
        row: r,
        col: c,
        value: conv2d(padded.slice(r, r + mr).map((line) => line.slice(c, c + m)), given)[0][0],
      }))
    );
    const seen = new Set(windows.map((w) => `${w.row},${w.col}`));
    const skipped = correct.filter((w) => !seen.has(`${w.row},${w.col}`))
      .map(({ row, col }) => ({ row, col }));
    return {
      ...empty,
      outRows: or,
      outCols: oc,
      windows,
      values: windows.map((w) => w.value),
      skipped,
      formula,
    };
  } catch (e) {
    return { ...empty, formula, error: (e as Error).message };
  }
}

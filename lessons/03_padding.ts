/**
 * # 03 · Padding and the size of the output
 *
 * Without padding, a kernel of length $m$ fits into an input of length $n$ at only
 * $n - m + 1$ positions, so every convolution shrinks its input, and the entries near the
 * border take part in fewer windows than those in the middle. Zero padding fixes both:
 * $p$ zeros on each side give the kernel room to hang over the edge.
 *
 * With padding $p$ and stride $s$, the windows start at $0, s, 2s, \dots$ and must end
 * inside the padded input of length $n + 2p$, which gives the formula worth remembering:
 *
 * $$o = \left\lfloor \frac{n + 2p - m}{s} \right\rfloor + 1.$$
 *
 * Three choices of $p$ have names (NumPy's `np.convolve` modes, and TF.js's padding
 * strings for two of them):
 *
 * - **full**, $p = m - 1$: every window that overlaps the input at all; the output is
 *   longer than the input ($n + m - 1$ for $s = 1$);
 * - **same**, $p = (m - 1)/2$: for $s = 1$ the output is exactly as long as the input,
 *   the usual choice inside a CNN (an odd $m$ keeps it symmetric);
 * - **valid**, $p = 0$: only windows that lie wholly inside the input.
 *
 * @module
 */
import { LitconvError } from "../kernels/errors.ts";
import assert from "node:assert/strict";
import { conv1d, convOutputSize } from "../kernels/conv.ts";
import { currentBackend, tf, useBackend } from "../accel/backend.ts";
import { paddingModesFigure } from "./figures/conv1d.ts";
import { printLesson, show } from "./show.ts";
import { type Table, table } from "./table.ts";
import { exactPair, runPair } from "./twins.ts";

export const lesson = {
  url: import.meta.url,
  summary: "Full, same and valid padding and the output size ⌊(n + 2p − m)/s⌋ + 1, " +
    "tabulated and checked against the naive kernel and tf.conv1d.",
};

export type PaddingMode = "full" | "same" | "valid";

/** The padding each mode adds on each side of the input, for a kernel of length `m`. */
export function paddingFor(mode: PaddingMode, m: number): number {
  switch (mode) {
    case "full":
      return m - 1;
    case "same":
      // An even kernel would need one more zero on one side than the other; our kernels
      // pad symmetrically, so "same" is exact only for odd m.
      if (m % 2 === 0) {
        throw new LitconvError("paddingFor", "m", `must be odd for "same" padding, got ${m}`);
      }
      return (m - 1) / 2;
    case "valid":
      return 0;
  }
}

/**
 * The three modes on the lecture's $\boldsymbol x$ (length 8) and $\boldsymbol w$ (length
 * 5), drawn from what `conv1d` returns for each: the padded input, its first and last
 * window, and the output, each entry under the centre of the window that wrote it.
 */
const x = [1, 3, 2, 4, 5, 6, 1, 3];
const w = [1, 0, 3, 1, 2];
show("x", x);
show("w", w);
show("Full, same and valid padding of the same input", () => paddingModesFigure(x, w), {
  fig: "FIG 4",
});

/**
 * ## A table, measured
 *
 * For a few input lengths $n$, kernel lengths $m$ and strides $s$, the table gives $p$
 * and $o$ for each mode. The formula is `convOutputSize`; each entry is also *measured*:
 * `conv1d` runs on a real input of length $n$ and the length of its result must be the
 * formula's $o$. The rows $n = 10, m = 5, s = 1$ and $n = 10, m = 3, s = 2$ are the
 * textbook's worked examples.
 */
const MODES: PaddingMode[] = ["full", "same", "valid"];
const CASES: [number, number, number][] = [
  [8, 5, 1],
  [10, 5, 1],
  [10, 3, 2],
  [28, 5, 1],
  [28, 5, 2],
  [7, 3, 3],
];

export interface SizeRow {
  n: number;
  m: number;
  s: number;
  /** Per mode: padding, the formula's size, and the length conv1d actually returned. */
  modes: { mode: PaddingMode; p: number; formula: number; measured: number }[];
}

export function sizeTable(cases = CASES): SizeRow[] {
  return cases.map(([n, m, s]) => ({
    n,
    m,
    s,
    modes: MODES.map((mode) => {
      const p = paddingFor(mode, m);
      const x = Array.from({ length: n }, (_, i) => i + 1);
      const w = new Array<number>(m).fill(1);
      return {
        mode,
        p,
        formula: convOutputSize(n, m, p, s),
        measured: conv1d(x, w, { padding: p, stride: s }).length,
      };
    }),
  }));
}

function renderTable(rows: SizeRow[]): Table {
  return table(
    ["n", "m", "s", ...MODES.flatMap(() => ["p", "o"])],
    rows.map((r) => [r.n, r.m, r.s, ...r.modes.flatMap((c) => [c.p, c.formula])]),
    { groups: [["", 3], ...MODES.map((m): [string, number] => [m, 2])] },
  );
}
show("output sizes o = ⌊(n + 2p − m)/s⌋ + 1", renderTable(sizeTable()));
for (const mode of MODES) {
  const p = paddingFor(mode, w.length);
  show(`conv1d(x, w), ${mode} (p=${p})`, () => runPair("conv1d", [x, w, { padding: p }]));
}

/**
 * ## The TF.js twin's padding strings
 *
 * TF.js offers `'valid'` and `'same'` by name (there is no `'full'`; pad by hand with
 * `tf.pad`). Its `'same'` means "output length $\lceil n/s \rceil$", padding more at the
 * end when the total is odd, which for $s = 1$ and odd $m$ is our symmetric same. The
 * function below asks `tf.conv1d` for the length it produces.
 */
export function tfOutputLength(n: number, m: number, s: number, pad: "same" | "valid") {
  const out = tf.tidy(() =>
    tf.conv1d(tf.ones([1, n, 1]) as tf.Tensor3D, tf.ones([m, 1, 1]) as tf.Tensor3D, s, pad)
  );
  const length = out.shape[1];
  out.dispose();
  return length;
}
show("same / valid lengths for n=8, m=5: convOutputSize; twin: tf.conv1d's", async () => {
  const ours = [convOutputSize(8, 5, 2, 1), convOutputSize(8, 5, 0, 1)];
  await currentBackend(); // TF.js needs a started backend before its first tensor
  const theirs = [tfOutputLength(8, 5, 1, "same"), tfOutputLength(8, 5, 1, "valid")];
  return exactPair(ours, ours.join(" / "), theirs, theirs.join(" / "));
});

/**
 * ## Full mode is polynomial multiplication
 *
 * A full convolution visits every pair $(x[j], w[k])$ once and adds the product to entry
 * $j + k$, exactly what multiplying two polynomials does with their coefficients:
 * $(1 + 2t)(3 + t + t^2) = 3 + 7t + 3t^2 + 2t^3$.
 */
export function polyMultiply(a: number[], b: number[]): number[] {
  const out = new Array<number>(a.length + b.length - 1).fill(0);
  a.forEach((ai, j) => b.forEach((bk, k) => (out[j + k] += ai * bk)));
  return out;
}

const fullProduct = conv1d([1, 2], [3, 1, 1], { padding: paddingFor("full", 3) });
show("(1 + 2t)(3 + t + t²) by full conv1d", fullProduct);

/**
 * ## Claims, checked
 *
 * Every claim above is a test: `deno test -A` runs them (through `tests/lessons_test.ts`).
 */
Deno.test("03: every table entry: formula = measured length, and the modes' meaning", () => {
  for (const row of sizeTable()) {
    for (const c of row.modes) assert.equal(c.measured, c.formula, JSON.stringify({ ...row, c }));
    const [full, same, valid] = row.modes;
    if (row.s === 1) {
      assert.equal(full.formula, row.n + row.m - 1);
      assert.equal(same.formula, row.n);
      assert.equal(valid.formula, row.n - row.m + 1);
    }
  }
  assert.throws(() => paddingFor("same", 4), /must be odd/);
});

Deno.test("03: TF.js's 'same' and 'valid' give the lengths of our same and valid", async () => {
  await useBackend();
  for (const [n, m, s] of CASES) {
    assert.equal(tfOutputLength(n, m, s, "valid"), convOutputSize(n, m, 0, s));
    if (s === 1) assert.equal(tfOutputLength(n, m, s, "same"), n);
  }
});

Deno.test("03: full convolution multiplies polynomials", () => {
  assert.deepEqual(fullProduct, [3, 7, 3, 2]);
  const a = [2, -1, 0, 4];
  const b = [1, 5, -3];
  assert.deepEqual(conv1d(a, b, { padding: b.length - 1 }), polyMultiply(a, b));
});

/**
 * ## Exercises
 *
 * 1. **Task 03.1** — write `convOutputSize(n: number, m: number, padding = 0, stride = 1):
 *    number` without looking at ours. Start with
 *    `deno task assignment new my-work --tasks 03.1`, then `deno task grade my-work`: the
 *    grader compares it with the length of the naive kernel's output on random n, m, p
 *    and s, and with the clear errors the contract asks for (a kernel longer than the
 *    padded input, stride 0).
 * 2. Practice (not graded): write `samePadding(n: number, m: number, stride: number):
 *    [before: number, after: number]`, TF.js's rule for `'same'` (output length ⌈n/s⌉,
 *    the odd zero at the end), and compare its total with what `tfOutputLength(…,
 *    'same')` implies on a few sizes.
 */

if (import.meta.main) await printLesson(import.meta.url);

/**
 * The convolution explorer: choose an input, a kernel, padding, stride, flip and 1-D or
 * 2-D, then step through the windows and watch each output cell computed by the course's
 * naive kernels (see `site/lib/explorer.ts`). The textbook's stride loop can be switched on
 * to see which windows it skips.
 */
import { useState } from "../../deps/preact.ts";
import { explore, type Window } from "../lib/explorer.ts";

const INPUTS_1D: Record<string, number[]> = {
  "the lecture's x": [1, 3, 2, 4, 5, 6, 1, 3],
  "a step": [0, 0, 0, 0, 1, 1, 1, 1],
  "ten ramps": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
};
const KERNELS_1D: Record<string, number[]> = {
  "the lecture's w": [1, 0, 3, 1, 2],
  "mean of 3": [1, 1, 1],
  "difference": [1, -1],
};
const INPUTS_2D: Record<string, number[][]> = {
  "the lecture's 4×4 X": [[1, 3, 2, 4], [5, 6, 1, 3], [1, 2, 0, 2], [3, 4, 3, 2]],
  "a 6×6 edge": Array.from({ length: 6 }, () => [0, 0, 0, 9, 9, 9]),
};
const KERNELS_2D: Record<string, number[][]> = {
  "the lecture's 3×3 W": [[1, 0, 3], [1, 2, 1], [0, 1, 1]],
  "vertical edge (Sobel)": [[1, 0, -1], [2, 0, -2], [1, 0, -1]],
  "2×2 ones": [[1, 1], [1, 1]],
};

export interface ConvExplorerProps {
  dims?: 1 | 2;
  padding?: number;
  stride?: number;
}

const fmt = (v: number) => String(Number(v.toFixed(4)));

export default function ConvExplorer(props: ConvExplorerProps) {
  const [dims, setDims] = useState<1 | 2>(props.dims ?? 1);
  const [inputName, setInputName] = useState(Object.keys(INPUTS_1D)[0]);
  const [kernelName, setKernelName] = useState(Object.keys(KERNELS_1D)[0]);
  const [padding, setPadding] = useState(props.padding ?? 2);
  const [stride, setStride] = useState(props.stride ?? 1);
  const [flip, setFlip] = useState(true);
  const [bug, setBug] = useState(false);
  const [step, setStep] = useState(0);

  const inputs = dims === 1 ? INPUTS_1D : INPUTS_2D;
  const kernels = dims === 1 ? KERNELS_1D : KERNELS_2D;
  const input = dims === 1 ? [INPUTS_1D[inputName]] : INPUTS_2D[inputName];
  const kernel = dims === 1 ? [KERNELS_1D[kernelName]] : KERNELS_2D[kernelName];
  const ex = explore({ dims, input, kernel, padding, stride, flip, bug });
  const k = Math.min(step, Math.max(0, ex.windows.length - 1));
  const win: Window | undefined = ex.windows[k];
  const [mr, mc] = [ex.slid.length, ex.slid[0].length];
  const inWin = (r: number, c: number, w?: { row: number; col: number }) =>
    !!w && r >= w.row && r < w.row + mr && c >= w.col && c < w.col + mc;
  const origin = (r: number, c: number) =>
    (dims === 2 && (r < padding || r >= padding + input.length)) || c < padding ||
    c >= padding + input[0].length;

  const change = (f: () => void) => {
    f();
    setStep(0);
  };
  const switchDims = (d: 1 | 2) =>
    change(() => {
      setDims(d);
      setInputName(Object.keys(d === 1 ? INPUTS_1D : INPUTS_2D)[0]);
      setKernelName(Object.keys(d === 1 ? KERNELS_1D : KERNELS_2D)[0]);
      setPadding(d === 1 ? 2 : 1); // the lecture's "same" padding for its kernel
      setStride(1);
    });

  const terms = win
    ? ex.slid.flatMap((row, i) =>
      row.map((w, j) => `${fmt(ex.padded[win.row + i][win.col + j])}·${fmt(w)}`)
    )
    : [];

  return (
    <div class="explorer">
      <div class="controls" role="group" aria-label="Convolution settings">
        <label>
          Dimensions
          <select
            value={String(dims)}
            onChange={(e) => switchDims(Number(e.currentTarget.value) as 1 | 2)}
            data-testid="dims"
          >
            <option value="1">1-D</option>
            <option value="2">2-D</option>
          </select>
        </label>
        <Choice
          label="Input"
          value={inputName}
          names={Object.keys(inputs)}
          onPick={(n) => change(() => setInputName(n))}
        />
        <Choice
          label="Kernel"
          value={kernelName}
          names={Object.keys(kernels)}
          onPick={(n) => change(() => setKernelName(n))}
        />
        <Whole
          label="Padding p"
          value={padding}
          range={[0, 4]}
          testId="padding"
          onValue={(v) => change(() => setPadding(v))}
        />
        <Whole
          label="Stride s"
          value={stride}
          range={[1, 4]}
          testId="stride"
          onValue={(v) => change(() => setStride(v))}
        />
        <Switch checked={flip} onSwitch={(on) => change(() => setFlip(on))}>
          flip the kernel (convolution; off: cross-correlation)
        </Switch>
        <Switch checked={bug} testId="bug" onSwitch={(on) => change(() => setBug(on))}>
          the textbook's stride loop
        </Switch>
      </div>

      <p class="formula" data-testid="formula">
        o = {ex.formula.join(";  ")}
      </p>

      {ex.error
        ? (
          <p role="alert" class="agree">
            <span class="no">The kernel refuses:</span> {ex.error}
          </p>
        )
        : (
          <>
            <h2>Padded input {dims === 1 ? "x̃" : "X̃"} and the window</h2>
            <div
              class={dims === 1 ? "cells" : "grid2d"}
              style={dims === 2
                ? `grid-template-columns: repeat(${ex.padded[0].length}, 2.4rem)`
                : ""}
              data-testid="padded"
            >
              {ex.padded.flatMap((row, r) =>
                row.map((v, c) => {
                  const cls = ["cell", origin(r, c) ? "pad" : "", inWin(r, c, win) ? "win" : ""];
                  if (ex.skipped.some((w) => inWin(r, c, w)) && !inWin(r, c, win)) {
                    cls.push("skipped");
                  }
                  return <span key={`${r},${c}`} class={cls.join(" ")}>{fmt(v)}</span>;
                })
              )}
            </div>
            <h2>Kernel as it slides{flip ? " (flipped)" : ""}</h2>
            <div
              class={dims === 1 ? "cells" : "grid2d"}
              style={dims === 2 ? `grid-template-columns: repeat(${mc}, 2.4rem)` : ""}
            >
              {ex.slid.flatMap((row, r) =>
                row.map((v, c) => <span key={`${r},${c}`} class="cell">{fmt(v)}</span>)
              )}
            </div>
            <div class="controls">
              <button type="button" onClick={() => setStep(Math.max(0, k - 1))} disabled={k === 0}>
                ◀ previous window
              </button>
              <span aria-live="polite" data-testid="step">
                window {k + 1} of {ex.windows.length}
              </span>
              <button
                type="button"
                onClick={() => setStep(Math.min(ex.windows.length - 1, k + 1))}
                disabled={k >= ex.windows.length - 1}
              >
                next window ▶
              </button>
            </div>
            {win && (
              <p class="formula" data-testid="sum">
                output {k + 1} = {terms.join(" + ")} = <strong>{fmt(win.value)}</strong>
              </p>
            )}
            <h2>
              Output: <span data-testid="output-length">{ex.values.length}</span> values
              {bug && ex.skipped.length > 0 && (
                <span class="no">
                  {` (should be ${ex.outRows * ex.outCols}; ${ex.skipped.length} windows skipped)`}
                </span>
              )}
            </h2>
            <div class="cells" data-testid="output">
              {ex.windows.map((w, i) => (
                <button
                  type="button"
                  key={i}
                  class={`cell${i === k ? " now" : ""}`}
                  aria-pressed={i === k}
                  aria-label={`output ${i + 1}: ${fmt(w.value)}`}
                  onClick={() => setStep(i)}
                >
                  {fmt(w.value)}
                </button>
              ))}
            </div>
            {bug && (
              <p class="muted">
                The textbook writes <code>for i in range(0, o, s)</code>{" "}
                and reads the window starting at <code>i</code>: it steps by s but stops at o, so
                {" "}
                {ex.skipped.length > 0
                  ? `it never visits the windows starting at ${
                    ex.skipped.map((w) => (dims === 1 ? w.col : `(${w.row}, ${w.col})`)).join(", ")
                  } (their cells are marked red).`
                  : "every window is visited (the bug shows only for s > 1)."}
              </p>
            )}
          </>
        )}
    </div>
  );
}

/** A labelled drop-down of `names`. */
function Choice(
  props: { label: string; value: string; names: string[]; onPick: (name: string) => void },
) {
  return (
    <label>
      {props.label}
      <select value={props.value} onChange={(e) => props.onPick(e.currentTarget.value)}>
        {props.names.map((n) => <option key={n} value={n}>{n}</option>)}
      </select>
    </label>
  );
}

/** A labelled whole-number box; what is typed is kept within `range` (blank: its lowest). */
function Whole(props: {
  label: string;
  value: number;
  range: [number, number];
  testId: string;
  onValue: (v: number) => void;
}) {
  const [min, max] = props.range;
  return (
    <label>
      {props.label}
      <input
        type="number"
        min={String(min)}
        max={String(max)}
        value={props.value}
        data-testid={props.testId}
        onInput={(e) =>
          props.onValue(Math.max(min, Math.min(max, Number(e.currentTarget.value) || min)))}
      />
    </label>
  );
}

/** A checkbox with its label after it. */
function Switch(props: {
  checked: boolean;
  testId?: string;
  onSwitch: (on: boolean) => void;
  children: string;
}) {
  return (
    <label>
      <input
        type="checkbox"
        checked={props.checked}
        data-testid={props.testId}
        onChange={(e) => props.onSwitch(e.currentTarget.checked)}
      />
      {props.children}
    </label>
  );
}

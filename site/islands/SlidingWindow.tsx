/**
 * A lesson's sliding-window figure the reader can step through, CNN Explainer-style: point
 * at (or tap) an output cell, or step with the buttons or the arrow keys, and the input
 * window it reads, the products it takes, their sum and the cell light up together. The
 * numbers come from the course's naive kernels, run in the browser (`site/lib/window_steps.ts`).
 *
 * The server renders the lesson's static SVG (the same one the notebooks and the printed
 * page show); once the island is live it draws its own figure on top, and the static SVG
 * stays in the page for print.
 */
import { useEffect, useState } from "../../deps/preact.ts";
import type { JSX } from "../../deps/preact.ts";
import { type Cells, type Grid, windowFigure, type WindowSpec } from "../lib/window_steps.ts";
import { figureSizeStyle } from "../lib/figure_size.ts";

export interface SlidingWindowProps {
  spec: WindowSpec;
  /** The lesson's static figure: SVG markup, its alt text, its caption and lecture tag. */
  svg: string;
  alt: string;
  label: string;
  fig?: string;
}

const CELL = 26, GAP = 22, TITLE = 18, MARGIN = 6;
// The site's figure colours (drawing/charts.ts's PALETTE): blue, orange, green, pink, purple.
const BLUE = "#4269d0", ORANGE = "#e8710a", GREEN = "#3ca951";
const CHANNEL = ["#d6336c", GREEN, BLUE];

const fmt = (v: number) => String(Number(v.toFixed(2)));
const inside = (cells: Cells[], grid: string, r: number, c: number) =>
  cells.some((w) =>
    w.grid === grid && r >= w.row && r < w.row + w.rows && c >= w.col && c < w.col + w.cols
  );

/** The width a grid takes: its cells, or its bold 12-unit title when that is wider. */
const span = (values: number[][], title: string) =>
  Math.max(values[0].length * CELL, title.length * 7.5);

interface Placed {
  grid: Grid;
  x: number;
  y: number;
}

/** Lays the grids out row by row; returns their places and the figure's size. */
function layout(rows: Grid[][], below: { values: number[][]; title: string }[]) {
  const placed: Placed[] = [];
  let y = MARGIN, width = 0;
  for (const row of rows) {
    let x = MARGIN, height = 0;
    for (const grid of row) {
      const shift = (grid.offset ?? 0) * CELL;
      placed.push({ grid, x: x + shift, y: y + TITLE });
      x += shift + span(grid.values, grid.title) + GAP;
      height = Math.max(height, TITLE + grid.values.length * CELL);
    }
    width = Math.max(width, x - GAP + MARGIN);
    y += height + 14;
  }
  const productsTop = y;
  let x = MARGIN, height = 0;
  for (const p of below) {
    x += span(p.values, p.title) + GAP;
    height = Math.max(height, TITLE + p.values.length * CELL);
  }
  width = Math.max(width, x - GAP + MARGIN);
  return { placed, productsTop, width, height: productsTop + height + MARGIN };
}

function Matrix(
  { x, y, values, title, fill, opacity, bold, dashed, onCell }: {
    x: number;
    y: number;
    values: number[][];
    title: string;
    fill: (r: number, c: number) => string | undefined;
    opacity?: (r: number, c: number) => number;
    bold?: (r: number, c: number) => boolean;
    dashed?: (r: number, c: number) => boolean;
    onCell?: (r: number, c: number) => void;
  },
) {
  return (
    <g>
      <text x={x} y={y - 6} font-size="12" font-weight="bold">{title}</text>
      {values.flatMap((row, r) =>
        row.map((v, c) => {
          const f = fill(r, c);
          const act = onCell && (() => onCell(r, c));
          return (
            <g
              key={`${r},${c}`}
              onMouseEnter={act}
              onClick={act}
              class={onCell ? "pick" : undefined}
            >
              <rect
                x={x + c * CELL}
                y={y + r * CELL}
                width={CELL}
                height={CELL}
                fill={f ?? "transparent"}
                fill-opacity={f ? opacity?.(r, c) ?? 0.35 : 0}
                stroke="currentColor"
                stroke-opacity={0.55}
                stroke-dasharray={dashed?.(r, c) ? "3 2" : undefined}
              />
              <text
                x={x + c * CELL + CELL / 2}
                y={y + r * CELL + CELL / 2 + 4}
                text-anchor="middle"
                font-size={String(v).length > 3 ? 9 : 12}
                font-weight={bold?.(r, c) ? "bold" : undefined}
                opacity={dashed?.(r, c) ? 0.6 : 1}
              >
                {fmt(v)}
              </text>
            </g>
          );
        })
      )}
    </g>
  );
}

export default function SlidingWindow(props: SlidingWindowProps) {
  const [live, setLive] = useState(false);
  const figure = windowFigure(props.spec);
  const [k, setK] = useState(figure.start);
  useEffect(() => setLive(true), []);

  const n = figure.steps.length;
  const step = figure.steps[Math.max(0, Math.min(n - 1, k))];
  const go = (to: number) => setK(Math.max(0, Math.min(n - 1, to)));
  const [outRows, outCols] = figure.outShape;
  const pick = (grid: string) => (r: number, c: number) => {
    if (grid === figure.outGrid || step.out.some((o) => o.grid === grid)) go(r * outCols + c);
  };
  const keys = (e: JSX.TargetedKeyboardEvent<HTMLDivElement>) => {
    const move: Record<string, number> = {
      ArrowLeft: -1,
      ArrowRight: 1,
      ArrowUp: -outCols,
      ArrowDown: outCols,
    };
    if (e.key === "Home") go(0);
    else if (e.key === "End") go(n - 1);
    else if (e.key in move) go(k + move[e.key]);
    else return;
    e.preventDefault();
  };

  const { placed, productsTop, width, height } = layout(figure.rows, step.products);
  // Where a sliding kernel sits: under the first input window.
  const slide = step.windows[0].col * CELL;
  const tint = (g: Grid, r: number, c: number): string | undefined => {
    if (inside(step.out, g.id, r, c)) return BLUE;
    if (inside(step.windows, g.id, r, c)) {
      return g.tone === "kernel" ? ORANGE : g.channel !== undefined ? CHANNEL[g.channel] : BLUE;
    }
    return undefined;
  };
  const staticFig = (cls: string) => (
    <div class={cls} dangerouslySetInnerHTML={{ __html: props.svg }} />
  );

  return (
    <figure
      class="lesson-figure window-figure"
      style={figureSizeStyle(props.svg)}
      data-fig={props.fig}
      data-kind={props.spec.kind}
      data-step={String(k)}
    >
      {live
        ? (
          <div class="window-live" tabIndex={0} onKeyDown={keys} aria-describedby={undefined}>
            <svg
              xmlns="http://www.w3.org/2000/svg"
              viewBox={`0 0 ${width} ${height}`}
              width={width}
              height={height}
              // Its smallest text is 9 units: on a phone it stops shrinking where that is 10 px,
              // and the box scrolls instead.
              style={{ minWidth: `${Math.ceil((width * 10) / 9)}px` }}
              role="img"
              aria-label={`${props.alt} Now showing ${step.name}: ${step.sum}.`}
              font-family="system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', sans-serif"
              fill="currentColor"
            >
              {placed.map(({ grid, x, y }) => (
                <Matrix
                  key={grid.id}
                  x={x + (grid.slides ? slide : 0)}
                  y={y}
                  values={grid.values}
                  title={grid.title}
                  fill={(r, c) => tint(grid, r, c)}
                  opacity={(r, c) => (inside(step.out, grid.id, r, c) ? 0.55 : 0.3)}
                  bold={(r, c) => inside(step.out, grid.id, r, c)}
                  dashed={grid.pad}
                  onCell={grid.tone === "output" ? pick(grid.id) : undefined}
                />
              ))}
              {(() => {
                let x = MARGIN + (figure.productsSlide ? slide : 0);
                return step.products.map((p) => {
                  const at = x;
                  x += span(p.values, p.title) + GAP;
                  return (
                    <Matrix
                      key={p.title}
                      x={at}
                      y={productsTop + TITLE}
                      values={p.values}
                      title={p.title}
                      fill={() => (p.channel !== undefined ? CHANNEL[p.channel] : GREEN)}
                      opacity={() => 0.25}
                    />
                  );
                });
              })()}
            </svg>
            <div class="controls">
              <button type="button" onClick={() => go(k - 1)} disabled={k === 0}>
                ◀ previous
              </button>
              <button type="button" onClick={() => go(k + 1)} disabled={k >= n - 1}>
                next ▶
              </button>
              <span aria-live="polite" data-testid="window-step">
                {step.name}: output {k + 1} of {n}
              </span>
            </div>
            <p class="formula window-sum" data-testid="window-sum">
              {step.sum}
            </p>
          </div>
        )
        : staticFig("fig")}
      {live && staticFig("fig print-only")}
      <figcaption>
        {props.label}
        {props.fig && <span class="fig-tag">the lecture's {props.fig}, drawn by our code</span>}
        {live && (
          <span class="muted window-hint">
            Point at or tap an output cell ({outRows}×{outCols}), or use ◀ ▶ and the arrow keys.
          </span>
        )}
      </figcaption>
    </figure>
  );
}

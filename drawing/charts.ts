/**
 * Every chart of the project (training curves, accuracy by rotation angle, the confusion
 * matrix, two runs compared), drawn by Observable Plot on a linkedom DOM and returned as a
 * standalone SVG string; the run folders, the lessons and the site call the same functions.
 * By default a chart is white with near-black text, legible as a file or on a dark page;
 * `{ page: true }` (and {@link lineChartSvg}) draws in the page's own colour instead.
 *
 * ```ts
 * import { rotationSvg } from "./charts.ts";
 * const svg = rotationSvg([{ angle: -45, accuracy: 0.6 }, { angle: 0, accuracy: 0.99 }]);
 * console.assert(svg.startsWith("<svg") && svg.includes("Rotation angle"));
 * ```
 *
 * @module
 */
import * as Plot from "../deps/plot.ts";
import { parseHTML } from "../deps/linkedom.ts";
import { escapeMarkup } from "./markup.ts";

const { document } = parseHTML("<!doctype html><html><head></head><body></body></html>");

/**
 * Colours for train / validation and for the runs of a comparison: Plot's tableau10 blue, then
 * darker hues than its yellow, which is too faint for a thin line on white.
 */
export const PALETTE = ["#4269d0", "#e8710a", "#3ca951", "#d6336c", "#7b5ea7", "#8c6d31"];

/** One entry of a chart's legend. */
export interface LegendEntry {
  label: string;
  color: string;
  dashed?: boolean;
}

const HEADER_H = 52, PANEL_W = 460, PANEL_H = 300, FONT = 12;
/** The page style's font, and its panel size (legible when a phone shrinks it to 330 px). */
const PAGE_FONT = 13, PAGE_W = 420, PAGE_H = 280;
const DASH = "6 4";

/** How a chart is drawn: a standalone file (the default) or inline in a page. */
export interface ChartStyle {
  /** No background, the page's text colour, the page font size. */
  page?: boolean;
}

/** Plot's SVG as markup, without its `<style>` (which would resize a nested `<svg>` in HTML). */
function markup(plot: Element, x: number, y: number, font = FONT): string {
  for (const style of plot.querySelectorAll("style")) style.remove();
  plot.removeAttribute("class");
  plot.setAttribute("font-size", String(font)); // Plot's default is 10 px
  plot.setAttribute("x", String(x));
  plot.setAttribute("y", String(y));
  return plot.outerHTML;
}

// Plot's option types are wide unions; the few options used here are plain objects.
// deno-lint-ignore no-explicit-any
const plot = (options: Record<string, any>): Element =>
  Plot.plot({ document, ...options }) as unknown as Element;

/**
 * The title, centred, and below it the legend's entries (a line swatch and a label) in a row,
 * or a line of text (`note`) when there is no legend.
 */
function header(
  title: string,
  legend: LegendEntry[],
  width: number,
  note = "",
  font = FONT,
): { svg: string; height: number } {
  const charW = font * 0.6, swatch = 24, gap = 22;
  const widths = legend.map((e) => swatch + 6 + e.label.length * charW);
  // Entries fill a line, centred; what does not fit starts the next line (page charts are narrow).
  const lines: number[][] = [[]];
  let used = 0;
  widths.forEach((w, i) => {
    const line = lines[lines.length - 1];
    if (line.length > 0 && used + gap + w > width - 16) {
      lines.push([i]);
      used = w;
    } else {
      line.push(i);
      used += (line.length > 1 ? gap : 0) + w;
    }
  });
  const rows = lines.flatMap((line, k) => {
    let x = (width - (line.reduce((a, i) => a + widths[i], 0) + gap * (line.length - 1))) / 2;
    return line.map((i) => {
      const row = { ...legend[i], x1: x, x2: x + swatch, tx: x + swatch + 6, y: 40 + 18 * k };
      x += widths[i] + gap;
      return row;
    });
  });
  const height = HEADER_H + 18 * (lines.length - 1);
  const svg = markup(
    plot({
      width,
      height,
      margin: 0,
      x: { domain: [0, width], axis: null },
      y: { domain: [height, 0], axis: null },
      marks: [
        Plot.text([title], {
          x: width / 2,
          y: 16,
          text: (d: string) => d,
          fontSize: 15,
          fontWeight: "bold",
        }),
        // One link mark per entry: a dash pattern is a constant, not a channel.
        ...rows.map((r) =>
          Plot.link([r], {
            x1: "x1",
            x2: "x2",
            y1: "y",
            y2: "y",
            stroke: r.color,
            strokeWidth: 2.5,
            strokeDasharray: r.dashed ? DASH : undefined,
          })
        ),
        Plot.text(rows, { x: "tx", y: "y", text: "label", textAnchor: "start" }),
        Plot.text([note], { x: width / 2, y: 40, text: (d: string) => d }),
      ],
    }),
    0,
    0,
    font,
  );
  return { svg, height };
}

/**
 * The outer SVG: header on top, panels in a row; for a file a white background and a fixed
 * text colour, for a page neither (it takes the page's colours).
 */
function figure(
  title: string,
  legend: LegendEntry[],
  panels: Element[],
  panelW: number,
  panelH = PANEL_H,
  note = "",
  style: ChartStyle = {},
): string {
  const font = style.page ? PAGE_FONT : FONT;
  const head = header(title, legend, panelW * panels.length, note, font);
  const width = panelW * panels.length, height = head.height + panelH;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}"${style.page ? "" : ` color="#1a1a1a"`} role="img" ` +
    `aria-label="${escapeMarkup(title)}">`,
    `<title>${escapeMarkup(title)}</title>`,
    ...(style.page ? [] : [`<rect width="100%" height="100%" fill="white"/>`]),
    head.svg,
    ...panels.map((p, i) => markup(p, i * panelW, head.height, font)),
    `</svg>\n`,
  ].join("\n");
}

/** One line with a dot at each point, as Plot marks. */
export interface Line extends LegendEntry {
  points: { x: number; y: number }[];
  /** Dots only, no line joining them. */
  dotsOnly?: boolean;
}

/** A line panel: y label, x label, grid, and each line with its dots. */
function linePanel(
  subtitle: string,
  xLabel: string,
  yLabel: string,
  lines: Line[],
  opts: {
    xTicks?: number[];
    width?: number;
    height?: number;
    extra?: Plot.Markish[];
    yDomain?: [number, number];
  } = {},
): Element {
  return plot({
    width: opts.width ?? PANEL_W,
    height: opts.height ?? PANEL_H,
    marginLeft: 70,
    marginRight: 20,
    marginTop: 34,
    marginBottom: 44,
    // Insets keep the first and last dots off the frame; ticks are whole numbers.
    x: {
      label: xLabel,
      labelAnchor: "center",
      labelArrow: "none",
      ticks: opts.xTicks,
      tickFormat: "d",
      inset: 12,
    },
    y: {
      label: yLabel,
      labelAnchor: "center",
      labelArrow: "none",
      grid: true,
      nice: true,
      inset: 6,
      ...(opts.yDomain ? { domain: opts.yDomain } : {}),
    },
    marks: [
      Plot.frame({ stroke: "#999" }),
      Plot.text([subtitle], { frameAnchor: "top", dy: -20, text: (d: string) => d, fontSize: 13 }),
      ...(opts.extra ?? []),
      ...lines.flatMap((l) => [
        ...(l.dotsOnly ? [] : [
          Plot.line(l.points, {
            x: "x",
            y: "y",
            stroke: l.color,
            strokeWidth: 2,
            strokeDasharray: l.dashed ? DASH : undefined,
          }),
        ]),
        Plot.dot(l.points, { x: "x", y: "y", fill: l.color, r: 3.5 }),
      ]),
    ],
  });
}

/** Whole epochs as ticks (Plot would otherwise tick 1.5, 2.5 … for a short run). */
const epochTicks = (epochs: number[]) => {
  const max = Math.max(...epochs), step = Math.max(1, Math.ceil(max / 10));
  return epochs.filter((e) => e % step === 0 || e === 1);
};

/** One panel of lines, for {@link lineChartSvg}. */
export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  lines: Line[];
  /** Where the x axis has ticks (default: whole epochs when `epochs`, else Plot's choice). */
  xTicks?: number[];
  /** Whole-number x values: tick them as epochs. */
  epochs?: boolean;
  /** A dotted vertical rule at this x (0° on a rotation chart). */
  ruleX?: number;
  yDomain?: [number, number];
  width?: number;
  height?: number;
}

/**
 * One chart panel with its title and legend, in the page style by default: the lessons'
 * charts (curves, accuracy against angle, two runs compared), one SVG each.
 *
 * ```ts
 * import { lineChartSvg } from "./charts.ts";
 * const svg = lineChartSvg({
 *   title: "Loss",
 *   xLabel: "Epoch",
 *   yLabel: "Loss",
 *   epochs: true,
 *   lines: [{ label: "Train", color: "#4269d0", points: [{ x: 1, y: 0.3 }, { x: 2, y: 0.1 }] }],
 * });
 * console.assert(svg.includes("Train") && !svg.includes('fill="white"'));
 * ```
 */
export function lineChartSvg(chart: LineChart, style: ChartStyle = { page: true }): string {
  const width = chart.width ?? (style.page ? PAGE_W : PANEL_W);
  const height = chart.height ?? (style.page ? PAGE_H : PANEL_H);
  const xs = [...new Set(chart.lines.flatMap((l) => l.points.map((p) => p.x)))].sort((a, b) =>
    a - b
  );
  const xTicks = chart.xTicks ?? (chart.epochs ? epochTicks(xs) : undefined);
  const panel = linePanel("", chart.xLabel, chart.yLabel, chart.lines, {
    xTicks,
    width,
    height,
    yDomain: chart.yDomain,
    extra: chart.ruleX === undefined
      ? []
      : [Plot.ruleX([chart.ruleX], { stroke: "#999", strokeDasharray: "2 3" })],
  });
  return figure(chart.title, chart.lines, [panel], width, height, "", style);
}

/** The per-epoch numbers the curves need (a subset of a run's `EpochRecord`). */
export interface CurvePoint {
  epoch: number;
  trainLoss: number;
  validLoss: number;
  trainAccuracy: number;
  validAccuracy: number;
}

/**
 * The lecture's figure: loss (left) and accuracy (right) by epoch, train (solid) vs
 * validation (dashed); one dot per epoch and line.
 */
export function curvesSvg(history: CurvePoint[], title = "Training curves"): string {
  const train = { label: "Train", color: PALETTE[0] };
  const valid = { label: "Validation", color: PALETTE[1], dashed: true };
  const pts = (key: keyof CurvePoint) => history.map((h) => ({ x: h.epoch, y: h[key] }));
  const xTicks = epochTicks(history.map((h) => h.epoch));
  return figure(title, [train, valid], [
    linePanel("Loss", "Epoch", "Cross-entropy loss", [
      { ...train, points: pts("trainLoss") },
      { ...valid, points: pts("validLoss") },
    ], { xTicks }),
    linePanel("Accuracy", "Epoch", "Accuracy", [
      { ...train, points: pts("trainAccuracy") },
      { ...valid, points: pts("validAccuracy") },
    ], { xTicks }),
  ], PANEL_W);
}

/** Test accuracy against rotation angle (degrees), with a rule at 0°. */
export function rotationSvg(
  points: { angle: number; accuracy: number }[],
  title = "Accuracy on rotated test digits",
): string {
  const line = { label: "Test accuracy", color: PALETTE[0] };
  const angles = points.map((p) => p.angle);
  // Label every k-th angle (multiples of k steps, so 0° is one), at most about 10 labels.
  const step = (angles.length > 1 ? angles[1] - angles[0] : 1) * Math.ceil(angles.length / 10);
  return figure(title, [line], [
    linePanel(
      "Accuracy by rotation angle",
      "Rotation angle (degrees, counter-clockwise)",
      "Test accuracy",
      [{ ...line, points: points.map((p) => ({ x: p.angle, y: p.accuracy })) }],
      {
        xTicks: angles.filter((a) => Math.abs(a / step - Math.round(a / step)) < 1e-9),
        width: PANEL_W + 120,
        extra: [Plot.ruleX([0], { stroke: "#999", strokeDasharray: "2 3" })],
      },
    ),
  ], PANEL_W + 120);
}

/** One run of a comparison: a label and its per-epoch validation numbers. */
export interface ComparedRun {
  label: string;
  history: { epoch: number; validAccuracy: number; validLoss: number }[];
}

/** Validation accuracy (left) and loss (right) per epoch of several runs on the same axes. */
export function compareSvg(
  runs: ComparedRun[],
  title = "Validation accuracy and loss by epoch",
): string {
  const entries = runs.map((r, i) => ({ label: r.label, color: PALETTE[i % PALETTE.length] }));
  const xTicks = epochTicks([...new Set(runs.flatMap((r) => r.history.map((h) => h.epoch)))]);
  const lines = (key: "validAccuracy" | "validLoss") =>
    runs.map((r, i) => ({
      ...entries[i],
      points: r.history.map((h) => ({ x: h.epoch, y: h[key] })),
    }));
  return figure(title, entries, [
    linePanel("Validation accuracy", "Epoch", "Accuracy", lines("validAccuracy"), { xTicks }),
    linePanel("Validation loss", "Epoch", "Cross-entropy loss", lines("validLoss"), { xTicks }),
  ], PANEL_W);
}

/**
 * A confusion matrix as a heat map: rows the true digit, columns the predicted one, each cell
 * labelled with its count. Right answers (the diagonal) are shaded blue against the largest
 * of them and mistakes red against the largest mistake: on one scale a handful of mistakes
 * would vanish beside a diagonal of ~1000.
 */
export function confusionSvg(
  matrix: number[][],
  title = "Confusion matrix (test set)",
  style: ChartStyle = {},
): string {
  const n = matrix.length;
  const cells = matrix.flatMap((row, t) => row.map((count, p) => ({ t, p, count })));
  const right = cells.filter((c) => c.t === c.p), wrong = cells.filter((c) => c.t !== c.p);
  const most = (cs: typeof cells) => Math.max(1, ...cs.map((c) => c.count));
  const total = cells.reduce((s, c) => s + c.count, 0);
  const correct = right.reduce((s, c) => s + c.count, 0);
  // A cell's shade in [0, 1]: the text turns white on the darker half.
  const shade = (c: (typeof cells)[number]) => c.count / most(c.t === c.p ? right : wrong);
  const blues = Plot.scale({ color: { type: "linear", scheme: "blues", domain: [0, 1] } });
  const reds = Plot.scale({ color: { type: "linear", scheme: "reds", domain: [0, 1] } });
  // An empty cell is a faint square of the text colour: light grey on white, dark on dark.
  const fill = (c: (typeof cells)[number]) =>
    c.count === 0
      ? (style.page ? "currentColor" : "#f4f4f4")
      : (c.t === c.p ? blues : reds).apply(0.15 + 0.85 * shade(c));
  const labels = Array.from({ length: n }, (_, i) => i);
  const size = style.page ? 440 : 500;
  const heat = plot({
    width: size,
    height: size - 20,
    marginLeft: 64,
    marginBottom: 48,
    marginTop: 12,
    marginRight: 20,
    padding: 0.04,
    x: { domain: labels, label: "Predicted digit", labelAnchor: "center", labelArrow: "none" },
    y: { domain: labels, label: "True digit", labelAnchor: "center", labelArrow: "none" },
    marks: [
      Plot.cell(cells, {
        x: "p",
        y: "t",
        fill,
        fillOpacity: (c: (typeof cells)[number]) => (c.count === 0 && style.page ? 0.07 : 1),
      }),
      Plot.text(cells, {
        x: "p",
        y: "t",
        text: "count",
        fill: (c: (typeof cells)[number]) =>
          c.count === 0
            ? (style.page ? "#999" : "#aaa")
            : 0.15 + 0.85 * shade(c) > 0.6
            ? "white"
            : "#1a1a1a",
      }),
    ],
  });
  const note = `${correct.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} right ` +
    `(${(100 * correct / (total || 1)).toFixed(2)}%); blue: right, red: wrong`;
  return figure(title, [], [heat], size, size - 20, note, style);
}

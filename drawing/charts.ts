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
 * Colours for our series: Plot's tableau10 blue, then darker hues than its yellow, which is too
 * faint for a thin line on white. The lecture's (or PyTorch's) series are never one of these
 * but {@link REFERENCE_GREY}, thin and dashed, so two hues of one family never have to be told
 * apart.
 */
export const PALETTE = ["#4269d0", "#e8710a", "#3ca951", "#d6336c", "#7b5ea7", "#8c6d31"];
/** The stroke of a reference series (the lecture's, PyTorch's): mid grey, legible light or dark. */
export const REFERENCE_GREY = "#8a8a8a";

/** How one series is drawn; its label is written at the end of its line, not in a legend. */
export interface SeriesStyle {
  label: string;
  color: string;
  dashed?: boolean;
  /** The lecture's or PyTorch's numbers: a thin grey dashed line whatever `color` says. */
  reference?: boolean;
}

const HEADER_H = 30, NOTE_H = 18, PANEL_W = 460, PANEL_H = 300, FONT = 12;
/** The page style's font, and its panel size (text stays ≥ 10 px when a phone shrinks it). */
const PAGE_FONT = 13, PAGE_W = 420, PAGE_H = 280;
const DASH = "6 4", REFERENCE_DASH = "3 3";

/** How a chart is drawn: a standalone file (the default) or inline in a page. */
export interface ChartStyle {
  /**
   * No background, the page's text colour, the page font size, and panels stacked (a page
   * column, a phone above all, is narrower than two panels side by side).
   */
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

const esc = escapeMarkup;

/** Words in lines of at most `chars` characters. */
function wrap(text: string, chars: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(/\s+/).filter((w) => w)) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 1 + word.length <= chars) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines;
}

/** The title, centred, and under it optional lines of text (what an axis zooms past, say). */
function header(title: string, width: number, note: string, font: number) {
  const lines = note ? wrap(note, Math.floor((width - 16) / (font * 0.58))) : [];
  const height = HEADER_H + NOTE_H * lines.length;
  const svg = `<g font-size="${font}" fill="currentColor" text-anchor="middle">` +
    `<text x="${width / 2}" y="20" font-size="15" font-weight="bold">${esc(title)}</text>` +
    lines.map((l, i) => `<text x="${width / 2}" y="${HEADER_H + 8 + NOTE_H * i}">${esc(l)}</text>`)
      .join("") +
    `</g>`;
  return { svg, height };
}

/**
 * The outer SVG: header on top, then the panels, in a row for a file and stacked for a page;
 * for a file a white background and a fixed text colour, for a page neither (it takes the
 * page's colours, light or dark).
 */
function figure(
  title: string,
  panels: Element[],
  panelW: number,
  panelH = PANEL_H,
  note = "",
  style: ChartStyle = {},
): string {
  const font = style.page ? PAGE_FONT : FONT;
  const across = style.page ? 1 : panels.length, down = panels.length / across;
  const width = panelW * across;
  const head = header(title, width, note, font);
  const height = head.height + panelH * down;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}"${style.page ? "" : ` color="#1a1a1a"`} role="img" ` +
    `aria-label="${esc(title)}">`,
    `<title>${esc(title)}</title>`,
    ...(style.page ? [] : [`<rect width="100%" height="100%" fill="white"/>`]),
    head.svg,
    ...panels.map((p, i) =>
      markup(p, (i % across) * panelW, head.height + Math.floor(i / across) * panelH, font)
    ),
    `</svg>\n`,
  ].join("\n");
}

/** One line with a dot at each point, labelled at its right end. */
export interface Line extends SeriesStyle {
  points: { x: number; y: number }[];
  /** Dots only, no line joining them. */
  dotsOnly?: boolean;
  /** A spread around the line (the lowest and highest of several seeds), drawn as a band. */
  band?: { x: number; lo: number; hi: number }[];
}

/** Where each line's label goes: right of its last point, pushed apart so none overlap. */
function endLabels(lines: Line[], domain: [number, number], innerH: number, font: number) {
  const gap = (font + 2) * (domain[1] - domain[0]) / innerH;
  const ends = lines.filter((l) => l.points.length > 0).map((l) => {
    const last = l.points.reduce((a, b) => (b.x >= a.x ? b : a));
    return { x: last.x, y: last.y, label: l.label, color: strokeOf(l) };
  }).sort((a, b) => b.y - a.y);
  // Top down, each label at least a line below the one above; then the stack is shifted up
  // as far as the axis allows if it ran off the bottom.
  for (let i = 1; i < ends.length; i++) ends[i].y = Math.min(ends[i].y, ends[i - 1].y - gap);
  const under = domain[0] - (ends.at(-1)?.y ?? domain[0]);
  if (under > 0) { for (const e of ends) e.y += under; }
  return ends;
}

const strokeOf = (l: SeriesStyle) => (l.reference ? REFERENCE_GREY : l.color);

/** The y range the data (and its bands) cover, padded by a twentieth each side. */
function dataDomain(lines: Line[]): [number, number] {
  const ys = lines.flatMap((l) => [
    ...l.points.map((p) => p.y),
    ...(l.band ?? []).flatMap((b) => [b.lo, b.hi]),
  ]);
  const lo = Math.min(...ys), hi = Math.max(...ys), pad = (hi - lo || Math.abs(hi) || 1) / 20;
  return [lo - pad, hi + pad];
}

/** A line panel: y label, x label, grid, each line with its dots, band and end label. */
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
    font?: number;
  } = {},
): Element {
  const font = opts.font ?? FONT, height = opts.height ?? PANEL_H;
  const marginTop = subtitle ? 34 : 14, marginBottom = 44;
  const domain = opts.yDomain ?? dataDomain(lines);
  const labels = endLabels(lines, domain, height - marginTop - marginBottom, font);
  const longest = Math.max(0, ...labels.map((l) => l.label.length));
  return plot({
    width: opts.width ?? PANEL_W,
    height,
    marginLeft: 64,
    marginRight: 14 + longest * font * 0.6,
    marginTop,
    marginBottom,
    // Insets keep the first and last dots off the frame; ticks are whole numbers.
    x: {
      label: xLabel,
      labelAnchor: "center",
      labelArrow: "none",
      ticks: opts.xTicks,
      tickFormat: "d",
      inset: 12,
    },
    y: { label: yLabel, labelAnchor: "center", labelArrow: "none", grid: true, domain },
    marks: [
      Plot.frame({ stroke: "#999" }),
      ...(subtitle
        ? [Plot.text([subtitle], { frameAnchor: "top", dy: -20, text: (d: string) => d })]
        : []),
      ...(opts.extra ?? []),
      // Bands first, under every line.
      ...lines.filter((l) => l.band).map((l) =>
        Plot.areaY(l.band!, { x: "x", y1: "lo", y2: "hi", fill: strokeOf(l), fillOpacity: 0.18 })
      ),
      // Reference lines under ours, so ours are never hidden.
      ...[...lines].sort((a, b) => Number(!!b.reference) - Number(!!a.reference)).flatMap((l) => [
        ...(l.dotsOnly ? [] : [
          Plot.line(l.points, {
            x: "x",
            y: "y",
            stroke: strokeOf(l),
            strokeWidth: l.reference ? 1.5 : 2,
            strokeDasharray: l.reference ? REFERENCE_DASH : l.dashed ? DASH : undefined,
          }),
        ]),
        Plot.dot(l.points, { x: "x", y: "y", fill: strokeOf(l), r: l.reference ? 2.5 : 3.5 }),
      ]),
      ...labels.map((e) =>
        Plot.text([e], {
          x: "x",
          y: "y",
          text: "label",
          dx: 8,
          textAnchor: "start",
          fill: e.color,
          fontWeight: "bold",
        })
      ),
    ],
  });
}

/**
 * Whole epochs as ticks (Plot would otherwise tick 1.5, 2.5 … for a short run), at most
 * about `most` of them (fewer on a page's narrower chart, so their labels never touch).
 */
const epochTicks = (epochs: number[], most = 10) => {
  const max = Math.max(...epochs), step = Math.max(1, Math.ceil(max / most));
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
  /** A line under the title: what a zoomed axis should be read against (a seed spread). */
  note?: string;
  width?: number;
  height?: number;
}

/**
 * One chart panel with its title, each line labelled at its end, in the page style by
 * default: the lessons' charts (curves, accuracy against angle, two runs compared), one SVG
 * each.
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
  const xTicks = chart.xTicks ?? (chart.epochs ? epochTicks(xs, style.page ? 6 : 10) : undefined);
  const panel = linePanel("", chart.xLabel, chart.yLabel, chart.lines, {
    xTicks,
    width,
    height,
    yDomain: chart.yDomain,
    font: style.page ? PAGE_FONT : FONT,
    extra: chart.ruleX === undefined
      ? []
      : [Plot.ruleX([chart.ruleX], { stroke: "#999", strokeDasharray: "2 3" })],
  });
  return figure(chart.title, [panel], width, height, chart.note ?? "", style);
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
 * validation (dashed); one dot per epoch and line. In the page style the panels stack.
 */
export function curvesSvg(
  history: CurvePoint[],
  title = "Training curves",
  style: ChartStyle = {},
): string {
  const train = { label: "Train", color: PALETTE[0] };
  const valid = { label: "Validation", color: PALETTE[1], dashed: true };
  const pts = (key: keyof CurvePoint) => history.map((h) => ({ x: h.epoch, y: h[key] }));
  const xTicks = epochTicks(history.map((h) => h.epoch), style.page ? 6 : 10);
  const font = style.page ? PAGE_FONT : FONT, width = style.page ? PAGE_W : PANEL_W;
  const panel = (name: string, yLabel: string, a: keyof CurvePoint, b: keyof CurvePoint) =>
    linePanel(name, "Epoch", yLabel, [
      { ...train, points: pts(a) },
      { ...valid, points: pts(b) },
    ], { xTicks, font, width });
  return figure(
    title,
    [
      panel("Loss", "Cross-entropy loss", "trainLoss", "validLoss"),
      panel("Accuracy", "Accuracy", "trainAccuracy", "validAccuracy"),
    ],
    width,
    PANEL_H,
    "",
    style,
  );
}

/** Test accuracy against rotation angle (degrees), with a rule at 0°. */
export function rotationSvg(
  points: { angle: number; accuracy: number }[],
  title = "Accuracy on rotated test digits",
  style: ChartStyle = {},
): string {
  const line = { label: "Test accuracy", color: PALETTE[0] };
  const angles = points.map((p) => p.angle);
  // Label every k-th angle (multiples of k steps, so 0° is one), at most about 10 labels.
  const step = (angles.length > 1 ? angles[1] - angles[0] : 1) *
    Math.ceil(angles.length / (style.page ? 7 : 10));
  const width = style.page ? PAGE_W : PANEL_W + 120;
  return figure(
    title,
    [
      linePanel(
        "Accuracy by rotation angle",
        "Rotation angle (degrees, counter-clockwise)",
        "Test accuracy",
        [{ ...line, points: points.map((p) => ({ x: p.angle, y: p.accuracy })) }],
        {
          xTicks: angles.filter((a) => Math.abs(a / step - Math.round(a / step)) < 1e-9),
          width,
          font: style.page ? PAGE_FONT : FONT,
          extra: [Plot.ruleX([0], { stroke: "#999", strokeDasharray: "2 3" })],
        },
      ),
    ],
    width,
    PANEL_H,
    "",
    style,
  );
}

/** One run of a comparison: a label and its per-epoch validation numbers. */
export interface ComparedRun {
  label: string;
  history: { epoch: number; validAccuracy: number; validLoss: number }[];
  /** The lecture's run (or PyTorch's): drawn as the grey reference line. */
  reference?: boolean;
}

/** Validation accuracy (left) and loss (right) per epoch of several runs on the same axes. */
export function compareSvg(
  runs: ComparedRun[],
  title = "Validation accuracy and loss by epoch",
  style: ChartStyle = {},
): string {
  const xTicks = epochTicks(
    [...new Set(runs.flatMap((r) => r.history.map((h) => h.epoch)))],
    style.page ? 6 : 10,
  );
  const font = style.page ? PAGE_FONT : FONT, width = style.page ? PAGE_W : PANEL_W;
  const lines = (key: "validAccuracy" | "validLoss") =>
    runs.map((r, i) => ({
      label: r.label,
      color: PALETTE[i % PALETTE.length],
      reference: r.reference,
      points: r.history.map((h) => ({ x: h.epoch, y: h[key] })),
    }));
  return figure(
    title,
    [
      linePanel("Validation accuracy", "Epoch", "Accuracy", lines("validAccuracy"), {
        xTicks,
        font,
        width,
      }),
      linePanel("Validation loss", "Epoch", "Cross-entropy loss", lines("validLoss"), {
        xTicks,
        font,
        width,
      }),
    ],
    width,
    PANEL_H,
    "",
    style,
  );
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
  const size = style.page ? 400 : 500, font = style.page ? PAGE_FONT : FONT;
  const [marginLeft, marginRight] = style.page ? [50, 8] : [64, 20];
  // Counts shrink only as far as their widest (four digits) needs to fit inside a cell.
  const cellW = (size - marginLeft - marginRight) / n * 0.92;
  const digits = Math.max(1, ...cells.map((c) => String(c.count).length));
  const countFont = Math.min(font, cellW / (0.6 * digits));
  const heat = plot({
    width: size,
    height: size - 20,
    marginLeft,
    marginBottom: 48,
    marginTop: 12,
    marginRight,
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
        // Plain digits: Plot would write 1,135, a fifth character the cell has no room for.
        text: (c: (typeof cells)[number]) => String(c.count),
        fontSize: countFont,
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
  return figure(title, [heat], size, size - 20, note, style);
}

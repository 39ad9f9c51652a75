/**
 * Hand-written SVG line charts: the lecture's two training-curve panels (loss and accuracy,
 * train vs validation, by epoch) and test accuracy against rotation angle.
 *
 * A chart is a few dozen SVG elements; writing them directly keeps the run folder free of
 * any plotting dependency and shows that a plot is just scaled coordinates.
 *
 * @module
 */

/** One line on a chart. */
export interface Series {
  label: string;
  points: [number, number][];
  color: string;
  dashed?: boolean;
}

const W = 480, H = 320, LEFT = 64, RIGHT = 16, TOP = 36, BOTTOM = 52;

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

/**
 * About `count` "nice" tick values (steps of 1, 2 or 5 × 10^k) from just below `lo` to just
 * above `hi`, so the axis ends on a labelled tick. `integer` keeps steps ≥ 1 (epochs).
 */
export function niceTicks(lo: number, hi: number, count = 5, integer = false): number[] {
  if (hi - lo < 1e-12) [lo, hi] = [lo - 0.5, hi + 0.5];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  if (integer) step = Math.max(1, Math.round(step));
  const ticks: number[] = [];
  const first = Math.floor(lo / step + 1e-9) * step;
  for (let t = first; t < hi + step * (1 - 1e-9); t += step) ticks.push(Number(t.toFixed(10)));
  return ticks;
}

/** Where a panel's legend sits, out of the way of its lines. */
export type Corner = "top-left" | "top-right" | "bottom-right" | "bottom-center";

/** One panel (an SVG `<g>` at `dx`): axes, ticks, lines with markers, legend. */
function panel(
  dx: number,
  title: string,
  xLabel: string,
  yLabel: string,
  series: Series[],
  legendAt: Corner,
): string {
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  const yTicks = niceTicks(Math.min(...ys), Math.max(...ys));
  const [y0, y1] = [yTicks[0], yTicks[yTicks.length - 1]];
  const sx = (x: number) => LEFT + ((x - x0) / (x1 - x0)) * (W - LEFT - RIGHT);
  const sy = (y: number) => H - BOTTOM - ((y - y0) / (y1 - y0 || 1)) * (H - TOP - BOTTOM);
  const xTicks = niceTicks(x0, x1, 6, xs.every(Number.isInteger)).filter((t) => t >= x0 && t <= x1);
  // The legend's top-left corner.
  const lx = legendAt === "top-left"
    ? LEFT + 12
    : legendAt === "bottom-center"
    ? (LEFT + W - RIGHT) / 2 - 60
    : W - RIGHT - 150;
  const ly = legendAt.startsWith("top") ? TOP + 16 : H - BOTTOM - 12 - 18 * series.length;
  const fmt = (v: number) => String(Number(v.toPrecision(4)));
  const parts = [
    `<g transform="translate(${dx},0)" font-family="sans-serif" font-size="12">`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>`,
    `<rect x="${LEFT}" y="${TOP}" width="${W - LEFT - RIGHT}" height="${
      H - TOP - BOTTOM
    }" fill="none" stroke="#333"/>`,
    ...yTicks.map((t) =>
      `<line x1="${LEFT}" x2="${W - RIGHT}" y1="${sy(t)}" y2="${sy(t)}" stroke="#ddd"/>` +
      `<text x="${LEFT - 6}" y="${sy(t) + 4}" text-anchor="end">${fmt(t)}</text>`
    ),
    ...xTicks.map((t) =>
      `<text x="${sx(t)}" y="${H - BOTTOM + 16}" text-anchor="middle">${fmt(t)}</text>`
    ),
    `<text x="${(LEFT + W - RIGHT) / 2}" y="${H - 12}" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text transform="translate(16,${(TOP + H - BOTTOM) / 2}) rotate(-90)" text-anchor="middle">${
      esc(yLabel)
    }</text>`,
  ];
  series.forEach((s, i) => {
    const d = s.points.map(([x, y], j) => `${j ? "L" : "M"}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`)
      .join("");
    parts.push(
      `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${
        s.dashed ? ' stroke-dasharray="6 4"' : ""
      }/>`,
      ...s.points.map(([x, y]) =>
        `<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="3" fill="${s.color}"/>`
      ),
      `<line x1="${lx}" x2="${lx + 24}" y1="${ly + 18 * i}" y2="${
        ly + 18 * i
      }" stroke="${s.color}" ` +
        `stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""}/>`,
      `<text x="${lx + 30}" y="${ly + 4 + 18 * i}">${esc(s.label)}</text>`,
    );
  });
  parts.push("</g>");
  return parts.join("\n");
}

function svg(panels: string[]): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W * panels.length}" height="${H}" ` +
    `viewBox="0 0 ${W * panels.length} ${H}">\n<rect width="100%" height="100%" fill="white"/>\n` +
    `${panels.join("\n")}\n</svg>\n`;
}

/** The per-epoch numbers the curves need. */
export interface CurvePoint {
  epoch: number;
  trainLoss: number;
  validLoss: number;
  trainAccuracy: number;
  validAccuracy: number;
}

/** The lecture's figure: loss (left) and accuracy (right), train vs validation, by epoch. */
export function curvesSvg(history: CurvePoint[]): string {
  const line = (label: string, key: keyof CurvePoint, color: string, dashed = false): Series => ({
    label,
    color,
    dashed,
    points: history.map((h) => [h.epoch, h[key]]),
  });
  return svg([
    panel(0, "Loss", "Epoch", "Loss", [
      line("Train loss", "trainLoss", "#1f77b4"),
      line("Validation loss", "validLoss", "#ff7f0e", true),
    ], "top-right"),
    panel(W, "Accuracy", "Epoch", "Accuracy", [
      line("Train acc.", "trainAccuracy", "#1f77b4"),
      line("Validation acc.", "validAccuracy", "#ff7f0e", true),
    ], "bottom-right"),
  ]);
}

/** Test accuracy against rotation angle (degrees). */
export function rotationSvg(points: { angle: number; accuracy: number }[]): string {
  return svg([
    panel(0, "Rotated test digits", "Rotation angle (degrees)", "Test accuracy", [
      { label: "Test acc.", color: "#1f77b4", points: points.map((p) => [p.angle, p.accuracy]) },
    ], "bottom-center"),
  ]);
}

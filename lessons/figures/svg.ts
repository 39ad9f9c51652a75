/**
 * The few SVG pieces the lessons' diagrams are made of: a document with its alt text, text,
 * boxes, arrows, a matrix of numbers with highlighted cells, and pictures (MNIST digits,
 * feature maps, RGB planes) embedded as PNG.
 *
 * Every diagram draws its lines and text in `currentColor`, so it takes the page's text
 * colour, light or dark; highlights are mid-tone colours at partial opacity, which read on
 * a light and on a dark background alike; pictures carry their own pixels. A diagram is
 * sized by its `viewBox` (at most about 440 units wide, text 12 units or more), so at a
 * phone's 360 px it shrinks a little and stays legible.
 *
 * @module
 */
import { encode } from "../../deps/fast_png.ts";
import { PALETTE } from "../../drawing/charts.ts";
import { base64, escapeMarkup } from "../../drawing/markup.ts";
import type { Figure } from "../show.ts";

/** The highlight colours: Plot's blue, then orange, green, pink, purple, brown. */
export const COLORS = {
  blue: PALETTE[0],
  orange: PALETTE[1],
  green: PALETTE[2],
  pink: PALETTE[3],
  purple: PALETTE[4],
  brown: PALETTE[5],
} as const;

/** Escapes text for SVG. */
export const esc: (s: string) => string = escapeMarkup;

/** Rounds coordinates so the markup stays short. */
const n = (v: number) => String(Math.round(v * 100) / 100);

/** A standalone SVG document and its alt text, as a lesson's {@link Figure}. */
export function svgFigure(
  width: number,
  height: number,
  alt: string,
  body: string[],
): Figure {
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${n(width)} ${n(height)}" ` +
    `width="${n(width)}" height="${n(height)}" role="img" aria-label="${esc(alt)}" ` +
    `font-family="system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', sans-serif" ` +
    `font-size="13" fill="currentColor">`,
    `<title>${esc(alt)}</title>`,
    ...body,
    `</svg>`,
  ].join("\n");
  return { kind: "figure", svg, alt };
}

/** Options of {@link text}. */
export interface TextOptions {
  anchor?: "start" | "middle" | "end";
  size?: number;
  weight?: "bold" | "normal";
  fill?: string;
  opacity?: number;
  mono?: boolean;
  italic?: boolean;
}

/** One line of text whose baseline sits at `y` (`anchor` middle by default). */
export function text(x: number, y: number, s: string, o: TextOptions = {}): string {
  const attrs = [
    `x="${n(x)}"`,
    `y="${n(y)}"`,
    `text-anchor="${o.anchor ?? "middle"}"`,
    o.size ? `font-size="${o.size}"` : "",
    o.weight === "bold" ? `font-weight="bold"` : "",
    o.fill ? `fill="${o.fill}"` : "",
    o.opacity !== undefined ? `fill-opacity="${o.opacity}"` : "",
    o.mono ? `font-family="ui-monospace, 'DejaVu Sans Mono', Menlo, monospace"` : "",
    o.italic ? `font-style="italic"` : "",
  ].filter((a) => a !== "");
  return `<text ${attrs.join(" ")}>${esc(s)}</text>`;
}

/** A rectangle: `fill` at `fillOpacity`, an outline in `stroke` (currentColor by default). */
export function rect(
  x: number,
  y: number,
  w: number,
  h: number,
  o: {
    fill?: string;
    fillOpacity?: number;
    stroke?: string;
    strokeWidth?: number;
    strokeOpacity?: number;
    dash?: string;
    radius?: number;
  } = {},
): string {
  const attrs = [
    `x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${n(h)}"`,
    `fill="${o.fill ?? "none"}"`,
    o.fillOpacity !== undefined ? `fill-opacity="${o.fillOpacity}"` : "",
    o.stroke !== "none" ? `stroke="${o.stroke ?? "currentColor"}"` : "",
    o.strokeWidth !== undefined ? `stroke-width="${o.strokeWidth}"` : "",
    o.strokeOpacity !== undefined ? `stroke-opacity="${o.strokeOpacity}"` : "",
    o.dash ? `stroke-dasharray="${o.dash}"` : "",
    o.radius ? `rx="${o.radius}"` : "",
  ].filter((a) => a !== "");
  return `<rect ${attrs.join(" ")}/>`;
}

/** A straight line. */
export function line(
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  o: { stroke?: string; width?: number; opacity?: number; dash?: string } = {},
): string {
  return `<line x1="${n(x1)}" y1="${n(y1)}" x2="${n(x2)}" y2="${n(y2)}" stroke="${
    o.stroke ?? "currentColor"
  }" stroke-width="${o.width ?? 1}"${
    o.opacity !== undefined ? ` stroke-opacity="${o.opacity}"` : ""
  }${o.dash ? ` stroke-dasharray="${o.dash}"` : ""}/>`;
}

/** A line with an arrowhead at its end (drawn, not a marker: ids would clash on a page). */
export function arrow(
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  o: { stroke?: string; width?: number; head?: number } = {},
): string {
  const head = o.head ?? 7, angle = Math.atan2(y2 - y1, x2 - x1);
  const stroke = o.stroke ?? "currentColor";
  const p = (a: number) => `${n(x2 - head * Math.cos(a))},${n(y2 - head * Math.sin(a))}`;
  const bx = x2 - head * 0.8 * Math.cos(angle), by = y2 - head * 0.8 * Math.sin(angle);
  return line(x1, y1, bx, by, { stroke, width: o.width ?? 1.5 }) +
    `<polygon points="${n(x2)},${n(y2)} ${p(angle + 0.45)} ${p(angle - 0.45)}" fill="${stroke}"/>`;
}

/** How one cell of a {@link matrix} looks. */
export interface CellStyle {
  /** Background colour (drawn at `fillOpacity`, 0.28 unless given). */
  fill?: string;
  fillOpacity?: number;
  /** A padding zero: dashed outline, faint number. */
  pad?: boolean;
  bold?: boolean;
}

/** Options of {@link matrix}. */
export interface MatrixOptions {
  /** Side of a cell. */
  cell?: number;
  size?: number;
  style?: (r: number, c: number) => CellStyle | undefined;
  /** Text above the matrix. */
  title?: string;
}

/**
 * A matrix of numbers (or short strings), top-left corner at (x, y): one square per entry,
 * each styled by `style(r, c)`. Returns the markup and the matrix's size.
 */
export function matrix(
  x: number,
  y: number,
  values: readonly (readonly (number | string)[])[],
  o: MatrixOptions = {},
): { svg: string; width: number; height: number } {
  const cell = o.cell ?? 26, size = o.size ?? 13;
  const parts: string[] = [];
  if (o.title) parts.push(text(x + (values[0].length * cell) / 2, y - 7, o.title, { size: 13 }));
  values.forEach((row, r) =>
    row.forEach((v, c) => {
      const s = o.style?.(r, c) ?? {};
      const [cx, cy] = [x + c * cell, y + r * cell];
      parts.push(rect(cx, cy, cell, cell, {
        fill: s.fill ?? "none",
        fillOpacity: s.fill ? (s.fillOpacity ?? 0.28) : undefined,
        strokeOpacity: s.pad ? 0.45 : 0.6,
        dash: s.pad ? "3 2" : undefined,
      }));
      const label = typeof v === "number" ? formatCell(v) : v;
      parts.push(text(cx + cell / 2, cy + cell / 2 + size * 0.36, label, {
        // A long entry (−25) shrinks only as far as it must to fit its square.
        size: Math.round(10 * Math.min(size, (cell - 4) / (label.length * 0.62))) / 10,
        opacity: s.pad ? 0.5 : undefined,
        weight: s.bold ? "bold" : undefined,
        mono: true,
      }));
    })
  );
  return { svg: parts.join("\n"), width: values[0].length * cell, height: values.length * cell };
}

/** A number as a cell shows it: whole numbers bare, others with up to two decimals. */
export function formatCell(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return v.toFixed(2).replace(/0+$/, "").replace(/\.$/, "");
}

/** A frame around cells (r0, c0)…(r1, c1) of a matrix drawn at (x, y) with `cell`-unit cells. */
export function cellBox(
  x: number,
  y: number,
  cell: number,
  [r0, c0]: [number, number],
  [r1, c1]: [number, number],
  color: string,
  width = 2.5,
): string {
  return rect(x + c0 * cell, y + r0 * cell, (c1 - c0 + 1) * cell, (r1 - r0 + 1) * cell, {
    stroke: color,
    strokeWidth: width,
    radius: 2,
  });
}

/**
 * Pixels as a PNG `data:` URL, each pixel repeated `zoom` × `zoom` times (so the picture
 * stays sharp when the browser scales it). `pixels` holds `channels` bytes per pixel.
 */
export function pngDataUrl(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: 1 | 3,
  zoom = 1,
): string {
  const [w, h] = [width * zoom, height * zoom];
  const out = new Uint8Array(w * h * channels);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const from = (Math.floor(y / zoom) * width + Math.floor(x / zoom)) * channels;
      out.set(pixels.subarray(from, from + channels), (y * w + x) * channels);
    }
  }
  const png = encode({ width: w, height: h, data: out, channels, depth: 8 });
  return `data:image/png;base64,${base64(png)}`;
}

/** A picture placed at (x, y) and drawn `width` × `height`. */
export function image(x: number, y: number, width: number, height: number, href: string): string {
  return `<image x="${n(x)}" y="${n(y)}" width="${n(width)}" height="${n(height)}" ` +
    `href="${href}" preserveAspectRatio="none" style="image-rendering:pixelated"/>`;
}

/**
 * A grey image with values in [0, 1] as the lecture's `imshow(…, cmap='gray_r')` shows it:
 * 0 white, 1 black.
 */
export function greyPng(
  values: ArrayLike<number>,
  width: number,
  height: number,
  zoom = 4,
): string {
  const bytes = new Uint8Array(width * height);
  for (let i = 0; i < bytes.length; i++) {
    bytes[i] = Math.round(255 * (1 - Math.min(1, Math.max(0, values[i]))));
  }
  return pngDataUrl(bytes, width, height, 1, zoom);
}

/**
 * Signed values (a feature map) in a diverging palette: 0 white, positive towards blue,
 * negative towards orange, scaled by the largest |value| (or by `scale`, to put several
 * pictures on one scale).
 */
export function divergingPng(
  values: ArrayLike<number>,
  width: number,
  height: number,
  zoom = 4,
  scale?: number,
): string {
  let most = scale ?? 0;
  if (scale === undefined) {
    for (let i = 0; i < values.length; i++) most = Math.max(most, Math.abs(values[i]));
  }
  const [pos, neg] = [hex(COLORS.blue), hex(COLORS.orange)];
  const bytes = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const t = most === 0 ? 0 : values[i] / most;
    const to = t >= 0 ? pos : neg, a = Math.abs(t);
    for (let k = 0; k < 3; k++) bytes[i * 3 + k] = Math.round(255 + (to[k] - 255) * a);
  }
  return pngDataUrl(bytes, width, height, 3, zoom);
}

function hex(color: string): [number, number, number] {
  const v = parseInt(color.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

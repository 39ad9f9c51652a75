/**
 * Tables as lesson outputs: written once as columns and rows, printed as aligned text in a
 * terminal and shown as an HTML table on the site and in a notebook.
 *
 * ```ts
 * import assert from "node:assert/strict";
 * import { table, tableHtml, tableText } from "./table.ts";
 * const t = table(["layer", "params"], [["conv1", 832], ["conv2", 51264]]);
 * assert.equal(tableText(t), "layer  params\nconv1     832\nconv2   51264");
 * assert.match(tableHtml(t), /<td class="num"[^>]*>51264<\/td>/);
 * ```
 *
 * @module
 */
import { escapeMarkup } from "../drawing/markup.ts";

/** A table: headings, rows of cells, and optional headings over runs of columns. */
export interface Table {
  kind: "table";
  /** One heading per column. */
  columns: string[];
  /** Headings over runs of columns, `[label, how many columns]`, covering every column. */
  groups?: [label: string, span: number][];
  /** The cells, as printed. */
  rows: string[][];
  /** A line under the table (where its numbers come from). */
  note?: string;
}

/** Options of {@link table}. */
export interface TableOptions {
  groups?: [label: string, span: number][];
  note?: string;
}

/** A {@link Table}; numbers are printed as they are (format them before for fixed digits). */
export function table(
  columns: string[],
  rows: readonly (readonly (string | number)[])[],
  options: TableOptions = {},
): Table {
  for (const row of rows) {
    if (row.length !== columns.length) {
      throw new RangeError(`table: a row of ${row.length} cells under ${columns.length} columns`);
    }
  }
  const spans = options.groups?.reduce((n, [, span]) => n + span, 0);
  if (spans !== undefined && spans !== columns.length) {
    throw new RangeError(`table: the groups span ${spans} columns of ${columns.length}`);
  }
  return {
    kind: "table",
    columns,
    rows: rows.map((row) => row.map(String)),
    ...(options.groups ? { groups: options.groups } : {}),
    ...(options.note ? { note: options.note } : {}),
  };
}

/** A cell that reads as a number (a dash stands for a missing one). */
const NUMERIC = /^(?:[-+−]?[\d,]*\.?\d+(?:e[-+]?\d+)?[°%]?|-|–)$/;

/** Whether every cell of column `c` is a number: then the column is aligned right. */
function numericColumns(t: Table): boolean[] {
  return t.columns.map((_, c) => t.rows.length > 0 && t.rows.every((r) => NUMERIC.test(r[c])));
}

/** The columns' index ranges, one per group (one range of all columns without groups). */
function groupRanges(t: Table): [start: number, end: number][] {
  if (!t.groups) return [[0, t.columns.length]];
  let at = 0;
  return t.groups.map(([, span]) => [at, at += span]);
}

/** The table as aligned text: columns two spaces apart, groups parted by `│`. */
export function tableText(t: Table): string {
  const numeric = numericColumns(t);
  const width = t.columns.map((h, c) => Math.max(h.length, ...t.rows.map((r) => r[c].length)));
  const ranges = groupRanges(t);
  const spanOf = ([a, b]: [number, number]) =>
    width.slice(a, b).reduce((s, w) => s + w, 0) + 2 * (b - a - 1);
  // A group heading wider than its columns widens them, evenly.
  ranges.forEach(([a, b], g) => {
    const over = (t.groups?.[g][0].length ?? 0) - spanOf([a, b]);
    for (let c = a; c < b && over > 0; c++) {
      width[c] += Math.floor(over / (b - a)) + (c - a < over % (b - a) ? 1 : 0);
    }
  });
  const line = (cells: string[]) =>
    ranges.map(([a, b]) =>
      cells.slice(a, b).map((v, k) =>
        numeric[a + k] ? v.padStart(width[a + k]) : v.padEnd(width[a + k])
      ).join("  ")
    ).join(" │ ").trimEnd();
  const lines: string[] = [];
  if (t.groups) {
    lines.push(
      ranges.map((r, g) => t.groups![g][0].padEnd(spanOf(r))).join(" │ ").trimEnd(),
    );
  }
  lines.push(line(t.columns), ...t.rows.map(line));
  if (t.note) lines.push(t.note);
  return lines.join("\n");
}

/**
 * The table as standalone HTML (a notebook shows it without the site's style sheet: number
 * columns carry `class="num"` and their alignment inline).
 */
export function tableHtml(t: Table): string {
  const numeric = numericColumns(t);
  // A rule before each group but the first, so "ours" and "the lecture's" stand apart.
  const starts = new Set(groupRanges(t).slice(1).map(([a]) => a));
  const RULE = "border-left:1px solid rgba(128,128,128,0.5)";
  const style = (align: string, c: number) =>
    `style="text-align:${align}${starts.has(c) ? `;${RULE}` : ""}"`;
  const cell = (tag: "th" | "td", v: string, c: number) =>
    numeric[c]
      ? `<${tag} class="num" ${style("right", c)}>${escapeMarkup(v)}</${tag}>`
      : `<${tag} ${style("left", c)}>${escapeMarkup(v)}</${tag}>`;
  let at = 0;
  const head = [
    t.groups
      ? `<tr>${
        t.groups.map(([label, span]) => {
          const th = `<th colspan="${span}" ${style("center", at)}>${escapeMarkup(label)}</th>`;
          at += span;
          return th;
        }).join("")
      }</tr>`
      : "",
    `<tr>${t.columns.map((h, c) => cell("th", h, c)).join("")}</tr>`,
  ].join("");
  const body = t.rows.map((r) => `<tr>${r.map((v, c) => cell("td", v, c)).join("")}</tr>`)
    .join("");
  const note = t.note ? `<p>${escapeMarkup(t.note)}</p>` : "";
  return `<table><thead>${head}</thead><tbody>${body}</tbody></table>${note}`;
}

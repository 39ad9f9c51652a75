/**
 * Lesson prose to HTML: Markdown by marked, `$…$` and `$$…$$` by KaTeX at build time, and
 * an `id` on every heading so each section has its own anchor.
 *
 * Math is cut out before marked sees it (marked would read `_` and `\` as Markdown) and put
 * back as KaTeX's HTML afterwards. KaTeX runs with `throwOnError` and `strict`, so a bad
 * formula fails the build instead of showing red text on the page.
 *
 * @example A heading gets an id; math becomes KaTeX markup
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderMarkdown } from "./markdown.ts";
 * const { html, headings } = renderMarkdown("## Stride, and $s$\n\nSo $o = 4$.");
 * assert.deepEqual(headings, [{ depth: 2, text: "Stride, and $s$", id: "stride-and-s" }]);
 * assert.ok(html.includes('<h2 id="stride-and-s">'));
 * assert.ok(html.includes('class="katex"'));
 * ```
 *
 * @example Inline math that wraps onto the next source line still renders; a stray `$` or TeX
 * command fails; a table scrolls in its own box
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderMarkdown } from "./markdown.ts";
 * const wrapped = renderMarkdown("so $\\operatorname{relu}(z) =\n\\max(0, z)$ holds").html;
 * assert.ok(wrapped.includes('class="katex"') && !wrapped.includes("$"));
 * // Across a blank line it is not math, and the build stops rather than print raw TeX.
 * assert.throws(() => renderMarkdown("so $\\max(0,\n\nz)$"), /math left unrendered/);
 * assert.throws(() => renderMarkdown("a bare \\sigma"), /math left unrendered/);
 * assert.doesNotThrow(() => renderMarkdown("costs $5, and `$x` and `\\sigma` are code"));
 * const table = renderMarkdown("| a | b |\n|---|---|\n| x | y |").html;
 * assert.match(table, /^<div class="table-scroll"><table>/);
 * ```
 *
 * @module
 */
import katex from "../../deps/katex.ts";
import { Marked, type Tokens } from "../../deps/marked.ts";

/** A heading of the prose: its level, its Markdown text and its anchor. */
export interface Heading {
  depth: number;
  text: string;
  id: string;
}

/** An anchor from heading text: lower case, math and punctuation dropped, words joined by `-`. */
export function slugify(text: string): string {
  return text.toLowerCase()
    .replace(/\$[^$]*\$/g, (m) => m.slice(1, -1).replace(/\\[a-z]+/gi, "")) // keep math's letters
    .replace(/[`*_~'’]/g, "")
    .replace(/[^\p{L}\p{N}]+/gu, "-")
    .replace(/^-+|-+$/g, "") || "section";
}

/** Makes anchors unique within one page (`x`, `x-2`, `x-3`, …). */
export class Slugger {
  #seen = new Map<string, number>();
  slug(text: string): string {
    const base = slugify(text);
    const n = (this.#seen.get(base) ?? 0) + 1;
    this.#seen.set(base, n);
    return n === 1 ? base : `${base}-${n}`;
  }
}

const PLACEHOLDER = (k: number) => `KATEXMATH${k}X`;

/** Replaces math outside code with placeholders; returns the text and the rendered math. */
function extractMath(md: string): { text: string; math: string[] } {
  const math: string[] = [];
  const render = (tex: string, displayMode: boolean) => {
    math.push(katex.renderToString(tex, { displayMode, throwOnError: true, strict: "error" }));
    return PLACEHOLDER(math.length - 1);
  };
  const out: string[] = [];
  let fenced = false;
  // Display math may span lines, so work on whole paragraphs outside fences.
  let chunk: string[] = [];
  const flush = () => {
    if (chunk.length === 0) return;
    out.push(mathInText(chunk.join("\n"), render));
    chunk = [];
  };
  for (const line of md.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) {
      flush();
      fenced = !fenced;
      out.push(line);
    } else if (fenced) out.push(line);
    else chunk.push(line);
  }
  flush();
  return { text: out.join("\n"), math };
}

/** Math in running text, skipping inline code spans (`` `$x` `` stays literal). */
function mathInText(text: string, render: (tex: string, display: boolean) => string): string {
  return text.split(/(`+[^`]*`+)/).map((part, i) => {
    if (i % 2 === 1) return part; // a code span
    return part
      .replace(/\$\$([\s\S]+?)\$\$/g, (_, tex) => `\n\n${render(tex.trim(), true)}\n\n`)
      // Inline math may wrap onto the next source line, never across a blank line.
      .replace(
        /(?<![\\$])\$(?!\s)((?:[^$\n]|\n(?![ \t]*\n))+?)(?<!\s)\$(?!\d)/g,
        (_, tex) => render(tex.replace(/\s*\n\s*/g, " "), false),
      );
  }).join("");
}

/**
 * Math that `mathInText` left alone: a `$` that opens a formula, or a TeX command, in running
 * text outside code. Such text would reach the page as raw LaTeX, so the build fails on it.
 */
export function leftoverMath(text: string): string | undefined {
  const prose = text.replace(/^\s*(```|~~~)[\s\S]*?^\s*\1.*$/gm, "")
    .replace(/`+[^`]*`+/g, "");
  return /\$(?![\d\s])[^\n]{0,40}|\\[a-zA-Z]{2,}[^\n]{0,40}/.exec(prose)?.[0];
}

/** The ATX headings outside fenced code, in order. */
export function listHeadings(md: string, slugger = new Slugger()): Heading[] {
  const headings: Heading[] = [];
  let fenced = false;
  for (const line of md.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const m = fenced ? null : /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (m) headings.push({ depth: m[1].length, text: m[2], id: slugger.slug(m[2]) });
  }
  return headings;
}

/**
 * Renders one Markdown text. Pass one `slugger` for all prose of a page so anchors stay
 * unique across blocks.
 */
export function renderMarkdown(
  md: string,
  slugger: Slugger = new Slugger(),
): { html: string; headings: Heading[] } {
  const headings = listHeadings(md, slugger);
  const { text, math } = extractMath(md);
  const left = leftoverMath(text);
  if (left !== undefined) {
    throw new Error(`math left unrendered (a stray $ or TeX command): ${left}`);
  }
  let next = 0;
  const marked = new Marked({
    renderer: {
      heading(this: { parser: { parseInline(t: Tokens.Generic[]): string } }, t: Tokens.Heading) {
        const id = headings[next++]?.id ?? slugify(t.text);
        const inner = this.parser.parseInline(t.tokens);
        return `<h${t.depth} id="${id}"><a class="anchor" href="#${id}" aria-hidden="true">#</a>${inner}</h${t.depth}>\n`;
      },
    },
  });
  let html = marked.parse(text, { async: false }) as string;
  // Tables scroll inside their own box, so a wide one never widens the page on a phone.
  html = html.replace(/<table>/g, `<div class="table-scroll"><table>`)
    .replace(/<\/table>/g, `</table></div>`)
    .replace(/<p>(KATEXMATH\d+X)<\/p>/g, `<div class="math">$1</div>`)
    .replace(/KATEXMATH(\d+)X/g, (_, k) => math[Number(k)]);
  return { html, headings };
}

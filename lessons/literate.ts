/**
 * Literate lessons: one TypeScript file is prose, code and output at once. Prose is
 * Markdown (with KaTeX) in JSDoc blocks that open with `/**` at column 0; everything between
 * is code, shown verbatim (less `deno-lint-ignore`/`deno-fmt-ignore` lines and blank
 * edges); indented doc comments stay code. The splitter reads lines, not TypeScript, so a
 * lesson never starts a line of a multi-line string with `/**`. Also: numbers formatted as
 * the lecture's NumPy prints them, and a lesson printed as text:
 *
 * ```text
 * deno run -A lessons/literate.ts lessons/02_conv1d.ts
 * ```
 *
 * @module
 */
import { LitconvError } from "../kernels/errors.ts";

/**
 * One piece of a lesson, in reading order. `line` is where it starts (1-based); a code
 * block's `endLine` is its last line, so an output recorded at a line belongs to the code
 * block whose lines hold it.
 */
export type LiterateBlock =
  | { kind: "prose"; markdown: string; line: number }
  | { kind: "code"; code: string; line: number; endLine: number };

/** A TF.js twin's result next to the naive kernel's, with how far apart they may be. */
export interface TwinOutput {
  /** The twin's printed result. */
  value: string;
  /** The TF.js backend that computed it (`"wasm"`, `"cpu"`, `"webgpu"`). */
  backend: string;
  /** max |naive − twin| over every entry. */
  maxDiff: number;
  /** The pair's tolerance for these inputs (the registry's bound, or 0 for exact). */
  tolerance: number;
}

const PRAGMA = /^\s*\/\/\s*deno-(lint|fmt)-ignore/;
const PROSE_OPEN = /^\/\*\*(?!\/)/; // `/**` at column 0, but not the empty comment `/**/`

/** Splits a literate lesson's source into prose and code blocks, in reading order. */
export function splitLiterate(source: string): LiterateBlock[] {
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  const blocks: LiterateBlock[] = [];
  let code: string[] = [];
  let codeStart = 1;

  const flushCode = () => {
    // Pragmas and blank edges go; `line` follows the first line kept.
    const kept = code.map((text, k) => ({ text, line: codeStart + k }))
      .filter(({ text }) => !PRAGMA.test(text));
    while (kept.length > 0 && kept[0].text.trim() === "") kept.shift();
    while (kept.length > 0 && kept[kept.length - 1].text.trim() === "") kept.pop();
    if (kept.length > 0) {
      blocks.push({
        kind: "code",
        code: kept.map((k) => k.text).join("\n"),
        line: kept[0].line,
        endLine: kept[kept.length - 1].line,
      });
    }
    code = [];
  };

  for (let i = 0; i < lines.length; i++) {
    if (!PROSE_OPEN.test(lines[i])) {
      if (code.length === 0) codeStart = i + 1;
      code.push(lines[i]);
      continue;
    }
    flushCode();
    const start = i;
    // Collect the comment's lines up to and including the one that closes it.
    const body: string[] = [];
    let rest = "";
    let text = lines[i].slice(3);
    for (;;) {
      const close = text.indexOf("*/");
      if (close >= 0) {
        body.push(text.slice(0, close));
        rest = text.slice(close + 2);
        break;
      }
      body.push(text);
      if (++i >= lines.length) break; // unterminated: take what there is
      text = lines[i];
    }
    const markdown = stripMargins(body);
    if (markdown !== "") blocks.push({ kind: "prose", markdown, line: start + 1 });
    // Code after `*/` on the same line (`/** Doc. */ export const x = 1;`).
    if (rest.trim() !== "") {
      codeStart = i + 1;
      code.push(rest.trimStart());
    }
  }
  flushCode();
  return blocks;
}

/** Removes the ` * ` margin of each comment line and the `@module` tag. */
function stripMargins(body: string[]): string {
  const out = body.map((line, k) => {
    if (k === 0) return line.trim(); // text right after `/**`
    const m = /^\s*\*(?: |$)?(.*)$/.exec(line);
    return (m ? m[1] : line.trimStart()).trimEnd();
  }).filter((line) => !/^@module\b/.test(line.trim()));
  while (out.length > 0 && out[0] === "") out.shift();
  while (out.length > 0 && out[out.length - 1] === "") out.pop();
  return out.join("\n");
}

/**
 * A lesson as plain text for a terminal: prose as written (headings underlined, fenced
 * snippets indented), code indented behind a `│` gutter so it stands apart from the prose.
 */
export function renderText(blocks: LiterateBlock[]): string {
  const parts = blocks.map((b) => {
    if (b.kind === "code") return b.code.split("\n").map((l) => `    │ ${l}`.trimEnd()).join("\n");
    return proseForTerminal(b.markdown);
  });
  return parts.join("\n\n") + "\n";
}

/** Markdown that reads well as plain text: underlined headings, unfenced indented snippets. */
function proseForTerminal(markdown: string): string {
  const out: string[] = [];
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (/^\s*```/.test(line)) {
      fenced = !fenced;
      continue;
    }
    if (fenced) {
      out.push(`    ${line}`.trimEnd());
      continue;
    }
    const h = /^(#{1,6})\s+(.*)$/.exec(line);
    if (h) out.push(h[2], (h[1].length === 1 ? "═" : "─").repeat(h[2].length));
    else out.push(line);
  }
  return out.join("\n");
}

/**
 * Formats numbers and nested arrays the way the lecture's NumPy prints them: integers
 * bare, others with up to 4 decimals, entries right-aligned to a common width, rows on
 * their own lines.
 *
 * ```ts
 * import { formatArray } from "./literate.ts";
 * console.assert(formatArray([5, 14, 16]) === "[ 5 14 16]");
 * console.assert(formatArray([[1, 2], [3, 4.5]]) === "[[  1   2]\n [  3 4.5]]");
 * ```
 */
export function formatArray(x: unknown): string {
  const plain = toPlain(x);
  if (typeof plain === "number") return formatNumber(plain);
  const width = Math.max(...(plain.flat(Infinity) as number[]).map((v) => formatNumber(v).length));
  const walk = (a: unknown, indent: number): string => {
    if (typeof a === "number") return formatNumber(a).padStart(width);
    const arr = a as unknown[];
    const pad = " ".repeat(indent + 1);
    const gap = Array.isArray((arr[0] as unknown[])?.[0]) ? "\n\n" : "\n"; // blank line between matrices
    const sep = typeof arr[0] === "number" ? " " : gap;
    return `[${
      arr.map((v, i) => (i === 0 || sep === " " ? "" : pad) + walk(v, indent + 1)).join(sep)
    }]`;
  };
  return walk(plain, 0);
}

/** Typed arrays become plain arrays, so one printer serves both. */
function toPlain(x: unknown): number | unknown[] {
  if (typeof x === "number") return x;
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) {
    return Array.from(x as unknown as ArrayLike<number>);
  }
  if (Array.isArray(x)) return x.map(toPlain);
  throw new TypeError(`formatArray: expected numbers or arrays of numbers, got ${typeof x}`);
}

/** An integer as is, anything else rounded to 4 decimals (trailing zeros dropped). */
export function formatNumber(v: number): string {
  if (Number.isInteger(v)) return Object.is(v, -0) ? "0" : String(v);
  if (!Number.isFinite(v)) return String(v);
  const s = v.toFixed(4).replace(/0+$/, "").replace(/\.$/, "");
  return s === "-0" ? "0" : s;
}

/**
 * The largest |a − b| over two arrays of the same shape: how far a TF.js twin (float32)
 * strays from its naive kernel (float64). Two objects of arrays (a backward pass's
 * `{ dx, dweight, dbias }`) are compared key by key, and must have the same keys.
 *
 * ```ts
 * import assert from "node:assert/strict";
 * import { maxAbsDiff } from "./literate.ts";
 * assert.equal(maxAbsDiff([[1, 2]], [[1, 2.5]]), 0.5);
 * assert.equal(maxAbsDiff({ dx: [1, 2], dbias: [3] }, { dbias: [3.25], dx: [1, 2] }), 0.25);
 * assert.throws(() => maxAbsDiff({ dx: [1] }, { dw: [1] }), /keys dw against dx/);
 * ```
 */
export function maxAbsDiff(a: unknown, b: unknown): number {
  if (isRecord(a) || isRecord(b)) {
    const keys = (v: unknown) => (isRecord(v) ? Object.keys(v).sort().join(", ") : typeof v);
    if (!isRecord(a) || !isRecord(b) || keys(a) !== keys(b)) {
      throw new LitconvError("maxAbsDiff", "b", `has keys ${keys(b)} against ${keys(a)} in a`);
    }
    return Object.keys(a).reduce((m, k) => Math.max(m, maxAbsDiff(a[k], b[k])), 0);
  }
  const xs = [toPlain(a)].flat(Infinity) as number[];
  const ys = [toPlain(b)].flat(Infinity) as number[];
  if (xs.length !== ys.length) {
    throw new LitconvError("maxAbsDiff", "b", `has ${ys.length} numbers against ${xs.length} in a`);
  }
  return xs.reduce((m, x, i) => Math.max(m, Math.abs(x - ys[i])), 0);
}

/** Whether `v` is a plain object (not an array, a typed array or a number). */
function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

/** A difference for printing: `0`, or two significant digits in exponent form (`1.06e-7`). */
export function formatDiff(d: number): string {
  return d === 0 ? "0" : d.toExponential(2);
}

/** The command line: prints the lesson at `argv[0]`; returns the exit code. */
async function cli(argv: string[]): Promise<number> {
  const usage = "usage: deno run -A lessons/literate.ts lessons/02_conv1d.ts";
  if (argv[0] === "--help" || argv[0] === "-h") {
    console.log(usage);
    return 0;
  }
  if (argv.length !== 1) {
    console.error(usage);
    return 2;
  }
  const path = argv[0];
  let source: string;
  try {
    source = await Deno.readTextFile(path);
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound
      ? "does not exist"
      : e instanceof Deno.errors.IsADirectory
      ? "is a folder, not a lesson file"
      : `cannot be read (${(e as Error).message})`;
    const here = new URL(".", import.meta.url).pathname;
    const lessons = [...Deno.readDirSync(here)].map((f) => f.name)
      .filter((n) => /^\d\d_.*\.ts$/.test(n)).sort();
    console.error(`literate.ts: ${path} ${why}; the lessons in ${here}: ${lessons.join(", ")}`);
    return 1;
  }
  console.log(renderText(splitLiterate(source)));
  return 0;
}

if (import.meta.main) Deno.exit(await cli(Deno.args));

/**
 * The one escaping function for everything a submission or a folder name can put on a
 * staff terminal, in a progress line or in a CSV: text a submission printed, its error
 * messages, names from its folder. Control characters would otherwise reach the terminal
 * intact: an escape sequence can move the cursor and overwrite a score, set the window
 * title, or write to the clipboard (OSC 52); a bidi override can reorder a line.
 *
 * @example A forged score line loses its power
 * ```ts
 * import assert from "node:assert/strict";
 * import { terminalSafe } from "./escape.ts";
 * assert.equal(terminalSafe("\x1b[2Kok\r"), "\\x1b[2Kok\\r");
 * assert.equal(terminalSafe("a\nb", { oneLine: true }), "a\\nb");
 * assert.equal(terminalSafe("\u202egnp.exe"), "\\u202egnp.exe");
 * ```
 *
 * @module
 */

/**
 * C0 controls (but tab and newline, handled apart), DEL, C1 controls, and the Unicode
 * characters that reorder or hide text: bidi embeddings, overrides and isolates, the
 * Arabic letter mark, line and paragraph separators.
 */
// deno-lint-ignore no-control-regex -- control characters are what it finds
const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/** `c` as a visible escape: `\x1b`, `\u202e`. */
function visible(c: string): string {
  const code = c.charCodeAt(0);
  if (c === "\r") return "\\r";
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * `text` with every control and reordering character shown as a visible escape, and lone
 * surrogates replaced (U+FFFD). Newlines stay unless `oneLine` (a progress line, a CSV cell);
 * tabs stay.
 */
export function terminalSafe(text: unknown, opts: { oneLine?: boolean } = {}): string {
  const s = String(text).toWellFormed().replace(UNSAFE, visible);
  return opts.oneLine ? s.replaceAll("\n", "\\n") : s;
}

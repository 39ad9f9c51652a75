/**
 * Text put into SVG or HTML markup: the one escaper the charts, the lesson figures and tables,
 * and the site's pages share.
 *
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapeMarkup } from "./markup.ts";
 * assert.equal(escapeMarkup(`a < b & "c"`), "a &lt; b &amp; &quot;c&quot;");
 * ```
 *
 * @module
 */

/** `&`, `<`, `>` and `"` as entities, so text stays text inside elements and attributes. */
export function escapeMarkup(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  );
}

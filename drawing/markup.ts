/**
 * Text and bytes put into SVG or HTML markup: the one escaper the charts, the lesson figures,
 * tables and the site's pages share, and base64 for the `data:` URLs of embedded images.
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

/** `bytes` in base64, for a `data:` URL (in chunks: one spread of a large array overflows). */
export function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

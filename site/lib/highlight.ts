/**
 * TypeScript highlighted at build time by shiki, with its bundled grammar and two themes
 * (light and dark, switched by CSS variables), so pages ship no highlighting code.
 *
 * @module
 */
import { createHighlighter, type Highlighter } from "../../deps/shiki.ts";

let highlighter: Promise<Highlighter> | undefined;

function get(): Promise<Highlighter> {
  highlighter ??= createHighlighter({
    themes: ["github-light", "github-dark"],
    langs: ["typescript"],
  });
  return highlighter;
}

/**
 * Highlighted HTML of `code`. With `firstLine`, every line gets an `id` (`L12`) counted from
 * it, so a source page can be linked by line.
 */
export async function highlight(code: string, firstLine?: number): Promise<string> {
  const h = await get();
  return h.codeToHtml(code, {
    lang: "typescript",
    themes: { light: "github-light", dark: "github-dark" },
    defaultColor: false,
    transformers: firstLine === undefined ? [] : [{
      line(node, line) {
        node.properties.id = `L${firstLine + line - 1}`;
      },
    }],
  });
}

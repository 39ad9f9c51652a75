/** KaTeX (math at build time), and where its stylesheet and fonts lie. */
export { default } from "npm:katex@0.19.1";

/** The URL of KaTeX's stylesheet in Deno's copy of the package (fonts/ sits beside it). */
export function katexCssUrl(): URL {
  return new URL(import.meta.resolve("npm:katex@0.19.1/dist/katex.min.css"));
}

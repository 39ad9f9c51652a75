/**
 * An operation's declaration as its naive function's own source states it: the first paragraph
 * of its doc comment and its signature, up to the brace that opens its body. Starter folders
 * and the notebooks' exercise cells show it, so a stub always states the real type.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { declarationOf } from "./declaration.ts";
 * const d = await declarationOf("avgPool2d");
 * assert.match(d, /^export function avgPool2d\(X: number\[\]\[\], options: PoolOptions\): number\[\]\[\]$/m);
 * ```
 *
 * @module
 */
import { LitconvError } from "./errors.ts";

/** The `/** … *\/` comment that ends right before `at` in `source`, or "". */
function docBefore(source: string, at: number): string {
  const head = source.slice(0, at).trimEnd();
  if (!head.endsWith("*/")) return "";
  return head.slice(head.lastIndexOf("/**"));
}

/**
 * The declaration of `export function fn` in `source`: its doc comment's first paragraph and
 * its signature up to (not including) the brace that opens its body.
 */
function declarationIn(source: string, fn: string): string | undefined {
  const start = source.search(new RegExp(`^export function ${fn}\\b`, "m"));
  if (start < 0) return undefined;
  // The parameter list: from the first "(" after the name to its matching ")".
  const open = source.indexOf("(", start);
  let depth = 0;
  let close = open;
  for (; close < source.length; close++) {
    if (source[close] === "(") depth++;
    else if (source[close] === ")" && --depth === 0) break;
  }
  const body = source.indexOf("{", close);
  const signature = source.slice(start, body).trim();
  // The summary: the doc's lines up to the first blank line, example or tag.
  const summary: string[] = [];
  for (const raw of docBefore(source, start).split("\n")) {
    const line = raw.replace(/^\s*\/?\*+\/?\s?/, "").replace(/\s*\*\/$/, "");
    if (line.trim() === "" && summary.length) break;
    if (/^(```|@)/.test(line.trim())) break;
    if (line.trim()) summary.push(line.trim());
  }
  return `/**\n${summary.map((l) => ` * ${l}`).join("\n")}\n */\n${signature}`;
}

/** The source of every kernel module that `kernels/ops.ts` lists. */
async function kernelSources(): Promise<string[]> {
  const list = await Deno.readTextFile(new URL("./ops.ts", import.meta.url));
  const files = [...list.matchAll(/^export \* from "\.\/(\w+\.ts)";/gm)].map((m) => m[1]);
  return await Promise.all(files.map((f) => Deno.readTextFile(new URL(`./${f}`, import.meta.url))));
}

/** The declaration of the naive function `fn` in the modules `ops.ts` lists. */
export async function declarationOf(fn: string): Promise<string> {
  for (const source of await kernelSources()) {
    const declaration = declarationIn(source, fn);
    if (declaration) return declaration;
  }
  throw new LitconvError(
    "declarationOf",
    "fn",
    `${fn}: no \`export function ${fn}\` in the modules of kernels/ops.ts`,
  );
}

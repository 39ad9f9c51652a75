/**
 * A student's TypeScript made runnable in a browser: Sucrase strips the types (nothing is
 * type-checked, as `deno run` checks nothing), and the module is imported from a `blob:` URL,
 * so it never leaves the page.
 *
 * @module
 */
import { transform } from "../../deps/sucrase.ts";

/** The module's JavaScript; throws a SyntaxError-like Error with line and column. */
export function stripTypes(code: string): string {
  return transform(code, { transforms: ["typescript"], disableESTransforms: true }).code;
}

/** Imports the student's module from its source text (TypeScript). */
export async function importStudent(code: string): Promise<Record<string, unknown>> {
  const url = URL.createObjectURL(new Blob([stripTypes(code)], { type: "text/javascript" }));
  try {
    return await import(url);
  } finally {
    URL.revokeObjectURL(url);
  }
}

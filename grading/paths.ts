/**
 * Paths given on the command line, as the user meant them: `deno task` runs its command in
 * the folder of deno.json, and says in `INIT_CWD` where the user was.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { userPath } from "./paths.ts";
 * assert.equal(userPath("/abs/hw"), "/abs/hw");
 * assert.equal(userPath("hw", "/home/ada"), "/home/ada/hw");
 * ```
 *
 * @module
 */
import { resolve } from "node:path";

/** `path` resolved against where the user ran the command. */
export function userPath(
  path: string,
  from: string = Deno.env.get("INIT_CWD") ?? Deno.cwd(),
): string {
  return resolve(from, path);
}

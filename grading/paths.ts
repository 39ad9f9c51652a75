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
// One definition for every command: cli/flags.ts.
export { callerPath as userPath } from "../cli/flags.ts";

/**
 * Stand-ins for the two Node built-ins that `kernels/tfjs/wasm/threads.ts` imports, for island
 * bundles only: an island that imports project code which reaches `kernels/backend.ts` (the
 * digit pad, through lesson 09's `rotateImage`) would otherwise ask the browser for `node:os`.
 * The browser never calls them: islands pick the webgl or cpu backend, not threaded wasm.
 *
 * @module
 */
/** `node:os`: no CPUs to report. */
export default { cpus: (): unknown[] => [], availableParallelism: (): number => 1 };

/** `node:module`: there is no `require` in a browser. */
export function createRequire(): never {
  throw new Error("createRequire is not available in the browser");
}

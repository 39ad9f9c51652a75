/** TensorFlow.js's WebAssembly backend (registers "wasm" when loaded). */
export * from "npm:@tensorflow/tfjs-backend-wasm@4.22.0";

/**
 * The folder (URL) of the backend's `.wasm` files in Deno's copy of the package, for a
 * build that serves them to a browser (`setWasmPaths`). Deno only: the browser never calls it.
 */
export function wasmDistUrl(): URL {
  return new URL(
    ".",
    import.meta.resolve("npm:@tensorflow/tfjs-backend-wasm@4.22.0/dist/index.js"),
  );
}

/** TensorFlow.js's WebAssembly backend (registers "wasm" when loaded). */
export * from "npm:@tensorflow/tfjs-backend-wasm@4.22.0";

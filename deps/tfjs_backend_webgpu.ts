/** TensorFlow.js's WebGPU backend (registers "webgpu" when loaded). */
export * from "npm:@tensorflow/tfjs-backend-webgpu@4.22.0";

/** TensorFlow.js core: tensors, kernels and the engine. */
export * from "npm:@tensorflow/tfjs-core@4.22.0";

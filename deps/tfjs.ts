/** TensorFlow.js, the union package (core, layers, the cpu and webgl backends). */
export * from "npm:@tensorflow/tfjs@4.22.0";

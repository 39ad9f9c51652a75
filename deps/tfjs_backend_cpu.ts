/** TensorFlow.js's cpu backend alone (registers "cpu" when loaded), without webgl or layers. */
export * from "npm:@tensorflow/tfjs-backend-cpu@4.22.0";

/**
 * The TF.js twins of litconv's naive kernels: the same names and arguments, each
 * `async`, returning the same plain arrays, computed on the backend chosen with
 * `useBackend` (cpu, wasm or webgpu). Every twin frees all the tensors it makes.
 *
 * ```ts
 * import * as tfjs from "./index.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(await tfjs.conv1d([1, 2, 3], [1, 1], {}), [3, 5]);
 * ```
 *
 * @module
 */
export { conv1d, conv2d, conv2dLayer } from "./conv.ts";
export { avgPool2d, maxPool2d } from "./pool.ts";
export { logSoftmax, sigmoid, softmax } from "./activation.ts";
export { binaryCrossEntropy, binaryCrossEntropyWithLogits, crossEntropy, nllLoss } from "./loss.ts";
export { dropout, l2Penalty } from "./regularize.ts";

/**
 * TF.js twins of the naive convolutions in `../conv.ts`: same names, same
 * arguments, same plain-array results, computed by TF.js on the current backend.
 *
 * Two things differ from the naive loops and are done explicitly here:
 *
 * - **Flip.** `tf.conv1d`/`tf.conv2d` compute cross-correlation (the kernel is not
 *   flipped). A *true* convolution is cross-correlation with the reversed kernel,
 *   so `conv1d` and `conv2d` reverse it first; `conv2dLayer`, like `nn.Conv2d`,
 *   does not.
 * - **Layout.** TF.js wants channels last (NHWC input, `[kH, kW, Cin, Cout]`
 *   filters; the wasm backend supports nothing else), PyTorch and our naive layer
 *   keep channels first (NCHW, `[Cout, Cin, kH, kW]`), so we transpose on the way
 *   in and out.
 *
 * Zero padding is added with `tf.pad` and the convolution itself is 'valid', so the
 * output size is ⌊(n + 2p − m)/s⌋ + 1 exactly as in the naive kernels.
 *
 * @module
 */
import { tf } from "../../accel/backend.ts";
import type { ConvOptions } from "../types.ts";
import { checkConv1d, checkConv2d, checkConv2dLayer } from "../checks.ts";
import { readArray } from "./run.ts";

/**
 * True 1-D convolution on TF.js: `tf.conv1d` with the kernel reversed.
 *
 * ```ts
 * import { conv1d } from "./conv.ts";
 * import assert from "node:assert/strict";
 * const y = await conv1d([1, 3, 2, 4, 5, 6, 1, 3], [1, 0, 3, 1, 2], { padding: 2 });
 * assert.deepEqual(y, [5, 14, 16, 26, 24, 34, 19, 22]);
 * ```
 */
export async function conv1d(
  x: number[],
  w: number[],
  options: ConvOptions = {},
): Promise<number[]> {
  const { padding, stride } = checkConv1d(x, w, options);
  return await readArray<number[]>(() => {
    // tf.conv1d layout: input [batch, width, inChannels], filter [width, in, out].
    const input = tf.pad(tf.tensor3d(x, [1, x.length, 1]), [[0, 0], [padding, padding], [0, 0]]);
    const kernel = tf.reverse(tf.tensor3d(w, [w.length, 1, 1]), 0);
    return tf.conv1d(input, kernel, stride, "valid").reshape([-1]);
  });
}

/**
 * True 2-D convolution on TF.js: `tf.conv2d` with the kernel reversed on both axes.
 *
 * ```ts
 * import { conv2d } from "./conv.ts";
 * import assert from "node:assert/strict";
 * const X = [[1, 3, 2, 4], [5, 6, 1, 3], [1, 2, 0, 2], [3, 4, 3, 2]];
 * const W = [[1, 0, 3], [1, 2, 1], [0, 1, 1]];
 * assert.deepEqual((await conv2d(X, W, { padding: 1 }))[0], [11, 25, 32, 13]);
 * ```
 */
export async function conv2d(
  X: number[][],
  W: number[][],
  options: ConvOptions = {},
): Promise<number[][]> {
  const { padding: [pr, pc], stride } = checkConv2d(X, W, options);
  const [h, w] = [X.length, X[0].length];
  const [kh, kw] = [W.length, W[0].length];
  return await readArray<number[][]>(() => {
    // One image with one channel: input [1, H, W, 1], filter [kH, kW, 1, 1].
    const image = tf.tensor4d(X.flat(), [1, h, w, 1]);
    const input = tf.pad(image, [[0, 0], [pr, pr], [pc, pc], [0, 0]]);
    const kernel = tf.reverse(tf.tensor4d(W.flat(), [kh, kw, 1, 1]), [0, 1]);
    const out = tf.conv2d(input, kernel, stride, "valid"); // [1, outH, outW, 1]
    return out.reshape([out.shape[1], out.shape[2]]);
  });
}

/**
 * `nn.Conv2d` on TF.js: NCHW input, `[Cout, Cin, kH, kW]` weight, optional bias;
 * cross-correlation (no flip), as in PyTorch.
 *
 * ```ts
 * import { conv2dLayer } from "./conv.ts";
 * import assert from "node:assert/strict";
 * const y = await conv2dLayer([[[[1, 2], [3, 4]]]], [[[[1, 0], [0, 1]]]], [10]);
 * assert.deepEqual(y, [[[[15]]]]); // 1·1 + 4·1 + 10
 * ```
 */
export async function conv2dLayer(
  x: number[][][][],
  weight: number[][][][],
  bias?: number[],
  options: ConvOptions = {},
): Promise<number[][][][]> {
  const { padding: [pr, pc], stride } = checkConv2dLayer(x, weight, bias, options);
  return await readArray<number[][][][]>(() => {
    const nhwc = tf.transpose(tf.tensor4d(x), [0, 2, 3, 1]); // NCHW → NHWC
    const filter = tf.transpose(tf.tensor4d(weight), [2, 3, 1, 0]); // [Cout,Cin,kH,kW] → [kH,kW,Cin,Cout]
    const input = tf.pad(nhwc, [[0, 0], [pr, pr], [pc, pc], [0, 0]]);
    let out: tf.Tensor4D = tf.conv2d(input, filter, stride, "valid");
    if (bias !== undefined) out = tf.add(out, tf.tensor1d(bias)); // broadcasts over the last axis (C)
    return tf.transpose(out, [0, 3, 1, 2]); // NHWC → NCHW
  });
}

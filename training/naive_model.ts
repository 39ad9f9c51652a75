/**
 * The lecture's CNN as the naive kernels train it (`kernels/cnn.ts` with the sizes
 * {@link LECTURE}), and its weights converted to and from TF.js's layout, so that a naive
 * run can start from a TF.js model's weights (the equivalence test) and save what it
 * learned as a TF.js model (the run folder).
 *
 * @module
 */
import { featureShape, LECTURE } from "../kernels/cnn.ts";
import type { CnnParams } from "../kernels/types.ts";

export {
  argmaxRows,
  COURSE_KERNELS,
  forward,
  initParams,
  type Kernels,
  LECTURE,
  lossOf,
  type PassOptions,
} from "../kernels/cnn.ts";

/** The lecture CNN's weights (PyTorch's layout), as the naive loop trains them. */
export type NaiveParams = CnnParams;

// ─── TF.js's layout ───────────────────────────────────────────────────────────
// model.ts's weights, in `trainableWeights` order, as flat float32 arrays: conv kernels
// [kH,kW,Cin,Cout], dense kernels [In,Out], and fc1's inputs in NHWC order (h, w, c), because
// TF.js flattens [N,7,7,64] where we flatten [N,64,7,7].

/** The lecture's sizes: fc1's input volume [C, H, W], and the layers' widths. */
const [C, H, W] = featureShape(LECTURE);
const [CONV1, CONV2] = LECTURE.channels, K = LECTURE.kernel;

/** fc1's input index in TF.js's (h, w, c) order for our (c, h, w) index (lecture's sizes). */
function nhwcIndex(chw: number): number {
  const ch = Math.floor(chw / (H * W)), r = Math.floor(chw / W) % H, q = chw % W;
  return (r * W + q) * C + ch;
}

/** A conv kernel `[Cout,Cin,kH,kW]` from TF.js's flat `[kH,kW,Cin,Cout]`. */
function convFromTf(flat: ArrayLike<number>, cOut: number, cIn: number, k: number) {
  return Array.from(
    { length: cOut },
    (_, o) =>
      Array.from(
        { length: cIn },
        (_, i) =>
          Array.from({ length: k }, (_, a) =>
            Array.from({ length: k }, (_, b) => flat[((a * k + b) * cIn + i) * cOut + o])),
      ),
  );
}

/** Our weights from TF.js's (`model.getWeights()` data, in order), exactly. */
export function paramsFromTfjs(weights: ArrayLike<number>[]): NaiveParams {
  const [c1w, c1b, c2w, c2b, f1w, f1b, f2w, f2b] = weights;
  const dense = (
    flat: ArrayLike<number>,
    inputs: number,
    outputs: number,
    index = (i: number) => i,
  ) =>
    Array.from(
      { length: outputs },
      (_, o) => Array.from({ length: inputs }, (_, i) => flat[index(i) * outputs + o]),
    );
  return {
    conv1Weight: convFromTf(c1w, CONV1, 1, K),
    conv1Bias: Array.from(c1b),
    conv2Weight: convFromTf(c2w, CONV2, CONV1, K),
    conv2Bias: Array.from(c2b),
    fc1Weight: dense(f1w, C * H * W, LECTURE.hidden, nhwcIndex),
    fc1Bias: Array.from(f1b),
    fc2Weight: dense(f2w, LECTURE.hidden, LECTURE.classes),
    fc2Bias: Array.from(f2b),
  };
}

/** Our weights in TF.js's layout (the inverse of {@link paramsFromTfjs}), as float32. */
export function paramsToTfjs(params: NaiveParams): Float32Array[] {
  const conv = (wt: number[][][][]) => {
    const [cOut, cIn, k] = [wt.length, wt[0].length, wt[0][0].length];
    const flat = new Float32Array(cOut * cIn * k * k);
    wt.forEach((byIn, o) =>
      byIn.forEach((kernel, i) =>
        kernel.forEach((row, a) =>
          row.forEach((v, b) => (flat[((a * k + b) * cIn + i) * cOut + o] = v))
        )
      )
    );
    return flat;
  };
  const dense = (wt: number[][], index = (i: number) => i) => {
    const outputs = wt.length;
    const flat = new Float32Array(outputs * wt[0].length);
    wt.forEach((row, o) => row.forEach((v, i) => (flat[index(i) * outputs + o] = v)));
    return flat;
  };
  return [
    conv(params.conv1Weight),
    Float32Array.from(params.conv1Bias),
    conv(params.conv2Weight),
    Float32Array.from(params.conv2Bias),
    dense(params.fc1Weight, nhwcIndex),
    Float32Array.from(params.fc1Bias),
    dense(params.fc2Weight),
    Float32Array.from(params.fc2Bias),
  ];
}

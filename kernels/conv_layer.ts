/**
 * What the convolutions (`conv.ts`) and the layer's backward pass (`conv_backward.ts`)
 * share: zero padding, the layer's argument check, its forward pass in TF.js (the forward
 * twin, and the function whose autograd is the backward twin), and random 2-D convolution
 * sizes. It defines no operation, so the root entry does not export it.
 *
 * @module
 */
import {
  assertOptionalBias,
  assertTensor,
  describeShape,
  LitconvError,
  optionPair,
} from "./errors.ts";
import type { Fc, Tensor, Tf } from "./op.ts";
import { pairOption } from "./arbitraries.ts";
import type { ConvOptions } from "./types.ts";

/** A rank-4 TF.js tensor. */
type Tensor4D = ReturnType<Tf["tensor4d"]>;

/** `x` with `p` zeros before and after it. */
export function pad1d(x: number[], p: number): number[] {
  const zeros = new Array<number>(p).fill(0);
  return [...zeros, ...x, ...zeros];
}

/** `X` inside a frame of zeros, `pr` rows above and below, `pc` columns left and right. */
export function pad2d(X: number[][], pr: number, pc: number): number[][] {
  const width = X[0].length + 2 * pc;
  const zeroRow = () => new Array<number>(width).fill(0);
  const padded: number[][] = [];
  for (let r = 0; r < pr; r++) padded.push(zeroRow());
  for (const row of X) padded.push(pad1d(row, pc));
  for (let r = 0; r < pr; r++) padded.push(zeroRow());
  return padded;
}

/** Padding and stride of a 2-D convolution as `[rows, cols]` pairs. */
export interface Conv2dPlan {
  padding: [number, number];
  stride: [number, number];
}

/**
 * The padding (≥ 0, default 0) and stride (≥ 1, default 1) of a 2-D convolution as pairs;
 * `context` gives the call's shapes for an error.
 */
export function convOptions(fn: string, options: ConvOptions, context: string): Conv2dPlan {
  return {
    padding: optionPair(fn, "padding", options?.padding ?? 0, 0, context),
    stride: optionPair(fn, "stride", options?.stride ?? 1, 1, context),
  };
}

/**
 * The checks of `fn` (conv2dLayer or its backward): NCHW input, [Cout,Cin,kH,kW] weight,
 * optional [Cout] bias, padding ≥ 0 and stride ≥ 1, a kernel that fits the padded input.
 */
export function checkConv2dLayer(
  fn: string,
  x: number[][][][],
  weight: number[][][][],
  bias: number[] | undefined,
  options: ConvOptions,
): Conv2dPlan {
  const [, c, h, w] = assertTensor(fn, "x", x, 4);
  const [cOut, cIn, kh, kw] = assertTensor(fn, "weight", weight, 4);
  const context = `x ${describeShape(x)}, weight ${describeShape(weight)}`;
  if (c !== cIn) {
    throw new LitconvError(
      fn,
      "x",
      `has C=${c} channels but weight expects Cin=${cIn} (${context})`,
    );
  }
  assertOptionalBias(fn, bias, cOut, `Cout=${cOut} output channels`, context);
  const { padding: [pr, pc], stride } = convOptions(fn, options, context);
  if (kh > h + 2 * pr || kw > w + 2 * pc) {
    throw new LitconvError(
      fn,
      "weight",
      `kernel [${kh},${kw}] is larger than the padded input [${h + 2 * pr},${
        w + 2 * pc
      }] (${context} with padding [${pr},${pc}])`,
    );
  }
  return { padding: [pr, pc], stride };
}

/**
 * The layer in TF.js, on tensors: NCHW → NHWC, zero padding, `tf.conv2d` ('valid', no flip:
 * nn.Conv2d is a cross-correlation), plus bias, back to NCHW. TF.js wants channels last (the
 * wasm backend supports nothing else); PyTorch and our loops keep channels first.
 */
export function conv2dLayerTf(
  tf: Tf,
  x: Tensor,
  weight: Tensor,
  bias: Tensor | undefined,
  { padding: [pr, pc], stride }: Conv2dPlan,
): Tensor {
  const nhwc = tf.transpose(x, [0, 2, 3, 1]); // NCHW → NHWC
  const filter = tf.transpose(weight, [2, 3, 1, 0]); // → [kH,kW,Cin,Cout]
  const input = tf.pad(nhwc, [[0, 0], [pr, pr], [pc, pc], [0, 0]]) as Tensor4D;
  let out: Tensor = tf.conv2d(input, filter as Tensor4D, stride, "valid");
  if (bias !== undefined) out = tf.add(out, bias); // broadcast over C (last axis)
  return tf.transpose(out, [0, 3, 1, 2]); // NHWC → NCHW
}

/** Sizes of a 2-D convolution whose kernel fits the padded input; padding/stride number or pair. */
export function conv2dShape(fc: Fc) {
  return fc.record({
    h: fc.integer({ min: 1, max: 7 }),
    w: fc.integer({ min: 1, max: 7 }),
    pr: fc.integer({ min: 0, max: 2 }),
    pc: fc.integer({ min: 0, max: 2 }),
    sr: fc.integer({ min: 1, max: 3 }),
    sc: fc.integer({ min: 1, max: 3 }),
  }).chain((s) =>
    fc.record({
      kh: fc.integer({ min: 1, max: Math.min(5, s.h + 2 * s.pr) }),
      kw: fc.integer({ min: 1, max: Math.min(5, s.w + 2 * s.pc) }),
      padding: pairOption(fc, [s.pr, s.pc]),
      stride: pairOption(fc, [s.sr, s.sc]),
      h: fc.constant(s.h),
      w: fc.constant(s.w),
    })
  );
}

/**
 * The plain-array types the naive kernels take and return.
 *
 * Every naive kernel works on ordinary nested JavaScript arrays of numbers, so a
 * student can print, index and build them by hand, exactly like the lecture's
 * Python lists.
 *
 * @module
 */

/** A number, or an array of (arrays of …) numbers: a scalar, vector, matrix or tensor. */
export type NestedNumberArray = number | NestedNumberArray[];

/** One whole number used for both axes, or `[rows, cols]`. */
export type IntPair = number | [number, number];

/**
 * Zero padding added on each side, and the step between window positions.
 * `conv1d` accepts plain numbers only; the 2-D kernels also accept `[rows, cols]`.
 */
export interface ConvOptions {
  /** Zeros added before and after each axis (default 0). */
  padding?: IntPair;
  /** Step between neighbouring windows (default 1). */
  stride?: IntPair;
}

/** The pooling window and its step; `stride` defaults to `size` (windows that tile). */
export interface PoolOptions {
  /** Window height and width. */
  size: IntPair;
  /** Step between windows (default: `size`). */
  stride?: IntPair;
}

/** Dropout is active only in training; `seed` makes the random mask reproducible. */
export interface DropoutOptions {
  /** `true`: drop and rescale; `false` (evaluation): return the input unchanged. */
  training: boolean;
  /** Seed of the pseudo-random generator that draws the mask. */
  seed: number;
}

/** One layer of a model summary: its name and its output shape for one image. */
export interface LayerShape {
  /** The layer's name, e.g. `"conv1"` (not graded). */
  name: string;
  /** Its output for one image, without the batch axis: `[C, H, W]`, or `[features]`. */
  shape: number[];
}

/** A model's layers that change the shape or hold parameters, in order, and its parameter count. */
export interface ModelSummary {
  /** conv1, pool1, …, flatten, fc1, fc2, in order. */
  layers: LayerShape[];
  /** Weights plus biases, every layer. */
  params: number;
}

/** The gradients of a linear layer's loss with respect to its input, weight and bias. */
export interface LinearGrads {
  /** ∂L/∂x, `[N, In]`. */
  dx: number[][];
  /** ∂L/∂weight, `[Out, In]`. */
  dweight: number[][];
  /** ∂L/∂bias, `[Out]`. */
  dbias: number[];
}

/** The gradients of a convolutional layer's loss with respect to its input, weight and bias. */
export interface Conv2dLayerGrads {
  /** ∂L/∂x, the shape of x: `[N, Cin, H, W]`. */
  dx: number[][][][];
  /** ∂L/∂weight, the shape of weight: `[Cout, Cin, kH, kW]`. */
  dweight: number[][][][];
  /** ∂L/∂bias, `[Cout]`. */
  dbias: number[];
}

/**
 * A CNN's weights (`cnn.ts`, task 11.10), in PyTorch's layout: conv `[Cout,Cin,kH,kW]`,
 * linear `[Out,In]`.
 */
export interface CnnParams {
  conv1Weight: number[][][][];
  conv1Bias: number[];
  conv2Weight: number[][][][];
  conv2Bias: number[];
  fc1Weight: number[][];
  fc1Bias: number[];
  fc2Weight: number[][];
  fc2Bias: number[];
}

/** One training batch: images `[N,1,H,W]` and their class labels. */
export interface TrainingBatch {
  x: number[][][][];
  labels: number[];
}

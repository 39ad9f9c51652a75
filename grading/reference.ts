/**
 * What each graded function is judged against: the naive float64 kernel of the pair registry
 * (the same code the property tests prove equal to TF.js), each element's scale for the
 * judge's tolerance, and, for dropout and the exercise's model, a structural judge.
 *
 * @module
 */
import * as conv from "../kernels/conv.ts";
import * as pool from "../kernels/pool.ts";
import * as activation from "../kernels/activation.ts";
import * as loss from "../kernels/loss.ts";
import * as regularize from "../kernels/regularize.ts";
import type { DropoutOptions, NestedNumberArray } from "../kernels/types.ts";
import { flat, judgeNumbers } from "./judge.ts";
import { judgeDropout, judgeModel } from "./structural.ts";
import { extraConvModel } from "./model_spec.ts";

/** How one function is judged. */
export interface Reference {
  /** The right answer (shown as "expected"). */
  expected(args: unknown[]): unknown;
  /** What "expected" says when a failure is shown, if not the answer itself. */
  describe?(args: unknown[]): string;
  /** undefined when `got` passes, else one line saying what is wrong. */
  judge(args: unknown[], got: unknown): string | undefined;
  /** How `judge` works: element by element (with each element's scale), or by structure. */
  kind: "numbers" | "dropout" | "model";
  /** For `numbers`: every element's scale (one number for all), see judge.ts. */
  scale?(args: unknown[]): number | number[];
}

// deno-lint-ignore no-explicit-any
type Fn = (...args: any[]) => unknown;

/** Every number of a nested array replaced by its absolute value. */
// deno-lint-ignore no-explicit-any
const abs = (x: any): any =>
  Array.isArray(x) ? x.map(abs) : typeof x === "number" ? Math.abs(x) : x;

/** The largest |number| anywhere in the arguments. */
const maxAbs = (args: unknown[]): number =>
  Math.max(
    0,
    ...args.flatMap((a) => (Array.isArray(a) || typeof a === "number") ? flat(a) : []).map(
      Math.abs,
    ),
  );

/** Numbers judged element by element; `scale(args)` gives every element's scale. */
function numeric(fn: Fn, scale: (args: unknown[]) => number | number[]): Reference {
  return {
    kind: "numbers",
    scale,
    expected: (args) => fn(...args),
    judge(args, got) {
      const s = scale(args);
      return judgeNumbers(fn(...args), got, typeof s === "number" ? () => s : (k) => s[k]);
    },
  };
}

/** Sums of products: an element's scale is Σ|terms|, the same kernel run on |inputs|. */
function sums(fn: Fn): Reference {
  return numeric(fn, (args) => flat(fn(...args.map(abs))));
}

/** Dropout: the contract's structure (0 or x/(1 − p); x itself in evaluation); masks differ. */
const dropoutReference: Reference = {
  kind: "dropout",
  describe: ([_x, p, o]) =>
    (o as DropoutOptions).training
      ? `the shape of x, each element 0 or x/(1 − p) = x·${1 / (1 - (p as number))} (any mask)`
      : "x itself (evaluation)",
  expected: ([x, p, o]) =>
    regularize.dropout(x as NestedNumberArray, p as number, o as DropoutOptions),
  judge: ([x, p, o], got) => judgeDropout(x, p as number, (o as DropoutOptions).training, got),
};

/** The exercise's model: the shapes in order (layers that keep the shape may be listed too). */
const modelReference: Reference = {
  kind: "model",
  expected: ([size]) => extraConvModel(size as number),
  judge: ([size], got) => judgeModel(extraConvModel(size as number), got),
};

/** Every graded function's reference, by contract name. */
export const REFERENCES: Record<string, Reference> = {
  convOutputSize: numeric(conv.convOutputSize, () => 0),
  conv1d: sums(conv.conv1d),
  conv2d: sums(conv.conv2d),
  conv2dLayer: sums(conv.conv2dLayer),
  maxPool2d: numeric(pool.maxPool2d, () => 0),
  avgPool2d: sums(pool.avgPool2d),
  sigmoid: numeric(activation.sigmoid, () => 1),
  softmax: numeric(activation.softmax, () => 1),
  // log-softmax and the losses subtract numbers as large as the logits.
  logSoftmax: numeric(activation.logSoftmax, (a) => 1 + maxAbs(a)),
  // BCE's logs are clamped at −100: its terms are at most 100.
  binaryCrossEntropy: numeric(loss.binaryCrossEntropy, () => 100),
  binaryCrossEntropyWithLogits: numeric(loss.binaryCrossEntropyWithLogits, (a) => 1 + maxAbs(a)),
  nllLoss: numeric(loss.nllLoss, (a) => 1 + maxAbs(a)),
  crossEntropy: numeric(loss.crossEntropy, (a) => 1 + maxAbs(a)),
  // A sum of squares: every term is positive, so Σ|terms| is the result itself.
  l2Penalty: numeric(regularize.l2Penalty, () => 0),
  dropout: dropoutReference,
  extraConvModel: modelReference,
};

/**
 * Every kind of bad argument gets a LitconvError whose message names the
 * function, the argument and the shapes (or the offending value): never a
 * silent wrong answer, never an accidental empty array.
 */
import assert from "node:assert/strict";
import { LitconvError } from "../kernels/errors.ts";
import { conv1d, conv2d, conv2dLayer, convOutputSize } from "../kernels/conv.ts";
import { avgPool2d, maxPool2d } from "../kernels/pool.ts";
import { logSoftmax, sigmoid, softmax } from "../kernels/activation.ts";
import {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  nllLoss,
} from "../kernels/loss.ts";
import { dropout, dropoutBackward, l2Penalty } from "../kernels/regularize.ts";
import { relu, reluBackward } from "../kernels/relu.ts";
import { linear, linearBackward } from "../kernels/linear.ts";
import { conv2dLayerBackward } from "../kernels/conv_backward.ts";
import { maxPool2dLayer, maxPool2dLayerBackward } from "../kernels/pool_layer.ts";
import { crossEntropyBackward } from "../kernels/loss.ts";

/**
 * `call` throws a LitconvError from `fn` about `arg`, whose message starts
 * "fn: arg" and contains every fragment (shapes, values).
 */
function rejects(call: () => unknown, fn: string, arg: string, ...fragments: string[]): void {
  assert.throws(call, (e: unknown) => {
    assert.ok(e instanceof LitconvError, `expected a LitconvError, got ${String(e)}`);
    assert.equal(e.fn, fn);
    assert.equal(e.arg, arg);
    assert.ok(e.message.startsWith(`${fn}: ${arg} `), e.message);
    for (const f of fragments) assert.ok(e.message.includes(f), `"${e.message}" lacks "${f}"`);
    return true;
  });
}

// Casting lets the tests pass what the types forbid, as untyped callers can.
// deno-lint-ignore no-explicit-any
const any = (v: unknown) => v as any;

const X4 = [[1, 3, 2, 4], [5, 6, 1, 3], [1, 2, 0, 2], [3, 4, 3, 2]];
const W3 = [[1, 0, 3], [1, 2, 1], [0, 1, 1]];
const W5 = Array.from({ length: 5 }, () => [1, 1, 1, 1, 1]);
const x1 = [[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]; // N=1, C=1, 3×3

Deno.test("ragged arrays are rejected with their shape", () => {
  rejects(() => conv2d([[1, 2], [3]], W3), "conv2d", "X", "ragged", "row 1 has 1");
  rejects(() => conv2d(X4, [[1, 2], [3, 4, 5]]), "conv2d", "W", "ragged");
  rejects(() => maxPool2d([[1, 2], [3]], { size: 1 }), "maxPool2d", "X", "ragged");
  rejects(() => softmax([[1, 2, 3], [4, 5]]), "softmax", "x", "ragged");
  rejects(
    () => conv2dLayer([[[[1, 2], [3]]]], [[[[1]]]]),
    "conv2dLayer",
    "x",
    "ragged",
    "[1,1,2,2]",
  );
  rejects(() => l2Penalty([[[1, 2], [3]]], 0.1), "l2Penalty", "params[0]", "ragged");
  rejects(() => dropout([[1, 2], [3]], 0.5, { training: true, seed: 1 }), "dropout", "x", "ragged");
});

Deno.test("empty arrays are rejected", () => {
  rejects(() => conv1d([], [1]), "conv1d", "x", "empty");
  rejects(() => conv1d([1, 2], []), "conv1d", "w", "empty");
  rejects(() => conv2d([], W3), "conv2d", "X", "[0]");
  rejects(() => conv2d([[]], W3), "conv2d", "X", "empty rows");
  rejects(() => avgPool2d([], { size: 1 }), "avgPool2d", "X", "[0]");
  rejects(() => sigmoid([]), "sigmoid", "x", "empty");
  rejects(() => logSoftmax([[]]), "logSoftmax", "x", "empty");
  rejects(() => nllLoss([[0]], []), "nllLoss", "targets", "empty");
  rejects(() => binaryCrossEntropy([], []), "binaryCrossEntropy", "probs", "empty");
  rejects(() => l2Penalty([], 0.1), "l2Penalty", "params", "non-empty");
  rejects(() => dropout([], 0.5, { training: false, seed: 1 }), "dropout", "x", "empty");
});

Deno.test("a kernel larger than the padded input is rejected with both shapes", () => {
  rejects(
    () => conv2d([[1, 2, 3], [4, 5, 6], [7, 8, 9]], W5),
    "conv2d",
    "W",
    "of shape [5,5] is larger than the padded input [3,3] (X [3,3] with padding [0,0])",
  );
  // Too wide only (the rows fit): without the check this would return three empty rows.
  rejects(() => conv2d([[1], [2], [3]], [[1, 1, 1]]), "conv2d", "W", "[1,3]", "[3,1]");
  rejects(
    () => conv2d([[1, 2]], W3, { padding: [0, 1] }),
    "conv2d",
    "W",
    "[3,3]",
    "[1,4]",
    "[1,2]",
  );
  rejects(
    () => conv1d([1, 2, 3], [1, 1, 1, 1, 1, 1, 1], { padding: 1 }),
    "conv1d",
    "w",
    "7",
    "5",
    "3",
  );
  rejects(() => conv2dLayer(x1, [[[[1, 1, 1, 1]]]]), "conv2dLayer", "weight", "[1,4]", "[3,3]");
  rejects(() => convOutputSize(3, 7, 1), "convOutputSize", "m", "7", "5");
});

Deno.test("negative or fractional padding is rejected", () => {
  rejects(
    () => conv1d([1, 2, 3], [1], { padding: -1 }),
    "conv1d",
    "padding",
    "-1",
    "x of length 3",
  );
  rejects(() => conv2d(X4, W3, { padding: 0.5 }), "conv2d", "padding", "0.5", "X [4,4]", "W [3,3]");
  rejects(() => conv2d(X4, W3, { padding: [1, -2] }), "conv2d", "padding", "-2", "X [4,4]");
  rejects(
    () => conv2dLayer(x1, [[[[1]]]], undefined, { padding: 1.5 }),
    "conv2dLayer",
    "padding",
    "1.5",
  );
  rejects(() => convOutputSize(5, 3, -1), "convOutputSize", "padding", "-1");
  rejects(
    () => conv1d([1, 2], [1], { padding: any([1, 1]) }),
    "conv1d",
    "padding",
    "single number",
  );
});

Deno.test("stride 0 (and other non-positive or fractional strides) is rejected", () => {
  rejects(
    () => conv1d([1, 2, 3], [1], { stride: 0 }),
    "conv1d",
    "stride",
    "got 0",
    "x of length 3",
  );
  rejects(() => conv2d(X4, W3, { stride: [1, 0] }), "conv2d", "stride", "got 0", "X [4,4]");
  rejects(
    () => conv2dLayer(x1, [[[[1]]]], undefined, { stride: 0 }),
    "conv2dLayer",
    "stride",
    "got 0",
  );
  rejects(() => maxPool2d(X4, { size: 2, stride: 0 }), "maxPool2d", "stride", "got 0", "X [4,4]");
  rejects(() => avgPool2d(X4, { size: 2, stride: 1.5 }), "avgPool2d", "stride", "1.5");
  rejects(() => convOutputSize(5, 3, 0, 0), "convOutputSize", "stride", "got 0");
});

Deno.test("a pool window larger than the input, or missing, is rejected", () => {
  rejects(() => maxPool2d([[1, 2], [3, 4]], { size: 3 }), "maxPool2d", "size", "[3,3]", "X [2,2]");
  rejects(() => avgPool2d([[1, 2, 3]], { size: [2, 1] }), "avgPool2d", "size", "[2,1]", "X [1,3]");
  rejects(() => maxPool2d(X4, { size: 0 }), "maxPool2d", "size", "got 0");
  rejects(() => avgPool2d(X4, any({})), "avgPool2d", "size", "required", "X [4,4]");
});

Deno.test("a target class out of range or not a whole number is rejected", () => {
  const logits = [[1.5, 0.8, 2.1]];
  rejects(() => crossEntropy(logits, [3]), "crossEntropy", "targets", "[0, 2]", "got 3", "[1,3]");
  rejects(() => crossEntropy(logits, [-1]), "crossEntropy", "targets", "got -1");
  rejects(() => nllLoss(logSoftmax(logits), [1.5]), "nllLoss", "targets", "got 1.5", "[1,3]");
});

Deno.test("probabilities outside [0, 1] are rejected", () => {
  rejects(
    () => binaryCrossEntropy([0.5, 1.2], [1, 0]),
    "binaryCrossEntropy",
    "probs",
    "1.2",
    "[1]",
  );
  rejects(() => binaryCrossEntropy([-0.1], [1]), "binaryCrossEntropy", "probs", "-0.1");
});

Deno.test("BCE targets outside [0, 1] are rejected", () => {
  rejects(() => binaryCrossEntropy([0.5], [2]), "binaryCrossEntropy", "targets", "got 2");
  rejects(
    () => binaryCrossEntropyWithLogits([0.8, 0.1], [1, -1]),
    "binaryCrossEntropyWithLogits",
    "targets",
    "got -1",
    "length 2",
  );
});

Deno.test("NaN and Infinity are rejected wherever they sit", () => {
  rejects(() => conv1d([1, NaN, 3], [1]), "conv1d", "x", "NaN", "[1]");
  rejects(() => conv2d(X4, [[1, Infinity]]), "conv2d", "W", "Infinity", "[0][1]");
  rejects(() => conv2dLayer(x1, [[[[1]]]], [NaN]), "conv2dLayer", "bias", "NaN");
  rejects(() => maxPool2d([[1, -Infinity]], { size: 1 }), "maxPool2d", "X", "-Infinity");
  rejects(() => sigmoid([Infinity]), "sigmoid", "x", "Infinity");
  rejects(() => crossEntropy([[NaN, 1]], [0]), "crossEntropy", "logits", "NaN");
  rejects(
    () => binaryCrossEntropyWithLogits([NaN], [1]),
    "binaryCrossEntropyWithLogits",
    "logits",
    "NaN",
  );
  rejects(() => crossEntropy([[0, 1]], [NaN]), "crossEntropy", "targets", "NaN");
  rejects(() => l2Penalty([[1, NaN]], 0.1), "l2Penalty", "params[0]", "NaN", "[1]");
  rejects(() => l2Penalty([[1]], NaN), "l2Penalty", "lambda", "NaN");
  rejects(() => dropout([[1, NaN]], 0.5, { training: true, seed: 1 }), "dropout", "x", "NaN");
});

Deno.test("mismatched lengths (probs vs targets, batch vs targets) are rejected", () => {
  rejects(
    () => binaryCrossEntropy([0.5, 0.5], [1]),
    "binaryCrossEntropy",
    "targets",
    "length 1",
    "length 2",
  );
  rejects(
    () => binaryCrossEntropyWithLogits([0.8], [1, 0]),
    "binaryCrossEntropyWithLogits",
    "targets",
    "length 2",
  );
  rejects(
    () => crossEntropy([[1, 2], [3, 4]], [0]),
    "crossEntropy",
    "targets",
    "length 1",
    "2 rows",
  );
  rejects(() => nllLoss([[-1, -2]], [0, 1]), "nllLoss", "targets", "length 2", "1 rows");
});

Deno.test("conv2dLayer: input channels must match the weight's Cin", () => {
  const x3 = [[[[1]], [[2]], [[3]]]]; // N=1, C=3, 1×1
  const weight = [[[[1]], [[1]]]]; // Cout=1, Cin=2, 1×1
  rejects(
    () => conv2dLayer(x3, weight),
    "conv2dLayer",
    "x",
    "C=3",
    "Cin=2",
    "[1,3,1,1]",
    "[1,2,1,1]",
  );
  rejects(() => conv2dLayer(any([[1, 2]]), weight), "conv2dLayer", "x", "4 dimensions", "[1,2]");
});

Deno.test("conv2dLayer: bias length must equal Cout", () => {
  const weight = [[[[1]]], [[[2]]]]; // Cout=2, Cin=1, 1×1
  rejects(
    () => conv2dLayer(x1, weight, [1, 2, 3]),
    "conv2dLayer",
    "bias",
    "length 3",
    "Cout=2",
    "[2,1,1,1]",
  );
});

Deno.test("dropout: p outside [0, 1) and bad options are rejected", () => {
  const x = [[1, 2], [3, 4]];
  rejects(
    () => dropout(x, 1, { training: true, seed: 1 }),
    "dropout",
    "p",
    "[0, 1)",
    "got 1",
    "[2,2]",
  );
  rejects(() => dropout(x, -0.1, { training: true, seed: 1 }), "dropout", "p", "got -0.1");
  rejects(() => dropout(x, NaN, { training: false, seed: 1 }), "dropout", "p", "NaN");
  rejects(() => dropout(x, 0.5, any({ training: "yes", seed: 1 })), "dropout", "training", "yes");
  rejects(() => dropout(x, 0.5, { training: true, seed: 0.5 }), "dropout", "seed", "0.5");
});

Deno.test("l2Penalty: a negative lambda is rejected", () => {
  rejects(() => l2Penalty([[1, 2]], -0.1), "l2Penalty", "lambda", "-0.1");
});

// ─── The backward passes and the layers they need (lesson 11) ───────────────

const w1 = [[[[1, 0], [0, 1]]]]; // Cout 1, Cin 1, 2×2
const dy1 = [[[[1, 2], [3, 4]]]]; // conv of x1 (3×3) with w1: 2×2

Deno.test("a dy of the wrong shape names both shapes and the forward's arguments", () => {
  rejects(
    () => conv2dLayerBackward(x1, w1, [[[[1, 2, 3], [4, 5, 6]]]]),
    "conv2dLayerBackward",
    "dy",
    "has shape [1,1,2,3] but the layer's output is [1,1,2,2]",
    "x [1,1,3,3], weight [1,1,2,2], padding [0,0], stride [1,1]",
  );
  rejects(
    () => conv2dLayerBackward(x1, w1, dy1, { stride: 2 }),
    "conv2dLayerBackward",
    "dy",
    "the layer's output is [1,1,1,1]",
    "stride [2,2]",
  );
  rejects(
    () => conv2dLayerBackward(x1, w1, any([[1, 2], [3, 4]])),
    "conv2dLayerBackward",
    "dy",
    "4 dimensions",
    "[2,2]",
  );
  rejects(
    () => linearBackward([[1, 2]], [[1, 0], [0, 1], [1, 1]], [[1, 2]]),
    "linearBackward",
    "dy",
    "has shape [1,2] but the layer's output is [1,3]",
  );
  rejects(
    () => maxPool2dLayerBackward(x1, dy1, { size: 2 }),
    "maxPool2dLayerBackward",
    "dy",
    "has shape [1,1,2,2] but the pooled output is [1,1,1,1]",
    "x [1,1,3,3], size [2,2], stride [2,2]",
  );
  rejects(() => reluBackward([1, 2, 3], [1, 2]), "reluBackward", "dy", "[2]", "[3]");
});

Deno.test("the backward passes reject what their forward passes reject", () => {
  rejects(
    () => conv2dLayerBackward(x1, w1, dy1, { stride: 0 }),
    "conv2dLayerBackward",
    "stride",
    "got 0",
    "x [1,1,3,3]",
  );
  rejects(
    () => conv2dLayerBackward(x1, w1, dy1, { padding: -1 }),
    "conv2dLayerBackward",
    "padding",
    "got -1",
  );
  rejects(
    () => conv2dLayerBackward(x1, [[[[1]], [[1]]]], dy1),
    "conv2dLayerBackward",
    "x",
    "C=1 channels but weight expects Cin=2",
  );
  rejects(
    () => conv2dLayerBackward(x1, [[Array.from({ length: 4 }, () => [1, 1, 1, 1])]], dy1),
    "conv2dLayerBackward",
    "weight",
    "kernel [4,4] is larger than the padded input [3,3]",
  );
  rejects(
    () => maxPool2dLayerBackward(x1, [[[[1]]]], { size: 2, stride: 0 }),
    "maxPool2dLayerBackward",
    "stride",
    "got 0",
  );
  rejects(
    () => maxPool2dLayer(x1, { size: 4 }),
    "maxPool2dLayer",
    "size",
    "[4,4] is larger than x's [3,3]",
  );
  rejects(() => maxPool2dLayer(x1, any({})), "maxPool2dLayer", "size", "is required");
  rejects(
    () => maxPool2dLayer(any([[1, 2], [3, 4]]), { size: 1 }),
    "maxPool2dLayer",
    "x",
    "4 dimensions",
  );
  rejects(
    () => linear([[1, 2, 3]], [[1, 0]], [0]),
    "linear",
    "weight",
    "expects In=2 features but x has 3",
  );
  rejects(
    () => linear([[1, 2]], [[1, 0]], [0, 1]),
    "linear",
    "bias",
    "length 2 but weight has Out=1",
  );
  rejects(() => linearBackward([[1, 2]], [[1, 0, 1]], [[1]]), "linearBackward", "weight", "In=3");
  rejects(
    () => crossEntropyBackward([[1, 2]], [2]),
    "crossEntropyBackward",
    "targets",
    "[0, 1]",
    "got 2",
  );
  rejects(
    () => crossEntropyBackward([[1, 2]], [0, 1]),
    "crossEntropyBackward",
    "targets",
    "length 2",
    "1 rows",
  );
  rejects(
    () => dropoutBackward([1, 2], 1, { seed: 1 }),
    "dropoutBackward",
    "p",
    "[0, 1)",
    "dy of shape [2]",
  );
  rejects(() => dropoutBackward([1, 2], 0.5, any({})), "dropoutBackward", "seed", "whole number");
  rejects(
    () => dropoutBackward([[1, 2], [3]], 0.5, { seed: 1 }),
    "dropoutBackward",
    "dy",
    "ragged",
  );
  rejects(() => relu([[1, 2], [3]]), "relu", "x", "ragged");
});

Deno.test("NaN in a backward pass's dy is rejected where it sits", () => {
  rejects(() => reluBackward([1, 2], [1, NaN]), "reluBackward", "dy", "NaN", "[1]");
  rejects(() => linearBackward([[1]], [[1]], [[Infinity]]), "linearBackward", "dy", "Infinity");
  rejects(
    () => conv2dLayerBackward(x1, w1, [[[[1, 2], [NaN, 4]]]]),
    "conv2dLayerBackward",
    "dy",
    "NaN",
    "[0][0][1][0]",
  );
  rejects(
    () => maxPool2dLayerBackward(x1, [[[[NaN]]]], { size: 3 }),
    "maxPool2dLayerBackward",
    "dy",
    "NaN",
  );
  rejects(() => crossEntropyBackward([[1, NaN]], [0]), "crossEntropyBackward", "logits", "NaN");
  rejects(() => dropoutBackward([NaN], 0.5, { seed: 1 }), "dropoutBackward", "dy", "NaN");
});

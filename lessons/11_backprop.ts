/**
 * # 11 · Backpropagation through the CNN
 *
 * Lesson 08 trained the lecture's network, and the gradients that made it learn came from
 * a machine we never opened: TF.js's autograd, as the lecture's came from PyTorch's
 * `loss.backward()`. This lesson opens it. Training needs $\partial L / \partial \theta$
 * for every weight $\theta$, and **backpropagation** gets them all in one sweep back
 * through the layers:
 *
 * 1. run the network forward, keeping every layer's input;
 * 2. start at the loss with $\partial L / \partial L = 1$;
 * 3. walk the layers in reverse. Each one receives $d\boldsymbol y$, the gradient of the
 *    loss with respect to its *output*, and returns $d\boldsymbol x$, the gradient with
 *    respect to its *input* (the next layer down receives it as its $d\boldsymbol y$), and
 *    the gradients of its own weights.
 *
 * Every step is the chain rule. If a layer computes $\boldsymbol y = f(\boldsymbol x)$,
 * each input $x_k$ changes the loss through every output it touches:
 *
 * $$\frac{\partial L}{\partial x_k} = \sum_i \frac{\partial L}{\partial y_i}\,
 *   \frac{\partial y_i}{\partial x_k} = \sum_i dy_i\, \frac{\partial y_i}{\partial x_k}.$$
 *
 * The sum runs over the outputs that $x_k$ touches, nothing else. So each backward kernel
 * below is its forward kernel's loops run again, reading where the forward wrote and
 * writing where it read. Each is checked three ways: against TF.js's autograd
 * (`tf.grads` of the forward twin), against central differences in float64, and, at the end,
 * all together on a small CNN.
 *
 * @module
 */
import assert from "node:assert/strict";
import { conv2d, conv2dLayer } from "../kernels/conv.ts";
import { crossEntropy } from "../kernels/loss.ts";
import { softmax } from "../kernels/activation.ts";
import { dropout } from "../kernels/regularize.ts";
import { Rng } from "../kernels/rng.ts";
import { flatten, unflatten } from "../kernels/cnn.ts";
import {
  conv2dLayerBackward,
  crossEntropyBackward,
  dropoutBackward,
  linear,
  linearBackward,
  maxPool2dLayer,
  maxPool2dLayerBackward,
  relu,
  reluBackward,
} from "../mod.ts";
import { tf, useBackend } from "../accel/backend.ts";
import { formatArray, formatDiff, formatNumber, maxAbsDiff } from "./literate.ts";
import { oneHot, reachFigure, routingFigure } from "./figures/backprop.ts";
import { printLesson, show } from "./show.ts";
import { table } from "./table.ts";
import { runPair } from "./twins.ts";

export const lesson = {
  url: import.meta.url,
  summary: "The chain rule through a conv layer on the lecture's 4×4 example, the input " +
    "gradient as a convolution with the flipped kernel, max pooling's routing, softmax and " +
    "cross-entropy's (p − y)/N, dropout's mask, and a gradient check of a small CNN against " +
    "central differences and tf.grads.",
};

// Each field of a backward result, printed one after the other.
const formatGrads = (g: Record<string, unknown>) =>
  Object.entries(g).map(([k, v]) => `${k}:\n${formatArray(v)}`).join("\n");

/**
 * ## One convolution layer, by hand
 *
 * Take the lecture's 4×4 input $\boldsymbol X$ and 3×3 kernel $\boldsymbol W$ from lesson
 * 04, padding 1, as a layer: `conv2dLayer`, which cross-correlates as `nn.Conv2d` does,
 * with a bias $b$. Writing $\tilde{\boldsymbol X}$ for the padded input,
 *
 * $$Y[i, j] = \sum_{u=0}^{2} \sum_{v=0}^{2} \tilde X[i + u,\, j + v]\, W[u, v] + b.$$
 *
 * The backward pass needs a $d\boldsymbol y$ to start from. Whatever sits above the layer,
 * all it ever hands down is one number per output, so we pick one, $\boldsymbol G$ below.
 * (It is exactly the gradient of the loss $L = \sum_{i,j} G[i, j]\, Y[i, j]$, which is how
 * the TF.js twin computes its version: `tf.grads` of that sum.)
 *
 * Each weight $W[u, v]$ enters every output once, multiplied by the input it sat over,
 * and the bias enters every output once, multiplied by 1. The chain rule adds those up:
 *
 * $$\frac{\partial L}{\partial W[u, v]} = \sum_{i,j} dy[i, j]\; \tilde X[i + u,\, j + v],$$
 *
 * $$\frac{\partial L}{\partial b} = \sum_{i,j} dy[i, j].$$
 *
 * The centre weight $W[1, 1]$ sat over $X[i, j]$ itself when it wrote $Y[i, j]$, so its
 * gradient is $\sum dy \odot X$, sixteen products we can add up by hand:
 */
const X = [[1, 3, 2, 4], [5, 6, 1, 3], [1, 2, 0, 2], [3, 4, 3, 2]];
const W = [[1, 0, 3], [1, 2, 1], [0, 1, 1]];
const G = [[1, 0, -1, 0], [0, 2, 0, 0], [0, 0, 0, 1], [-1, 0, 1, 0]];
const convArgs: Parameters<typeof conv2dLayerBackward> = [[[X]], [[W]], [[G]], { padding: 1 }];
const convGrads = conv2dLayerBackward(...convArgs);

// Σ dy ⊙ X written out term by term, skipping the zero terms of dy.
export function centreWeightByHand(dy: number[][], x: number[][]): { terms: string; sum: number } {
  const terms: string[] = [];
  let sum = 0;
  dy.forEach((row, i) =>
    row.forEach((g, j) => {
      if (g === 0) return;
      terms.push(`${g}·${x[i][j]}`);
      sum += g * x[i][j];
    })
  );
  return { terms: terms.join(" + ").replace(/\+ -/g, "− "), sum };
}
const byHand = centreWeightByHand(G, X);
show("X", X);
show("W", W);
show("dy = G", G);
show("∂L/∂W[1][1] = Σ dy ⊙ X, by hand", `${byHand.terms} = ${byHand.sum}`);
show(
  "conv2dLayerBackward(X, W, dy, { padding: 1 }) (naive) against tf.grads",
  () => runPair("conv2dLayerBackward", [...convArgs], formatGrads),
);

/**
 * The printed `dweight[1][1]` is the sum by hand, and `dbias` is the sum of $\boldsymbol G$.
 * The whole filter gradient has the same shape as a forward pass: slide $d\boldsymbol y$
 * over the padded input as if it were a 4×4 kernel and take a product-sum at each of the
 * 3×3 stops. That is `conv2dLayer` itself, with $d\boldsymbol y$ as the weight:
 */
const dWbyLayer = conv2dLayer([[X]], [[G]], undefined, { padding: 1 })[0][0];
show("conv2dLayer(X, dy as the kernel, padding 1) = dweight", dWbyLayer);

/**
 * With a stride $s$ the outputs stand $s$ inputs apart, so $Y[i, j]$ reads
 * $\tilde X[s i + u,\, s j + v]$ and the filter gradient must read the same cells. A
 * filter gradient that forgets the stride (reads $\tilde X[i + u,\, j + v]$) is one of
 * the mistakes the property tests must catch, and task 11.5's grader fails it.
 *
 * ## The input gradient is a convolution with the flipped kernel
 *
 * Now the gradient that flows down. Input cell $\tilde X[r, c]$ is read by every output
 * whose window covers it, through the weight $W[r - i,\, c - j]$:
 *
 * $$\frac{\partial L}{\partial \tilde X[r, c]} = \sum_{i,j} dy[i, j]\; W[r - i,\, c - j].$$
 *
 * Look at the index: as the output index $i$ walks forward, the kernel is read
 * *backwards*. That is lesson 02's definition of a true convolution,
 * $\sum_k x[i - k]\, w[k]$, whose sliding form flips the kernel. The forward layer
 * cross-correlates (no flip, as `tf.conv2d` and `nn.Conv2d` do); its gradient with respect
 * to the input *convolves* $d\boldsymbol y$ with the same kernel. It is a **full**
 * convolution: the output must grow back from 4×4 to the padded 6×6, so $d\boldsymbol y$
 * is padded by $m - 1 = 2$ on each side, and dropping the $p = 1$ ring that belongs to the
 * padding leaves $d\boldsymbol X$, which is lesson 04's `conv2d` with padding
 * $m - 1 - p = 1$.
 *
 * The picture shows both directions. One entry of $d\boldsymbol y$ *scatters* into the
 * window its output read, weighted by $\boldsymbol W$ as written; one entry of
 * $d\boldsymbol X$ *gathers* from the outputs that read it, and the weights it gathers with
 * are $\boldsymbol W$ rotated by 180°. Both panels come from the backward kernel and the
 * forward layer, run on inputs that are 1 in one place.
 */
show(
  "One dy entry scatters into a window; one dx entry gathers through the flipped kernel",
  () => reachFigure(W, 1, 4, [1, 2], [2, 1]),
);
const dXbyConv = conv2d(G, W, { padding: 1 });
show("conv2d(dy, W, { padding: 3 − 1 − 1 }), lesson 04's flip = dx", dXbyConv);

/**
 * With a stride the outputs are $s$ apart, so put $s - 1$ zeros between the entries of
 * $d\boldsymbol y$ ("dilate" it) and convolve the same way; input rows that no window
 * reached (when $n + 2p - m$ is not a multiple of $s$) get zeros. The function below does
 * exactly that, with nothing but `conv2d`. On lesson 04's stride-2 example, whose layer has a
 * 2×2 output, and an upstream gradient $\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}$, it
 * gives the backward kernel's $d\boldsymbol X$ (a test checks more sizes, paddings and
 * strides).
 */
export function inputGradientByConvolution(
  dy: number[][],
  W: number[][],
  { padding, stride, rows, cols }: { padding: number; stride: number; rows: number; cols: number },
): number[][] {
  const m = W.length;
  // Dilate: dy's entries s apart, zeros between.
  const size = (k: number) => (k - 1) * stride + 1;
  const dilated = Array.from(
    { length: size(dy.length) },
    (_, r) =>
      Array.from(
        { length: size(dy[0].length) },
        (_, c) => (r % stride === 0 && c % stride === 0 ? dy[r / stride][c / stride] : 0),
      ),
  );
  // The full convolution covers every padded row and column some window reached.
  const full = conv2d(dilated, W, { padding: m - 1 });
  // Rows and columns no window reached get no gradient; then drop the padding ring.
  const padded = Array.from(
    { length: rows + 2 * padding },
    (_, r) => Array.from({ length: cols + 2 * padding }, (_, c) => full[r]?.[c] ?? 0),
  );
  return padded.slice(padding, padding + rows).map((row) => row.slice(padding, padding + cols));
}
const dyStrided = [[1, 2], [3, 4]];
const strided = { padding: 1, stride: 2 };
const stridedGrads = conv2dLayerBackward([[X]], [[W]], [[dyStrided]], strided);
const stridedByConv = inputGradientByConvolution(dyStrided, W, { ...strided, rows: 4, cols: 4 });
show("dx at stride 2 (naive backward kernel)", stridedGrads.dx[0][0]);
show("dx at stride 2 by dilating dy and convolving", stridedByConv);

/**
 * ## Max pooling routes its gradient
 *
 * A max-pooling output *is* one of its inputs, the window's largest, so its derivative is
 * 1 for that input and 0 for the rest: the backward pass sends each $dy$ entry to its
 * window's winner and nothing anywhere else. Pooling has no weights, and an input that won
 * no window receives no gradient at all.
 *
 * When a window holds its maximum twice, somebody has to decide. PyTorch sends the
 * gradient to the *first* maximum in row-major order, and so does `maxPool2dLayerBackward`
 * (the property tests check that a kernel sending it to every maximum fails). The input
 * below has ties in three of its four windows. TF.js's autograd picks the same cells on
 * its cpu and wasm backends; its webgpu backend picks the *last* maximum, so the twin there
 * turns each window by 180° before asking it (`kernels/pool_layer.ts`).
 */
const P = [[1, 5, 5, 2], [3, 5, 0, 5], [7, 7, 7, 7], [1, 2, 3, 4]];
const dyPool = [[1, 2], [3, 4]];
const poolArgs: Parameters<typeof maxPool2dLayerBackward> = [[[P]], [[dyPool]], { size: 2 }];
show(
  "max pooling's backward: each dy entry goes to its window's first maximum",
  () => routingFigure(P, 2, dyPool),
);
show("maxPool2dLayer(P, { size: 2 })", maxPool2dLayer([[P]], { size: 2 })[0][0]);
show(
  "maxPool2dLayerBackward(P, dy, { size: 2 }) (naive) against tf.grads",
  () => runPair("maxPool2dLayerBackward", [...poolArgs]),
);

/**
 * ## ReLU and the dense layers
 *
 * ReLU passes its input where it is positive, so its backward pass lets $dy$ through
 * exactly there: $dx = dy$ where $x > 0$, else $0$. A unit that was off for an input learns
 * nothing from it.
 *
 * A dense layer, $\boldsymbol Y = \boldsymbol X \boldsymbol W^\top + \boldsymbol b$ as
 * `nn.Linear` (rows are samples, $\boldsymbol W$ is $\text{out} \times \text{in}$), is the
 * same chain rule with simpler windows: every output reads every input. Its three
 * gradients are three matrix products,
 *
 * $$d\boldsymbol X = d\boldsymbol Y\, \boldsymbol W, \qquad
 *   d\boldsymbol W = d\boldsymbol Y^\top \boldsymbol X, \qquad
 *   d\boldsymbol b = \textstyle\sum_n d\boldsymbol Y[n, :].$$
 *
 * A quick way to get them right: each gradient has the shape of what it is the gradient
 * of, and only one product of the available matrices has that shape. The bias gradient
 * sums over the batch because the same bias was added to every sample.
 */
const H = [[0.5, -1, 2], [-0.25, 3, 0]];
const dH = [[1, 2, 3], [4, 5, 6]];
show("reluBackward(x, dy) (naive) against tf.grads", () => runPair("reluBackward", [H, dH]));
const Wlin = [[1, 0, -1], [2, 1, 0]];
const linArgs: Parameters<typeof linearBackward> = [H, Wlin, [[1, -1], [0, 2]]];
show("linear(x, W, b)", linear(H, Wlin, [0.5, -0.5]));
show(
  "linearBackward(x, W, dy) (naive) against tf.grads",
  () => runPair("linearBackward", [...linArgs], formatGrads),
);

/**
 * ## Dropout: the same mask on the way back
 *
 * In training, inverted dropout multiplies each entry by a fixed factor: 0 for a dropped
 * unit, $1/(1 - p)$ for a kept one (lesson 07). For a fixed mask that is a linear map, so
 * its backward pass multiplies $dy$ by the very same factors. The mask must be the one the
 * forward pass drew, so `dropoutBackward` takes the same seed and draws it again; a
 * backward pass that drew a fresh mask would send gradient to units that never reached the
 * loss. It follows that `dropoutBackward(dy, p, { seed })` is `dropout(dy, p, { training:
 * true, seed })`.
 */
const dyDrop = [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]];
const forwardDropped = dropout(dyDrop.map((r) => r.map(() => 1)), 0.5, { training: true, seed: 1 });
const backDropped = dropoutBackward(dyDrop, 0.5, { seed: 1 });
show("dy", dyDrop);
show("dropout(ones, 0.5, { training: true, seed: 1 }): the forward factors", forwardDropped);
show("dropoutBackward(dy, 0.5, { seed: 1 })", backDropped);

/**
 * ## Softmax and cross-entropy: p − y
 *
 * The loss sits on top of everything, so its gradient is where backpropagation starts.
 * For one sample with logits $\boldsymbol z$ and class $y$, cross-entropy is
 * $\ell = -z_y + \ln \sum_k e^{z_k}$ (lesson 07). Differentiate:
 *
 * $$\frac{\partial \ell}{\partial z_c} = -[c = y] + \frac{e^{z_c}}{\sum_k e^{z_k}}
 *   = p_c - [c = y].$$
 *
 * (Through the softmax the long way, its Jacobian and the log's $1/p$ cancel to the same
 * thing.) The gradient is the probabilities minus the one-hot target: it pushes the right
 * class up by what it lacks and the others down by what they have. Each row of the gradient sums to 0. The batch loss is the *mean* over $N$
 * samples, so every row is divided by $N$; forgetting that $1/N$ makes the steps $N$ times
 * too large (64 times, in the lecture's batches), a mutant the tests catch. The lecture's
 * three-class example of lesson 07, beside a second sample:
 */
const logits = [[1.5, 0.8, 2.1], [0.2, -1, 0.4]];
const targets = [2, 0];
show("softmax(z)", softmax(logits));
show(
  "crossEntropyBackward(z, targets) = (p − onehot)/N (naive) against tf.grads",
  () => runPair("crossEntropyBackward", [logits, targets]),
);

/**
 * ## The whole network: a gradient check
 *
 * Now all of it at once, on the lecture's CNN in miniature: a 3×3 convolution with 2
 * channels and padding 1, ReLU, 2×2 max pooling, flatten, a dense layer of 8 units, ReLU,
 * dropout with $p = 0.5$, a dense layer of 3 logits, cross-entropy. Two 6×6 images, random
 * weights. `forward` keeps every layer's input, because the backward kernels read them;
 * `flatten` and `unflatten` (from `kernels/cnn.ts`) turn N×C×H×W into N×(C·H·W), channel by
 * channel as PyTorch's `view(N, -1)`, and back.
 */
export interface Params {
  W1: number[][][][];
  b1: number[];
  W2: number[][];
  b2: number[];
  W3: number[][];
  b3: number[];
}

const P_DROP = 0.5;

// The forward pass: the loss, and every layer's input the backward pass needs.
export function forward(params: Params, x: number[][][][], labels: number[], seed: number) {
  const a1 = conv2dLayer(x, params.W1, params.b1, { padding: 1 });
  const h1 = relu(a1);
  const pooled = maxPool2dLayer(h1, { size: 2 });
  const flat = flatten(pooled);
  const a2 = linear(flat, params.W2, params.b2);
  const h2 = relu(a2);
  const dropped = dropout(h2, P_DROP, { training: true, seed });
  const z = linear(dropped, params.W3, params.b3);
  return { loss: crossEntropy(z, labels), a1, h1, pooled, flat, a2, dropped, z };
}

/**
 * Backpropagation is the forward pass read from the bottom up. The loss gives `dz`; the last
 * dense layer turns it into the gradient of its input; dropout applies its mask again; ReLU
 * lets it through where the unit was on; the first dense layer passes it on; `unflatten`
 * gives it back its channels; max pooling routes it to the winners; ReLU gates it once more;
 * and the convolution, at the bottom, turns it into the gradients of its weights. A training
 * step of `deno task train --kernels naive` computes its gradients the same way, at the
 * lecture's sizes and with two convolution blocks (`backward` in `kernels/cnn.ts`), and then
 * lets Adam move the weights.
 */
export function gradients(params: Params, x: number[][][][], labels: number[], seed: number) {
  const f = forward(params, x, labels, seed);
  const dz = crossEntropyBackward(f.z, labels);
  const out3 = linearBackward(f.dropped, params.W3, dz);
  const dh2 = dropoutBackward(out3.dx, P_DROP, { seed });
  const da2 = reluBackward(f.a2, dh2);
  const out2 = linearBackward(f.flat, params.W2, da2);
  const dPooled = unflatten(out2.dx, 2, 3, 3);
  const dh1 = maxPool2dLayerBackward(f.h1, dPooled, { size: 2 });
  const da1 = reluBackward(f.a1, dh1);
  const out1 = conv2dLayerBackward(x, params.W1, da1, { padding: 1 });
  const grads: Params = {
    W1: out1.dweight,
    b1: out1.dbias,
    W2: out2.dweight,
    b2: out2.dbias,
    W3: out3.dweight,
    b3: out3.dbias,
  };
  return { loss: f.loss, grads };
}

// Random weights, uniform in ±1/√(fan in) as PyTorch draws them, and two random images.
export function miniNetwork(seed: number) {
  const rng = new Rng(seed);
  const draw = (shape: number[], bound: number): unknown =>
    shape.length === 0
      ? rng.uniform(-bound, bound)
      : Array.from({ length: shape[0] }, () => draw(shape.slice(1), bound));
  const params: Params = {
    W1: draw([2, 1, 3, 3], 1 / 3) as number[][][][],
    b1: draw([2], 1 / 3) as number[],
    W2: draw([8, 18], 1 / Math.sqrt(18)) as number[][],
    b2: draw([8], 1 / Math.sqrt(18)) as number[],
    W3: draw([3, 8], 1 / Math.sqrt(8)) as number[][],
    b3: draw([3], 1 / Math.sqrt(8)) as number[],
  };
  const x = draw([2, 1, 6, 6], 1) as number[][][][];
  return { params, x, labels: [1, 2] };
}

/**
 * **Central differences** check a gradient with nothing but the forward pass: nudge one
 * weight by $\pm h$ and watch the loss,
 *
 * $$\frac{\partial L}{\partial \theta} \approx \frac{L(\theta + h) - L(\theta - h)}{2h}.$$
 *
 * The error of this estimate shrinks as $h^2$, and float64 leaves room for a small $h$:
 * with $h = 10^{-5}$ the truncation error is of order $h^2 = 10^{-10}$ times the loss's
 * third derivative, and the rounding error near $10^{-16}/10^{-5} = 10^{-11}$ (the loss is
 * about 1, and float64 keeps 16 digits of it). So analytic and numeric gradients should
 * agree to about $10^{-10}$; a wrong backward pass misses by the size of a gradient. The
 * dropout mask is drawn from the same seed on every call, so the loss is one
 * fixed function of the weights. (ReLU and max pooling have kinks where the derivative
 * jumps; a nudge of $10^{-5}$ crosses one only if a pre-activation or a runner-up sits
 * that close to it, which random inputs almost never do.)
 *
 * The table shows one entry of each parameter beside its numeric estimate and TF.js's
 * `tf.grads` of the same network written in TF.js (float32, with our dropout mask as a
 * constant), and the worst disagreement over *every* entry.
 */
const H_STEP = 1e-5;
const SEED = 11;

// Central-difference estimates of ∂loss/∂θ for every entry of every parameter.
export function numericGradients(
  params: Params,
  x: number[][][][],
  labels: number[],
  seed: number,
  h = H_STEP,
): Params {
  const loss = (p: Params) => forward(p, x, labels, seed).loss;
  const estimate = (name: keyof Params): unknown => {
    const walk = (value: unknown, path: number[]): unknown =>
      Array.isArray(value)
        ? value.map((v, i) => walk(v, [...path, i]))
        : (loss(nudged(params, name, path, h)) - loss(nudged(params, name, path, -h))) / (2 * h);
    return walk(params[name], []);
  };
  return Object.fromEntries(
    (Object.keys(params) as (keyof Params)[]).map((k) => [k, estimate(k)]),
  ) as unknown as Params;
}

// A deep copy of `params` with the entry at `path` of `name` moved by `delta`.
function nudged(params: Params, name: keyof Params, path: number[], delta: number): Params {
  const copy = structuredClone(params);
  let holder = copy[name] as unknown[];
  for (const i of path.slice(0, -1)) holder = holder[i] as unknown[];
  (holder[path.at(-1)!] as number) += delta;
  return copy;
}

/** The same network in TF.js (NHWC inside), differentiated by `tf.grads`. */
export async function tfGradients(
  params: Params,
  x: number[][][][],
  labels: number[],
  mask: number[][],
): Promise<Params> {
  const names = Object.keys(params) as (keyof Params)[];
  const n = x.length;
  const images = tf.tensor4d(x.flat(3), [n, 1, 6, 6]).transpose([0, 2, 3, 1]) as tf.Tensor4D;
  const oneHot = tf.oneHot(tf.tensor1d(labels, "int32"), 3).toFloat();
  const keep = tf.tensor2d(mask);
  const net = (
    W1: tf.Tensor,
    b1: tf.Tensor,
    W2: tf.Tensor,
    b2: tf.Tensor,
    W3: tf.Tensor,
    b3: tf.Tensor,
  ) => {
    const kernel = W1.transpose([2, 3, 1, 0]) as tf.Tensor4D; // [Cout,Cin,kH,kW] → [kH,kW,Cin,Cout]
    const a1 = tf.conv2d(images, kernel, 1, 1).add(b1);
    const pooled = tf.maxPool(tf.relu(a1) as tf.Tensor4D, 2, 2, "valid");
    const flat = pooled.transpose([0, 3, 1, 2]).reshape([n, 18]); // channels first, as PyTorch
    const h2 = tf.relu(tf.matMul(flat, W2, false, true).add(b2)).mul(keep);
    const z = tf.matMul(h2, W3, false, true).add(b3);
    return tf.neg(tf.sum(oneHot.mul(tf.logSoftmax(z)))).div(n) as tf.Scalar;
  };
  const inputs = names.map((k) => tf.tensor(params[k] as number[]));
  const grads = tf.grads(net)(inputs);
  const values = await Promise.all(grads.map((g) => g.array()));
  tf.dispose([images, oneHot, keep, ...inputs, ...grads]);
  return Object.fromEntries(names.map((k, i) => [k, values[i]])) as unknown as Params;
}

// The factors dropout multiplies the N×8 hidden layer by: 0 or 2, drawn from the seed.
const dropMask = (n: number) =>
  dropout(Array.from({ length: n }, () => new Array<number>(8).fill(1)), P_DROP, {
    training: true,
    seed: SEED,
  });

// The check's numbers, computed once and only when asked for (importing stays cheap).
let computed: ReturnType<typeof runCheck> | undefined;
const check = () => (computed ??= runCheck());
function runCheck() {
  const mini = miniNetwork(SEED);
  const { loss, grads } = gradients(mini.params, mini.x, mini.labels, SEED);
  const numeric = numericGradients(mini.params, mini.x, mini.labels, SEED);
  const tfGrads = () => tfGradients(mini.params, mini.x, mini.labels, dropMask(mini.x.length));
  return { mini, loss, grads, numeric, tfGrads };
}

// Which entry of each parameter the table shows: the first with a non-zero gradient.
const at = (t: unknown, path: number[]) =>
  path.reduce<unknown>((v, i) => (v as unknown[])[i], t) as number;
function firstNonZero(t: unknown, path: number[] = []): number[] | undefined {
  if (!Array.isArray(t)) return t !== 0 ? path : undefined;
  for (let i = 0; i < t.length; i++) {
    const found = firstNonZero(t[i], [...path, i]);
    if (found) return found;
  }
  return undefined;
}

const digits7 = (v: number) => (v === 0 ? "0" : v.toPrecision(7));
show("loss of the miniature CNN (2 images)", () => formatNumber(check().loss));
show("gradient check: backprop, central differences (h = 1e-5) and tf.grads", async () => {
  const { grads, numeric, tfGrads } = check();
  const viaTf = await tfGrads();
  return table(
    [
      "parameter",
      "entry",
      "backprop",
      "central diff.",
      "tf.grads",
      "worst Δ numeric",
      "worst Δ tf",
    ],
    (Object.keys(grads) as (keyof Params)[]).map((k) => {
      const entry = firstNonZero(grads[k]) ?? [];
      return [
        k,
        `[${entry.join(",")}]`,
        digits7(at(grads[k], entry)),
        digits7(at(numeric[k], entry)),
        digits7(at(viaTf[k], entry)),
        formatDiff(maxAbsDiff(grads[k], numeric[k])),
        formatDiff(maxAbsDiff(grads[k], viaTf[k])),
      ];
    }),
    {
      note: "entry: the first with a non-zero gradient; worst Δ: the largest |backprop − " +
        "central difference| and |backprop − tf.grads| over every entry of the parameter",
    },
  );
});

/**
 * Central differences in float64 agree with backpropagation to within rounding, and
 * `tf.grads` agrees to float32's precision. The numeric check costs two forward passes per
 * weight, 398 here and 6.5 million for the lecture's 3.27 million parameters per step,
 * against one backward pass for all of them: that is why networks train with
 * backpropagation and keep finite differences for checking it.
 *
 * ## Claims, checked
 *
 * Every claim above is a test: `deno test -A` runs them (through `tests/lessons_test.ts`).
 */
Deno.test("11: the conv layer's gradients by hand, as conv2dLayer of dy, and as a convolution with the flipped W", () => {
  assert.equal(convGrads.dweight[0][0][1][1], byHand.sum);
  assert.equal(byHand.sum, 13);
  assert.deepEqual(convGrads.dbias, [G.flat().reduce((s, v) => s + v, 0)]);
  assert.deepEqual(convGrads.dweight[0][0], dWbyLayer);
  assert.deepEqual(convGrads.dx[0][0], dXbyConv);
  // Without the flip (a cross-correlation of dy with W) the input gradient is wrong here.
  const unflipped = conv2dLayer([[G]], [[W]], undefined, { padding: 1 })[0][0];
  assert.ok(maxAbsDiff(unflipped, dXbyConv) > 1);
  assert.deepEqual(stridedGrads.dx[0][0], stridedByConv);
});

Deno.test("11: a dilated-and-convolved dy is the input gradient for other strides and paddings", () => {
  const rng = new Rng(3);
  for (const [n, p, s] of [[5, 0, 2], [6, 1, 3], [7, 2, 2], [4, 0, 1]]) {
    const x = Array.from({ length: n }, () => Array.from({ length: n }, () => rng.uniform(-1, 1)));
    const out = Math.floor((n + 2 * p - 3) / s) + 1;
    const dy = Array.from(
      { length: out },
      () => Array.from({ length: out }, () => rng.uniform(-1, 1)),
    );
    const { dx } = conv2dLayerBackward([[x]], [[W]], [[dy]], { padding: p, stride: s });
    const byConv = inputGradientByConvolution(dy, W, { padding: p, stride: s, rows: n, cols: n });
    assert.ok(maxAbsDiff(dx[0][0], byConv) < 1e-12, `n ${n}, p ${p}, s ${s}`);
  }
});

Deno.test("11: the scatter figure holds W upright, the gather figure W flipped", () => {
  // A dy that is 1 at (1, 2): dx is W over the window at rows 0…2, columns 1…3.
  const { dx } = conv2dLayerBackward([[X]], [[W]], [[oneHot(4, 4, [1, 2])]], { padding: 1 });
  assert.deepEqual(dx[0][0].slice(0, 3).map((r) => r.slice(1, 4)), W);
  // An input that is 1 at (2, 1): the outputs at rows 1…3, columns 0…2 hold W rotated by 180°.
  const links = conv2dLayer([[oneHot(4, 4, [2, 1])]], [[W]], undefined, { padding: 1 })[0][0];
  const rotated = W.map((r) => [...r].reverse()).reverse();
  assert.deepEqual(links.slice(1, 4).map((r) => r.slice(0, 3)), rotated);
});

Deno.test("11: max pooling sends each dy entry to the first maximum of its window, as its TF.js twin does", async () => {
  await useBackend();
  const dx = maxPool2dLayerBackward(...poolArgs)[0][0];
  assert.deepEqual(dx, [[0, 1, 2, 0], [0, 0, 0, 0], [3, 0, 4, 0], [0, 0, 0, 0]]);
  const twin = await runPair("maxPool2dLayerBackward", [...poolArgs]);
  assert.ok(twin.twin.maxDiff <= twin.twin.tolerance);
});

Deno.test("11: dropout's backward pass multiplies by the forward pass's factors", () => {
  const factors = forwardDropped.flat();
  assert.ok(factors.some((v) => v === 0) && factors.some((v) => v === 2), "both kinds drawn");
  assert.deepEqual(backDropped.flat(), dyDrop.flat().map((v, i) => v * factors[i]));
  assert.deepEqual(backDropped, dropout(dyDrop, 0.5, { training: true, seed: 1 }));
});

Deno.test("11: cross-entropy's gradient is (softmax − one-hot)/N; its rows sum to 0", () => {
  const d = crossEntropyBackward(logits, targets);
  const p = softmax(logits);
  d.forEach((row, n) => {
    row.forEach((v, c) => assert.ok(Math.abs(v - (p[n][c] - +(c === targets[n])) / 2) < 1e-15));
    assert.ok(Math.abs(row.reduce((s, v) => s + v, 0)) < 1e-15);
  });
});

Deno.test("11: backprop through the miniature CNN matches central differences and tf.grads", async () => {
  await useBackend();
  const { mini, grads, numeric, tfGrads } = check();
  const viaTf = await tfGrads();
  for (const k of Object.keys(mini.params) as (keyof Params)[]) {
    assert.ok(maxAbsDiff(grads[k], numeric[k]) < 1e-9, k);
    // float32 (ε ≈ 1.2e-7) over short sums: within 1e-5 of the layer's largest gradient.
    const scale = Math.max(...([grads[k]].flat(Infinity) as number[]).map(Math.abs));
    assert.ok(maxAbsDiff(grads[k], viaTf[k]) < 1e-5 * Math.max(scale, 1e-3), k);
  }
  assert.ok(firstNonZero(grads.W2), "some gradient reaches the first dense layer");
  // The check has teeth: a loss gradient without its 1/N (twice too large here) fails it.
  const doubled = grads.b3.map((v) => 2 * v);
  assert.ok(maxAbsDiff(doubled, numeric.b3) > 0.01);
});

/**
 * ## Exercises
 *
 * Each kernel of this lesson, forward or backward, is a graded task, and so is a network
 * trained by them. Start them with
 * `deno task assignment new my-work --tasks 11.1,11.2,11.3,11.4,11.5,11.6,11.7,11.8,11.9,11.10`
 * (or any subset), write them, and run `deno task grade my-work`: the grader compares each
 * with the naive kernel on random shapes, paddings and strides and shows a failing input.
 * A backward function returns `{ dx, dweight, dbias }`; each key is judged on its own.
 *
 * 1. **Task 11.1** — `relu(x)`, element-wise, any shape.
 * 2. **Task 11.2** — `reluBackward(x, dy)`: `dy` where `x > 0`, else 0.
 * 3. **Task 11.3** — `linear(x: number[][], weight: number[][], bias: number[]):
 *    number[][]`, as `nn.Linear`.
 * 4. **Task 11.4** — `linearBackward(x, weight, dy)`, the three products above.
 * 5. **Task 11.5** — `conv2dLayerBackward(x, weight, dy, { padding, stride })`. A missing
 *    flip in `dx` fails, and so does a stride ignored in `dweight`.
 * 6. **Task 11.6** — `maxPool2dLayer(x, { size, stride })`, channels first, as
 *    `nn.MaxPool2d`.
 * 7. **Task 11.7** — `maxPool2dLayerBackward(x, dy, { size, stride })`, to the first maximum
 *    of each window; sending the gradient to every maximum fails.
 * 8. **Task 11.8** — `crossEntropyBackward(logits, targets)`, of the *mean* loss; without
 *    the $1/N$ it fails.
 * 9. **Task 11.9** — `dropoutBackward(dy, p, { seed })`, with the mask your `dropout`
 *    draws for that seed. Your random numbers differ from ours, so the grader checks the
 *    rules, as for task 07.9: every entry 0 or $dy/(1 - p)$, a share of zeros near $p$.
 *    That it is *your* `dropout`'s mask is for you to keep: a training loop needs it.
 * 10. **Task 11.10** — `trainSteps(params, batches, learningRate)`: your kernels, chained
 *     forward and back through a small CNN of the lecture's shape (8×8 images, 3×3 convs
 *     with padding 1, 2 and 3 channels, fc1 of 6, 4 classes, no dropout), with Adam (β1 0.9,
 *     β2 0.999, ε 1e-7) written out, one step per batch from the weights given; return each
 *     batch's loss before its step. The grader compares your 20 losses with the reference's
 *     to 1e-11: a gradient sent to the wrong place shows within a step or two.
 * 11. Practice (not graded): make `gradients` above also return the gradient with respect
 *     to the input images, and check it with central differences as `numericGradients`
 *     does.
 */

if (import.meta.main) await printLesson(import.meta.url);

/**
 * The backward pass of a convolutional layer (`conv2dLayer`, as `nn.Conv2d`): from
 * dy = ∂L/∂y, the gradients with respect to the input, the weights and the bias.
 *
 * Write one output out, with the input already zero-padded (xp) and stride (sr, sc):
 *
 *     y[n][o][i][j] = b[o] + Σ_c Σ_a Σ_b xp[n][c][i·sr + a][j·sc + b] · W[o][c][a][b]
 *
 * and read off who met whom:
 *
 * - **dbias**: b[o] was added to every output of channel o, so db[o] = Σ_n Σ_i Σ_j dy[n][o][i][j].
 * - **dweight**: W[o][c][a][b] multiplied the input cell under tap (a, b) of every window, so
 *   dW[o][c][a][b] = Σ_n Σ_i Σ_j dy[n][o][i][j] · xp[n][c][i·sr + a][j·sc + b]: the same
 *   sliding window as the forward pass, with dy in the place of the kernel (and the stride
 *   still stepping the window).
 * - **dx**: an input cell xp[h][w] was multiplied by W[a][b] in the window of output (i, j)
 *   whenever h = i·sr + a and w = j·sc + b. Summing over those outputs, with dy spread out
 *   by the stride (sr − 1 zeros between its rows, sc − 1 between its columns) and a border of
 *   kH − 1, kW − 1 zeros around it, gives
 *   dxp[h][w] = Σ_o Σ_a Σ_b dyFull[h + a][w + b] · W[o][c][kH−1−a][kW−1−b]:
 *   a *full* convolution of dy with the kernel, which is a cross-correlation with the kernel
 *   **flipped**, the flip of lesson 02. The forward layer does not flip (nn.Conv2d
 *   cross-correlates); its input gradient does. The padding's rows and columns are left
 *   off: they were zeros, not inputs.
 *
 * After the function come its argument check and the operation's definition (see `op.ts`).
 *
 * @module
 */
import { assertTensor, describeShape, LitconvError } from "./errors.ts";
import { dotBound, maxAbs } from "./float32.ts";
import { grid, LECTURE_W2, LECTURE_X2 } from "./inputs.ts";
import { type Fc, type Pair, scaleOfSums, type Tf } from "./op.ts";
import {
  checkConv2dLayer,
  conv2dLayerTf,
  type Conv2dPlan,
  conv2dShape,
  pad2d,
} from "./conv_layer.ts";
import { flipKernel2d } from "./conv.ts";
import { tensorOf } from "./arbitraries.ts";
import type { Conv2dLayerGrads, ConvOptions } from "./types.ts";

/** An `h × w` matrix of zeros. */
function zeros(h: number, w: number): number[][] {
  return Array.from({ length: h }, () => new Array<number>(w).fill(0));
}

/**
 * `dy` spread out by the stride and framed for a full convolution: sr − 1 zero rows between
 * its rows, sc − 1 zero columns between its columns, and kH − 1 rows, kW − 1 columns of
 * zeros all around.
 */
function spreadAndFrame(dy: number[][], sr: number, sc: number, kh: number, kw: number) {
  const rows = (dy.length - 1) * sr + 1 + 2 * (kh - 1);
  const cols = (dy[0].length - 1) * sc + 1 + 2 * (kw - 1);
  const out = zeros(rows, cols);
  for (let i = 0; i < dy.length; i++) {
    for (let j = 0; j < dy[0].length; j++) out[kh - 1 + i * sr][kw - 1 + j * sc] = dy[i][j];
  }
  return out;
}

/**
 * The backward pass of `conv2dLayer(x, weight, bias, { padding, stride })`: from
 * dy = ∂L/∂y `[N, Cout, Ho, Wo]`, returns `{ dx, dweight, dbias }` (the bias's value is not
 * needed: dbias = Σ dy over n, h, w).
 *
 * ```ts
 * import { conv2dLayerBackward } from "./conv_backward.ts";
 * import assert from "node:assert/strict";
 * const x = [[[[1, 2], [3, 4]]]]; // N=1, C=1, 2×2
 * const weight = [[[[1, 0], [0, 1]]]]; // Cout=1, Cin=1, 2×2: one output, 1 + 4
 * const { dx, dweight, dbias } = conv2dLayerBackward(x, weight, [[[[1]]]]);
 * assert.deepEqual(dx, [[[[1, 0], [0, 1]]]]);
 * assert.deepEqual(dweight, [[[[1, 2], [3, 4]]]]);
 * assert.deepEqual(dbias, [1]);
 * ```
 */
export function conv2dLayerBackward(
  x: number[][][][],
  weight: number[][][][],
  dy: number[][][][],
  options: ConvOptions = {},
): Conv2dLayerGrads {
  const { padding: [pr, pc], stride: [sr, sc] } = checkConv2dLayerBackward(x, weight, dy, options);
  const [n, cIn, h, w] = [x.length, x[0].length, x[0][0].length, x[0][0][0].length];
  const [cOut, kh, kw] = [weight.length, weight[0][0].length, weight[0][0][0].length];
  const [outH, outW] = [dy[0][0].length, dy[0][0][0].length];

  // dbias[o]: the bias of channel o was added to each of its outputs.
  const dbias: number[] = [];
  for (let o = 0; o < cOut; o++) {
    let sum = 0;
    for (let s = 0; s < n; s++) {
      for (let i = 0; i < outH; i++) for (let j = 0; j < outW; j++) sum += dy[s][o][i][j];
    }
    dbias.push(sum);
  }

  // dweight[o][c][a][b]: tap (a, b) met the padded input at (i·sr + a, j·sc + b) in the
  // window of output (i, j), so it collects dy times that input cell.
  const padded = x.map((image) => image.map((channel) => pad2d(channel, pr, pc)));
  const dweight: number[][][][] = [];
  for (let o = 0; o < cOut; o++) {
    const perChannel: number[][][] = [];
    for (let c = 0; c < cIn; c++) {
      const taps = zeros(kh, kw);
      for (let a = 0; a < kh; a++) {
        for (let b = 0; b < kw; b++) {
          let sum = 0;
          for (let s = 0; s < n; s++) {
            for (let i = 0; i < outH; i++) {
              const dyRow = dy[s][o][i];
              const xRow = padded[s][c][i * sr + a];
              for (let j = 0; j < outW; j++) sum += dyRow[j] * xRow[j * sc + b];
            }
          }
          taps[a][b] = sum;
        }
      }
      perChannel.push(taps);
    }
    dweight.push(perChannel);
  }

  // dx: a full convolution of dy (spread by the stride) with the kernel, i.e. sliding the
  // *flipped* kernel over it, summed over the output channels. Padded cell (r + pr, q + pc)
  // is input cell (r, q); the padding's own cells were zeros, not inputs, so they are
  // skipped.
  // flipKernel2d is lesson 02's W[::-1, ::-1].
  const flipped = weight.map((out) => out.map(flipKernel2d));
  // The full convolution covers (Ho−1)·sr + kH padded rows; rows past it (a stride's
  // remainder) were never read by any window, so their gradient stays 0.
  const fullH = (outH - 1) * sr + kh;
  const fullW = (outW - 1) * sc + kw;
  const dx: number[][][][] = [];
  for (let s = 0; s < n; s++) {
    const framed = dy[s].map((map) => spreadAndFrame(map, sr, sc, kh, kw));
    const image: number[][][] = [];
    for (let c = 0; c < cIn; c++) {
      const grad = zeros(h, w);
      for (let o = 0; o < cOut; o++) {
        const K = flipped[o][c];
        for (let r = 0; r < h && r + pr < fullH; r++) {
          for (let q = 0; q < w && q + pc < fullW; q++) {
            let sum = 0;
            for (let a = 0; a < kh; a++) {
              const dyRow = framed[o][r + pr + a];
              const kRow = K[a];
              for (let b = 0; b < kw; b++) sum += dyRow[q + pc + b] * kRow[b];
            }
            grad[r][q] += sum;
          }
        }
      }
      image.push(grad);
    }
    dx.push(image);
  }
  return { dx, dweight, dbias };
}

// ─── Argument check ───────────────────────────────────────────────────────────

/** conv2dLayerBackward: the layer's own checks, and dy of the layer's output shape. */
function checkConv2dLayerBackward(
  x: number[][][][],
  weight: number[][][][],
  dy: number[][][][],
  options: ConvOptions,
): Conv2dPlan {
  const fn = "conv2dLayerBackward";
  const plan = checkConv2dLayer(fn, x, weight, undefined, options);
  const dyShape = assertTensor(fn, "dy", dy, 4);
  const { padding: [pr, pc], stride: [sr, sc] } = plan;
  const want = [
    x.length,
    weight.length,
    Math.floor((x[0][0].length + 2 * pr - weight[0][0].length) / sr) + 1,
    Math.floor((x[0][0][0].length + 2 * pc - weight[0][0][0].length) / sc) + 1,
  ];
  if (dyShape.join() !== want.join()) {
    throw new LitconvError(
      fn,
      "dy",
      `has shape ${describeShape(dy)} but the layer's output is [${want.join(",")}] (x ${
        describeShape(x)
      }, weight ${describeShape(weight)}, padding [${pr},${pc}], stride [${sr},${sc}])`,
    );
  }
  return plan;
}

// ─── Definition: TF.js twin, random arguments, tolerance, graded task ─────────

/** Random layer shapes (as conv2dLayer's) and a dy of the output's shape. */
function conv2dLayerBackwardArgs(fc: Fc) {
  return fc.record({
    s: conv2dShape(fc),
    n: fc.integer({ min: 1, max: 2 }),
    cin: fc.integer({ min: 1, max: 3 }),
    cout: fc.integer({ min: 1, max: 3 }),
  }).chain(({ s, n, cin, cout }) => {
    const [pr, pc] = typeof s.padding === "number" ? [s.padding, s.padding] : s.padding;
    const [sr, sc] = typeof s.stride === "number" ? [s.stride, s.stride] : s.stride;
    const outH = Math.floor((s.h + 2 * pr - s.kh) / sr) + 1;
    const outW = Math.floor((s.w + 2 * pc - s.kw) / sc) + 1;
    return fc.tuple(
      tensorOf(fc, [n, cin, s.h, s.w]).map((t) => t as number[][][][]),
      tensorOf(fc, [cout, cin, s.kh, s.kw]).map((t) => t as number[][][][]),
      tensorOf(fc, [n, cout, outH, outW]).map((t) => t as number[][][][]),
      fc.constant<ConvOptions>({ padding: s.padding, stride: s.stride }),
    );
  });
}

/**
 * conv2dLayerBackward and its twin: `tf.grads` of the layer in TF.js (`conv2dLayerTf`, the
 * forward twin's own computation) with dy as the upstream gradient. An element of dx sums
 * at most Cout·kH·kW products, one of dweight or dbias N·Ho·Wo; the bound takes the most
 * terms and the largest Σ|terms| of any element (the backward pass run on |x|, |W|, |dy|).
 */
export const conv2dLayerBackwardOp: Pair<typeof conv2dLayerBackward> = {
  name: "conv2dLayerBackward",
  summary: "nn.Conv2d's backward pass: dx, dweight, dbias from dy",
  naive: conv2dLayerBackward,
  twin: (tf: Tf, x, weight, dy, options = {}) => {
    const plan = checkConv2dLayerBackward(x, weight, dy, options);
    const bias = tf.zeros([weight.length]);
    const [dx, dweight, dbias] = tf.grads((xt, wt, bt) => conv2dLayerTf(tf, xt, wt, bt, plan))(
      [tf.tensor4d(x), tf.tensor4d(weight), bias],
      tf.tensor4d(dy),
    );
    return { dx, dweight, dbias };
  },
  tolerance: (args) => {
    const [, weight, dy] = args;
    const perDx = weight.length * weight[0][0].length * weight[0][0][0].length;
    const perDw = dy.length * dy[0][0].length * dy[0][0][0].length;
    return dotBound(Math.max(perDx, perDw), maxAbs(scaleOfSums(conv2dLayerBackward)(args)));
  },
  arbitrary: conv2dLayerBackwardArgs,
  task: {
    id: "11.5",
    lesson: "11-backprop",
    title: "the convolution layer's backward pass (dx, dweight, dbias)",
    examples: [[
      "the lecture's 4×4 input and 3×3 kernel, padding 1, dy all ones",
      [[[[LECTURE_X2]], [[LECTURE_W2]], [[grid(4, 4).map((r) => r.map(() => 1))]], {
        padding: 1,
      }]],
    ]],
    edges: [
      ["stride 2 with a remainder", [[[[grid(5, 5)]], [[LECTURE_W2]], [[grid(2, 2)]], {
        stride: 2,
      }]]],
      ["two channels in, two out, padding 1", [[
        [[LECTURE_X2, grid(4, 4, 2)]],
        [[LECTURE_W2, grid(3, 3, 5)], [grid(3, 3, 1), LECTURE_W2]],
        [[grid(4, 4, 3), grid(4, 4, 4)]],
        { padding: 1 },
      ]]],
      ["1×1 input and kernel, a batch of two", [[[[[[3]]], [[[-1]]]], [[[[2]]]], [[[[5]]], [[[
        7,
      ]]]], {}]]],
    ],
    scale: scaleOfSums(conv2dLayerBackward),
  },
};

/**
 * The naive kernels against the lecture's printed numbers, small cases worked by
 * hand, and properties that need no TF.js twin (fast-check, ~100 runs each; on a
 * failure fast-check prints the seed and the shrunk counterexample).
 */
import assert from "node:assert/strict";
import fc from "../deps/fast_check.ts";
import { conv1d, conv2d, conv2dLayer, convOutputSize, flipKernel2d } from "../kernels/conv.ts";
import { avgPool2d, maxPool2d } from "../kernels/pool.ts";
import { logSoftmax, sigmoid, softmax } from "../kernels/activation.ts";
import {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  nllLoss,
} from "../kernels/loss.ts";
import { dropout, l2Penalty } from "../kernels/regularize.ts";

// ---------------------------------------------------------------- the lecture

Deno.test("conv1d reproduces the lecture's 1-D example (p=2, s=1)", () => {
  const x = [1, 3, 2, 4, 5, 6, 1, 3];
  const w = [1, 0, 3, 1, 2];
  assert.deepEqual(conv1d(x, w, { padding: 2, stride: 1 }), [5, 14, 16, 26, 24, 34, 19, 22]);
});

Deno.test("conv2d reproduces the lecture's 2-D example (p=1, s=1)", () => {
  const X = [[1, 3, 2, 4], [5, 6, 1, 3], [1, 2, 0, 2], [3, 4, 3, 2]];
  const W = [[1, 0, 3], [1, 2, 1], [0, 1, 1]];
  assert.deepEqual(conv2d(X, W, { padding: 1 }), [
    [11, 25, 32, 13],
    [19, 25, 24, 13],
    [13, 28, 25, 17],
    [11, 17, 14, 9],
  ]);
});

Deno.test("BCE on sigmoid(0.8) and BCE with logits 0.8 both give the lecture's 0.3711", () => {
  assert.equal(binaryCrossEntropy(sigmoid([0.8]), [1]).toFixed(4), "0.3711");
  assert.equal(binaryCrossEntropyWithLogits([0.8], [1]).toFixed(4), "0.3711");
});

Deno.test("cross-entropy and NLL of log-softmax both give the lecture's 0.5996", () => {
  const logits = [[1.5, 0.8, 2.1]];
  assert.equal(crossEntropy(logits, [2]).toFixed(4), "0.5996");
  assert.equal(nllLoss(logSoftmax(logits), [2]).toFixed(4), "0.5996");
  // log(softmax) is the same thing, computed the unstable way, for these tame logits.
  assert.equal(nllLoss(softmax(logits).map((r) => r.map(Math.log)), [2]).toFixed(4), "0.5996");
});

// ---------------------------------------------------------------- stability

Deno.test("crossEntropy is finite and exact at logits of ±1000", () => {
  // Right class far ahead: loss 0. Wrong class: loss = the logit gap.
  assert.equal(crossEntropy([[1000, -1000]], [0]), 0);
  assert.equal(crossEntropy([[1000, -1000]], [1]), 2000);
  assert.equal(crossEntropy([[-1000, 1000, 0]], [2]), 1000);
  // Mean over a batch of the two rows above.
  assert.equal(crossEntropy([[1000, -1000], [-1000, 1000]], [1, 1]), 1000);
  // Equal huge logits: softmax is uniform, loss log 2 (up to rounding of 1000 + log 2).
  assert.ok(Math.abs(crossEntropy([[1000, 1000]], [0]) - Math.log(2)) < 1e-12);
});

Deno.test("BCE with logits at x = −100, target 1 is ≈ 100 and finite", () => {
  const loss = binaryCrossEntropyWithLogits([-100], [1]);
  assert.ok(Number.isFinite(loss));
  assert.ok(Math.abs(loss - 100) < 1e-12, `got ${loss}`);
  // Large positive logit with target 0 costs its size too; the right answer costs ~0.
  assert.ok(Math.abs(binaryCrossEntropyWithLogits([800], [0]) - 800) < 1e-9);
  assert.ok(binaryCrossEntropyWithLogits([800], [1]) < 1e-300);
});

Deno.test("binaryCrossEntropy clamps log at −100, as PyTorch's BCELoss", () => {
  assert.equal(binaryCrossEntropy([0], [1]), 100);
  assert.equal(binaryCrossEntropy([1], [0]), 100);
  assert.equal(binaryCrossEntropy([1, 0], [1, 0]), 0);
  // Soft targets: t = 0.5, p = 0.5 gives log 2.
  assert.ok(Math.abs(binaryCrossEntropy([0.5], [0.5]) - Math.log(2)) < 1e-15);
});

Deno.test("sigmoid and softmax stay finite for huge inputs", () => {
  assert.deepEqual(sigmoid([-1000, 0, 1000]), [0, 0.5, 1]);
  assert.deepEqual(softmax([[800, 800, 800, 800]]), [[0.25, 0.25, 0.25, 0.25]]);
  assert.deepEqual(logSoftmax([[1000, -1000]]), [[0, -2000]]);
});

// ---------------------------------------------------------------- stride and sizes

Deno.test("convOutputSize follows ⌊(n + 2p − m)/s⌋ + 1", () => {
  assert.equal(convOutputSize(8, 5, 2, 1), 8);
  assert.equal(convOutputSize(8, 5, 2, 2), 4);
  assert.equal(convOutputSize(8, 5), 4);
  assert.equal(convOutputSize(28, 5, 2), 28); // the lecture CNN's "same" conv
  assert.equal(convOutputSize(28, 2, 0, 2), 14); // its 2×2 max-pool
  assert.equal(convOutputSize(5, 5), 1);
  assert.equal(convOutputSize(7, 3, 0, 3), 2);
  assert.equal(convOutputSize(1, 3, 1, 5), 1);
});

Deno.test("conv1d with stride 2 keeps every other output of stride 1", () => {
  const x = [1, 3, 2, 4, 5, 6, 1, 3];
  const w = [1, 0, 3, 1, 2];
  const full = conv1d(x, w, { padding: 2 });
  const strided = conv1d(x, w, { padding: 2, stride: 2 });
  assert.deepEqual(strided, [5, 16, 24, 19]);
  assert.deepEqual(strided, full.filter((_, i) => i % 2 === 0));
  // The lecture's loop, range(0, ⌊(n+2p−m)/s⌋+1, s), would stop after 2 outputs.
  assert.equal(strided.length, 4);
  // Stride 3 on a hand-worked case: flipped w = [1, 1], windows start at 0 and 3.
  assert.deepEqual(conv1d([1, 2, 3, 4, 5], [1, 1], { stride: 3 }), [3, 9]);
});

Deno.test("conv2d with stride keeps every s-th row and column of stride 1", () => {
  const X = [[1, 3, 2, 4], [5, 6, 1, 3], [1, 2, 0, 2], [3, 4, 3, 2]];
  const W = [[1, 0, 3], [1, 2, 1], [0, 1, 1]];
  assert.deepEqual(conv2d(X, W, { padding: 1, stride: 2 }), [[11, 32], [13, 25]]);
  assert.deepEqual(conv2d(X, W, { padding: [1, 0], stride: [1, 2] }), [[25], [25], [28], [17]]);
});

Deno.test("conv2d flips the kernel (a true convolution, not cross-correlation)", () => {
  // A kernel with a single 1 at the top-left shifts the image down-right under convolution.
  const X = [[1, 2], [3, 4]];
  assert.deepEqual(conv2d(X, [[1, 0], [0, 0]], { padding: 1 }), [
    [1, 2, 0],
    [3, 4, 0],
    [0, 0, 0],
  ]);
});

// ---------------------------------------------------------------- pooling
// These hand examples (no stride given) are what guards the shared default stride = window
// in kernels/checks.ts: the naive kernel and its twin read the same default, so the
// naive-vs-twin property cannot see it go wrong. Keep them.

Deno.test("maxPool2d and avgPool2d on tiled 2×2 windows", () => {
  const X = [[1, 2, 0, 1], [3, 4, 1, 0], [0, 0, 5, 6], [1, 1, 7, 8]];
  assert.deepEqual(maxPool2d(X, { size: 2 }), [[4, 1], [1, 8]]);
  assert.deepEqual(avgPool2d(X, { size: 2 }), [[2.5, 0.5], [0.5, 6.5]]);
  // Rectangular windows: 1 row × 4 columns.
  assert.deepEqual(maxPool2d(X, { size: [1, 4] }), [[2], [4], [6], [8]]);
  assert.deepEqual(avgPool2d(X, { size: [1, 4] }), [[1], [2], [2.75], [4.25]]);
});

Deno.test("overlapping pooling: size 3, stride 2 on a 5×5 ramp", () => {
  // X[i][j] = 5i + j. Windows start at rows/cols 0 and 2.
  const X = Array.from({ length: 5 }, (_, i) => Array.from({ length: 5 }, (_, j) => 5 * i + j));
  assert.deepEqual(maxPool2d(X, { size: 3, stride: 2 }), [[12, 14], [22, 24]]);
  // A linear ramp averages to the window's centre; dividing by 9 elements, not 4.
  assert.deepEqual(avgPool2d(X, { size: 3, stride: 2 }), [[6, 8], [16, 18]]);
});

Deno.test("pooling drops the columns a window does not fully cover", () => {
  const X = [[1, 2, 3, 9, 9]];
  assert.deepEqual(maxPool2d(X, { size: [1, 2] }), [[2, 9]]);
  assert.deepEqual(avgPool2d(X, { size: [1, 2] }), [[1.5, 6]]);
});

// ---------------------------------------------------------------- conv2dLayer

Deno.test("conv2dLayer: two channels in, two out, with bias (hand-computed)", () => {
  const x = [[
    [[1, 2, 3], [4, 5, 6], [7, 8, 9]],
    [[1, 0, 1], [0, 1, 0], [1, 0, 1]],
  ]];
  const weight = [
    // Out 0: top-left of channel 0 plus bottom-right of channel 1 (no flip!).
    [[[1, 0], [0, 0]], [[0, 0], [0, 1]]],
    // Out 1: the 2×2 window sum of channel 0.
    [[[1, 1], [1, 1]], [[0, 0], [0, 0]]],
  ];
  assert.deepEqual(conv2dLayer(x, weight, [10, -1]), [[
    [[12, 12], [14, 16]],
    [[11, 15], [23, 27]],
  ]]);
  // Without bias, and with padding 1 and stride 2 (windows at padded rows/cols 0 and 2).
  assert.deepEqual(conv2dLayer(x, [weight[1]], undefined, { padding: 1, stride: 2 }), [[
    [[1, 5], [11, 28]],
  ]]);
});

Deno.test("conv2dLayer handles a batch: each sample independently", () => {
  const a = [[[1, 2], [3, 4]]];
  const b = [[[0, 1], [1, 0]]];
  const weight = [[[[1, 2], [3, 4]]]];
  const both = conv2dLayer([a, b], weight, [0.5]);
  assert.deepEqual(both, [[[[30.5]]], [[[5.5]]]]);
  assert.deepEqual(both[1], conv2dLayer([b], weight, [0.5])[0]);
});

// ---------------------------------------------------------------- regularization

Deno.test("l2Penalty: λ Σ w² over every parameter (hand example)", () => {
  const convWeight = [[[[1, -2]], [[0, 3]]]]; // any nesting depth
  const convBias = [2];
  const linear = [[0.5, -0.5], [1, 1]];
  // 1 + 4 + 0 + 9 = 14; 4; 0.25 + 0.25 + 1 + 1 = 2.5; total 20.5.
  assert.equal(l2Penalty([convWeight, convBias, linear], 0.001), 0.001 * 20.5);
  assert.equal(l2Penalty([3], 2), 18); // a scalar parameter
  assert.equal(l2Penalty([convWeight], 0), 0);
});

Deno.test("dropout in evaluation returns an equal copy", () => {
  const x = [[1, -2, 3], [4, 5, -6]];
  const y = dropout(x, 0.9, { training: false, seed: 1 });
  assert.deepEqual(y, x);
  assert.notEqual(y, x);
  assert.notEqual(y[0], x[0]);
});

Deno.test("dropout in training: each element is 0 or x/(1−p)", () => {
  const p = 0.25;
  const x = Array.from({ length: 20 }, (_, i) => Array.from({ length: 5 }, (_, j) => i - j + 0.5));
  const y = dropout(x, p, { training: true, seed: 42 });
  assert.equal(y.length, 20);
  let dropped = 0;
  y.forEach((row, i) => {
    assert.equal(row.length, 5);
    row.forEach((v, j) => {
      if (v === 0) dropped++;
      else assert.equal(v, x[i][j] / (1 - p));
    });
  });
  assert.ok(dropped > 0 && dropped < 100, `dropped ${dropped} of 100`);
  // p = 0 keeps everything.
  assert.deepEqual(dropout(x, 0, { training: true, seed: 42 }), x);
});

Deno.test("dropout: same seed, same mask; different seed, different mask", () => {
  const x = Array.from({ length: 200 }, () => 1);
  const opts = (seed: number) => ({ training: true, seed });
  assert.deepEqual(dropout(x, 0.5, opts(7)), dropout(x, 0.5, opts(7)));
  assert.notDeepEqual(dropout(x, 0.5, opts(7)), dropout(x, 0.5, opts(8)));
});

Deno.test("dropout keeps a fraction near 1 − p of 10,000 elements", () => {
  const x = Array.from({ length: 100 }, () => Array.from({ length: 100 }, () => 1));
  for (const p of [0.1, 0.5, 0.8]) {
    const kept = dropout(x, p, { training: true, seed: 2024 }).flat().filter((v) => v !== 0).length;
    // Binomial(10000, 1−p): sd ≤ 50, so 1.5 points (≥ 3 sd) is a wide margin.
    assert.ok(Math.abs(kept / 10_000 - (1 - p)) < 0.015, `p=${p}: kept ${kept}`);
  }
});

// ---------------------------------------------------------------- properties

const small = fc.integer({ min: -9, max: 9 });

/** x, w, padding, stride for conv1d, with w no longer than the padded x. */
const conv1dCase = fc
  .record({ n: fc.integer({ min: 1, max: 10 }), p: fc.nat(3), s: fc.integer({ min: 1, max: 3 }) })
  .chain(({ n, p, s }) =>
    fc.record({
      x: fc.array(small, { minLength: n, maxLength: n }),
      w: fc.array(small, { minLength: 1, maxLength: n + 2 * p }),
      p: fc.constant(p),
      s: fc.constant(s),
    })
  );

const matrix = (rows: number, cols: number) =>
  fc.array(fc.array(small, { minLength: cols, maxLength: cols }), {
    minLength: rows,
    maxLength: rows,
  });

/** X, W, padding, stride for conv2d, with W fitting in the padded X. */
const conv2dCase = fc
  .record({
    h: fc.integer({ min: 1, max: 6 }),
    w: fc.integer({ min: 1, max: 6 }),
    p: fc.tuple(fc.nat(2), fc.nat(2)),
    s: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
  })
  .chain(({ h, w, p, s }) =>
    fc.record({
      X: matrix(h, w),
      W: fc
        .tuple(fc.integer({ min: 1, max: h + 2 * p[0] }), fc.integer({ min: 1, max: w + 2 * p[1] }))
        .chain(([kh, kw]) => matrix(kh, kw)),
      p: fc.constant(p),
      s: fc.constant(s),
    })
  );

Deno.test("property: conv1d and conv2d output sizes equal convOutputSize", () => {
  fc.assert(
    fc.property(conv1dCase, ({ x, w, p, s }) => {
      const y = conv1d(x, w, { padding: p, stride: s });
      assert.equal(y.length, convOutputSize(x.length, w.length, p, s));
    }),
  );
  fc.assert(
    fc.property(conv2dCase, ({ X, W, p, s }) => {
      const Y = conv2d(X, W, { padding: p, stride: s });
      assert.equal(Y.length, convOutputSize(X.length, W.length, p[0], s[0]));
      for (const row of Y) {
        assert.equal(row.length, convOutputSize(X[0].length, W[0].length, p[1], s[1]));
      }
    }),
  );
});

Deno.test("property: conv1d and conv2d are linear in the input", () => {
  // Small integers keep every float64 sum exact, so equality can be exact.
  fc.assert(
    fc.property(
      conv1dCase,
      fc.array(small, { minLength: 10, maxLength: 10 }),
      small,
      small,
      (c, yRaw, a, b) => {
        const y = yRaw.slice(0, c.x.length);
        const opts = { padding: c.p, stride: c.s };
        const mixed = conv1d(c.x.map((v, i) => a * v + b * y[i]), c.w, opts);
        const cx = conv1d(c.x, c.w, opts);
        const cy = conv1d(y, c.w, opts);
        assert.deepEqual(mixed, cx.map((v, i) => a * v + b * cy[i] + 0));
      },
    ),
  );
  fc.assert(
    fc.property(conv2dCase, matrix(6, 6), small, small, (c, yRaw, a, b) => {
      const Y = c.X.map((row, i) => row.map((_, j) => yRaw[i][j]));
      const opts = { padding: c.p, stride: c.s };
      const mixed = conv2d(c.X.map((row, i) => row.map((v, j) => a * v + b * Y[i][j])), c.W, opts);
      const cx = conv2d(c.X, c.W, opts);
      const cy = conv2d(Y, c.W, opts);
      assert.deepEqual(mixed, cx.map((row, i) => row.map((v, j) => a * v + b * cy[i][j] + 0)));
    }),
  );
});

Deno.test("property: full convolution (p = m − 1) is commutative", () => {
  const vec = fc.array(small, { minLength: 1, maxLength: 8 });
  fc.assert(
    fc.property(vec, vec, (x, w) => {
      const xw = conv1d(x, w, { padding: w.length - 1 });
      const wx = conv1d(w, x, { padding: x.length - 1 });
      assert.equal(xw.length, x.length + w.length - 1);
      assert.deepEqual(xw, wx);
    }),
  );
});

Deno.test("property: max-pool ≥ avg-pool elementwise", () => {
  const real = fc.double({ min: -1e6, max: 1e6, noNaN: true });
  const poolCase = fc
    .record({ h: fc.integer({ min: 1, max: 6 }), w: fc.integer({ min: 1, max: 6 }) })
    .chain(({ h, w }) =>
      fc.record({
        X: fc.array(fc.array(real, { minLength: w, maxLength: w }), { minLength: h, maxLength: h }),
        size: fc.tuple(fc.integer({ min: 1, max: h }), fc.integer({ min: 1, max: w })),
        stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
      })
    );
  fc.assert(
    fc.property(poolCase, ({ X, size, stride }) => {
      const mx = maxPool2d(X, { size, stride });
      const av = avgPool2d(X, { size, stride });
      assert.equal(mx.length, av.length);
      mx.forEach((row, i) =>
        row.forEach((m, j) => {
          // The mean of a window can exceed its max only by float64 rounding.
          assert.ok(m >= av[i][j] - 1e-9 * Math.max(1, Math.abs(m)), `${m} < ${av[i][j]}`);
        })
      );
    }),
  );
});

Deno.test("property: softmax rows are probabilities summing to 1", () => {
  const logit = fc.double({ min: -1000, max: 1000, noNaN: true });
  const logits = fc
    .record({ rows: fc.integer({ min: 1, max: 5 }), cols: fc.integer({ min: 1, max: 10 }) })
    .chain(({ rows, cols }) =>
      fc.array(fc.array(logit, { minLength: cols, maxLength: cols }), {
        minLength: rows,
        maxLength: rows,
      })
    );
  fc.assert(
    fc.property(logits, (x) => {
      for (const row of softmax(x)) {
        assert.ok(row.every((v) => v >= 0 && v <= 1));
        assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-12);
      }
    }),
  );
});

Deno.test("property: conv2dLayer on one channel is conv2d with the kernel flipped", () => {
  fc.assert(
    fc.property(conv2dCase, ({ X, W, p, s }) => {
      const layer = conv2dLayer([[X]], [[flipKernel2d(W)]], undefined, { padding: p, stride: s });
      assert.deepEqual(layer, [[conv2d(X, W, { padding: p, stride: s })]]);
    }),
  );
});

/**
 * The agreement suite shared by the wasm and native kernel tests: the kernels litconv adds
 * to the wasm backend compute the same results and gradients as the cpu backend (TF.js's
 * reference implementation, plain JavaScript loops), leak nothing, and make a whole
 * training step of the lecture CNN agree with the cpu backend's.
 *
 * Tolerances. Both backends compute in float32 (unit roundoff u = 2⁻²⁴ ≈ 6e-8) but sum in
 * different orders (XNNPACK and OpenBLAS block their sums, cpu sums in loop order). An
 * output that is a sum of K terms then differs by at most about K·u·Σ|terms|, and
 * typically by √K·u·Σ|terms|. We check each entry against `8·√K·u·Σ|terms|`-sized bounds
 * computed from the data (the float64 sum of |terms| is bounded by K·max|x|·max|w|), never
 * a blanket 1e-3. Max pooling's gradient only moves values (and adds ≤ 9 of them where
 * windows overlap); with small integers as dy those sums are exact, so it must agree exactly.
 *
 * @module
 */
import assert from "node:assert/strict";
import { tf, useBackend } from "../accel/backend.ts";
import { buildModel } from "../training/model.ts";
import { lossOf, randomBatch, trainableVariables } from "../bench/step.ts";
import { Rng } from "../kernels/rng.ts";
import { EPS32 } from "../kernels/float32.ts";
import { needs } from "./requirements.ts";

/** Float32's unit roundoff u = 2⁻²⁴: half its machine epsilon (kernels/float32.ts). */
export const UNIT_ROUNDOFF = EPS32 / 2;

/** Reproducible values in [lo, hi) (seeded, so both backends get the same numbers). */
export function values(n: number, seed: number, lo = -1, hi = 1, integers = false): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = rng.uniform(lo, hi);
    out[i] = integers ? Math.floor(v) : v;
  }
  return out;
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Runs `f` on `backend` and returns its outputs as arrays. */
export async function on(backend: string, f: () => tf.Tensor[]): Promise<Float32Array[]> {
  await useBackend(backend);
  const outs = f();
  const data = await Promise.all(outs.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(outs);
  return data;
}

/** Asserts |actual − expected| ≤ tol entrywise, naming the worst entry. */
export function assertClose(
  actual: Float32Array,
  expected: Float32Array,
  tol: number,
  what: string,
) {
  assert.equal(actual.length, expected.length, `${what}: lengths`);
  let worst = 0, at = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (!(d <= worst)) [worst, at] = [d, i]; // NaN counts as worst
  }
  assert.ok(
    worst <= tol,
    `${what}: |wasm − cpu| = ${worst} > ${tol} at ${at} (wasm ${actual[at]}, cpu ${expected[at]})`,
  );
}

/**
 * Registers the agreement tests, each named with `label` and starting with `setup()`
 * (which picks the kernels under test, e.g. native on or off). Where the kernels under test
 * cannot load, `missing` says why, and the tests are ignored or required (see `needs`).
 */
export function agreementTests(label: string, setup: () => void, missing?: string): void {
  const test = (name: string, fn: () => Promise<void>) => Deno.test(needs(missing, { name, fn }));
  interface ConvCase {
    x: [number, number, number, number];
    w: [number, number, number, number];
    strides: [number, number];
    pad: "same" | "valid" | number;
  }
  const convCases: ConvCase[] = [
    { x: [3, 28, 28, 1], w: [5, 5, 1, 4], strides: [1, 1], pad: "same" }, // conv1's shape
    { x: [2, 14, 14, 6], w: [5, 5, 6, 8], strides: [1, 1], pad: "same" }, // conv2's shape
    { x: [2, 9, 7, 3], w: [3, 2, 3, 5], strides: [1, 1], pad: "valid" },
    { x: [2, 9, 9, 3], w: [3, 3, 3, 4], strides: [1, 1], pad: 1 },
    { x: [2, 8, 9, 3], w: [4, 2, 3, 2], strides: [1, 1], pad: "same" }, // pads 1 above, 2 below
    { x: [2, 10, 11, 3], w: [3, 3, 3, 4], strides: [2, 2], pad: "same" }, // input grad: fallback
    { x: [2, 10, 12, 2], w: [3, 4, 2, 3], strides: [3, 2], pad: "valid" }, // unused last rows
    // The native input gradient builds its patches 2²¹ floats at a time: 3, 3, 2 images here.
    { x: [8, 28, 28, 1], w: [5, 5, 1, 32], strides: [1, 1], pad: "same" },
  ];

  for (const c of convCases) {
    const name = `x ${c.x} w ${c.w} stride ${c.strides} pad ${c.pad}`;
    test(`conv2d gradients on ${label} match cpu: ${name}`, async () => {
      setup();
      const xs = values(size(c.x), 1), ws = values(size(c.w), 2);
      const grads = () => {
        const x = tf.tensor4d(xs, c.x), w = tf.tensor4d(ws, c.w);
        // The loss Σ r·conv(x, w) with fixed random r makes dy = r, not all ones.
        const y = tf.conv2d(x, w, c.strides, c.pad);
        const r = tf.tensor(values(y.size, 3), y.shape);
        const [dx, dw] = tf.grads((a, b) =>
          tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad).mul(r).sum()
        )([x, w]);
        return [y, dx, dw];
      };
      const [yCpu, dxCpu, dwCpu] = await on("cpu", grads);
      const [yWasm, dxWasm, dwWasm] = await on("wasm", grads);
      const [kH, kW, Ci, Co] = c.w;
      // |x|, |w|, |r| ≤ 1: a term is at most 1; K terms per output.
      const bound = (K: number) => 8 * Math.sqrt(K) * UNIT_ROUNDOFF * K;
      assertClose(yWasm, yCpu, bound(kH * kW * Ci), "y");
      assertClose(dxWasm, dxCpu, bound(kH * kW * Co), "dx"); // each x meets ≤ kH·kW·Co terms
      assertClose(dwWasm, dwCpu, bound(yCpu.length / Co), "dW"); // N·oH·oW terms per entry
      assert.ok(
        dwCpu.some((v) => v !== 0) && dxCpu.some((v) => v !== 0),
        "gradients are not all 0",
      );
    });
  }

  const matCases: Array<{ a: number[]; b: number[]; tA: boolean; tB: boolean }> = [
    { a: [6, 40], b: [40, 30], tA: false, tB: false }, // fc1-like: M < N
    { a: [40, 6], b: [40, 30], tA: true, tB: false },
    { a: [6, 30], b: [40, 30], tA: false, tB: true }, // M < N: the (B·Aᵀ)ᵀ path
    { a: [50, 30], b: [8, 30], tA: false, tB: true }, // M > N: transpose-then-multiply path
    { a: [30, 6], b: [40, 30], tA: true, tB: true },
    { a: [3, 5, 7], b: [3, 9, 7], tA: false, tB: true }, // batched
    { a: [3, 7, 5], b: [3, 7, 9], tA: true, tB: false },
  ];

  test(`matMul and its gradients on ${label} match cpu, every transpose combination`, async () => {
    setup();
    for (const c of matCases) {
      const as = values(size(c.a), 4), bs = values(size(c.b), 5);
      const run = () => {
        const a = tf.tensor(as, c.a), b = tf.tensor(bs, c.b);
        const f = (p: tf.Tensor, q: tf.Tensor) => tf.matMul(p, q, c.tA, c.tB);
        const y = f(a, b);
        const r = tf.tensor(values(y.size, 6), y.shape);
        const [da, db] = tf.grads((p, q) => f(p, q).mul(r).sum())([a, b]);
        return [y, da, db];
      };
      const cpu = await on("cpu", run), wasm = await on("wasm", run);
      const K = c.tA ? c.a[c.a.length - 2] : c.a[c.a.length - 1];
      const bound = (k: number) => 8 * Math.sqrt(k) * UNIT_ROUNDOFF * k;
      const what = `a ${c.a} b ${c.b} tA ${c.tA} tB ${c.tB}`;
      assertClose(wasm[0], cpu[0], bound(K), `${what}: y`);
      assertClose(wasm[1], cpu[1], bound(Math.max(...c.b)), `${what}: da`);
      assertClose(wasm[2], cpu[2], bound(Math.max(...c.a)), `${what}: db`);
    }
  });

  test(`fused conv2d and dense (bias, relu) on ${label} match cpu`, async () => {
    setup();
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(values(2 * 9 * 8 * 3, 21), [2, 9, 8, 3]);
        const w = tf.tensor4d(values(3 * 3 * 3 * 5, 22), [3, 3, 3, 5]);
        const a = tf.tensor2d(values(6 * 40, 23), [6, 40]);
        const b = tf.tensor2d(values(30 * 40, 24), [30, 40]);
        const outs = [
          tf.fused.conv2d({
            x,
            filter: w,
            strides: 1,
            pad: "same",
            bias: tf.tensor1d(values(5, 25)),
            activation: "relu",
          }),
          tf.fused.conv2d({
            x,
            filter: w,
            strides: 2,
            pad: "valid",
            bias: tf.tensor1d(values(5, 28)),
          }),
          tf.fused.matMul({
            a,
            b,
            transposeB: true,
            bias: tf.tensor1d(values(30, 26)),
            activation: "relu",
          }),
          tf.fused.matMul({ a, b, transposeB: true }),
          // One right matrix for a batch of left ones (TF.js has no gradient for this).
          tf.matMul(tf.tensor3d(values(3 * 5 * 7, 27), [3, 5, 7]), b.slice([0, 0], [7, 9])),
          // 16 images: the native kernel builds the patches of 13, then 3.
          tf.fused.conv2d({
            x: tf.tensor4d(values(16 * 28 * 28 * 8, 29), [16, 28, 28, 8]),
            filter: tf.tensor4d(values(5 * 5 * 8 * 4, 30), [5, 5, 8, 4]),
            pad: "same",
            strides: 1,
            bias: tf.tensor1d(values(4, 31)),
            activation: "relu",
          }),
          // One input channel (patches laid out by tap on the native path), stride 2.
          tf.fused.conv2d({
            x: tf.tensor4d(values(2 * 9 * 8, 32), [2, 9, 8, 1]),
            filter: tf.tensor4d(values(3 * 3 * 5, 33), [3, 3, 1, 5]),
            pad: "same",
            strides: [2, 1],
            bias: tf.tensor1d(values(5, 34)),
          }),
        ];
        return outs;
      });
    const cpu = await on("cpu", run), wasm = await on("wasm", run);
    const bound = (K: number) => 8 * Math.sqrt(K) * UNIT_ROUNDOFF * (K + 1); // + the bias term
    ["conv relu", "conv bias"].forEach((what, i) => assertClose(wasm[i], cpu[i], bound(27), what));
    ["dense relu", "dense"].forEach((what, i) =>
      assertClose(wasm[i + 2], cpu[i + 2], bound(40), what)
    );
    assertClose(wasm[4], cpu[4], bound(7), "broadcast batch");
    assertClose(wasm[5], cpu[5], bound(200), "conv relu, 16 images");
    assertClose(wasm[6], cpu[6], bound(9), "conv, one input channel");
    assert.ok(cpu[0].some((v) => v === 0) && cpu[0].some((v) => v > 0), "relu cut some, not all");
  });

  test(`sums over leading axes (bias gradients) on ${label} match cpu`, async () => {
    setup();
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(values(3 * 5 * 4 * 6, 51), [3, 5, 4, 6]);
        return [
          x.sum([0, 1, 2]),
          x.sum([1, 0], true),
          x.sum(0),
          x.sum([1, 3]), // not leading
          x.sum(), // all
          x.toInt().sum([0, 1]).toFloat(), // integers
        ];
      });
    const cpu = await on("cpu", run), wasm = await on("wasm", run);
    const bound = (K: number) => 8 * Math.sqrt(K) * UNIT_ROUNDOFF * K;
    for (const [i, K] of [60, 15, 3, 30, 360, 15].entries()) {
      assertClose(wasm[i], cpu[i], bound(K), `sum ${i}`);
    }
  });

  const poolCases = [
    { x: [2, 28, 28, 4], size: 2, stride: 2, pad: "valid" as const }, // the model's pools
    { x: [2, 7, 7, 3], size: 2, stride: 2, pad: "valid" as const }, // odd: last row unused
    { x: [2, 9, 8, 3], size: 3, stride: 2, pad: "same" as const }, // overlapping + padding
    { x: [1, 6, 6, 2], size: 2, stride: 1, pad: "valid" as const },
    { x: [2, 8, 8, 5], size: 3, stride: 1, pad: "same" as const }, // each x in ≤ 9 windows
    { x: [2, 10, 9, 17], size: 3, stride: 3, pad: "valid" as const }, // unused last row
  ];
  // Ties: small integers (most windows repeat their maximum), all equal, and ReLU outputs
  // (many zeros, so all-zero windows).
  const poolInputs: Record<string, (n: number) => Float32Array> = {
    random: (n) => values(n, 7),
    "integer ties": (n) => values(n, 7, 0, 3, true),
    "all equal": (n) => new Float32Array(n).fill(0.5),
    "after relu": (n) => values(n, 7).map((v) => Math.max(0, v)),
  };

  test(`maxPool and its gradient on ${label} match cpu exactly, ties going to the first maximum`, async () => {
    setup();
    for (const c of poolCases) {
      for (const [kind, make] of Object.entries(poolInputs)) {
        const xs = make(size(c.x));
        const run = () => {
          const x = tf.tensor4d(xs, c.x as [number, number, number, number]);
          const f = (p: tf.Tensor) => tf.maxPool(p as tf.Tensor4D, c.size, c.stride, c.pad);
          const y = f(x);
          // dy in 1..8: sums of ≤ 9 of them are exact, and a gradient sent to the wrong
          // tap of a window is off by at least 1.
          const r = tf.tensor(values(y.size, 8, 1, 9, true), y.shape);
          return [y, tf.grad((p) => f(p).mul(r).sum())(x)];
        };
        const cpu = await on("cpu", run), wasm = await on("wasm", run);
        const what = `pool ${JSON.stringify(c)} ${kind}`;
        assertClose(wasm[0], cpu[0], 0, `${what}: y`);
        assertClose(wasm[1], cpu[1], 0, `${what}: dx`);
      }
    }
  });

  test(`litconv's ${label} kernels leave no tensor and no wasm buffer behind`, async () => {
    setup();
    await useBackend("wasm");
    const backend = tf.backend();
    const x = tf.tensor4d(values(2 * 10 * 11 * 3, 9), [2, 10, 11, 3]);
    const w = tf.tensor4d(values(3 * 3 * 3 * 4, 10), [3, 3, 3, 4]);
    const a = tf.tensor2d(values(6 * 30, 11), [6, 30]),
      b = tf.tensor2d(values(40 * 30, 12), [40, 30]);
    const tensorsBefore = tf.memory().numTensors, buffersBefore = backend.numDataIds();
    for (const strides of [1, 2] as const) {
      const [dx, dw] = tf.grads((p, q) =>
        tf.maxPool(tf.conv2d(p as tf.Tensor4D, q as tf.Tensor4D, strides, "same"), 2, 2, "same")
          .sum()
      )([x, w]);
      tf.dispose([dx, dw]);
    }
    for (const [tA, tB] of [[false, true], [true, false], [true, true]]) {
      const p = tA ? a.transpose() : a, q = tB ? b : b.transpose();
      tf.matMul(p, q, tA, tB).dispose();
      if (p !== a) p.dispose();
      if (q !== b) q.dispose();
    }
    assert.equal(tf.memory().numTensors, tensorsBefore, "tensors");
    assert.equal(backend.numDataIds(), buffersBefore, "wasm buffers");
    tf.dispose([x, w, a, b]);
  });

  for (const variant of ["lecture", "extra-conv"] as const) {
    test(`a ${variant} CNN training step on ${label} gives cpu's loss and gradients`, async () => {
      setup();
      const batch = 3;
      let weights: Float32Array[] = [];
      const step = () => {
        const model = buildModel(variant, 7);
        if (weights.length > 0) {
          model.setWeights(model.getWeights().map((w, i) => tf.tensor(weights[i], w.shape)));
        }
        const { x, y } = randomBatch(batch, 11);
        const vars = trainableVariables(model);
        const { value, grads } = tf.variableGrads(() => lossOf(model, x, y), vars);
        const out = [value, ...vars.map((v) => grads[v.name])];
        const snapshot = model.getWeights().map((w) => w.clone());
        tf.dispose([x, y]);
        model.dispose();
        return [...out, ...snapshot];
      };
      const cpu = await on("cpu", step);
      const n = (cpu.length - 1) / 2;
      weights = cpu.slice(1 + n); // start wasm from exactly cpu's weights
      const wasm = await on("wasm", step);
      const [lossCpu, lossWasm] = [cpu[0][0], wasm[0][0]];
      assert.ok(Number.isFinite(lossCpu) && lossCpu > 0.5, `loss ${lossCpu}`);
      assert.ok(
        Math.abs(lossWasm - lossCpu) <= 1e-5 * lossCpu,
        `loss wasm ${lossWasm} cpu ${lossCpu}`,
      );
      // Gradients pass through ~3136-term sums, ReLU kinks and pooling; compare each variable
      // by its relative error norm ‖g_wasm − g_cpu‖ / ‖g_cpu‖ (float32 sums of K ≤ 3136 terms:
      // √K·u ≈ 4e-6 at worst per sum; measured ≤ 8e-7, we allow 1e-5).
      for (let i = 1; i <= n; i++) {
        let diff = 0, norm = 0;
        for (let j = 0; j < cpu[i].length; j++) {
          diff += (wasm[i][j] - cpu[i][j]) ** 2;
          norm += cpu[i][j] ** 2;
        }
        assert.ok(norm > 0, `gradient ${i} is all zeros`);
        const rel = Math.sqrt(diff / norm);
        assert.ok(rel <= 1e-5, `gradient ${i}: relative error ${rel}`);
      }
    });
  }
}

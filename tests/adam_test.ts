/**
 * litconv's fused Adam (accel/adam.ts) takes the same steps as TF.js's own Adam.
 *
 * Tolerance. The fused loop rounds every intermediate to float32 exactly where TF.js's ops
 * store one, in the same order, and every op involved (×, +, ÷, √) is correctly rounded in
 * IEEE float32 on both the wasm and the cpu backend. So the results should agree bit for bit;
 * against stock Adam on wasm we demand exactly that. Against the cpu backend we allow 4 ulps
 * of the larger value (4·2⁻²³·|x|), room for a backend that fused two ops, but far below the
 * size of one Adam step (lr = 1e-3 against weights of order 1, i.e. ~10⁴ ulps): a wrong
 * bias correction, ε or β would miss by orders of magnitude more.
 */
import assert from "node:assert/strict";
import { tf, useBackend } from "../accel/backend.ts";
import { adam, FusedAdam } from "../accel/adam.ts";

// Sizes that are and are not multiples of 4 (the fused kernel's lanes), down to 1.
const SHAPES = [[3, 3, 1, 8], [8], [50, 10], [10], [7], [1]];
const STEPS = 6;

/** Reproducible values in [lo, hi) from a small LCG, the same on every backend. */
function values(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + (s / 2 ** 32) * (hi - lo);
  }
  // Edge cases Adam must get right: zero gradients and tiny ones (where ε matters).
  if (n > 2) [out[0], out[1]] = [0, 1e-9];
  return out;
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
let run = 0;

interface Outcome {
  weights: Float32Array[];
  moments: Float32Array[];
  names: string[];
}

/**
 * `STEPS` Adam steps on `backend` from fixed weights and per-step gradients. The initial
 * tensors stay alive during the steps (so the variables share their buffers): they must
 * come out unchanged.
 */
async function train(backend: string, optimizer: () => tf.Optimizer): Promise<Outcome> {
  await useBackend(backend);
  const prefix = `adam_test_${run++}`;
  const initial = SHAPES.map((s, i) => tf.tensor(values(size(s), 10 + i), s));
  const vars = initial.map((t, i) => tf.variable(t, true, `${prefix}/w${i}`));
  const opt = optimizer();
  for (let step = 0; step < STEPS; step++) {
    const grads = SHAPES.map((s, i) => ({
      name: vars[i].name,
      tensor: tf.tensor(values(size(s), 100 * step + i, -step, step + 0.5), s),
    }));
    opt.applyGradients(grads);
    tf.dispose(grads.map((g) => g.tensor));
  }
  for (const [i, t] of initial.entries()) {
    assert.deepEqual(t.dataSync(), values(size(SHAPES[i]), 10 + i), "an initial tensor changed");
  }
  const state = await opt.getWeights();
  const outcome = {
    weights: vars.map((v) => v.dataSync() as Float32Array),
    moments: state.slice(1).map((w) => w.tensor.dataSync() as Float32Array),
    names: state.map((w) => w.name.replace(prefix, "")),
  };
  assert.equal(state[0].tensor.dataSync()[0], STEPS, "iterations");
  opt.dispose();
  tf.dispose([...initial, ...vars]);
  return outcome;
}

function assertUlps(actual: Float32Array, expected: Float32Array, ulps: number, what: string) {
  assert.equal(actual.length, expected.length, `${what}: lengths`);
  for (let i = 0; i < actual.length; i++) {
    const tol = ulps * 2 ** -23 * Math.max(Math.abs(actual[i]), Math.abs(expected[i]));
    const d = Math.abs(actual[i] - expected[i]);
    assert.ok(d <= tol, `${what}[${i}]: ${actual[i]} vs ${expected[i]} (|Δ| ${d} > ${tol})`);
  }
}

Deno.test("fused Adam on wasm takes stock Adam's steps: bit for bit on wasm, within 4 ulps of cpu", async () => {
  const fused = await train("wasm", () => adam(1e-3));
  const stockWasm = await train("wasm", () => tf.train.adam(1e-3));
  const stockCpu = await train("cpu", () => tf.train.adam(1e-3));
  assert.deepEqual(fused.names, stockCpu.names, "state names and order");
  assert.equal(fused.moments.length, 2 * SHAPES.length);
  fused.weights.forEach((w, i) => {
    assert.deepEqual(w, stockWasm.weights[i], `weight ${i} vs stock wasm`);
    assertUlps(w, stockCpu.weights[i], 4, `weight ${i} vs cpu`);
  });
  fused.moments.forEach((m, i) => {
    assert.deepEqual(m, stockWasm.moments[i], `moment ${i} vs stock wasm`);
    assertUlps(m, stockCpu.moments[i], 4, `moment ${i} vs cpu`);
  });
  // The weights really moved: the comparison above is not between untouched copies.
  assert.notDeepEqual(fused.weights[0], values(size(SHAPES[0]), 10));
});

Deno.test("fused Adam on cpu is stock Adam", async () => {
  const fused = await train("cpu", () => new FusedAdam(1e-2, 0.8, 0.99));
  const stock = await train("cpu", () => tf.train.adam(1e-2, 0.8, 0.99));
  assert.deepEqual(fused, stock);
});

Deno.test("fused Adam's state survives getWeights/setWeights and its steps leak no tensor", async () => {
  await useBackend("wasm");
  const shape = [40, 5];
  const a = tf.variable(tf.tensor(values(200, 1), shape), true, "adam_test_roundtrip/a");
  const b = tf.variable(tf.tensor(values(200, 1), shape), true, "adam_test_roundtrip/b");
  const grad = (step: number) => tf.tensor(values(200, 7 + step), shape);
  const step = (opt: tf.Optimizer, v: tf.Variable, s: number) => {
    const g = grad(s);
    opt.applyGradients({ [v.name]: g }); // the map form of applyGradients
    g.dispose();
  };
  const first = adam(1e-2);
  step(first, a, 0); // creates the moments
  // The fused path really runs: stock Adam runs ~12 kernels per weight, fused Adam only the
  // two scalar Multiplys that advance β1ᵗ and β2ᵗ.
  const { kernels } = await tf.profile(() => step(first, a, 1));
  assert.deepEqual(kernels.map((k) => k.name), ["Multiply", "Multiply"]);
  const before = tf.memory().numTensors;
  for (let s = 2; s < 4; s++) step(first, a, s);
  assert.equal(tf.memory().numTensors, before, "tensors leaked by fused steps");

  // Copy a's state and weights to b and a fresh optimizer (as a checkpoint restore does).
  const saved = await first.getWeights();
  const copies = saved.map((w) => ({ name: w.name, tensor: w.tensor.clone() }));
  const second = adam(1e-2);
  await second.setWeights(copies);
  tf.dispose(copies.map((c) => c.tensor));
  b.assign(a.clone());
  const restored = await second.getWeights();
  assert.deepEqual(restored.map((w) => w.name), saved.map((w) => w.name));
  restored.forEach((w, i) => assert.deepEqual(w.tensor.dataSync(), saved[i].tensor.dataSync()));

  // One more step on each: the restored pair must land exactly where the original does.
  // b shares a's buffer here (assign of a clone): stepping one must not move the other.
  const start = a.dataSync().slice();
  step(first, a, 4);
  const expected = a.dataSync().slice();
  assert.deepEqual(b.dataSync(), start, "stepping a changed b");
  step(second, b, 4);
  assert.deepEqual(a.dataSync(), expected, "stepping b changed a");
  assert.deepEqual(b.dataSync(), expected);
  assert.notDeepEqual(expected, start);
  const [sa, sb] = [await first.getWeights(), await second.getWeights()];
  sa.forEach((w, i) => assert.deepEqual(sb[i].tensor.dataSync(), w.tensor.dataSync()));
  first.dispose();
  second.dispose();
  tf.dispose([a, b]);
});

Deno.test("after a fused step, conv2d and matMul see the new weights (no stale XNNPACK cache)", async () => {
  // The wasm backend caches XNNPACK operators with a packed copy of their weights, keyed by
  // the weight's buffer: an update that rewrote the buffer in place would go unseen here.
  await useBackend("wasm");
  const filter = tf.variable(tf.tensor(values(72, 3), [3, 3, 1, 8]), true, "adam_test_cache/f");
  const dense = tf.variable(tf.tensor(values(80, 4), [8, 10]), true, "adam_test_cache/d");
  const x = tf.tensor(values(2 * 6 * 6, 5), [2, 6, 6, 1]);
  const forward = (f: tf.Tensor, d: tf.Tensor) =>
    tf.tidy(() =>
      tf.matMul(
        tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, "valid").reshape([32, 8]),
        d as tf.Tensor2D,
      )
    );
  const opt = adam(0.1);
  for (let s = 0; s < 2; s++) {
    const before = forward(filter, dense); // builds (and caches) the operators
    const grads = [filter, dense].map((v, i) => ({
      name: v.name,
      tensor: tf.tensor(values(v.size, 50 + i + s), v.shape),
    }));
    opt.applyGradients(grads);
    tf.dispose(grads.map((g) => g.tensor));
    const after = forward(filter, dense);
    // The same computation on fresh copies of the updated weights (no cache can apply).
    const [f2, d2] = [filter, dense].map((v) => tf.tensor(v.dataSync(), v.shape));
    const expected = forward(f2, d2);
    assert.deepEqual(after.dataSync(), expected.dataSync(), `step ${s}: stale weights used`);
    assert.notDeepEqual(after.dataSync(), before.dataSync());
    tf.dispose([before, after, f2, d2, expected]);
  }
  opt.dispose();
  tf.dispose([filter, dense, x]);
});

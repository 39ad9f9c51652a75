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
 *
 * Subnormals. The fused Adam stores a moment that IEEE arithmetic leaves subnormal
 * (0 < |x| < 2⁻¹²⁶) as a zero of the same sign (issue 17: Intel cores compute on subnormals
 * ~100× slower). The steps above never make one, so there the bit-for-bit demand stands. The
 * last test starts from a state full of them, as one epoch of training leaves it, and states
 * exactly where the two differ: stock Adam keeps its subnormal moments (the mechanism), the
 * fused one holds zeros there and no subnormal anywhere, every other moment is stock's bit
 * for bit, and so is every weight larger than 2e-26 in magnitude (a flushed moment changes a
 * step by < 1.2e-33, see accel/adam.ts).
 */
import assert from "node:assert/strict";
import { tf, useBackend } from "../accel/backend.ts";
import { adam, FusedAdam, MIN_NORMAL_F32 } from "../accel/adam.ts";

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

/** Whether `x` is a subnormal float32 (x is one already: a float32 read into a number). */
const subnormal = (x: number) => x !== 0 && Math.abs(x) < MIN_NORMAL_F32;

/**
 * A trained-like Adam state: "silent" weights (gradient exactly 0 every step) whose first
 * moments are subnormal (among them 1–4·2⁻¹⁴⁹, which m·0.9 rounds back to themselves) or just
 * above 2⁻¹²⁶ (one step takes them below), some second moments subnormal too, and ordinary
 * weights with normal moments and gradients. 66 floats: the wasm kernel takes 64, the
 * JavaScript tail 2 (both must flush).
 */
function subnormalState() {
  const n = 66, r = values(3 * n, 42);
  const m = new Float32Array(n), v = new Float32Array(n), silent: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const sign = r[i] < 0 ? -1 : 1;
    silent.push(i % 3 !== 2);
    if (i % 3 === 0) m[i] = sign * ((i % 12) / 3 + 1) * 2 ** -149; // 1..4 · 2⁻¹⁴⁹: fixed points
    else if (i % 3 === 1) m[i] = sign * (1 + Math.abs(r[n + i]) / 8) * MIN_NORMAL_F32; // decays in
    else m[i] = r[n + i] * 1e-3; // ordinary
    v[i] = i % 6 === 0
      ? Math.ceil(Math.abs(r[2 * n + i]) * 2 ** 20) * 2 ** -149
      : 1e-8 + Math.abs(r[2 * n + i]) * 1e-6;
  }
  m[64] = 3 * 2 ** -149;
  m[65] = -1.01 * MIN_NORMAL_F32;
  silent[64] = silent[65] = true;
  return { n, m, v, silent, w: values(n, 43) };
}

/** `steps` Adam steps from the trained-like state on wasm; the moments after each step. */
async function fromSubnormalState(make: () => tf.Optimizer, steps: number) {
  await useBackend("wasm");
  const { n, m, v, silent, w } = subnormalState();
  const name = `adam_test_subnormal_${run++}`;
  const weight = tf.variable(tf.tensor1d(w), true, name);
  const opt = make();
  await opt.setWeights([
    { name: "iter", tensor: tf.scalar(1000) },
    { name: `${name}/m`, tensor: tf.tensor1d(m) },
    { name: `${name}/v`, tensor: tf.tensor1d(v) },
  ]);
  const moments: { m: Float32Array; v: Float32Array }[] = [];
  for (let s = 0; s < steps; s++) {
    const g = values(n, 200 + s, -1e-3, 1e-3).map((x, i) => silent[i] ? 0 : x);
    const grad = tf.tensor1d(g);
    opt.applyGradients([{ name, tensor: grad }]);
    grad.dispose();
    const state = await opt.getWeights();
    moments.push({
      m: state[1].tensor.dataSync() as Float32Array,
      v: state[2].tensor.dataSync() as Float32Array,
    });
  }
  const weights = weight.dataSync() as Float32Array;
  opt.dispose();
  weight.dispose();
  return { moments, weights };
}

Deno.test("fused Adam stores no subnormal moment; other moments and weights are stock Adam's bit for bit", async () => {
  const steps = 5;
  const fused = await fromSubnormalState(() => adam(1e-3), steps);
  const stock = await fromSubnormalState(() => tf.train.adam(1e-3), steps);
  const { m: m0 } = subnormalState();
  let flushed = 0;
  for (let s = 0; s < steps; s++) {
    for (const k of ["m", "v"] as const) {
      const ours = fused.moments[s][k], theirs = stock.moments[s][k];
      ours.forEach((x, i) => {
        assert.ok(!subnormal(x), `step ${s + 1}: fused ${k}[${i}] = ${x} is subnormal`);
        if (subnormal(theirs[i])) {
          // Flushed: a zero where stock Adam keeps the subnormal (its sign is IEEE's from then
          // on: −0 when the flush happens, and −0·0.9 + 0·0.1 is +0 a step later).
          assert.ok(x === 0, `step ${s + 1}: ${k}[${i}] = ${x}, stock ${theirs[i]}`);
          flushed++;
        } else assert.equal(x, theirs[i], `step ${s + 1}: ${k}[${i}] differs from stock Adam`);
      });
    }
  }
  // The mechanism: with IEEE arithmetic the fixed points 1..4·2⁻¹⁴⁹ never leave (m·0.9 rounds
  // back to m), and the moments just above 2⁻¹²⁶ decay into the subnormal range.
  const last = stock.moments[steps - 1].m;
  for (let i = 0; i < 64; i += 3) {
    assert.equal(last[i], m0[i], `stock m[${i}] left its fixed point`);
  }
  assert.equal(last[64], m0[64]);
  for (let i = 1; i < 64; i += 3) assert.ok(subnormal(last[i]), `stock m[${i}] = ${last[i]}`);
  assert.ok(subnormal(last[65]));
  assert.ok(flushed >= 5 * 45, `only ${flushed} moments were flushed`);
  // The weights: a flushed moment changes a step by < lr·2⁻¹²⁶/((1 − β1)·ε) ≈ 1.2e-33, so
  // every weight above 2e-26 in magnitude is stock's bit for bit, silent ones included; the
  // weight that starts at 0 (element 0, silent) shows the bound: stock Adam moves it by a
  // subnormal step, the fused one leaves it at 0.
  const BOUND = 1e-3 * MIN_NORMAL_F32 / (0.1 * 1e-7);
  fused.weights.forEach((x, i) => {
    const y = stock.weights[i];
    if (Math.abs(y) >= 2e-26) assert.equal(x, y, `weight ${i}`);
    else assert.ok(Math.abs(x - y) <= BOUND, `weight ${i}: ${x} vs ${y}`);
  });
  assert.ok(fused.weights[0] === 0 && subnormal(stock.weights[0]));
  assert.notDeepEqual(fused.weights, subnormalState().w);
});

Deno.test("with flushSubnormals off, fused Adam keeps stock Adam's subnormals bit for bit", async () => {
  const ieee = await fromSubnormalState(() => {
    const opt = new FusedAdam(1e-3, 0.9, 0.999);
    opt.flushSubnormals = false;
    return opt;
  }, 3);
  const stock = await fromSubnormalState(() => tf.train.adam(1e-3), 3);
  assert.deepEqual(ieee, stock);
});

/**
 * litconv's fused Adam (accel/adam.ts) takes the same steps as TF.js's own Adam: bit for bit
 * against stock Adam on wasm (the fused loop rounds to float32 exactly where TF.js's ops do,
 * in the same order, and ×, +, ÷, √ are correctly rounded), and its JavaScript twin bit for
 * bit against stock Adam on the cpu backend.
 *
 * The one deliberate difference, subnormal moments stored as zeros, is pinned down from a
 * state full of them, starting at t = 1 (where a flushed moment can change a step the most)
 * and at t = 1001: which moments differ, that weights above 2⁻⁸⁵ do not and smaller ones by
 * no more than the derived bound (and that 2e-26 and 2⁻⁸⁵ itself can), that a lane whose
 * gradient returns after a flush is stock Adam's again, and that one whose tiny gradient is
 * flushed every step stays within 2⁻¹²⁶/(1 − β1) of it. The last test trains the reference
 * model for 100 real steps with flushing on and off and compares the two.
 *
 * One file (about 520 lines) for one contract: the tests share the states they build.
 */
import assert from "node:assert/strict";
import { tf, useBackend } from "../accel/backend.ts";
import {
  adam,
  type AdamConstants,
  FLUSH_EXACT_ABOVE,
  flushStepBound,
  FusedAdam,
  fusedAdamStep,
  MIN_NORMAL_F32,
} from "../accel/adam.ts";
import { loadMnist, take } from "../data/mnist.ts";
import { Rng } from "../kernels/rng.ts";
import { trainEpoch } from "../training/loop.ts";
import { REFERENCE_DIR } from "../training/runs.ts";
import { loadModel } from "../training/save_model.ts";

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

/**
 * `fusedAdamStep`, the JavaScript twin of the wasm kernel (it finishes each weight's last
 * size % 4 floats), replaying `train`'s steps from the same weights and gradients.
 */
function replayTwin(learningRate: number, beta1: number, beta2: number, epsilon: number) {
  const f = Math.fround;
  const weights = SHAPES.map((s, i) => values(size(s), 10 + i));
  const moments = SHAPES.map((s) => [new Float32Array(size(s)), new Float32Array(size(s))]);
  // TF.js keeps β1ᵗ and β2ᵗ in float32 variables, multiplied by β once per step.
  let acc1 = f(beta1), acc2 = f(beta2);
  for (let step = 0; step < STEPS; step++) {
    const k: AdamConstants = {
      b1: f(beta1),
      b2: f(beta2),
      oneMinusB1: f(1 - beta1),
      oneMinusB2: f(1 - beta2),
      c1: f(1 - acc1),
      c2: f(1 - acc2),
      eps: f(epsilon),
      minusLr: f(-learningRate),
    };
    SHAPES.forEach((s, i) => {
      const g = values(size(s), 100 * step + i, -step, step + 0.5);
      fusedAdamStep(weights[i], moments[i][0], moments[i][1], g, k);
    });
    [acc1, acc2] = [f(acc1 * f(beta1)), f(acc2 * f(beta2))];
  }
  return { weights, moments: [...moments.map((m) => m[0]), ...moments.map((m) => m[1])] };
}

Deno.test("fused Adam's JavaScript twin takes stock Adam's steps on cpu, bit for bit", async () => {
  const stock = await train("cpu", () => tf.train.adam(1e-2, 0.8, 0.99));
  const twin = replayTwin(1e-2, 0.8, 0.99, tf.backend().epsilon());
  twin.weights.forEach((w, i) => assert.deepEqual(w, stock.weights[i], `weight ${i}`));
  twin.moments.forEach((m, i) => assert.deepEqual(m, stock.moments[i], `moment ${i}`));
  assert.notDeepEqual(twin.weights[0], values(size(SHAPES[0]), 10));
  // On cpu FusedAdam hands every step to the stock optimizer: the same result again.
  const fused = await train("cpu", () => new FusedAdam(1e-2, 0.8, 0.99));
  assert.deepEqual(fused.weights, stock.weights);
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

/** The float32 next to `x` (> 0) away from zero. */
function nextUp(x: number): number {
  const bits = new Uint32Array(new Float32Array([x]).buffer);
  bits[0]++;
  return new Float32Array(bits.buffer)[0];
}

/** The gap from float32 |x| to the next float32 away from zero. */
const ulp = (x: number) => nextUp(Math.abs(x)) - Math.abs(x);

/** A gradient whose (1 − β1)·g = 0.95·2⁻¹²⁶ is subnormal: the fused Adam flushes it each step. */
const TINY = 9.5 * MIN_NORMAL_F32;
/** Steps from the subnormal state; a resumed lane's gradient is 0 for the first RESUME. */
const SUBNORMAL_STEPS = 6, RESUME = 3;
/** Silent lanes (m just above 2⁻¹²⁶, flushed at step 1, v = 0) with chosen weights. */
const EDGE = {
  /** Can differ at t = 1: the flushed step (up to ~1.16e-33) exceeds half the gap below. */
  moves: new Map([[1, 2 ** -85], [7, 2e-26]]),
  /** Cannot: half the gap on the side they move to is 2⁻¹⁰⁹ ≈ 1.5e-33. */
  stays: new Map([[13, nextUp(2 ** -85)], [19, -(2 ** -85)]]),
};

/**
 * A trained-like Adam state, lane by lane (i % 6): 0 "stuck", silent (gradient exactly 0
 * every step) with m at 1–4·2⁻¹⁴⁹, which m·0.9 rounds back to itself; 1 "decaying", silent
 * with m just above 2⁻¹²⁶ (a step or two takes it below; the EDGE lanes among them); 2
 * ordinary; 3 "resumed", like decaying but its gradient returns after RESUME steps; 4 silent
 * with m normal and v subnormal; 5 "tiny", from m = v = 0 a gradient of TINY every step,
 * whose (1 − β1)·g is subnormal. 66 floats: the wasm kernel takes 64, the JavaScript tail 2
 * (a stuck and a decaying lane; both must flush).
 */
function subnormalState() {
  const n = 66, r = values(3 * n, 42);
  const w = values(n, 43), m = new Float32Array(n), v = new Float32Array(n);
  const kind = (i: number) => i === 64 ? 0 : i === 65 ? 1 : i % 6;
  for (let i = 0; i < n; i++) {
    const sign = r[i] < 0 ? -1 : 1;
    const bigV = 1e-8 + Math.abs(r[2 * n + i]) * 1e-6;
    const smallV = Math.ceil(Math.abs(r[2 * n + i]) * 2 ** 20) * 2 ** -149;
    switch (kind(i)) {
      case 0:
        m[i] = sign * (i % 4 + 1) * 2 ** -149;
        v[i] = i % 2 ? bigV : smallV;
        break;
      case 1:
      case 3:
        m[i] = sign * (1 + Math.abs(r[n + i]) / 8) * MIN_NORMAL_F32;
        v[i] = bigV;
        break;
      case 2:
        m[i] = r[n + i] * 1e-3;
        v[i] = bigV;
        break;
      case 4:
        m[i] = r[n + i] * 1e-3;
        v[i] = smallV;
        break;
      case 5:
        m[i] = v[i] = 0;
    }
  }
  for (const [i, weight] of [...EDGE.moves, ...EDGE.stays]) {
    [w[i], m[i], v[i]] = [weight, 1.1 * MIN_NORMAL_F32, 0];
  }
  w[3] = 0; // a resumed lane from 0: stock Adam nudges it while silent, ours does not
  /** The gradient of each lane at step `s` (from 0). */
  const gradient = (s: number) =>
    values(n, 200 + s, -1e-3, 1e-3).map((x, i) =>
      kind(i) === 2 || (kind(i) === 3 && s >= RESUME) ? x : kind(i) === 5 ? TINY : 0
    );
  return { n, w, m, v, kind, gradient };
}

/**
 * SUBNORMAL_STEPS Adam steps on wasm from the trained-like state, which setWeights puts at
 * iteration `iteration` (the next step is t = iteration + 1); the state after each step.
 */
async function fromSubnormalState(make: () => tf.Optimizer, iteration: number) {
  await useBackend("wasm");
  const { w, m, v, gradient } = subnormalState();
  const name = `adam_test_subnormal_${run++}`;
  const weight = tf.variable(tf.tensor1d(w), true, name);
  const opt = make();
  await opt.setWeights([
    { name: "iter", tensor: tf.scalar(iteration) },
    { name: `${name}/m`, tensor: tf.tensor1d(m) },
    { name: `${name}/v`, tensor: tf.tensor1d(v) },
  ]);
  const states: { w: Float32Array; m: Float32Array; v: Float32Array }[] = [];
  for (let s = 0; s < SUBNORMAL_STEPS; s++) {
    const grad = tf.tensor1d(gradient(s));
    opt.applyGradients([{ name, tensor: grad }]);
    grad.dispose();
    const state = await opt.getWeights();
    states.push({
      w: weight.dataSync() as Float32Array,
      m: state[1].tensor.dataSync() as Float32Array,
      v: state[2].tensor.dataSync() as Float32Array,
    });
  }
  opt.dispose();
  weight.dispose();
  return states;
}

for (const iteration of [0, 1000]) {
  Deno.test(`from subnormal moments at t = ${iteration + 1}, fused Adam flushes them and moves no weight above 2⁻⁸⁵`, async () => {
    const fused = await fromSubnormalState(() => adam(1e-3), iteration);
    const stock = await fromSubnormalState(() => tf.train.adam(1e-3), iteration);
    const { w: w0, m: m0, kind } = subnormalState();
    const bound = flushStepBound(1e-3, 0.9, 1e-7);
    // The threshold follows from the bound: half an ulp just above 2⁻⁸⁵ exceeds it, just below not.
    assert.ok(2 ** -109 > bound && 2 ** -110 < bound);
    let flushed = 0;
    for (let s = 0; s < SUBNORMAL_STEPS; s++) {
      const ours = fused[s], theirs = stock[s], at = `step ${s + 1}`;
      for (const k of ["m", "v"] as const) {
        ours[k].forEach((x, i) => {
          assert.ok(!subnormal(x), `${at}: fused ${k}[${i}] = ${x} is subnormal`);
          const y = theirs[k][i];
          if (subnormal(y)) {
            // Flushed: a zero where stock Adam keeps the subnormal (its sign is IEEE's from
            // then on: −0 when the flush happens, and −0·0.9 + 0·0.1 is +0 a step later).
            assert.ok(x === 0, `${at}: ${k}[${i}] = ${x}, stock ${y}`);
            flushed++;
          } else if (kind(i) === 5 && k === "m") {
            // Flushed every step, while stock Adam's m grows normal: apart by the sum of the
            // flushes so far, each below 2⁻¹²⁶ and shrunk by β1 a step.
            const apart = MIN_NORMAL_F32 * (1 - 0.9 ** (s + 1)) / (1 - 0.9);
            assert.ok(x === 0 && y > 0 && y < apart, `${at}: tiny m[${i}] = ${x}, stock ${y}`);
          } else assert.equal(x, y, `${at}: ${k}[${i}] differs from stock Adam`);
        });
      }
      ours.w.forEach((x, i) => {
        const y = theirs.w[i];
        if (Math.abs(w0[i]) > FLUSH_EXACT_ABOVE) assert.equal(x, y, `${at}: weight ${i}`);
        // Each step stock Adam moves a small weight by at most twice its step (rounding).
        else assert.ok(Math.abs(x - y) <= 2 * (s + 1) * bound, `${at}: weight ${i}: ${x} vs ${y}`);
      });
      // A resumed lane is stock Adam's again once its gradient is back, moments and weight,
      // the one that started at 0 included.
      if (s >= RESUME) {
        for (let i = 0; i < ours.w.length; i++) {
          if (kind(i) !== 3) continue;
          assert.equal(ours.m[i], theirs.m[i], `${at}: resumed m[${i}]`);
          assert.equal(ours.w[i], theirs.w[i], `${at}: resumed weight ${i}`);
        }
      }
    }
    // The bound is tight at t = 1: weights just at or below 2⁻⁸⁵ do differ. By t = 1001 the
    // bias correction 1 − β1ᵗ has grown tenfold and even those stay.
    for (const i of EDGE.moves.keys()) {
      const [x, y] = [fused[0].w[i], stock[0].w[i]];
      if (iteration === 0) assert.ok(x !== y && x === w0[i], `weight ${i} = ${w0[i]} did not move`);
      else assert.equal(x, y);
    }
    for (const i of EDGE.stays.keys()) assert.equal(fused[0].w[i], stock[0].w[i]);
    // The resumed lane from 0 was nudged by stock Adam while silent, by a subnormal-sized step.
    assert.ok(fused[RESUME - 1].w[3] === 0 && stock[RESUME - 1].w[3] !== 0);
    // The mechanism: with IEEE arithmetic the fixed points 1..4·2⁻¹⁴⁹ never leave (m·0.9 rounds
    // back to m), and the moments just above 2⁻¹²⁶ decay into the subnormal range.
    const last = stock[SUBNORMAL_STEPS - 1].m;
    last.forEach((x, i) => {
      if (kind(i) === 0) assert.equal(x, m0[i], `stock m[${i}] left its fixed point`);
      if (kind(i) === 1) assert.ok(subnormal(x), `stock m[${i}] = ${x}`);
      if (kind(i) === 5) assert.ok(x > MIN_NORMAL_F32, `stock tiny m[${i}] = ${x}`);
    });
    assert.ok(flushed >= SUBNORMAL_STEPS * 30, `only ${flushed} moments were flushed`);
  });
}

Deno.test("with flushSubnormals off, fused Adam keeps stock Adam's subnormals bit for bit", async () => {
  for (const iteration of [0, 1000]) {
    const ieee = await fromSubnormalState(() => {
      const opt = new FusedAdam(1e-3, 0.9, 0.999);
      opt.flushSubnormals = false;
      return opt;
    }, iteration);
    const stock = await fromSubnormalState(() => tf.train.adam(1e-3), iteration);
    assert.deepEqual(ieee, stock);
  }
});

/** Every value of `tensors`, flat, as float32 arrays (read now: later steps free them). */
const read = (tensors: tf.Tensor[]) => tensors.map((t) => t.dataSync() as Float32Array);

Deno.test("100 real training steps from the trained reference model: flushing on and off agree within the bound", async () => {
  await useBackend("wasm");
  const train = loadMnist().train;
  const model = await loadModel(`${REFERENCE_DIR}/lecture`);
  // A trained state with subnormal moments, in seconds rather than an epoch: 10 real steps
  // from a fresh Adam (none yet), then 100 steps in which no gradient arrives, IEEE.
  const ieee = new FusedAdam(1e-3, 0.9, 0.999);
  ieee.flushSubnormals = false;
  await trainEpoch(model, ieee, take(train, 640), new Rng(1), 64);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const zeros = variables.map((v) => ({ name: v.name, tensor: tf.zerosLike(v) }));
  for (let s = 0; s < 100; s++) ieee.applyGradients(zeros);
  tf.dispose(zeros.map((z) => z.tensor));
  const startWeights = model.getWeights().map((w) => w.clone());
  const startState = (await ieee.getWeights()).map((w) => ({ ...w, tensor: w.tensor.clone() }));
  const countSubnormal = (arrays: Float32Array[]) =>
    arrays.reduce((n, a) => n + a.filter(subnormal).length, 0);
  const subnormalAtStart = countSubnormal(read(startState.slice(1).map((w) => w.tensor)));

  /**
   * 100 steps of the lecture's loop (batch 64, real MNIST, seeded shuffle and dropout) from
   * that state. Both runs restore it the same way: a restored Adam computes β1ᵗ with one
   * pow, a running one by repeated products, and the two differ in the last bit.
   */
  const steps = async (flushSubnormals: boolean) => {
    model.setWeights(startWeights);
    const optimizer = new FusedAdam(1e-3, 0.9, 0.999);
    optimizer.flushSubnormals = flushSubnormals;
    await optimizer.setWeights(startState);
    const losses: number[] = [];
    await trainEpoch(model, optimizer, take(train, 6400), new Rng(2), 64, (r) => {
      losses.push(r.loss);
    });
    const state = await optimizer.getWeights();
    const outcome = {
      losses,
      weights: read(model.getWeights()),
      moments: read(state.slice(1).map((w) => w.tensor)),
    };
    optimizer.dispose();
    return outcome;
  };
  const off = await steps(false);
  const on = await steps(true);

  // The comparison covers flushes: the start held subnormal moments, and IEEE Adam still
  // holds some after the 100 steps where the flushing one holds none.
  assert.ok(subnormalAtStart > 10_000, `only ${subnormalAtStart} subnormal moments at the start`);
  assert.ok(countSubnormal(off.moments) > 0, "IEEE Adam ended with no subnormal moment");
  assert.equal(countSubnormal(on.moments), 0);
  const bound = 2 * 100 * flushStepBound(1e-3, 0.9, 1e-7);
  on.weights.forEach((w, t) =>
    w.forEach((x, i) => {
      const y = off.weights[t][i];
      if (Math.max(Math.abs(x), Math.abs(y)) > FLUSH_EXACT_ABOVE) {
        assert.equal(x, y, `weight ${t}[${i}]`);
      } else assert.ok(Math.abs(x - y) <= bound, `weight ${t}[${i}]: ${x} vs ${y}`);
    })
  );
  // Same weights, same gradients: the moments differ only where IEEE Adam's are subnormal,
  // or where tiny gradients (below ~2e-30) came back: by less than 2⁻¹²⁶/(1 − β) (see
  // FLUSH_EXACT_ABOVE), or by an ulp where that difference straddled a rounding boundary.
  let apart = 0, anUlp = 0;
  const firstMoments = on.moments.length / 2;
  on.moments.forEach((m, t) =>
    m.forEach((x, i) => {
      const y = off.moments[t][i];
      if (subnormal(y)) assert.ok(x === 0, `moment ${t}[${i}]: ${x}, IEEE ${y}`);
      else if (x !== y) {
        const flushes = MIN_NORMAL_F32 / (1 - (t < firstMoments ? 0.9 : 0.999));
        const d = Math.abs(x - y);
        assert.ok(d <= Math.max(flushes, ulp(y)), `moment ${t}[${i}]: ${x} vs ${y}`);
        apart++;
        if (d > flushes) anUlp++;
      }
    })
  );
  console.log(
    `${subnormalAtStart} subnormal moments at the start; at the end ${apart} normal ones ` +
      `apart, ${anUlp} of them by an ulp beyond 2⁻¹²⁶/(1 − β)`,
  );
  assert.deepEqual(on.losses, off.losses);
  ieee.dispose();
  model.dispose();
  tf.dispose([...startWeights, ...startState.map((w) => w.tensor)]);
});

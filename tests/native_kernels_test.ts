/**
 * The native (OpenBLAS) kernels agree with the cpu backend (the suite in
 * `kernel_agreement.ts`, run here with them switched on), actually take the calls of a
 * training step and of inference, and give way to the wasm kernels when OpenBLAS is off:
 * `LITCONV_NATIVE=0` or a missing library, both tried in a child process, whose results
 * must match this process's.
 *
 * On a machine without OpenBLAS (or oneDNN) the tests that need it are ignored, saying so,
 * and fail under `LITCONV_REQUIRE=all`; the tests of the fallback and its stated reason run
 * everywhere.
 */
import assert from "node:assert/strict";
import { tf, useBackend } from "../accel/backend.ts";
import { isLitconvKernel } from "../accel/wasm_training_kernels.ts";
import {
  blasStatus,
  DNNL_ONLY_KERNELS,
  NATIVE_KERNELS,
  nativeCalls,
  nativeReport,
  resetNativeCalls,
  setNativeKernels,
} from "../accel/native/index.ts";
import { dnnlStatus } from "../accel/native/dnnl.ts";
import { setDnnl } from "../accel/native/state.ts";
import {
  betterCore,
  coreForFlags,
  cpuFlags,
  productInFloat64,
  sgemm,
} from "../accel/native/blas.ts";
import { gemm } from "../accel/native/gemm.ts";
import { keptPatches } from "../accel/native/patch_cache.ts";
import { buildPatches, byTap, type ConvGeometry, im2col } from "../accel/native/im2col.ts";
import { buildModel } from "../training/model.ts";
import { adam } from "../accel/adam.ts";
import { randomBatch, trainStep } from "../bench/step.ts";
import { agreementTests, on, UNIT_ROUNDOFF, values } from "./kernel_agreement.ts";
import { needs, onednnMissing, openblasMissing } from "./requirements.ts";

const native = blasStatus().available;
const dnnl = native && dnnlStatus().available;
const blasMissing = await openblasMissing();
const dnnlMissing = blasMissing ?? await onednnMissing();

// Both ways of running a convolution natively: oneDNN, and im2col + OpenBLAS.
agreementTests("native (oneDNN)", () => {
  setNativeKernels(true);
  setDnnl(true);
}, dnnlMissing);
agreementTests("native (im2col + OpenBLAS)", () => {
  setNativeKernels(true);
  setDnnl(false);
}, blasMissing);

Deno.test("a training step and a prediction run every native kernel, or say why not", async () => {
  setNativeKernels(true);
  setDnnl(true);
  await useBackend("wasm");
  for (const name of Object.keys(NATIVE_KERNELS)) {
    assert.ok(isLitconvKernel(name, "native"), `${name}: no native kernel registered`);
  }
  const model = buildModel("lecture", 3);
  const optimizer = adam(1e-3);
  const { x, y } = randomBatch(4, 5);
  resetNativeCalls();
  await trainStep(model, optimizer, x, y);
  // The backward pass used (and let go) the patches its forward pass kept.
  const keptAfterStep = keptPatches();
  tf.tidy(() => model.predict(x) as tf.Tensor).dispose();
  const calls = nativeCalls();
  const report = nativeReport();
  tf.dispose([x, y]);
  optimizer.dispose();
  model.dispose();
  if (native) {
    // conv1's input gradient is never asked for (x is data), conv2's is.
    for (const name of Object.keys(NATIVE_KERNELS)) {
      if (!dnnl && DNNL_ONLY_KERNELS.includes(name)) continue;
      assert.ok((calls[name] ?? 0) > 0, `${name} took no call: ${JSON.stringify(calls)}`);
    }
    assert.match(report.kernels, /^native: OpenBLAS \d+\.\d+/);
    assert.equal(keptAfterStep, 0, "patches kept after the backward pass");
    const convolutions = ["Conv2D", "FusedConv2D", "Conv2DBackpropFilter", "Conv2DBackpropInput"]
      .reduce((sum, name) => sum + (calls[name] ?? 0), 0);
    if (dnnl) {
      assert.equal(
        calls.oneDNN,
        convolutions,
        `not every convolution ran on oneDNN: ${JSON.stringify(calls)}`,
      );
      assert.match(report.kernels, /; convolutions on oneDNN 2\.\d+\.\d+$/);
      // The three relus' gradients (conv1, conv2, the dense layer) took one kernel each.
      assert.equal(calls.LitconvReluGrad, 3, JSON.stringify(calls));
    } else {
      assert.equal(calls.oneDNN, undefined);
      assert.match(report.convolutionReason ?? "", /oneDNN|LITCONV_DNNL=0/);
    }
  } else {
    assert.deepEqual(calls, {});
    assert.equal(report.kernels, "wasm");
    assert.ok(report.reason && report.reason.length > 0, "no reason given");
  }
});

/** A convolution, its two gradients and a product; printed as JSON by the child process. */
const PROBE = `
import { tf, useBackend } from "${new URL("../accel/backend.ts", import.meta.url)}";
import { blasStatus, nativeReport } from "${new URL(
  "../accel/native/index.ts",
  import.meta.url,
)}";
import { values } from "${new URL("./kernel_agreement.ts", import.meta.url)}";
await useBackend("wasm");
const x = tf.tensor4d(values(2 * 8 * 8 * 3, 31), [2, 8, 8, 3]);
const w = tf.tensor4d(values(3 * 3 * 3 * 4, 32), [3, 3, 3, 4]);
const [dx, dw] = tf.grads((a, b) => tf.conv2d(a, b, 1, "same").square().sum())([x, w]);
const p = tf.matMul(x.reshape([16, 24]), x.reshape([16, 24]), true, false);
const out = { report: nativeReport(), blas: blasStatus(), data: [] };
for (const t of [dx, dw, p]) out.data.push(Array.from(await t.data()));
console.log(JSON.stringify(out));
`;

/**
 * Each probe output's Σ|term|, its "mass": the probe's own computation on |x| and |w|, where
 * no term is negative (|dy| = 2|y| ≤ 2·conv(|x|, |w|), so the masses bound dx's and dW's too).
 */
async function probeMasses(): Promise<Float32Array[]> {
  return await on("cpu", () =>
    tf.tidy(() => {
      const x = tf.tensor4d(values(2 * 8 * 8 * 3, 31), [2, 8, 8, 3]).abs();
      const w = tf.tensor4d(values(3 * 3 * 3 * 4, 32), [3, 3, 3, 4]).abs();
      const [dx, dw] = tf.grads((a, b) =>
        tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "same").square().sum()
      )([x, w]);
      return [dx, dw, tf.matMul(x.reshape([16, 24]), x.reshape([16, 24]), true, false)];
    }));
}

/**
 * Roundings on the longest path to each probe output, for Higham's γ_K = K·u/(1 − K·u): y is
 * 27 products summed (28), dy = 2y is exact, then dx sums ≤ 36 products of dy and w (+37) and
 * dW sums 128 products of x and dy (+129); the product sums 16 (17). Any summation order,
 * blocked or fused, stays within γ_K·mass of the exact value (Higham §3.1; oneDNN and our
 * kernels convolve directly, no Winograd), so two runs differ by at most 2·γ_K·mass.
 */
const PROBE_ROUNDINGS = [28 + 37, 28 + 129, 17];
const masses = await probeMasses();

/** Asserts two probe results agree within their derived bounds, naming the worst entry. */
function assertProbesAgree(a: number[][], b: number[][], what: string) {
  for (const [i, name] of ["dx", "dW", "product"].entries()) {
    const K = PROBE_ROUNDINGS[i], gamma = K * UNIT_ROUNDOFF / (1 - K * UNIT_ROUNDOFF);
    for (let j = 0; j < a[i].length; j++) {
      const bound = 2 * gamma * masses[i][j];
      const d = Math.abs(a[i][j] - b[i][j]);
      assert.ok(d <= bound, `${name}[${j}]: ${what} differ by ${d} > ${bound}`);
    }
  }
}

async function probe(env: Record<string, string>) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", PROBE],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.ok(out.success, `child failed: ${stderr}`);
  return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!) as {
    report: {
      kernels: string;
      reason?: string;
      convolutionReason?: string;
      calls: Record<string, number>;
    };
    blas: { available: boolean; core?: string; coreNote?: string };
    data: number[][];
  };
}

Deno.test("LITCONV_NATIVE=0 and a missing OpenBLAS fall back to wasm with the reason, same results", async () => {
  const off = await probe({ LITCONV_NATIVE: "0" });
  assert.equal(off.report.kernels, "wasm");
  assert.equal(off.report.reason, "disabled by LITCONV_NATIVE=0");
  assert.deepEqual(off.report.calls, {});
  const missing = await probe({
    LITCONV_NATIVE: "1",
    LITCONV_BLAS: "/nonexistent/libopenblas.so.0",
  });
  assert.equal(missing.report.kernels, "wasm");
  assert.match(missing.report.reason ?? "", /OpenBLAS not found.*nonexistent/);
  const here = await probe({});
  assert.equal(here.report.kernels === "wasm", !native);
  if (native) assert.ok((here.report.calls.Conv2D ?? 0) > 0, JSON.stringify(here.report));
  // Same numbers up to float32 summation order.
  for (const other of [off, missing]) assertProbesAgree(here.data, other.data, "here and wasm");
  assert.ok(here.data[1].some((v) => v !== 0), "dW is all zeros");
});

Deno.test(needs(blasMissing, {
  name: "LITCONV_DNNL=0 and a missing oneDNN run convolutions as im2col + OpenBLAS, same results",
  fn: async () => {
    const here = await probe({});
    const off = await probe({ LITCONV_DNNL: "0" });
    const missing = await probe({ LITCONV_DNNL: "/nonexistent/libdnnl.so.2" });
    assert.equal(here.report.kernels.endsWith("convolutions as im2col + OpenBLAS"), !dnnl);
    if (dnnl) assert.ok((here.report.calls.oneDNN ?? 0) > 0, JSON.stringify(here.report));
    assert.equal(off.report.convolutionReason, "disabled by LITCONV_DNNL=0");
    assert.match(missing.report.convolutionReason ?? "", /oneDNN not found.*nonexistent/);
    for (const other of [off, missing]) {
      assert.match(
        other.report.kernels,
        /^native: OpenBLAS .*; convolutions as im2col \+ OpenBLAS$/,
      );
      assert.equal(other.report.calls.oneDNN, undefined);
      assert.ok((other.report.calls.Conv2D ?? 0) > 0, JSON.stringify(other.report));
      assertProbesAgree(here.data, other.data, "oneDNN and im2col + OpenBLAS");
    }
  },
}));

const best = coreForFlags(cpuFlags());
Deno.test(
  needs(
    blasMissing ??
      (best === null
        ? "AVX missing (this CPU has no better core than OpenBLAS's generic one)"
        : undefined),
    {
      name:
        "OpenBLAS on a generic core is loaded again with the CPU's best, checked; keep keeps it",
      fn: async () => {
        // "Prescott" is what OpenBLAS 0.3.21 falls back to on CPUs it does not know (issue 17);
        // OPENBLAS_CORETYPE puts it there on any x86-64. Convolutions on OpenBLAS, so it runs them.
        const env = { OPENBLAS_CORETYPE: "Prescott", LITCONV_DNNL: "0" };
        const [here, picked, kept] = await Promise.all([
          probe({ LITCONV_DNNL: "0" }),
          probe(env),
          probe({ ...env, LITCONV_BLAS_CORE: "keep" }),
        ]);
        assert.equal(picked.blas.core, best);
        assert.match(
          picked.blas.coreNote ?? "",
          /chose Prescott; .* from the CPU's flags, products checked/,
        );
        assert.match(picked.report.kernels, new RegExp(`OpenBLAS .*${best}`));
        assert.equal(kept.blas.core, "Prescott");
        assert.equal(kept.blas.coreNote, undefined);
        for (const other of [picked, kept]) {
          assertProbesAgree(here.data, other.data, `the best core and ${other.blas.core}`);
        }
        assert.equal(betterCore("Prescott", new Set()), null); // no flags known: no switch
        assert.equal(betterCore("Haswell", new Set(["avx512f", "avx512cd", "avx512bw"])), null);
      },
    },
  ),
);

/** Higham's γ_K = K·u/(1 − K·u): a float32 result after K roundings is within γ_K·Σ|terms|. */
const gamma = (K: number) => K * UNIT_ROUNDOFF / (1 - K * UNIT_ROUNDOFF);

Deno.test(needs(blasMissing, {
  name: "sgemm: every transpose, α and β, against a float64 loop",
  fn: () => {
    const [M, N, K] = [5, 7, 9];
    for (const tA of [false, true]) {
      for (const tB of [false, true]) {
        const a = values(M * K, 41), b = values(K * N, 42), c = values(M * N, 43);
        // α = 2, β = 0.5: scaling by a power of two is exact in float64.
        const product = productInFloat64(a, b, { transA: tA, transB: tB, M, N, K });
        const expected = Float64Array.from(c, (v, e) => 2 * product.exact[e] + 0.5 * v);
        const mass = Float64Array.from(c, (v, e) => 2 * product.mass[e] + Math.abs(0.5 * v));
        sgemm(tA, tB, M, N, K, a, b, c, 0.5, 2);
        // K products, their sum, α, β·c and the last add: K + 3 roundings at most.
        c.forEach((v, i) => {
          const bound = gamma(K + 3) * mass[i];
          assert.ok(
            Math.abs(v - expected[i]) <= bound,
            `tA ${tA} tB ${tB} [${i}]: ${v} vs ${expected[i]}, bound ${bound}`,
          );
        });
      }
    }
  },
}));

Deno.test("sgemm without OpenBLAS is a clear error (LITCONV_NATIVE=0, in a child process)", async () => {
  const blas = new URL("../accel/native/blas.ts", import.meta.url);
  const code = `import { sgemm } from "${blas}";
const z = new Float32Array(1);
try { sgemm(false, false, 1, 1, 1, z, z, z); console.log("it ran"); }
catch (e) { console.log((e as Error).message); }`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", code],
    env: { LITCONV_NATIVE: "0" },
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  assert.match(new TextDecoder().decode(out.stdout), /without OpenBLAS/);
});

Deno.test(needs(blasMissing, {
  name: "gemm (oneDNN's matmul where it runs): every transpose, against a float64 loop",
  fn: () => {
    setDnnl(true);
    const [M, N, K] = [6, 5, 7];
    for (const tA of [false, true]) {
      for (const tB of [false, true]) {
        const a = values(M * K, 51), b = values(K * N, 52), c = new Float32Array(M * N).fill(NaN);
        gemm(tA, tB, M, N, K, a, b, c);
        const { exact, mass } = productInFloat64(a, b, { transA: tA, transB: tB, M, N, K });
        c.forEach((got, e) => {
          const bound = gamma(K) * mass[e]; // K products and their sum
          assert.ok(
            Math.abs(got - exact[e]) <= bound,
            `tA ${tA} tB ${tB} at [${e}]: ${got} vs ${exact[e]}, bound ${bound}`,
          );
        });
      }
    }
  },
}));

Deno.test("patches by tap (one input channel) are im2col's transpose, padding and strides too", () => {
  const geometries: ConvGeometry[] = [
    {
      N: 2,
      H: 7,
      W: 6,
      C: 1,
      oH: 7,
      oW: 6,
      kH: 5,
      kW: 5,
      sH: 1,
      sW: 1,
      dH: 1,
      dW: 1,
      top: 2,
      left: 2,
    },
    {
      N: 1,
      H: 9,
      W: 8,
      C: 1,
      oH: 4,
      oW: 6,
      kH: 3,
      kW: 3,
      sH: 2,
      sW: 1,
      dH: 1,
      dW: 1,
      top: 0,
      left: 0,
    },
    {
      N: 2,
      H: 8,
      W: 5,
      C: 1,
      oH: 4,
      oW: 7,
      kH: 3,
      kW: 2,
      sH: 1,
      sW: 1,
      dH: 2,
      dW: 1,
      top: 0,
      left: 1,
    },
  ];
  for (const g of geometries) {
    assert.ok(byTap(g));
    const x = values(g.N * g.H * g.W, 61);
    const M = g.N * g.oH * g.oW, K = g.kH * g.kW;
    const col = new Float32Array(M * K).fill(NaN), colT = new Float32Array(M * K).fill(NaN);
    im2col(x, g, col);
    buildPatches(x, g, colT);
    for (let r = 0; r < M; r++) {
      for (let k = 0; k < K; k++) {
        assert.equal(colT[k * M + r], col[r * K + k], `${JSON.stringify(g)} at ${r}, ${k}`);
      }
    }
  }
});

Deno.test("a convolution keeps its patches only inside a gradient (for the filter gradient)", async () => {
  setNativeKernels(true);
  setDnnl(false); // oneDNN needs no patches
  await useBackend("wasm");
  const x = tf.tensor4d(values(2 * 6 * 6 * 3, 71), [2, 6, 6, 3]);
  const w = tf.tensor4d(values(3 * 3 * 3 * 2, 72), [3, 3, 3, 2]);
  const before = keptPatches();
  tf.conv2d(x, w, 1, "same").dispose(); // inference: nothing kept
  assert.equal(keptPatches(), before);
  // Forward keeps, backward uses and lets go.
  let during = -1;
  const [dw] = tf.grads((q) => {
    const y = tf.conv2d(x, q as tf.Tensor4D, 1, "same");
    during = keptPatches();
    return y.sum();
  })([w]);
  assert.equal(during, before + (native ? 1 : 0));
  assert.equal(keptPatches(), before);
  assert.ok((await dw.data()).some((v) => v !== 0));
  tf.dispose([x, w, dw]);
  setDnnl(true);
});

// Without OpenBLAS the stock wasm kernels run, whose fused relu makes a NaN 0: this is the
// native kernels' promise, so it needs them.
Deno.test(needs(blasMissing, {
  name:
    "relu, its gradient and a fused relu give cpu's values, NaN and ±∞ included (oneDNN alone would zero a NaN)",
  fn: async () => {
    setNativeKernels(true);
    setDnnl(true);
    const finite = [-1, 2, 0, 3, -0.5, 7, -2, 1e-3];
    const special = [NaN, -1, 2, Infinity, -Infinity, 0, 3, -0.5];
    const dy = [1, 2, 3, 4, 5, 6, 7, 8];
    for (const xs of [finite, special]) {
      const run = () => {
        const x = tf.tensor1d(xs);
        const y = tf.relu(x);
        const dx = tf.grad((a: tf.Tensor) => tf.relu(a))(x, tf.tensor1d(dy));
        // A dense layer's inference: product, bias, relu in one kernel (the native epilogue).
        const fused = tf.fused.matMul({
          a: tf.ones([1, 1]),
          b: x.reshape([1, 8]),
          bias: tf.fill([8], 0.25),
          activation: "relu",
        });
        return [y, dx, fused];
      };
      resetNativeCalls();
      const wasm = await on("wasm", run);
      const calls = nativeCalls();
      const cpu = await on("cpu", run);
      for (const [i, what] of ["relu", "relu gradient", "fused relu"].entries()) {
        assert.deepEqual(Array.from(wasm[i]), Array.from(cpu[i]), `${what} of ${xs}`);
      }
      if (dnnl && xs === finite) {
        assert.ok(calls.Relu > 0 && calls.LitconvReluGrad === 1, JSON.stringify(calls));
      }
      if (xs === special) assert.equal(calls.Relu, undefined, "oneDNN took a relu of NaN");
    }
  },
}));

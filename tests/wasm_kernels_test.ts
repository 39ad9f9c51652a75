/**
 * The training kernels litconv adds to the wasm backend, with the native (OpenBLAS) ones
 * switched off, agree with the cpu backend (the suite is in `kernel_agreement.ts`).
 */
import assert from "node:assert/strict";
import { tf, useBackend } from "../accel/backend.ts";
import { isLitconvKernel, registerWasmTrainingKernels } from "../accel/wasm_training_kernels.ts";
import { wasmThreadsWanted } from "../accel/wasm/threads.ts";
import { setNativeKernels } from "../accel/native/index.ts";
import { getThreadsCount } from "../deps/tfjs_backend_wasm.ts";
import { agreementTests, values } from "./kernel_agreement.ts";
import { heapMemory } from "../accel/wasm/calls.ts";
import { useMaxPoolGradSimd } from "../accel/wasm/max_pool_grad.ts";
import { maxPoolGrad2x2Kernel } from "../accel/wasm/max_pool_grad_simd.ts";

Deno.test("the wasm backend runs litconv's training kernels, and registering twice is harmless", async () => {
  await useBackend("wasm");
  registerWasmTrainingKernels(); // a second call: must not wrap our kernels again
  const kernels = ["Conv2DBackpropFilter", "Conv2DBackpropInput", "BatchMatMul", "MaxPoolGrad"];
  for (const k of [...kernels, "Identity", "_FusedMatMul"]) {
    assert.ok(isLitconvKernel(k), `${k} on wasm is not litconv's`);
  }
  assert.equal(isLitconvKernel("Conv2D"), false);
  // One XNNPACK thread per core (LITCONV_WASM_THREADS can ask for fewer): TF.js alone
  // would start 1 here, so a silent fall-back to one thread fails this on multi-core CI.
  assert.equal(getThreadsCount(), wasmThreadsWanted());
});

Deno.test("a clone on wasm shares its data and outlives the original", async () => {
  await useBackend("wasm");
  const backend = tf.backend();
  const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
  const buffers = backend.numDataIds();
  const y = x.clone();
  assert.equal(backend.numDataIds(), buffers, "the clone copied the data");
  x.dispose();
  assert.deepEqual(Array.from(await y.data()), [1, 2, 3, 4]);
  y.dispose();
  assert.equal(backend.numDataIds(), buffers - 1, "the shared buffer was not freed");
  const s = tf.tensor1d(["a", "b"], "string"); // strings keep the backend's own Identity
  const t = s.clone();
  assert.deepEqual(await t.data(), ["a", "b"]);
  tf.dispose([s, t]);
});

agreementTests("wasm", () => setNativeKernels(false));

Deno.test("max pooling's gradient: the SIMD kernel and the JavaScript loop agree bit for bit, NaN included", async () => {
  await useBackend("wasm");
  const memory = heapMemory(tf.backend());
  assert.ok(memory && maxPoolGrad2x2Kernel(memory), "the SIMD kernel did not compile");
  const shape: [number, number, number, number] = [2, 28, 28, 8];
  const n = shape.reduce((a, b) => a * b, 1);
  // Small integers tie often; every 37th value is NaN.
  const xs = values(n, 7, -3, 3, true).map((v, i) => (i % 37 === 0 ? NaN : v));
  const dys = values(n / 4, 8, 1, 9, true);
  const gradient = async (simd: boolean) => {
    useMaxPoolGradSimd(simd);
    const x = tf.tensor4d(xs, shape), dy = tf.tensor4d(dys, [2, 14, 14, 8]);
    const dx = tf.grad((a) => tf.maxPool(a as tf.Tensor4D, 2, 2, "valid"))(x, dy);
    const data = Array.from(await dx.data());
    tf.dispose([x, dy, dx]);
    return data;
  };
  try {
    const simd = await gradient(true), loop = await gradient(false);
    const differ = simd.findIndex((v, i) => !Object.is(v, loop[i]));
    assert.equal(differ, -1, `at ${differ}: SIMD ${simd[differ]}, loop ${loop[differ]}`);
    assert.ok(simd.filter((v) => v !== 0).length > n / 8, "too few gradients routed");
  } finally {
    useMaxPoolGradSimd(true);
  }
});

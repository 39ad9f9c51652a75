/**
 * The training kernels litconv adds to the wasm backend, with the native (OpenBLAS) ones
 * switched off, agree with the cpu backend (the suite is in `kernel_agreement.ts`).
 */
import assert from "node:assert/strict";
import { tf, useBackend } from "../kernels/backend.ts";
import {
  isLitconvKernel,
  registerWasmTrainingKernels,
} from "../kernels/tfjs/wasm_training_kernels.ts";
import { wasmThreadsWanted } from "../kernels/tfjs/wasm/threads.ts";
import { setNativeKernels } from "../kernels/tfjs/native/index.ts";
import { getThreadsCount } from "npm:@tensorflow/tfjs-backend-wasm@4.22.0";
import { agreementTests } from "./kernel_agreement.ts";

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

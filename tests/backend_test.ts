import assert from "node:assert/strict";
import { LitconvError } from "../kernels/errors.ts";
import { availableBackends, probeBackends, tf, useBackend } from "../accel/backend.ts";

Deno.test("cpu, wasm and webgpu all start here (webgpu on a software adapter without a GPU)", async () => {
  const names = await availableBackends();
  for (const b of ["cpu", "wasm", "webgpu"]) assert.ok(names.includes(b as never), `${b} missing`);
  for (const b of ["cpu", "wasm", "webgpu"]) {
    const info = await useBackend(b);
    assert.equal(info.name, b);
    assert.equal(tf.getBackend(), b);
    const x = tf.tensor1d([1, 2, 3]);
    assert.deepEqual(Array.from(await x.square().data()), [1, 4, 9]);
    tf.dispose(x);
  }
});

Deno.test("an unknown backend name is a clear error", async () => {
  await assert.rejects(() => useBackend("tpu"), (e: unknown) => {
    assert.ok(e instanceof LitconvError);
    assert.match(e.message, /useBackend: backend must be one of cpu, wasm, webgpu, tensorflow/);
    return true;
  });
});

Deno.test("the tensorflow backend runs where tfjs-node-gpu is installed, and says why not where it is absent", async () => {
  const report = (await probeBackends()).find((b) => b.name === "tensorflow")!;
  if (!report.available) {
    await assert.rejects(() => useBackend("tensorflow"), /tfjs-node-gpu.*downloads libtensorflow/);
    return;
  }
  // A machine with tfjs-node-gpu in ./node_modules: then it must work.
  assert.equal((await useBackend("tensorflow")).name, "tensorflow");
  const x = tf.tensor1d([1, 2, 3]);
  assert.deepEqual(Array.from(await x.square().data()), [1, 4, 9]);
  tf.dispose(x);
});

/**
 * Checkpoints: save → load gives identical weights and Adam state, and the restored run
 * takes exactly the step the original would have taken.
 */
import assert from "node:assert/strict";
import { tf, useBackend } from "../accel/backend.ts";
import { FileError } from "../kernels/errors.ts";
import { loadMnist, take } from "../data/mnist.ts";
import { buildModel } from "../training/model.ts";
import { Rng } from "../kernels/rng.ts";
import { trainEpoch } from "../training/loop.ts";
import {
  CHECKPOINT_FILE,
  loadCheckpoint,
  readCheckpointMeta,
  saveCheckpoint,
} from "../training/checkpoint.ts";

const data = loadMnist();

async function values(tensors: tf.Tensor[]): Promise<number[][]> {
  return await Promise.all(tensors.map(async (t) => Array.from(await t.data())));
}

Deno.test("checkpoint: round trip restores weights, Adam's state and meta; the next step matches", async () => {
  await useBackend("wasm");
  const dir = await Deno.makeTempDir({ prefix: "litconv-ckpt-" });
  const batch = take(data.train, 64);
  const model = buildModel("lecture", 3);
  const optimizer = tf.train.adam(1e-3);
  const rng = new Rng(3);
  await trainEpoch(model, optimizer, batch, rng, 64); // Adam now has state worth saving
  const meta = { epoch: 1, history: [{ loss: 2.25 }], rngState: rng.state };
  await saveCheckpoint(dir, model, optimizer, meta);
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), [CHECKPOINT_FILE]); // no .tmp

  const restored = buildModel("lecture", 99); // different initial weights, overwritten by the load
  const restoredOptimizer = tf.train.adam(1e-3);
  const loaded = await loadCheckpoint<typeof meta>(dir, restored, restoredOptimizer);
  assert.deepEqual(loaded, meta);
  assert.deepEqual(await readCheckpointMeta(dir), meta);
  assert.deepEqual(await values(restored.getWeights()), await values(model.getWeights()));
  const state = async (o: tf.Optimizer) => (await o.getWeights()).map((w) => w.tensor);
  const [before, after] = [await state(optimizer), await state(restoredOptimizer)];
  assert.equal(before.length, 1 + 2 * model.trainableWeights.length); // iterations, m and v
  assert.deepEqual(await values(after), await values(before));

  // Same weights, same Adam moments, same random stream: the next step is identical.
  const rng2 = new Rng(0);
  rng2.state = loaded.rngState;
  const next = take(data.train, 128);
  await trainEpoch(model, optimizer, next, rng, 64);
  await trainEpoch(restored, restoredOptimizer, next, rng2, 64);
  assert.deepEqual(await values(restored.getWeights()), await values(model.getWeights()));

  // A fresh Adam (no moments) would have stepped differently: the state matters.
  const forgetful = buildModel("lecture", 99);
  const fresh = tf.train.adam(1e-3);
  await loadCheckpoint(dir, forgetful, tf.train.adam(1e-3));
  const rng3 = new Rng(0);
  rng3.state = loaded.rngState;
  await trainEpoch(forgetful, fresh, next, rng3, 64);
  assert.notDeepEqual(await values(forgetful.getWeights()), await values(model.getWeights()));

  for (const m of [model, restored, forgetful]) m.dispose();
  for (const o of [optimizer, restoredOptimizer, fresh]) o.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("checkpoint: a missing, foreign or truncated file is a clear error", async () => {
  await useBackend("wasm");
  const dir = await Deno.makeTempDir({ prefix: "litconv-ckpt-" });
  const model = buildModel("lecture", 1);
  const optimizer = tf.train.adam(1e-3);
  const isError = (pattern: RegExp) => (e: unknown) => {
    assert.ok(e instanceof FileError, String(e));
    assert.match(e.message, pattern);
    return true;
  };
  await assert.rejects(() => loadCheckpoint(dir, model, optimizer), isError(/is missing/));
  await Deno.writeTextFile(`${dir}/${CHECKPOINT_FILE}`, "not a checkpoint");
  await assert.rejects(() => loadCheckpoint(dir, model, optimizer), isError(/not a litconv/));
  await saveCheckpoint(dir, model, optimizer, {});
  const bytes = await Deno.readFile(`${dir}/${CHECKPOINT_FILE}`);
  await Deno.writeFile(`${dir}/${CHECKPOINT_FILE}`, bytes.subarray(0, bytes.length - 100));
  await assert.rejects(() => loadCheckpoint(dir, model, optimizer), isError(/truncated/));
  // A checkpoint of the other model does not fit this one.
  const other = buildModel("extra-conv", 1);
  await saveCheckpoint(dir, other, optimizer, {});
  await assert.rejects(() => loadCheckpoint(dir, model, optimizer), isError(/weight tensors/));
  model.dispose();
  other.dispose();
  optimizer.dispose();
  await Deno.remove(dir, { recursive: true });
});

/**
 * Reference runs: uint8 quantization in TF.js's format, publishing a run folder, and the
 * committed reference runs in data/reference/, which must load and still score what they claim.
 */
import assert from "node:assert/strict";
import { tf, useBackend } from "../accel/backend.ts";
import { loadMnist } from "../data/mnist.ts";
import { buildModel } from "../training/model.ts";
import { defaultConfig, type Metrics, runTraining } from "../training/run.ts";
import { loadModel } from "../training/save_model.ts";
import { evaluate } from "../training/loop.ts";
import { dequantize, quantizeTensor } from "../training/quantize.ts";
import {
  publishReference,
  type ReferenceInfo,
  saveQuantizedModel,
} from "../training/publish_reference.ts";

const data = loadMnist();
const REFERENCE = new URL("../data/reference/", import.meta.url).pathname;
const FILES = [
  "confusion.json",
  "confusion.svg",
  "curves.svg",
  "metrics.json",
  "model.json",
  "predictions.png",
  "reference.json",
  "rotation.json",
  "rotation.svg",
  "weights.bin",
];

Deno.test("quantizeTensor: every value within half a level, zero exact, 256 levels at most", () => {
  const values = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i * 1.7) * (i % 7) - 0.8);
  values[10] = 0;
  const { bytes, min, scale } = quantizeTensor(values);
  const back = dequantize(bytes, min, scale);
  values.forEach((v, i) => assert.ok(Math.abs(back[i] - v) <= scale / 2 + 1e-7, `${i}`));
  assert.equal(back[10], 0);
  assert.ok(Math.abs(scale - (Math.max(...values) - Math.min(...values)) / 255) < 1e-6);
  // A constant tensor, and an all-positive one (the range still holds 0).
  const flat = quantizeTensor(new Float32Array(3));
  assert.deepEqual([...dequantize(flat.bytes, flat.min, flat.scale)], [0, 0, 0]);
  const pos = quantizeTensor(Float32Array.of(1, 2, 3));
  assert.equal(pos.min, 0);
  assert.throws(() => quantizeTensor(Float32Array.of(1, NaN)), /holds NaN/);
});

Deno.test("saveQuantizedModel: TF.js loads the uint8 weights back within half a level", async () => {
  await useBackend("cpu");
  const model = buildModel("lecture", 3);
  const dir = await Deno.makeTempDir({ prefix: "litconv-quant-" });
  const bytes = await saveQuantizedModel(model, dir);
  assert.equal(bytes, model.countParams());
  assert.equal((await Deno.stat(`${dir}/weights.bin`)).size, model.countParams());
  const json = JSON.parse(await Deno.readTextFile(`${dir}/model.json`));
  const specs = json.weightsManifest[0].weights;
  assert.ok(specs.every((s: tf.io.WeightsManifestEntry) => s.quantization?.dtype === "uint8"));
  const loaded = await loadModel(dir);
  const [a, b] = [model.getWeights(), loaded.getWeights()];
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    const scale = specs[i].quantization.scale;
    const diff = tf.tidy(() => a[i].sub(b[i]).abs().max().dataSync()[0]);
    assert.ok(diff <= scale / 2 + 1e-6, `${specs[i].name}: ${diff} > ${scale / 2}`);
  }
  model.dispose();
  loaded.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("publishReference: a finished run becomes a reference folder with no checkpoint", async () => {
  const backend = await useBackend("wasm");
  const run = await Deno.makeTempDir({ prefix: "litconv-run-" });
  const config = defaultConfig({ epochs: 1, limit: 64, evalLimit: 60, rotationStep: 45 });
  const metrics = await runTraining({ config, outDir: run, backend, data, log: () => {} });
  const dest = `${run}/published`;
  const info = await publishReference(run, dest, { test: data.test, log: () => {} });
  const files = [...Deno.readDirSync(dest)].map((e) => e.name).sort();
  assert.deepEqual(files, FILES);
  // Measured on the run's own 60 test images, as the run measured it.
  assert.equal(info.testImages, 60);
  assert.equal(info.floatTestAccuracy, metrics.testAccuracy);
  assert.ok(Math.abs(info.quantizedTestAccuracy - info.floatTestAccuracy) <= 2 / 60);
  assert.equal(info.quantizedWeightBytes * 4, info.floatWeightBytes);
  const copied: Metrics = JSON.parse(await Deno.readTextFile(`${dest}/metrics.json`));
  assert.deepEqual(copied, metrics);
  // A run that has not finished is refused.
  await Deno.writeTextFile(
    `${run}/metrics.json`,
    JSON.stringify({ ...metrics, testAccuracy: null }),
  );
  await assert.rejects(() => publishReference(run, `${run}/again`), /has not finished/);
  await Deno.remove(run, { recursive: true });
});

for (const name of ["lecture", "extra-conv"]) {
  Deno.test(`data/reference/${name}: complete, quantized, and it scores what it claims`, async () => {
    await useBackend("wasm");
    const dir = `${REFERENCE}${name}`;
    const files = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(files, FILES);
    const metrics: Metrics = JSON.parse(await Deno.readTextFile(`${dir}/metrics.json`));
    const info: ReferenceInfo = JSON.parse(await Deno.readTextFile(`${dir}/reference.json`));
    assert.equal(metrics.config.model, name);
    assert.equal(metrics.history.length, metrics.config.epochs);
    assert.equal(metrics.config.evalLimit, null, "a reference run tests on all 10,000");
    assert.equal(info.floatTestAccuracy, metrics.testAccuracy);
    assert.ok(
      Math.abs(info.quantizedTestAccuracy - info.floatTestAccuracy) <= 0.002,
      `quantization costs ${info.floatTestAccuracy - info.quantizedTestAccuracy}`,
    );
    const model = await loadModel(dir);
    assert.equal(model.name, `litconv-${name}`);
    assert.equal((await Deno.stat(`${dir}/weights.bin`)).size, model.countParams());
    const score = await evaluate(model, data.test);
    model.dispose();
    assert.ok(
      Math.abs(score.accuracy - info.quantizedTestAccuracy) <= 0.0005,
      `${score.accuracy} vs ${info.quantizedTestAccuracy}`,
    );
    const confusion = JSON.parse(await Deno.readTextFile(`${dir}/confusion.json`));
    assert.equal(confusion.count, 10_000);
    assert.equal(confusion.accuracy, metrics.testAccuracy);
  });
}

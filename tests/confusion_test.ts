/**
 * The confusion matrix: counted from labels, and computed from a model whose answers we choose,
 * in batches that do not divide the split, without leaking tensors.
 */
import assert from "node:assert/strict";
import { tf, useBackend } from "../accel/backend.ts";
import { LitconvError } from "../kernels/errors.ts";
import { PIXELS } from "../data/mnist.ts";
import { confusionFromLabels, confusionMatrix, summarize } from "../training/confusion.ts";

Deno.test("confusionFromLabels: rows are the truth, columns the prediction", () => {
  const m = confusionFromLabels([3, 3, 3, 9, 9], [3, 8, 3, 4, 9]);
  assert.equal(m.length, 10);
  assert.ok(m.every((row) => row.length === 10));
  assert.equal(m[3][3], 2);
  assert.equal(m[3][8], 1);
  assert.equal(m[8][3], 0);
  assert.equal(m[9][4], 1);
  assert.deepEqual(summarize(m), { matrix: m, count: 5, accuracy: 3 / 5 });
  assert.throws(() => confusionFromLabels([1, 2], [1]), LitconvError);
  assert.throws(() => confusionFromLabels([1], [10]), /label 10 at 0 is not 0…9/);
  assert.throws(() => confusionFromLabels([-1], [0]), LitconvError);
});

/** A model that answers "k" for an image whose brightest pixel is pixel k (k < 10). */
function pixelPicker(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.flatten({ inputShape: [28, 28, 1] }));
  model.add(tf.layers.dense({ units: 10, useBias: false }));
  const w = new Float32Array(PIXELS * 10);
  for (let k = 0; k < 10; k++) w[k * 10 + k] = 1;
  model.layers[1].setWeights([tf.tensor2d(w, [PIXELS, 10])]);
  return model;
}

Deno.test("confusionMatrix: a model's answers land in (true, predicted), batch by batch", async () => {
  await useBackend("cpu");
  // 7 images, batches of 3: the last batch is short.
  const answers = [0, 1, 2, 7, 4, 4, 9];
  const labels = Uint8Array.from([0, 1, 2, 1, 4, 9, 9]);
  const images = new Float32Array(answers.length * PIXELS);
  answers.forEach((a, i) => (images[i * PIXELS + a] = 1));
  const model = pixelPicker();
  const before = tf.memory().numTensors;
  const c = await confusionMatrix(model, { count: 7, images, labels }, 3);
  assert.equal(tf.memory().numTensors, before, "tensors leaked");
  assert.equal(c.count, 7);
  assert.equal(c.accuracy, 5 / 7);
  assert.equal(c.matrix[1][7], 1); // a 1 taken for a 7
  assert.equal(c.matrix[9][4], 1); // a 9 taken for a 4
  for (const d of [0, 1, 2, 4, 9]) assert.equal(c.matrix[d][d], 1);
  assert.equal(c.matrix.flat().reduce((a, b) => a + b, 0), 7);
  model.dispose();
});

/**
 * `training/inside.ts` on the committed reference model: the kernels are conv1's weights,
 * each stage's maps are what the layers compute (pool1 is the 2×2 maximum of conv1), and a
 * saliency map is the logit's gradient (checked against one-sided differences, to 1 %); the lesson's figures carry alt text from those numbers.
 */
import assert from "node:assert/strict";
import { loadMnist, PIXELS } from "../data/mnist.ts";
import { activations, firstKernels, logits, mistakes, saliency } from "../training/inside.ts";
import { kernelsFigure, saliencyFigure, volumesFigure } from "../lessons/figures/inside.ts";
import { needs } from "./requirements.ts";
import { loadReferenceModel, referenceModelMissing } from "./reference_model.ts";

Deno.test(needs(referenceModelMissing(), {
  name: "inside the reference model: kernels, the four stages, saliency as a gradient",
  fn: async () => {
    const model = await loadReferenceModel();
    try {
      const { test } = loadMnist();
      const digit = test.images.slice(0, PIXELS);

      const kernels = firstKernels(model);
      assert.deepEqual(kernels.shape, [32, 5, 5]);
      const w = model.getLayer("conv1").getWeights()[0].arraySync() as number[][][][];
      // Kernel 7's weight at row 2, column 3 is the layer's [2][3][0][7].
      assert.equal(kernels.maps[7][2 * 5 + 3], Math.fround(w[2][3][0][7]));

      const stages = activations(model, digit);
      assert.deepEqual(stages.map((s) => s.layer), ["conv1", "pool1", "conv2", "pool2"]);
      assert.deepEqual(stages.map((s) => s.shape), [[32, 28, 28], [32, 14, 14], [64, 14, 14], [
        64,
        7,
        7,
      ]]);
      // pool1 is the 2×2 maximum of conv1, channel by channel.
      const [conv1, pool1] = stages;
      for (const c of [0, 13, 31]) {
        for (const [r, q] of [[0, 0], [5, 9], [13, 13]]) {
          const m = conv1.maps[c];
          const want = Math.max(
            m[2 * r * 28 + 2 * q],
            m[2 * r * 28 + 2 * q + 1],
            m[(2 * r + 1) * 28 + 2 * q],
            m[(2 * r + 1) * 28 + 2 * q + 1],
          );
          assert.equal(pool1.maps[c][r * 14 + q], want, `channel ${c} (${r}, ${q})`);
        }
      }

      // The saliency of class 3 at its largest pixels, against one-sided differences of the
      // logit: at a kink (a ReLU input or a pool's tie exactly at the digit) the two sides
      // differ and the gradient is one of them.
      const grad = saliency(model, digit, 3);
      const base = logits(model, digit)[3];
      const order = [...grad.keys()].sort((a, b) => Math.abs(grad[b]) - Math.abs(grad[a]));
      for (const i of order.slice(0, 8)) {
        const h = 1e-3, up = digit.slice(), down = digit.slice();
        up[i] += h;
        down[i] -= h;
        const sides = [(logits(model, up)[3] - base) / h, (base - logits(model, down)[3]) / h];
        assert.ok(
          sides.some((d) => Math.abs(d - grad[i]) <= 0.01 * Math.abs(grad[i]) + 5e-3),
          `pixel ${i}: tf.grad ${grad[i]}, one-sided differences ${sides}`,
        );
      }

      // Mistakes: only misread digits are kept, each with its wrong class.
      const found = mistakes(model, test.images, test.labels, [0, 115, 259]);
      assert.ok(found.every((m) => m.predicted !== m.label));
      for (const m of found) {
        const z = logits(model, m.image);
        assert.equal(z.indexOf(Math.max(...z)), m.predicted);
      }

      // The figures' alt text is written from these numbers.
      assert.match(kernelsFigure(kernels).alt, /The 32 kernels of conv1 .* 5×5/);
      const volumes = volumesFigure(digit, test.labels[0], stages);
      for (const s of ["32×28×28", "32×14×14", "64×14×14", "64×7×7"]) {
        assert.ok(volumes.alt.includes(s), s);
        assert.ok(volumes.svg.includes(`>${s}<`), `label ${s}`);
      }
      const sal = saliencyFigure(found);
      for (const m of found) assert.ok(sal.alt.includes(`a ${m.label} read as ${m.predicted}`));
    } finally {
      model.dispose();
    }
  },
}));

/**
 * Our loop is PyTorch's loop: the lecture's training, run by litconv's own `trainEpoch` (the
 * code `deno task train` runs: its model, its fused Adam, its loss, its dropout) and by the
 * lecture's PyTorch loop (`bench/torch_equivalence.py`: nn.CrossEntropyLoss, torch.optim.Adam,
 * model.train()), from the same weights, on the same batches with the same dropout masks,
 * takes the same 50 Adam steps.
 *
 * Same masks without touching the production path: TF.js's seeded dropout is a pure function
 * of its seed (`tf.dropout(x, rate, undefined, seed)` draws its uniform numbers in
 * JavaScript), and `trainEpoch` draws each batch's seed from the run's `Rng` after the
 * epoch's permutation. The test replays that stream on a copy of the `Rng`, makes each
 * batch's mask with `tf.dropout` on ones (checked against the model's own dropout layer),
 * and PyTorch multiplies fc1's output by mask / (1 − p), as nn.Dropout does with its own.
 * Adam's ε is ours (TF.js's 1e-7) on both sides: the lecture's PyTorch default, 1e-8, is a
 * documented difference (lessons/08_mnist_cnn.ts), and the `eps` variant below is exactly
 * it, so the test tells the two apart.
 *
 * Segments. The 50 steps are 10 segments of 5: at the start of each, PyTorch loads our
 * weights and Adam state (a checkpoint written by the production code), runs the segment's
 * 5 steps, and its losses and final weights are compared with ours. Why not 50 steps in a
 * row: training amplifies float32 rounding. From the same state, the two frameworks'
 * gradients agree to ~1e-6 of the largest (float32's ε is 1.2e-7; sums over 10³–10⁵ terms
 * in different orders), yet PyTorch against *itself*, with 1e-6 relative noise put on its
 * gradients, drifts apart by 4e-4 in the loss and 2.8e-3 in the weights within 30 steps
 * (measured here); ours against PyTorch drifted the same way, by 2e-4 at step 9 and 2e-2 by
 * step 50, as far as the weights had moved, and a changed ε could no longer be told from
 * rounding. Within 5 steps the drift stays at rounding level.
 *
 * Tolerances, from float32 and measured on an AMD EPYC (Zen 4, oneDNN + OpenBLAS):
 * - loss, every step: |Δ| ≤ 3e-5. The loss is ~0.1–2.3 (float32 ulp 1.5e-8–2.4e-7); the
 *   same state gives the same loss to 1 ulp, and 5 steps later it differs by ≤ 3.3e-6
 *   (~14 ulps); 3e-5 leaves 9× room for other CPUs' summation orders.
 * - weights, per tensor and segment: ‖Δw‖ ≤ 2e-3 · ‖our move over the segment‖. A 1e-6
 *   relative gradient difference gives about the same relative difference in an Adam step,
 *   so ‖Δw‖/‖move‖ ≈ 1e-5 (measured 5e-6–4e-5), more where a gradient sits near its rounding
 *   noise, where Adam's g/(√v + ε) amplifies it (worst measured 2.1e-4, conv2 in one
 *   segment); 2e-3 leaves 10× room.
 * The deliberate differences, each run in every test run and each required to fail: Adam's ε
 * ten times smaller (the lecture's 1e-8; worst |Δloss| 8.7e-4, fc1's ‖Δw‖/‖move‖ ≥ 2.7e-2 in
 * every segment), the dropout mask without its 1/(1 − p) scaling (|Δloss| 0.4, ‖Δw‖/‖move‖
 * 0.2–1.3), the loss summed instead of averaged (|Δloss| 0.25, ‖Δw‖/‖move‖ up to 3.7: Adam is
 * nearly scale-free, so ×64 gradients act as ε/64).
 *
 * Needs a python3 that imports torch (Debian's python3-torch; CI installs it, and
 * LITCONV_TORCH_PYTHON names another); without one the test is ignored, saying why. ~30 s.
 *
 * @module
 */
import assert from "node:assert/strict";
import { tf, useBackend } from "../accel/backend.ts";
import { loadMnist, type MnistSplit } from "../data/mnist.ts";
import { buildModel } from "../training/model.ts";
import { adam } from "../accel/adam.ts";
import { Rng } from "../kernels/rng.ts";
import { makeBatch, trainEpoch } from "../training/loop.ts";
import { saveCheckpoint } from "../training/checkpoint.ts";
import { defaultConfig } from "../training/run.ts";

/** Adam steps in all, in segments of SEGMENT from a common state (see the module's text). */
const STEPS = 50, SEGMENT = 5, SEGMENTS = STEPS / SEGMENT;
/** Per step, |our loss − PyTorch's| at most (see the module's text for both tolerances). */
const LOSS_TOLERANCE = 3e-5;
/** Per parameter tensor and segment, ‖our weights − PyTorch's‖ / ‖our move‖ at most. */
const WEIGHT_TOLERANCE = 2e-3;
const SCRIPT = new URL("../bench/torch_equivalence.py", import.meta.url).pathname;

/** The first python that imports torch: LITCONV_TORCH_PYTHON, else Debian's, else PATH's. */
function torchPython(): string | null {
  const candidates = [Deno.env.get("LITCONV_TORCH_PYTHON"), "/usr/bin/python3", "python3"];
  for (const python of candidates) {
    if (!python) continue;
    try {
      const ok = new Deno.Command(python, { args: ["-c", "import torch"], stderr: "null" })
        .outputSync().success;
      if (ok) return python;
    } catch { /* not there */ }
  }
  return null;
}

const python = torchPython();
if (!python) console.error("torch_equivalence_test: ignored, no python3 here imports torch");

/** What trainEpoch will draw from `rng`: the epoch's order, then one dropout seed a batch. */
function replay(rng: Rng, count: number, batches: number) {
  const copy = new Rng(0);
  copy.state = rng.state;
  const order = copy.permutation(count);
  const seeds = Array.from({ length: batches }, () => copy.int(2 ** 31));
  return { order, seeds };
}

Deno.test({
  name: "our training loop is PyTorch's: same losses and weights over 50 Adam steps",
  ignore: python === null,
  fn: async () => {
    await useBackend("wasm");
    const config = defaultConfig();
    const batch = config.batchSize;
    const train = loadMnist().train;
    const model = buildModel(config.model, config.seed);
    const optimizer = adam(config.learningRate);
    const rng = new Rng(config.seed);
    const dir = await Deno.makeTempDir({ prefix: "litconv-torch-equivalence-" });
    try {
      const images = new Float32Array(STEPS * batch * 784);
      const labels = new Int32Array(STEPS * batch);
      const masks = new Uint8Array(STEPS * batch * 1024);
      const dropout = model.getLayer("dropout") as unknown as tf.layers.Layer & { seed: number };
      const ours: number[] = [];
      for (let j = 0; j < SEGMENTS; j++) {
        // The segment's start, for PyTorch: weights and Adam's state, by the production code.
        await Deno.mkdir(`${dir}/seg${j}`);
        await saveCheckpoint(`${dir}/seg${j}`, model, optimizer, {});
        // Its images: the next SEGMENT batches' worth of training images, as one "epoch".
        const split = slice(train, j * SEGMENT * batch, (j + 1) * SEGMENT * batch);
        const { order, seeds } = replay(rng, split.count, SEGMENT);
        for (let k = 0; k < SEGMENT; k++) {
          const b = j * SEGMENT + k;
          const { x, y } = makeBatch(split, order, k * batch, (k + 1) * batch);
          images.set(x.dataSync(), b * batch * 784);
          labels.set(y.dataSync(), b * batch);
          const ones = tf.ones([batch, 1024]);
          const mask = tf.dropout(ones, 0.5, undefined, seeds[k]);
          const values = mask.dataSync();
          values.forEach((v, i) => masks[b * batch * 1024 + i] = v / 2);
          if (b < 2) { // the model's own dropout layer draws this very mask from this seed
            dropout.seed = seeds[k];
            const own = dropout.apply(ones, { training: true }) as tf.Tensor;
            assert.deepEqual(own.dataSync(), values, `batch ${b}: the mask is not the layer's`);
            own.dispose();
          }
          tf.dispose([x, y, ones, mask]);
        }
        // Our loop: the production trainEpoch over the segment's batches.
        let sum = 0;
        await trainEpoch(model, optimizer, split, rng, batch, (r) => {
          const total = r.loss * r.seen; // running mean → this batch's loss
          ours.push((total - sum) / batch);
          sum = total;
        });
      }
      await Deno.mkdir(`${dir}/seg${SEGMENTS}`);
      await saveCheckpoint(`${dir}/seg${SEGMENTS}`, model, optimizer, {});
      assert.ok(masks.some((m) => m === 0) && masks.some((m) => m === 1));
      await Deno.writeFile(
        `${dir}/batches.bin`,
        new Uint8Array(await new Blob([images, labels, masks]).arrayBuffer()),
      );
      const adamConfig = optimizer.getConfig();
      await Deno.writeTextFile(
        `${dir}/batches.json`,
        JSON.stringify({
          steps: STEPS,
          segment: SEGMENT,
          batch,
          lr: adamConfig.learningRate,
          beta1: adamConfig.beta1,
          beta2: adamConfig.beta2,
          eps: adamConfig.epsilon,
          images: { offset: 0 },
          labels: { offset: images.byteLength },
          masks: { offset: images.byteLength + labels.byteLength },
        }),
      );

      // PyTorch's loop, as the lecture writes it, and its deliberately different variants.
      const out = await new Deno.Command(python!, { args: [SCRIPT, dir], stderr: "inherit" })
        .output();
      assert.ok(out.success, `torch_equivalence.py exited with ${out.code}`);
      const torch: TorchResult = JSON.parse(await Deno.readTextFile(`${dir}/torch.json`));
      const worst = Object.fromEntries(
        Object.entries(torch.variants).map(([variant, segments]) => [variant, {
          loss: Math.max(
            ...segments.flatMap((s, j) =>
              s.losses.map((l, k) => Math.abs(l - ours[j * SEGMENT + k]))
            ),
          ),
          weights: Math.max(
            ...segments.flatMap((s) => s.tensors.map((t) => t.diffNorm / t.movedNorm)),
          ),
          maxDiff: Math.max(...segments.flatMap((s) => s.tensors.map((t) => t.maxDiff))),
        }]),
      );
      for (const [variant, w] of Object.entries(worst)) {
        console.log(
          `${variant.padEnd(13)} worst |Δloss| ${w.loss.toExponential(1)}, ` +
            `worst ‖Δw‖/‖move‖ ${w.weights.toExponential(1)}, worst |Δw| ${
              w.maxDiff.toExponential(1)
            }`,
        );
      }
      const within = (w: typeof worst[string]) =>
        w.loss <= LOSS_TOLERANCE && w.weights <= WEIGHT_TOLERANCE;
      assert.ok(
        within(worst.baseline),
        `PyTorch's loop and ours differ: ${JSON.stringify(worst.baseline)}`,
      );
      // The test's teeth: each deliberate difference must show.
      for (const variant of ["eps", "dropout-scale", "loss-sum"]) {
        assert.ok(!within(worst[variant]), `${variant} went unnoticed`);
      }
    } finally {
      optimizer.dispose();
      model.dispose();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

interface TorchResult {
  torch: string;
  variants: Record<string, {
    losses: number[];
    tensors: { name: string; maxDiff: number; diffNorm: number; movedNorm: number }[];
  }[]>;
}

/** Images [from, to) of a split, as a split. */
function slice(split: MnistSplit, from: number, to: number): MnistSplit {
  return {
    count: to - from,
    images: split.images.subarray(from * 784, to * 784),
    labels: split.labels.subarray(from, to),
  };
}

/**
 * Our loop is PyTorch's loop: the lecture's training, run by litconv's own `trainEpoch` (the
 * code `deno task train` runs: its model, its fused Adam, its loss) and by the lecture's
 * PyTorch loop (`bench/torch_equivalence.py`: nn.Dropout, nn.CrossEntropyLoss,
 * torch.optim.Adam, model.train()), from the same weights, on the same batches, takes the
 * same 30 Adam steps: 6 segments of 5, each started from our checkpoint, because training
 * amplifies float32 rounding and 30 steps in a row would drift apart by more than a changed ε.
 *
 * The dropout masks are PyTorch's: nn.Dropout draws each step's mask under a seed from our
 * run's stream and re-draws it in the forward pass; our dropout layer (the one seam in our
 * loop) keeps the same units and scales them by its own factor. So a change to either side's
 * scaling shows, and so do the deliberate differences run every time (ε, dropout scaling,
 * another mask, a summed loss), each required to fail. Skipped, saying why, where no python3
 * imports torch (Debian's python3-torch, or LITCONV_TORCH_PYTHON).
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
import { needs } from "./requirements.ts";

/** Adam steps in all, in segments of SEGMENT from a common state (see the module's text). */
const STEPS = 30, SEGMENT = 5, SEGMENTS = STEPS / SEGMENT;
/**
 * Per step, |our loss − PyTorch's| at most. The loss is ~0.1–2.3 (float32 ulp 1.5e-8 to
 * 2.4e-7); the same state gives the same loss to an ulp, and 5 steps on it differs by
 * ~3e-6 (other summation orders, amplified by training): 3e-5 leaves room for other CPUs.
 */
const LOSS_TOLERANCE = 3e-5;
/**
 * Per parameter tensor and segment, ‖our weights − PyTorch's‖ / ‖our move‖ at most. Gradients
 * agree to ~1e-6 relative, and so do Adam's steps (~1e-5, more where a gradient is near its
 * rounding noise, which g/(√v + ε) amplifies; worst measured 4.3e-4): 2e-3 leaves room.
 */
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
const TORCH_MISSING = python
  ? undefined
  : "python3-torch missing (no python3 here imports torch; LITCONV_TORCH_PYTHON names one)";

/**
 * What trainEpoch will draw from `rng` over SEGMENTS segments of `count` images: each
 * segment's order, then one dropout seed a batch.
 */
function replay(rng: Rng, count: number, batches: number) {
  const copy = new Rng(0);
  copy.state = rng.state;
  return Array.from({ length: SEGMENTS }, () => ({
    order: copy.permutation(count),
    seeds: Array.from({ length: batches }, () => copy.int(2 ** 31)),
  }));
}

/** Runs bench/torch_equivalence.py's `command` on `dir`. */
async function torchScript(command: "masks" | "train", dir: string) {
  const out = await new Deno.Command(python!, {
    args: [SCRIPT, command, dir],
    stderr: "inherit",
  }).output();
  assert.ok(out.success, `torch_equivalence.py ${command} exited with ${out.code}`);
}

type DropoutLayer = tf.layers.Layer & {
  seed: number;
  rate: number;
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor;
};

Deno.test(needs(TORCH_MISSING, {
  name: "our training loop is PyTorch's: same losses and weights over 30 Adam steps",
  fn: async () => {
    await useBackend("wasm");
    const config = defaultConfig();
    const batch = config.batchSize;
    const train = loadMnist().train;
    const model = buildModel(config.model, config.seed);
    const optimizer = adam(config.learningRate);
    const rng = new Rng(config.seed);
    const dropout = model.layers.find((l) => l.getClassName() === "Dropout") as DropoutLayer;
    // The rate and the width the masks need, from our model itself.
    const p = dropout.rate, width = (dropout.outputShape as number[])[1];
    const dir = await Deno.makeTempDir({ prefix: "litconv-torch-equivalence-" });
    const masks: tf.Tensor[] = [];
    try {
      // Each segment's images are the next SEGMENT batches' worth, trained as one "epoch".
      const split = (j: number) => slice(train, j * SEGMENT * batch, (j + 1) * SEGMENT * batch);
      const plan = replay(rng, SEGMENT * batch, SEGMENT);
      const images = new Float32Array(STEPS * batch * 784);
      const labels = new Int32Array(STEPS * batch);
      plan.forEach(({ order }, j) => {
        for (let k = 0; k < SEGMENT; k++) {
          const b = j * SEGMENT + k;
          const { x, y } = makeBatch(split(j), order, k * batch, (k + 1) * batch);
          images.set(x.dataSync(), b * batch * 784);
          labels.set(y.dataSync(), b * batch);
          tf.dispose([x, y]);
        }
      });
      const seeds = plan.flatMap((segment) => segment.seeds);
      await Deno.writeFile(
        `${dir}/batches.bin`,
        new Uint8Array(await new Blob([images, labels]).arrayBuffer()),
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
          p,
          width,
          seeds,
          images: { offset: 0 },
          labels: { offset: images.byteLength },
        }),
      );

      // PyTorch draws the masks (nn.Dropout on ones); our layer keeps the same units and
      // scales them by its own factor, read off its output on ones: 0 or that factor.
      await torchScript("masks", dir);
      const kept = await Deno.readFile(`${dir}/masks.bin`);
      assert.equal(kept.length, STEPS * batch * width);
      const ones = tf.ones([batch, width]);
      const own = dropout.apply(ones, { training: true }) as tf.Tensor;
      const ownValues = [...new Set(own.dataSync())].sort((a, b) => a - b);
      tf.dispose([ones, own]);
      assert.equal(ownValues.length, 2, `our dropout on ones gave ${ownValues}`);
      const [zero, scale] = ownValues;
      assert.equal(zero, 0);
      const maskBySeed = new Map(seeds.map((seed, b) => {
        const step = kept.subarray(b * batch * width, (b + 1) * batch * width);
        masks.push(tf.tensor2d(Float32Array.from(step, (k) => k * scale), [batch, width]));
        return [seed, masks[b]];
      }));
      // The seam: in training, the layer multiplies by the mask for the seed trainEpoch gave it.
      dropout.call = (inputs, kwargs) => {
        assert.ok(kwargs.training, "the test's training ran dropout off");
        const mask = maskBySeed.get(dropout.seed);
        assert.ok(mask, `dropout seed ${dropout.seed} is not the replayed stream's`);
        return tf.mul(Array.isArray(inputs) ? inputs[0] : inputs, mask);
      };
      assert.ok(kept.some((k) => k === 0) && kept.some((k) => k === 1));

      // Our loop: the production trainEpoch over each segment's batches, a checkpoint at the
      // start of each segment (for PyTorch) and at the end.
      const ours: number[] = [];
      for (let j = 0; j < SEGMENTS; j++) {
        await Deno.mkdir(`${dir}/seg${j}`);
        await saveCheckpoint(`${dir}/seg${j}`, model, optimizer, {});
        let sum = 0;
        await trainEpoch(model, optimizer, split(j), rng, batch, (r) => {
          const total = r.loss * r.seen; // running mean → this batch's loss
          ours.push((total - sum) / batch);
          sum = total;
        });
      }
      await Deno.mkdir(`${dir}/seg${SEGMENTS}`);
      await saveCheckpoint(`${dir}/seg${SEGMENTS}`, model, optimizer, {});

      // PyTorch's loop, as the lecture writes it, and its deliberately different variants.
      await torchScript("train", dir);
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
      for (const variant of ["eps", "dropout-scale", "dropout-mask", "loss-sum"]) {
        assert.ok(worst[variant], `${variant} did not run`);
        assert.ok(!within(worst[variant]), `${variant} went unnoticed`);
      }
    } finally {
      tf.dispose(masks);
      optimizer.dispose();
      model.dispose();
      await Deno.remove(dir, { recursive: true });
    }
  },
}));

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

/**
 * The naive loop takes the TF.js loop's steps: from the same weights, batches and dropout
 * masks, 20 steps of `trainEpochNaive` (the course's kernels, Adam in TypeScript, float64)
 * and of `trainEpoch` (`deno task train`'s own loop: TF.js autograd and Adam, float32, on
 * wasm) see the same losses up to float32 noise; and two deliberate differences, an
 * unscaled dropout mask and Adam without its bias correction, are caught. With PyTorch's
 * agreement with the TF.js loop (`torch_equivalence_test.ts`), this closes the chain
 * naive ≡ TF.js ≡ PyTorch.
 *
 * Batches of 8 instead of 64 keep it quick (about 8 times less work per step); every line of
 * both loops runs as at 64, since nothing in either depends on the batch size but the
 * number of rows (the loss is a mean, so its gradient carries 1/8 instead of 1/64).
 */
import assert from "node:assert/strict";
import { tf, useBackend } from "../accel/backend.ts";
import { adam as tfjsAdam } from "../accel/adam.ts";
import { loadMnist, take } from "../data/mnist.ts";
import { Rng } from "../kernels/rng.ts";
import { buildModel } from "../training/model.ts";
import { trainEpoch } from "../training/loop.ts";
import { Adam } from "../kernels/adam.ts";
import { trainEpochNaive } from "../training/naive_loop.ts";
import { COURSE_KERNELS, type Kernels, paramsFromTfjs } from "../training/naive_model.ts";

const STEPS = 20, BATCH = 8, SEED = 7, RATE = 0.5;
const images = take(loadMnist().train, STEPS * BATCH);

/** Each batch's own loss, from the running means over the epoch that both loops report. */
function perBatch(means: number[]): number[] {
  return means.map((m, b) => (m * (b + 1) - (b ? means[b - 1] * b : 0)));
}

/**
 * The dropout multipliers TF.js's Dropout layer draws for `seed` (0 or 1/(1−p), by
 * `tf.dropout` of ones, which is the layer's own call), so the naive loop can apply them.
 */
function tfjsMultipliers(seed: number, rows: number, cols: number): Float32Array {
  return tf.tidy(() =>
    tf.dropout(tf.ones([rows, cols]), RATE, undefined, seed).dataSync()
  ) as Float32Array;
}

/** Dropout kernels that apply TF.js's mask for the seed, `unscaled` leaving out 1/(1−p). */
function tfjsDropout(unscaled = false): Pick<Kernels, "dropout" | "dropoutBackward"> {
  const apply = (x: number[][], seed: number) => {
    const mask = tfjsMultipliers(seed, x.length, x[0].length);
    return x.map((row, r) =>
      row.map((v, c) => {
        const k = mask[r * row.length + c];
        return v * (unscaled ? (k > 0 ? 1 : 0) : k);
      })
    );
  };
  return {
    dropout: ((x: number[][], _p: number, { seed }: { seed: number }) => apply(x, seed)) as Kernels[
      "dropout"
    ],
    dropoutBackward:
      ((dy: number[][], _p: number, { seed }: { seed: number }) => apply(dy, seed)) as Kernels[
        "dropoutBackward"
      ],
  };
}

/** Adam with its bias correction left out (a known bug). */
class AdamWithoutBiasCorrection extends Adam {
  override biasCorrections(): [number, number] {
    return [1, 1];
  }
}

await useBackend("wasm");
const model = buildModel("lecture", 1);
const initial = model.getWeights().map((w) => w.dataSync() as Float32Array);

/** The TF.js loop's 20 losses: `deno task train`'s trainEpoch and optimizer, on wasm. */
async function tfjsLosses(): Promise<number[]> {
  const means: number[] = [];
  const optimizer = tfjsAdam(1e-3);
  await trainEpoch(model, optimizer, images, new Rng(SEED), BATCH, (r) => means.push(r.loss));
  optimizer.dispose();
  return perBatch(means);
}

/**
 * The naive loop's losses from the same weights, seed and masks: all 20, or (`untilOff`)
 * up to the first that is off the reference by more than the tolerance, which is all a
 * mutant needs to show.
 */
function naiveLosses(adam: Adam, kernels: Kernels, untilOff = false): number[] {
  const params = paramsFromTfjs(initial);
  const means: number[] = [];
  const stop = new Error("off the reference");
  try {
    trainEpochNaive(params, adam, images, new Rng(SEED), BATCH, (r) => {
      means.push(r.loss);
      const b = means.length - 1;
      if (untilOff && relativeDiff(perBatch(means)[b], reference[b]) > tolerance(b)) throw stop;
    }, { kernels });
  } catch (e) {
    if (e !== stop) throw e;
  }
  return perBatch(means);
}

/**
 * Float32 noise in the loss at step `b` (from 0), relative.
 *
 * Step 1 starts from the same weights, so only the forward pass's rounding differs. TF.js
 * rounds every product and sum to float32 (u = 2⁻²⁴ ≈ 6e-8); the longest sums are fc1's
 * 3136 terms and conv2's 800, whose rounding errors grow like √n·u ≈ 3e-6 (n·u ≈ 2e-4 only
 * if every rounding went the same way): we allow 1e-5. (Measured: 4e-8.)
 *
 * From step 2 on, the weights have taken float32 steps. Adam divides each gradient by its
 * own running size, so a weight whose gradient is mostly rounding error (a sum of 1568
 * products that nearly cancel, in conv2's weight gradient) still moves by up to lr = 1e-3 a
 * step, in a direction float32 and float64 may not share. Those differences compound: the
 * loss drifts apart by ~1e-6 after 4 steps and ~2e-3 after 20 (measured, from 2.4e-3 at
 * most). We allow 1e-2. (Weights moved by one float32 ulp move the naive loop's own losses
 * by only 3e-8 over 20 steps: it is the gradients' rounding that compounds, not chaos.)
 * The mutants miss by more: unscaled dropout by 3e-3 at step 1, 0.1 later; Adam without
 * its bias correction by 0.28 at step 2.
 */
const tolerance = (b: number) => (b === 0 ? 1e-5 : 1e-2);

/** |a − b| relative to the reference b. */
const relativeDiff = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
/** The largest ratio of a step's relative difference to its tolerance (≤ 1: all within). */
const worst = (losses: number[]) =>
  Math.max(...losses.map((x, b) => relativeDiff(x, reference[b]) / tolerance(b)));

const reference = await tfjsLosses();
const masks = { ...COURSE_KERNELS, ...tfjsDropout() };

Deno.test("naive training: 20 steps take the TF.js loop's losses within float32 noise", () => {
  const naive = naiveLosses(new Adam(1e-3), masks);
  assert.equal(naive.length, STEPS);
  assert.equal(reference.length, STEPS);
  // These 20 steps train (the last five batches' loss is lower than the first five's), so
  // two loops that both stood still would not pass for agreeing.
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b) / xs.length;
  assert.ok(mean(reference.slice(-5)) < mean(reference.slice(0, 5)) - 0.15, `${reference}`);
  const ratio = worst(naive);
  console.log(`largest difference over ${STEPS} steps: ${ratio.toFixed(2)} of its tolerance`);
  assert.ok(ratio <= 1, `off by ${ratio} times the tolerance\nnaive ${naive}\ntfjs ${reference}`);
});

Deno.test("naive training: an unscaled dropout mask is caught", () => {
  const unscaled = { ...COURSE_KERNELS, ...tfjsDropout(true) };
  assert.ok(worst(naiveLosses(new Adam(1e-3), unscaled, true)) > 1, "the mutant stayed within");
});

Deno.test("naive training: Adam without its bias correction is caught", () => {
  const uncorrected = naiveLosses(new AdamWithoutBiasCorrection(1e-3), masks, true);
  assert.ok(worst(uncorrected) > 1, "the mutant stayed within");
});

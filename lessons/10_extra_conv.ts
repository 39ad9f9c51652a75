/**
 * # 10 · Exercise: an extra convolutional layer
 *
 * The lecture ends with an exercise (section 15.12): add to the network, before the
 * flattening, one more convolutional layer, 5×5 with 128 output channels, and adjust the
 * fully connected layers to the new sizes. Taken to the letter, that is one layer, conv3,
 * between pool2 and the flatten. The lecture says to adjust *both* FC layers; in fact only
 * fc1 has to change (its input grows or shrinks with the flattened map; fc2 still maps 1024
 * units to 10), so here we depart from its wording and leave fc2 as it is. Our
 * answer, `buildModel("extra-conv")` in `training/model.ts`, adds a pooling layer after
 * conv3 as well:
 *
 * ```text
 * conv3  5×5, 64 → 128 channels, padding 2, ReLU
 * pool3  max 2×2, stride 2          (our choice, not asked for)
 * ```
 *
 * The pool is a design choice, and it decides the size of the network: this lesson builds
 * both variants, follows their shapes, counts their parameters, and sets the pooled one's
 * reference run beside the lecture network's, saying exactly how far those two runs can be
 * compared.
 *
 * @module
 */
import assert from "node:assert/strict";
import { currentBackend, tf } from "../accel/backend.ts";
import { take } from "../data/mnist.ts";
import { data } from "./mnist_cnn.ts";
import { buildModel, type ModelVariant } from "../training/model.ts";
import { Rng } from "../kernels/rng.ts";
import { evaluate, trainEpoch } from "../training/loop.ts";
import type { Metrics } from "../training/run.ts";
import { modelFigure } from "./figures/network.ts";
import { compareFigure } from "./figures/charts.ts";
import { splitLiterate } from "./literate.ts";
import { printLesson, show } from "./show.ts";
import { exactPair } from "./twins.ts";
import {
  kernelsOf,
  missingReference,
  readReference,
  readSeedRuns,
  type ReferenceRun,
  referenceRunMissing,
} from "./reference.ts";
import { needs } from "./requires.ts";

export const lesson = {
  url: import.meta.url,
  summary: "The lecture's exercise solved two ways: a 5×5×128 conv before flattening alone " +
    "doubles the network, with a pool after it the network shrinks to 1.45 million; the two " +
    "reference runs side by side, and what they can and cannot compare.",
};

/** The three networks of this lesson: the lecture's, conv3 alone, conv3 and pool3. */
export type Variant = ModelVariant | "conv3-only";

/**
 * The exercise read to the letter: the lecture's network with conv3 after pool2 and no
 * pool after it. It is only built to be measured here, never trained, so it lives in this
 * lesson rather than in `training/model.ts`.
 */
export function buildConv3Only(): tf.Sequential {
  const conv = (filters: number, name: string, first = false) =>
    tf.layers.conv2d({
      ...(first ? { inputShape: [28, 28, 1] } : {}),
      filters,
      kernelSize: 5,
      padding: "same",
      activation: "relu",
      name,
    });
  const pool = (name: string) => tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name });
  const model = tf.sequential({ name: "litconv-conv3-only" });
  model.add(conv(32, "conv1", true));
  model.add(pool("pool1"));
  model.add(conv(64, "conv2"));
  model.add(pool("pool2"));
  model.add(conv(128, "conv3"));
  model.add(tf.layers.flatten({ name: "flatten" }));
  model.add(tf.layers.dense({ units: 1024, activation: "relu", name: "fc1" }));
  model.add(tf.layers.dropout({ rate: 0.5, name: "dropout" }));
  model.add(tf.layers.dense({ units: 10, name: "fc2" }));
  return model;
}

function build(variant: Variant): tf.Sequential {
  return variant === "conv3-only" ? buildConv3Only() : buildModel(variant, 1);
}

/**
 * ## Shapes
 *
 * conv3 keeps the 7×7 map (padding 2 for a 5×5 kernel) and raises the channels to 128.
 * Without a pool after it, flattening gives 7·7·128 = 6272 features, twice the lecture's
 * 7·7·64 = 3136. With pool3, the 7×7 map halves to 3×3, *rounding down*: the last row and
 * column fall outside every 2×2 window, as with PyTorch's `MaxPool2d(2)`, and flattening
 * gives 3·3·128 = 1152. Either way the flattened size is the only change the dense layers
 * need: fc1 becomes `Linear(6272, 1024)` or `Linear(1152, 1024)` (TF.js infers it from the
 * input shape), and fc2, `Linear(1024, 10)`, is unchanged.
 */
export async function shapes(variant: Variant): Promise<{ layer: string; shape: number[] }[]> {
  await currentBackend();
  const model = build(variant);
  try {
    return model.layers.map((l) => ({
      layer: l.name,
      shape: [4, ...(l.outputShape as number[]).slice(1)],
    }));
  } finally {
    model.dispose();
  }
}

const VARIANTS: readonly Variant[] = ["lecture", "conv3-only", "extra-conv"];
const shapeOf = (s: number[]) => `[${s.join(", ")}]`;
for (const v of VARIANTS) {
  show(
    `${v} shape walk (NHWC)`,
    async () => (await shapes(v)).map((w) => `${w.layer.padEnd(8)} ${shapeOf(w.shape)}`).join("\n"),
  );
}
show("fc1 input: lecture → conv3 only / conv3 + pool3", async () => {
  const flat = [];
  for (const v of VARIANTS) {
    flat.push((await shapes(v)).find((l) => l.layer === "flatten")!.shape[1]);
  }
  return `${flat[0]} → ${flat[1]} / ${flat[2]}`;
});
show(
  "The pooled variant, layer by layer, with its real shapes",
  () => modelFigure("extra-conv", "The lecture's CNN with conv3 and pool3"),
);

/** Parameters per layer that has any, and in total. */
export async function params(variant: Variant) {
  await currentBackend();
  const model = build(variant);
  try {
    return {
      layers: Object.fromEntries(
        model.layers.filter((l) => l.countParams() > 0).map((l) => [l.name, l.countParams()]),
      ),
      total: model.countParams(),
    };
  } finally {
    model.dispose();
  }
}

/**
 * ## Parameters: the pool decides
 *
 * conv3 costs 5·5·64·128 + 128 = 204,928 parameters in both variants. The rest is fc1's
 * business, since it connects every flattened feature to 1024 units. Without pool3, fc1
 * grows from 3136·1024 + 1024 = 3,212,288 to 6272·1024 + 1024 = 6,423,552, and the network
 * from 3,274,634 to 6,690,826 parameters: deeper *and* twice as large. With pool3, fc1
 * shrinks to 1152·1024 + 1024 = 1,180,672 and the network to 1,447,946, 44 % of the
 * lecture's. (The table printed below computes each of these numbers.)
 *
 * Either variant does more arithmetic per image than the lecture's: conv3 multiplies
 * 5·5·64·128 weights at each of the 7·7 positions, as many multiply-adds as conv2 does
 * with its 5·5·32·64 weights at 14·14 positions. Parameters are not compute.
 */
/** Multiply-adds of one convolution layer: k·k·C_in·C_out at each output position. */
export function convMacs(k: number, cin: number, cout: number, side: number): number {
  return k * k * cin * cout * side * side;
}
show("parameters by the formulas; twin: TF.js's countParams", async () => {
  const counts: Awaited<ReturnType<typeof params>>[] = [];
  const flat: number[] = [];
  for (const v of VARIANTS) { // one at a time: the backend starts on the first call
    counts.push(await params(v));
    flat.push((await shapes(v)).find((l) => l.layer === "flatten")!.shape[1]);
  }
  const names = ["conv1", "conv2", "conv3", "fc1", "fc2"];
  // The formulas: k·k·C_in·C_out + C_out per conv, n_in·n_out + n_out per dense layer.
  const formula = (v: number) => ({
    conv1: 5 * 5 * 1 * 32 + 32,
    conv2: 5 * 5 * 32 * 64 + 64,
    conv3: VARIANTS[v] === "lecture" ? undefined : 5 * 5 * 64 * 128 + 128,
    fc1: flat[v] * 1024 + 1024,
    fc2: 1024 * 10 + 10,
  } as Record<string, number | undefined>);
  const table = (get: (v: number, n: string) => number | undefined, totals: number[]) =>
    [`${"".padEnd(6)} ${VARIANTS.map((v) => v.padStart(11)).join("")}`].concat(
      names.map((n) =>
        `${n.padEnd(6)} ${VARIANTS.map((_, v) => String(get(v, n) ?? "-").padStart(11)).join("")}`
      ),
      `${"total".padEnd(6)} ${totals.map((t) => String(t).padStart(11)).join("")}`,
    ).join("\n");
  const formulaTotals = VARIANTS.map((_, v) =>
    Object.values(formula(v)).reduce((a: number, b) => a + (b ?? 0), 0)
  );
  const tfTotals = counts.map((c) => c.total);
  return exactPair(
    formulaTotals,
    table((v, n) => formula(v)[n], formulaTotals),
    tfTotals,
    table((v, n) => counts[v].layers[n], tfTotals),
  );
});
show(
  "multiply-adds per image: conv2 (14×14) and conv3 (7×7)",
  `${convMacs(5, 32, 64, 14)} and ${convMacs(5, 64, 128, 7)}`,
);

/**
 * ## Trained side by side
 *
 * The pooled variant and the lecture's network each have a committed reference run, in
 * `data/reference/extra-conv/` and `data/reference/lecture/`, and their validation curves
 * are drawn below on the same axes. Before reading anything into them, look at what the
 * two runs have in common, printed from their `metrics.json`: the seed, batch size and
 * learning rate, but not necessarily the number of epochs or the kernels they ran on. When
 * the epochs differ, only the epochs both runs have are comparable, so the comparison
 * below is at the last epoch they share; the test accuracies come after each run's own
 * last epoch, and are not a like-for-like comparison. Like lesson 08's, these are also
 * single runs: differences of a few digits in 10,000 are within what another seed gives.
 *
 * The conv3-only variant has no reference run, since `deno task train` builds only the
 * pooled one; training it is left to a curious reader (`buildConv3Only` and `trainEpoch`
 * are all it takes).
 */
/** What two runs share and where they differ, and their numbers where both can be compared. */
export function compareRuns(
  a: { name: string; metrics: Metrics },
  b: { name: string; metrics: Metrics },
): {
  same: string[];
  different: string[];
  fair: boolean;
  sharedEpochs: number;
  lines: string[];
} {
  const [ca, cb] = [a.metrics.config, b.metrics.config];
  const facts: [string, string | number | null, string | number | null][] = [
    ["epochs", ca.epochs, cb.epochs],
    ["seed", ca.seed, cb.seed],
    ["batch size", ca.batchSize, cb.batchSize],
    ["learning rate", ca.learningRate, cb.learningRate],
    ["training digits", ca.limit ?? 50_000, cb.limit ?? 50_000],
    ["backend", a.metrics.backend, b.metrics.backend],
    ["kernels", kernelsOf(a.metrics), kernelsOf(b.metrics)],
  ];
  const same = facts.filter(([, x, y]) => x === y).map(([k, x]) => `${k} ${x}`);
  const different = facts.filter(([, x, y]) => x !== y).map(([k, x, y]) =>
    `${k}: ${a.name} ${x}, ${b.name} ${y}`
  );
  const shared = Math.min(a.metrics.history.length, b.metrics.history.length);
  const [ha, hb] = [a.metrics.history[shared - 1], b.metrics.history[shared - 1]];
  const fair = different.length === 0;
  return {
    same,
    different,
    fair,
    sharedEpochs: shared,
    lines: [
      `the same: ${same.join(", ") || "nothing"}`,
      `different: ${different.join("; ") || "nothing"}`,
      `after epoch ${shared}, the last both have: validation accuracy ${
        ha.validAccuracy.toFixed(4)
      } (${a.name}) and ${hb.validAccuracy.toFixed(4)} (${b.name}), validation loss ${
        ha.validLoss.toFixed(4)
      } and ${hb.validLoss.toFixed(4)}`,
      `test accuracy after each run's last epoch: ${
        a.metrics.testAccuracy!.toFixed(4)
      } (${a.name}, ` +
      `epoch ${a.metrics.history.length}) and ${b.metrics.testAccuracy!.toFixed(4)} (${b.name}, ` +
      `epoch ${b.metrics.history.length})${
        fair ? "" : ": not the same training, so not a verdict"
      }`,
    ],
  };
}

let runs: Promise<[ReferenceRun | undefined, ReferenceRun | undefined]> | undefined;
const references =
  () => (runs ??= Promise.all([readReference("lecture"), readReference("extra-conv")]));
for (const name of ["lecture", "extra-conv"] as const) {
  show(`${name}, reference run`, async () => {
    const [lecture, extra] = await references();
    const ref = name === "lecture" ? lecture : extra;
    if (!ref) return missingReference(name);
    const m = ref.metrics, last = m.history[m.history.length - 1];
    return `${ref.path}: ${m.config.epochs} epochs, seed ${m.config.seed}: accuracy ` +
      `${last.trainAccuracy.toFixed(4)} val_accuracy ${last.validAccuracy.toFixed(4)} test ` +
      `accuracy ${m.testAccuracy!.toFixed(4)}; kernels: ${kernelsOf(m)}`;
  });
}
show("what the two reference runs share, and what can be compared", async () => {
  const [lecture, extra] = await references();
  if (!lecture || !extra) return missingReference(lecture ? "extra-conv" : "lecture");
  return compareRuns({ name: "lecture", metrics: lecture.metrics }, {
    name: "extra-conv",
    metrics: extra.metrics,
  }).lines.join("\n");
});
for (const key of ["validAccuracy", "validLoss"] as const) {
  show(
    `${key === "validAccuracy" ? "Validation accuracy" : "Validation loss"} by epoch, both runs`,
    async () => {
      const [lecture, extra] = await references();
      if (!lecture || !extra) return missingReference(lecture ? "extra-conv" : "lecture");
      // The axis zooms in; the seeds' spread says how much of a gap is only noise.
      const seeds = await readSeedRuns();
      const valid = seeds?.map((r) => r.validAccuracy) ?? [];
      const note = key === "validAccuracy" && valid.length > 1
        ? `one run each; ${valid.length} seeds of the lecture's model end ${
          Math.min(...valid).toFixed(4)
        } to ${Math.max(...valid).toFixed(4)}`
        : undefined;
      return compareFigure(
        [
          {
            label: "lecture",
            history: lecture.metrics.history,
          },
          {
            label: "extra-conv",
            history: extra.metrics.history,
          },
        ],
        key,
        note,
      );
    },
  );
}

/**
 * `compare` below trains both for one epoch on 640 digits, a quick check that both
 * learn; it runs in the lesson's tests and under `deno run`, never while the page is
 * built.
 */
export async function compare(trainCount = 640, evalCount = 1000) {
  await currentBackend();
  const { train, valid } = data();
  const results = [];
  for (const variant of ["lecture", "extra-conv"] as const) {
    const model = buildModel(variant, 1);
    const optimizer = tf.train.adam(1e-3);
    const start = performance.now();
    const fit = await trainEpoch(model, optimizer, take(train, trainCount), new Rng(1), 64);
    const seconds = (performance.now() - start) / 1000;
    const score = await evaluate(model, take(valid, evalCount));
    results.push({ variant, fit, score, secondsPerStep: seconds / Math.ceil(trainCount / 64) });
    model.dispose();
    optimizer.dispose();
  }
  return results;
}

/**
 * ## Claims, checked
 */
Deno.test("10: the extra block maps [4, 7, 7, 64] to [4, 3, 3, 128]; fc1 reads 1152 features", async () => {
  const walk = Object.fromEntries((await shapes("extra-conv")).map((w) => [w.layer, w.shape]));
  assert.deepEqual(walk.conv3, [4, 7, 7, 128]);
  assert.deepEqual(walk.pool3, [4, 3, 3, 128]);
  assert.deepEqual(walk.flatten, [4, 1152]);
  const lectureWalk = Object.fromEntries((await shapes("lecture")).map((w) => [w.layer, w.shape]));
  assert.deepEqual(lectureWalk.flatten, [4, 3136]);
  assert.equal(lectureWalk.conv3, undefined);
});

Deno.test("10: without pool3 fc1 doubles (6,423,552) and so does the network (6,690,826)", async () => {
  const [lecture, only] = [await params("lecture"), await params("conv3-only")];
  const walk = Object.fromEntries((await shapes("conv3-only")).map((w) => [w.layer, w.shape]));
  assert.deepEqual(walk.flatten, [4, 7 * 7 * 128]);
  assert.equal(only.layers.fc1, 7 * 7 * 128 * 1024 + 1024);
  assert.equal(only.layers.fc1, 6_423_552);
  assert.equal(only.total, 6_690_826);
  assert.equal(only.layers.fc2, lecture.layers.fc2); // fc2 is unchanged
  assert.equal(convMacs(5, 64, 128, 7), convMacs(5, 32, 64, 14));
});

Deno.test("10: parameter counts, and with pool3 the deeper network is the smaller one", async () => {
  const [lecture, extra] = [await params("lecture"), await params("extra-conv")];
  assert.equal(extra.layers.conv3, 5 * 5 * 64 * 128 + 128);
  assert.equal(extra.layers.fc1, 1152 * 1024 + 1024);
  assert.equal(lecture.layers.fc1, 3136 * 1024 + 1024);
  assert.equal(
    extra.total,
    lecture.total - lecture.layers.fc1 + extra.layers.fc1 + extra.layers.conv3,
  );
  assert.ok(extra.total < 0.45 * lecture.total);
  assert.equal(extra.layers.fc2, lecture.layers.fc2);
});

Deno.test("10: the runs' comparison says what differs, from metrics.json alone", () => {
  const history = (epochs: number) =>
    Array.from({ length: epochs }, (_, i) => ({
      epoch: i + 1,
      trainLoss: 0.1,
      trainAccuracy: 0.99,
      validLoss: 0.05 + i / 100,
      validAccuracy: 0.98 + i / 1000,
      seconds: 100,
      imagesPerSecond: 500,
    }));
  const metrics = (epochs: number, kernels: string) =>
    ({
      config: {
        model: "lecture",
        epochs,
        seed: 1,
        limit: null,
        evalLimit: null,
        batchSize: 64,
        learningRate: 0.001,
        rotationStep: 5,
      },
      backend: "wasm",
      kernels: { kernels, calls: {} },
      history: history(epochs),
      testAccuracy: 0.99,
    }) as unknown as Metrics;
  const unfair = compareRuns({ name: "a", metrics: metrics(20, "native: oneDNN") }, {
    name: "b",
    metrics: metrics(6, "native: OpenBLAS"),
  });
  assert.equal(unfair.fair, false);
  assert.equal(unfair.sharedEpochs, 6);
  assert.match(
    unfair.lines.join("\n"),
    /epochs: a 20, b 6; kernels: a native: oneDNN, b native: OpenBLAS/,
  );
  assert.match(unfair.lines[2], /after epoch 6, the last both have: validation accuracy 0\.9850/);
  assert.match(unfair.lines[3], /not the same training/);
  const fair = compareRuns({ name: "a", metrics: metrics(20, "k") }, {
    name: "b",
    metrics: metrics(20, "k"),
  });
  assert.equal(fair.fair, true);
  assert.match(fair.lines[0], /epochs 20, seed 1, batch size 64/);
  assert.doesNotMatch(fair.lines.join("\n"), /not the same/);
});

const referencesMissing = referenceRunMissing("lecture") ?? referenceRunMissing("extra-conv");
Deno.test(needs(referencesMissing, {
  name: "10: the lesson claims no shared settings the two reference runs do not share",
  fn: async () => {
    const [lecture, extra] = [await readReference("lecture"), await readReference("extra-conv")];
    assert.ok(lecture && extra, "a reference run's metrics.json has no test accuracy");
    const prose = splitLiterate(await Deno.readTextFile(new URL(import.meta.url)))
      .flatMap((b) => (b.kind === "prose" ? [b.markdown] : [])).join("\n");
    const { fair } = compareRuns({ name: "lecture", metrics: lecture.metrics }, {
      name: "extra-conv",
      metrics: extra.metrics,
    });
    // The old wording: "with the same seed and settings", "after full training".
    if (!fair) assert.doesNotMatch(prose, /same seed and settings|after full training/);
  },
}));

Deno.test("10: both variants learn from the same short training", async () => {
  const runs = await compare(640, 300);
  for (const r of runs) {
    // Untrained: loss ≈ ln 10 and accuracy ≈ 0.1.
    assert.ok(r.score.loss < Math.log(10) - 0.3, `${r.variant}: ${r.score.loss}`);
    assert.ok(r.score.accuracy > 0.4, `${r.variant}: ${r.score.accuracy}`);
  }
});

/**
 * ## Exercises
 *
 * 1. **Task 10.1** — write `extraConvModel(size: number): ModelSummary`, the pooled
 *    variant worked out on paper for one `1 × size × size` image: each layer's output shape,
 *    channels first and without the batch axis (conv1 `[32, size, size]`, pool1, …, flatten
 *    `[features]`, fc1 `[1024]`, fc2 `[10]`), and the number of parameters. Use
 *    `convOutputSize` from lesson 03. Start with
 *    `deno task assignment new my-work --tasks 10.1`, then `deno task grade my-work`: the
 *    grader checks your summary for several image sizes.
 * 2. Practice (not graded): write `flattenedSize(side: number, blocks: number,
 *    lastChannels: number): number`, the number of features after `blocks` conv (padding
 *    2) + max-pool 2 blocks on a side×side image: 3136 for (28, 2, 64), 1152 for
 *    (28, 3, 128). Compare it with `shapes(…)` above.
 * 3. Practice (not graded): write `macsPerImage(variant: "lecture" | "extra-conv"):
 *    number`, the multiply-adds of one forward pass (`convMacs` does one layer), and
 *    compare the ratio of the two with the ratio of the reference runs' images per second.
 */

if (import.meta.main) {
  await printLesson(import.meta.url);
  // A quick check, not the reference runs: one epoch on 640 digits each.
  console.log("\nquick check (not the reference runs): 1 epoch on 640 digits, 1000 valid");
  for (const r of await compare()) {
    console.log(
      `  ${r.variant.padEnd(10)} accuracy: ${r.fit.accuracy.toFixed(4)} val_accuracy: ${
        r.score.accuracy.toFixed(4)
      } (${r.secondsPerStep.toFixed(2)} s/step)`,
    );
  }
}

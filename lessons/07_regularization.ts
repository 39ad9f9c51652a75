/**
 * # 07 · Regularization, and losses that stay finite
 *
 * A CNN with millions of parameters can memorise its training set. Two standard brakes:
 *
 * - **L2 regularization** adds $\lambda \sum_i w_i^2$ to the loss, so large weights cost
 *   something and the optimiser prefers small ones;
 * - **dropout** switches off a random fraction $p$ of a layer's units at every training
 *   step, so no unit can rely on a particular partner being there.
 *
 * The second half of the lesson is about the loss itself: the same cross-entropy can be
 * computed from probabilities or from logits, and only one of the two survives confident
 * predictions.
 *
 * @module
 */
import assert from "node:assert/strict";
import { logSoftmax, sigmoid, softmax } from "../kernels/activation.ts";
import { LitconvError } from "../kernels/errors.ts";
import {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  nllLoss,
} from "../kernels/loss.ts";
import { dropout, l2Penalty, mulberry32 } from "../kernels/regularize.ts";
import * as tfjs from "../kernels/tfjs/index.ts";
import { useBackend } from "../kernels/backend.ts";
import {
  type Example,
  formatArray,
  type LessonMeta,
  maxAbsDiff,
  printExamples,
} from "./literate.ts";

export const lesson: LessonMeta = {
  slug: "07-regularization",
  title: "Regularization, and losses that stay finite",
  order: 7,
  summary: "An L2 penalty on a conv and a linear layer, inverted dropout in training and " +
    "evaluation, and why BCE and cross-entropy should be computed from logits.",
};

/**
 * ## An L2 penalty on two layers
 *
 * The lecture takes the binary cross-entropy of one prediction, $0.9$ for a target of
 * $1$ ($-\ln 0.9 \approx 0.1054$), and adds $\lambda = 0.001$ times the sum of the squares
 * of every parameter of two freshly made layers: a convolution with 3 input channels,
 * 5 output channels and 5×5 kernels (weights $5 \times 3 \times 5 \times 5$, 5 biases)
 * and a linear layer from 10 to 16 units (weights $16 \times 10$, 16 biases).
 *
 * Fresh layers hold random numbers. PyTorch draws each weight and bias uniformly from
 * $[-1/\sqrt{\text{fan in}},\, 1/\sqrt{\text{fan in}}]$, where the fan in is the number of
 * inputs one output sees ($3 \cdot 5 \cdot 5 = 75$ and $10$). We draw them the same way from
 * a seeded generator, so our total **differs from the lecture's 0.1127**: different random
 * numbers, same recipe. Both should sit near the expected value: a uniform number on
 * $[-b, b]$ has mean square $b^2/3$.
 */
const LAMBDA = 0.001;

export function uniformParams(
  shape: number[],
  fanIn: number,
  next: () => number,
): number[] | number[][] {
  const bound = 1 / Math.sqrt(fanIn);
  const build = (dims: number[]): number[] | number[][] =>
    dims.length === 1
      ? Array.from({ length: dims[0] }, () => (2 * next() - 1) * bound)
      : Array.from({ length: dims[0] }, () => build(dims.slice(1)) as number[]);
  return build(shape);
}

const next = mulberry32(7);
export const convLayer = {
  weight: uniformParams([5, 3, 5, 5], 75, next),
  bias: uniformParams([5], 75, next),
};
export const linearLayer = {
  weight: uniformParams([16, 10], 10, next),
  bias: uniformParams([16], 10, next),
};

const loss = binaryCrossEntropy([0.9], [1]);
const penaltyConv = l2Penalty([convLayer.weight, convLayer.bias], LAMBDA);
const penaltyLinear = l2Penalty([linearLayer.weight, linearLayer.bias], LAMBDA);
const totalLoss = loss + penaltyConv + penaltyLinear;
/** λ · Σ (count · b²/3) over the four parameter arrays. */
const expectedPenalty = LAMBDA * ((5 * 75 + 5) / 75 + (16 * 10 + 16) / 10) / 3;

/**
 * ## Dropout, inverted
 *
 * In training, dropout zeroes each entry with probability $p$ and multiplies the
 * survivors by $1/(1 - p)$. The scale keeps every entry's *expected* value what it was,
 * so at evaluation time, when nothing is dropped, the layer after it sees inputs of the
 * same size as in training and nothing needs rescaling: evaluation-mode dropout is the
 * identity. (The lecture's network uses $p = 0.5$ after its first dense layer, so
 * survivors are doubled.)
 *
 * The naive kernel draws its mask from a seeded `mulberry32`; the TF.js twin uses
 * TF.js's own generator, so the same seed gives a *different* mask. What both must
 * share are the rules: zero or $x/(1-p)$, and the mean preserved.
 */
const activations = [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]];

export function meanAfterDropout(values: number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/**
 * ## Cross-entropy from probabilities or from logits
 *
 * A binary classifier's last layer gives a *logit* $z$; the sigmoid turns it into a
 * probability $\sigma(z)$. PyTorch offers two losses: `BCELoss` on probabilities and
 * `BCEWithLogitsLoss` on logits. For a logit of $0.8$ and a target of $1$ they agree,
 * $-\ln \sigma(0.8) = 0.3711$. In the same way, `NLLLoss` on log-probabilities and
 * `CrossEntropyLoss` on logits agree for three classes with logits $(1.5, 0.8, 2.1)$
 * and target class 2: $0.5996$. The lecture takes `torch.log` of the softmax; we do too.
 */
const bceLogit = [0.8];
const cceLogits = [[1.5, 0.8, 2.1]];

/**
 * ### Why the logits versions are the stable ones
 *
 * Through probabilities, a confident prediction loses its information before the loss
 * ever sees it. $\sigma(40)$ is $1 - 4 \cdot 10^{-18}$, which rounds to exactly $1$ in
 * float64, so for a target of $0$ the loss is $-\ln(1 - 1) = \infty$; PyTorch (and our
 * kernel) floor each log at $-100$ and report 100, while the true loss is 40. In float32,
 * where TF.js computes, this already happens at a logit of 20. (At a logit of 100 the
 * floor gives the right answer, 100, by luck; and a logit of $-100$ with target 1 is
 * harmless, since $\sigma(-100) \approx 3.7 \cdot 10^{-44}$ is tiny but representable: the
 * trouble is $1 - \sigma(z)$, not $\sigma(z)$.) From the logit, the loss
 * is computed as $\max(z, 0) - z t + \ln(1 + e^{-|z|})$: no exponential of a large
 * number, no $1 - \sigma$, exact at any logit.
 *
 * With several classes it is the same story: logits $(800, 0)$ and target class 1 have
 * loss 800, but the softmax's second probability, $e^{-800}$, is $0$ in floating point,
 * its log is $-\infty$, and `nllLoss` refuses it with an error rather than return a
 * wrong number. `crossEntropy` works with `logSoftmax`, $z - \max z - \ln \sum e^{z - \max z}$,
 * and returns 800.
 */
export const STABILITY_CASES: [logit: number, target: number][] = [
  [-100, 1],
  [100, 0],
  [40, 0],
  [20, 0],
];

export async function stabilityRows() {
  const rows = [];
  for (const [z, t] of STABILITY_CASES) {
    rows.push({
      z,
      t,
      probas: binaryCrossEntropy(sigmoid([z]), [t]),
      probasTf: await tfjs.binaryCrossEntropy(await tfjs.sigmoid([z]), [t]),
      logits: binaryCrossEntropyWithLogits([z], [t]),
      logitsTf: await tfjs.binaryCrossEntropyWithLogits([z], [t]),
    });
  }
  return rows;
}

function viaProbabilities(logits: number[][], targets: number[]): string {
  try {
    return nllLoss(softmax(logits).map((row) => row.map(Math.log)), targets).toFixed(4);
  } catch (e) {
    if (e instanceof LitconvError) return `refused (${e.message})`;
    throw e;
  }
}

export async function examples(): Promise<Example[]> {
  const backend = (await useBackend()).name;
  const twinPenalty = await tfjs.l2Penalty(
    [convLayer.weight, convLayer.bias, linearLayer.weight, linearLayer.bias],
    LAMBDA,
  );
  const twinLoss = await tfjs.binaryCrossEntropy([0.9], [1]);
  const ones = new Array<number>(100_000).fill(1);
  const stab = (await stabilityRows()).map((r) =>
    `${String(r.z).padStart(5)} ${r.t} │ ${r.probas.toFixed(4).padStart(8)} ${
      r.probasTf.toFixed(4).padStart(8)
    } │ ` +
    `${r.logits.toFixed(4).padStart(8)} ${r.logitsTf.toFixed(4).padStart(8)}`
  );
  const probas = sigmoid(bceLogit);
  return [
    { label: "BCE(0.9, 1)", value: loss.toFixed(4) },
    {
      label: "λ·Σw² conv (3→5, 5×5), linear (10→16)",
      value: `${penaltyConv.toFixed(4)}, ${penaltyLinear.toFixed(4)}`,
    },
    {
      label: "total_loss_with_penalty (naive; the lecture's draw gave 0.1127)",
      value: totalLoss.toFixed(4),
    },
    {
      label: `total_loss_with_penalty (tfjs, ${backend})`,
      value: (twinLoss + twinPenalty).toFixed(4),
    },
    { label: "expected total over random draws", value: (loss + expectedPenalty).toFixed(4) },
    { label: "activations", value: formatArray(activations) },
    {
      label: "dropout p=0.5, training (naive, seed 1)",
      value: formatArray(dropout(activations, 0.5, { training: true, seed: 1 })),
    },
    {
      label: `dropout p=0.5, training (tfjs, ${backend}, seed 1)`,
      value: formatArray(await tfjs.dropout(activations, 0.5, { training: true, seed: 1 })),
    },
    {
      label: "dropout p=0.5, evaluation",
      value: formatArray(dropout(activations, 0.5, { training: false, seed: 1 })),
    },
    {
      label: "mean of 100,000 ones after dropout p=0.5 (naive)",
      value: meanAfterDropout(dropout(ones, 0.5, { training: true, seed: 3 })).toFixed(4),
    },
    { label: "BCE (w Probas)", value: binaryCrossEntropy(probas, [1]).toFixed(4) },
    { label: "BCE (w Logits)", value: binaryCrossEntropyWithLogits(bceLogit, [1]).toFixed(4) },
    { label: "CCE (w Logits)", value: crossEntropy(cceLogits, [2]).toFixed(4) },
    { label: "CCE (w Probas)", value: viaProbabilities(cceLogits, [2]) },
    {
      label: `BCE (w Probas / w Logits), tfjs (${backend})`,
      value: `${(await tfjs.binaryCrossEntropy(probas, [1])).toFixed(4)} / ${
        (await tfjs.binaryCrossEntropyWithLogits(bceLogit, [1])).toFixed(4)
      }`,
    },
    {
      label: `CCE (w Logits / w Probas), tfjs (${backend})`,
      value: `${(await tfjs.crossEntropy(cceLogits, [2])).toFixed(4)} / ${
        (await tfjs.nllLoss(await tfjs.logSoftmax(cceLogits), [2])).toFixed(4)
      }`,
    },
    {
      label: "BCE at extreme logits: probas naive, tfjs │ logits naive, tfjs",
      value: ["logit t │   probas  (tfjs)  │   logits  (tfjs)", ...stab].join("\n"),
    },
    {
      label: "CCE (w Probas), logits (800, 0), target 1",
      value: viaProbabilities([[800, 0]], [1]),
    },
    {
      label: "CCE (w Logits), logits (800, 0), target 1",
      value: crossEntropy([[800, 0]], [1]).toFixed(4),
    },
  ];
}

/**
 * ## Claims, checked
 *
 * Every claim above is a test: `deno test -A` runs them (through `tests/lessons_test.ts`).
 */
Deno.test("07: the penalised loss is BCE + λΣw², naive and TF.js, near its expectation", async () => {
  await useBackend();
  assert.equal(loss.toFixed(4), "0.1054");
  const all = [convLayer.weight, convLayer.bias, linearLayer.weight, linearLayer.bias];
  const sumSquares = (all.flat(Infinity) as number[]).reduce(
    (s: number, w) => s + (w as number) ** 2,
    0,
  );
  assert.equal((all.flat(Infinity) as number[]).length, 5 * 3 * 25 + 5 + 16 * 10 + 16);
  assert.ok(Math.abs(totalLoss - (loss + LAMBDA * sumSquares)) < 1e-12);
  assert.ok(Math.abs((await tfjs.l2Penalty(all, LAMBDA)) - LAMBDA * sumSquares) < 1e-6);
  assert.ok(
    (all.flat(Infinity) as number[]).every((w) => Math.abs(w as number) <= 1 / Math.sqrt(10)),
  );
  assert.ok(Math.abs(penaltyConv + penaltyLinear - expectedPenalty) < 0.25 * expectedPenalty);
});

Deno.test("07: inverted dropout: zero or x/(1−p) in training, identity in evaluation", async () => {
  await useBackend();
  for (
    const y of [
      dropout(activations, 0.5, { training: true, seed: 1 }),
      await tfjs.dropout(activations, 0.5, { training: true, seed: 1 }),
    ]
  ) {
    y.flat().forEach((v, i) =>
      assert.ok(v === 0 || Math.abs(v - 2 * (i + 1)) < 1e-6, `${v} at ${i}`)
    );
    assert.ok(y.flat().some((v) => v === 0) && y.flat().some((v) => v !== 0));
  }
  assert.deepEqual(dropout(activations, 0.5, { training: false, seed: 1 }), activations);
  const ones = new Array<number>(100_000).fill(1);
  for (const p of [0.2, 0.5]) {
    assert.ok(Math.abs(meanAfterDropout(dropout(ones, p, { training: true, seed: 3 })) - 1) < 0.02);
  }
});

Deno.test("07: the lecture's numbers: BCE 0.3711 and CCE 0.5996, both ways, both kernels", async () => {
  await useBackend();
  const probas = sigmoid(bceLogit);
  for (const v of [binaryCrossEntropy(probas, [1]), binaryCrossEntropyWithLogits(bceLogit, [1])]) {
    assert.equal(v.toFixed(4), "0.3711");
  }
  assert.ok(Math.abs((await tfjs.binaryCrossEntropyWithLogits(bceLogit, [1])) - 0.37110) < 1e-4);
  assert.equal(crossEntropy(cceLogits, [2]).toFixed(4), "0.5996");
  assert.equal(viaProbabilities(cceLogits, [2]), "0.5996");
  assert.ok(maxAbsDiff(nllLoss(logSoftmax(cceLogits), [2]), crossEntropy(cceLogits, [2])) < 1e-12);
  assert.ok(
    Math.abs((await tfjs.crossEntropy(cceLogits, [2])) - crossEntropy(cceLogits, [2])) < 1e-5,
  );
});

Deno.test("07: from logits stays exact where probabilities saturate", async () => {
  await useBackend();
  const rows = await stabilityRows();
  for (const r of rows) {
    // Every case is confidently wrong: the loss is ln(1 + e^|z|) = |z| + ln(1 + e^−|z|).
    const exact = Math.abs(r.z) + Math.log1p(Math.exp(-Math.abs(r.z)));
    assert.ok(Math.abs(r.logits - exact) < 1e-9, `logits ${r.z}`);
    assert.ok(Math.abs(r.logitsTf - exact) < 1e-3 * exact, `tfjs logits ${r.z}`);
  }
  const at = (z: number) => rows.find((r) => r.z === z)!;
  assert.equal(at(40).probas, 100); // 1 − σ(40) = 0 in float64: the clamp answers
  assert.equal(at(20).probasTf, 100); // … in float32 already at 20
  assert.ok(Math.abs(at(20).probas - 20) < 1e-6); // float64 still copes at 20
  assert.match(viaProbabilities([[800, 0]], [1]), /refused .*nllLoss.*-Infinity/);
  assert.equal(crossEntropy([[800, 0]], [1]), 800);
});

/**
 * ## Exercises
 *
 * 1. Write `binaryCrossEntropyWithLogits(logits: number[], targets: number[]): number`
 *    (the mean over the batch). It will be property-checked against the naive kernel via
 *    the pair registry, including logits of ±1000, where a version that goes through
 *    `sigmoid` fails.
 * 2. Write `dropout(x: number[], p: number, options: {training: boolean, seed: number}):
 *    number[]` (inverted dropout). It will be checked by properties rather than exact
 *    values, since your random numbers differ from ours: identity in evaluation, every
 *    entry 0 or x/(1 − p) in training, the same output for the same seed, and the mean
 *    of 100,000 ones within 0.02 of 1.
 */

if (import.meta.main) printExamples(await examples());

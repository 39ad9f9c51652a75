/**
 * # 07 · Regularization, and losses that stay finite
 *
 * A CNN with millions of parameters can memorise its training set. Two standard brakes:
 *
 * - **L2 regularization** adds $\lambda \sum_i w_i^2$ to the loss, so large weights cost
 *   something and the optimiser prefers small ones;
 * - **dropout** switches off each unit of a layer independently with probability $p$ at
 *   every training step, so no unit can rely on a particular partner being there.
 *
 * The second half of the lesson is about the loss itself: the same cross-entropy can be
 * computed from probabilities or from logits, and only one of the two survives
 * confidently *wrong* predictions.
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
import { dropout, l2Penalty } from "../kernels/regularize.ts";
import { Rng } from "../kernels/rng.ts";
import { tfjs } from "../tfjs/mod.ts";
import { currentBackend, tf, useBackend } from "../accel/backend.ts";
import { formatArray, maxAbsDiff } from "./literate.ts";
import { dropoutFigure } from "./figures/dropout.ts";
import { printLesson, show } from "./show.ts";
import { table } from "./table.ts";
import { runPair } from "./twins.ts";

export const lesson = {
  url: import.meta.url,
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
 *
 * ### The penalty and `weight_decay`
 *
 * Optimisers offer the same brake as a setting. The gradient of $\lambda w^2$ is
 * $2 \lambda w$, so with plain SGD adding the penalty to the loss is exactly PyTorch's
 * `SGD(…, weight_decay=2λ)`, which adds `weight_decay · w` to each gradient. Under Adam
 * the two part ways: Adam divides each weight's whole gradient, the penalty's $2\lambda w$
 * included, by a running root mean square of that weight's past gradients. Where the
 * loss's gradients are large that divisor is large too, so the penalty's pull on those
 * weights is scaled down more than on weights whose gradients are small: the decay is no
 * longer the same fraction of every weight. `AdamW` restores that by shrinking every weight
 * by the same fraction outside the adaptive step ("decoupled" weight decay).
 *
 * Like the lecture we penalise every parameter here. In practice the biases (and
 * normalisation parameters) are usually left out. A weight multiplies an input, so a large
 * weight makes the layer react strongly to small changes of its input, which is what the
 * penalty is there to restrain; a bias multiplies nothing, it only shifts the output, so
 * penalising it restrains no such sensitivity. And there are few of them (5 biases against
 * 375 weights in the convolution below), so they add little room to overfit.
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

const rng = new Rng(7);
const next = () => rng.next();
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
const params = [convLayer.weight, convLayer.bias, linearLayer.weight, linearLayer.bias];
const fmt4 = (v: number) => v.toFixed(4);
show("BCE(0.9, 1)", () => runPair("binaryCrossEntropy", [[0.9], [1]], fmt4));
show(
  "λ·Σw² conv (3→5, 5×5), linear (10→16)",
  `${penaltyConv.toFixed(4)}, ${penaltyLinear.toFixed(4)}`,
);
show(
  "λ·Σw² over both layers",
  () => runPair<number>("l2Penalty", [params, LAMBDA], (v) => v.toFixed(6)),
);
show("total_loss_with_penalty", totalLoss.toFixed(4), {
  lecture: {
    text: "tensor(0.1127, grad_fn=<AddBackward0>)",
    why: "the penalty sums the squares of freshly drawn random weights; the lecture's came " +
      "from PyTorch's generator, ours from a seeded one, so the totals differ (both near the " +
      "expected value below)",
  },
});
show("expected total over random draws", (loss + expectedPenalty).toFixed(4));

/**
 * ## Dropout, inverted
 *
 * In training, dropout zeroes each entry independently with probability $p$ and multiplies
 * the survivors by $1/(1 - p)$. The scale keeps every entry's *expected* value what it was,
 * so at evaluation time, when nothing is dropped, the layer after it sees inputs of the
 * same size as in training and nothing needs rescaling: evaluation-mode dropout is the
 * identity. (The lecture's network uses $p = 0.5$ after its first dense layer, so survivors
 * are doubled.)
 *
 * The naive kernel draws its mask from a seeded `mulberry32`; the TF.js twin uses TF.js's
 * own generator, so the same seed gives a *different* mask. What both must share are the
 * rules: zero or $x/(1-p)$, and the mean preserved. One draw of ten units says little about
 * $p$: at $p = 0.5$, keeping 2 or fewer of 10 (or 8 or more) happens in about one draw in
 * nine. So beside each single draw we print the fraction kept over many draws.
 */
const activations = [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]];

export function meanAfterDropout(values: number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/** The fraction of entries a dropout result kept (non-zero). */
export function keptFraction(y: number[] | number[][]): number {
  const flat = y.flat();
  return flat.filter((v) => v !== 0).length / flat.length;
}

/** The mean kept fraction of the naive dropout over `draws` seeds 1, 2, …, draws. */
export function meanKeptFraction(x: number[][], p: number, draws: number): number {
  let sum = 0;
  for (let seed = 1; seed <= draws; seed++) {
    sum += keptFraction(dropout(x, p, { training: true, seed }));
  }
  return sum / draws;
}
show(
  "Dropout in training (p = 0.5, seed 1) and in evaluation",
  () => dropoutFigure(activations.flat(), 0.5, 1),
  { fig: "FIG 9" },
);
show("activations", activations);
const seedOne = dropout(activations, 0.5, { training: true, seed: 1 });
show(
  "dropout p=0.5, training, one draw (naive, seed 1)",
  `${formatArray(seedOne)}\nkept ${keptFraction(seedOne) * 10} of 10 in this draw; ` +
    `mean kept fraction over 1,000 draws (seeds 1…1000): ${
      meanKeptFraction(activations, 0.5, 1000).toFixed(4)
    }`,
);
const ones = new Array<number>(100_000).fill(1);
show("dropout p=0.5, training, one draw (tfjs, seed 1)", async () => {
  // The twin returns the same shape as x (its type says only "a nested array").
  const y = await tfjs.dropout(activations, 0.5, { training: true, seed: 1 }) as number[][];
  const many = await tfjs.dropout(ones, 0.5, { training: true, seed: 1 }) as number[];
  return `${formatArray(y)}\nkept ${keptFraction(y) * 10} of 10 in this draw; kept ` +
    `fraction of 100,000 units in one call: ${keptFraction(many).toFixed(4)} (${
      (await currentBackend()).name
    })`;
});
show(
  "dropout p=0.5, evaluation",
  () => runPair("dropout", [activations, 0.5, { training: false, seed: 1 }]),
);
show(
  "mean of 100,000 ones after dropout p=0.5 (naive)",
  meanAfterDropout(dropout(ones, 0.5, { training: true, seed: 3 })).toFixed(4),
);

/**
 * ## Cross-entropy from probabilities or from logits
 *
 * First the two losses themselves. A binary classifier's last layer gives a *logit* $z$;
 * the sigmoid turns it into a probability $p = \sigma(z) = 1/(1 + e^{-z})$. For a target
 * $t \in \{0, 1\}$ the **binary cross-entropy** of one sample, and of a batch of $N$, is
 *
 * $$\ell_{\text{BCE}}(p, t) = -\bigl[t \ln p + (1 - t) \ln (1 - p)\bigr], \qquad
 *   L_{\text{BCE}} = \frac{1}{N} \sum_{i=1}^{N} \ell_{\text{BCE}}(p_i, t_i).$$
 *
 * With $C$ classes the last layer gives $C$ logits $z_1, \dots, z_C$, the softmax turns
 * them into probabilities $e^{z_k} / \sum_j e^{z_j}$, and the **cross-entropy** of a
 * sample of class $y$ is minus the log of its class's probability,
 *
 * $$\ell_{\text{CE}}(\boldsymbol z, y) = -\ln \frac{e^{z_y}}{\sum_{k=1}^{C} e^{z_k}}
 *   = -z_y + \ln \sum_{k=1}^{C} e^{z_k}, \qquad
 *   L_{\text{CE}} = \frac{1}{N} \sum_{i=1}^{N} \ell_{\text{CE}}(\boldsymbol z^{(i)}, y_i).$$
 *
 * PyTorch (and our kernels) average over the batch, as written. PyTorch offers two binary
 * losses: `BCELoss` on probabilities and `BCEWithLogitsLoss` on logits. For a logit of
 * $0.8$ and a target of $1$ they agree, $-\ln \sigma(0.8) = 0.3711$. In the same way,
 * `NLLLoss` on log-probabilities and `CrossEntropyLoss` on logits agree for three classes
 * with logits $(1.5, 0.8, 2.1)$ and target class 2: $0.5996$. The lecture takes `torch.log`
 * of the softmax; we do too.
 */
const bceLogit = [0.8];
const cceLogits = [[1.5, 0.8, 2.1]];
show("logit z, target", `${bceLogit[0]}, 1`);
show("σ(z)", () => runPair("sigmoid", [bceLogit]));
show("BCE (w Probas)", () => runPair("binaryCrossEntropy", [sigmoid(bceLogit), [1]], fmt4), {
  lecture: "BCE (w Probas): 0.3711",
});
show("BCE (w Logits)", () => runPair("binaryCrossEntropyWithLogits", [bceLogit, [1]], fmt4), {
  lecture: "BCE (w Logits): 0.3711",
});
show("logits z, target class", `${formatArray(cceLogits[0])}, 2`);
show("softmax(z)", () => runPair("softmax", [cceLogits]));
show("log softmax(z)", () => runPair("logSoftmax", [cceLogits]));
show("CCE (w Logits)", () => runPair("crossEntropy", [cceLogits, [2]], fmt4), {
  lecture: "CCE (w Logits): 0.5996",
});

/** Cross-entropy the long way, through probabilities and then their log. */
function viaProbabilities(logits: number[][], targets: number[]): string {
  try {
    return nllLoss(softmax(logits).map((row) => row.map(Math.log)), targets).toFixed(4);
  } catch (e) {
    if (e instanceof LitconvError) return `refused (${e.message})`;
    throw e;
  }
}
show("CCE (w Probas)", () => viaProbabilities(cceLogits, [2]), {
  lecture: "CCE (w Probas): 0.5996",
});
show("nllLoss(log softmax(z))", () => runPair("nllLoss", [logSoftmax(cceLogits), [2]], fmt4));

/**
 * ### Why the logits versions are the stable ones
 *
 * Through probabilities, a confidently wrong prediction loses its information before the
 * loss ever sees it. $\sigma(40)$ is $1 - 4 \cdot 10^{-18}$, which rounds to exactly $1$
 * in float64, so for a target of $0$ the loss is $-\ln(1 - 1) = \infty$; PyTorch (and our
 * kernel) floor each log at $-100$ and report 100, while the true loss is 40. In float32,
 * where TF.js computes, this already happens at a logit of 20.
 *
 * The other side fails too, only later. For a target of 1 the loss is $-\ln \sigma(z)$,
 * about $|z|$ for a very negative $z$. At $z = -100$ the probability route reports 100,
 * which looks right only because $-100$ is exactly where the floor sits; at $z = -120$ it
 * still reports 100 against a true loss of 120, although $\sigma(-120) \approx 8 \cdot
 * 10^{-53}$ is a perfectly good float64. In float32 $\sigma(z)$ itself underflows to 0
 * near $z = -104$ (the smallest float32 is about $1.4 \cdot 10^{-45}$), and the log of 0
 * is $-\infty$ before any floor. TF.js's own float32 sigmoid can give 0 sooner still: the
 * table below prints what it returns on the backend at hand. From the logit, the loss is
 * computed as $\max(z, 0) - z t + \ln(1 + e^{-|z|})$: no exponential of a large number, no
 * $1 - \sigma$, no log of a rounded probability, exact at any logit.
 *
 * Three columns of the table go through probabilities. *naive* is our float64 kernel and
 * *twin* its TF.js twin: the same formula written with TF.js operations in float32, each log
 * floored at $-100$ as `nn.BCELoss` does. TF.js's own loss, `tf.losses.logLoss`, is the
 * third: it floors nothing but adds $\varepsilon = 10^{-7}$ inside each log, so it never
 * reports more than $-\ln 10^{-7} \approx 16.12$: finite, and just as wrong.
 *
 * With several classes it is the same story: logits $(800, 0)$ and target class 1 have
 * loss 800, but the softmax's second probability, $e^{-800}$, is $0$ in floating point,
 * its log is $-\infty$, and `nllLoss` refuses it with an error rather than return a
 * wrong number. `crossEntropy` works with `logSoftmax`, $z - \max z - \ln \sum e^{z - \max z}$,
 * and returns 800.
 */
export const STABILITY_CASES: [logit: number, target: number][] = [
  [-100, 1],
  [-120, 1],
  [100, 0],
  [40, 0],
  [20, 0],
];

/** σ(z) in float64 and rounded to float32, and TF.js's float32 σ(z): where it underflows. */
export async function sigmoidUnderflow(zs = [-100, -103, -104, -120]) {
  const rows = [];
  for (const z of zs) {
    const [p64] = sigmoid([z]);
    rows.push({ z, p64, p32: Math.fround(p64), tf: (await tfjs.sigmoid([z]))[0] });
  }
  return rows;
}

/** TF.js's built-in binary cross-entropy of probabilities: `tf.losses.logLoss`, ε = 1e-7. */
export async function tfLogLoss(probs: number[], targets: number[]): Promise<number> {
  await currentBackend();
  const loss = tf.tidy(() => tf.losses.logLoss(tf.tensor1d(targets), tf.tensor1d(probs)));
  const [v] = await loss.data();
  loss.dispose();
  return v;
}

export async function stabilityRows() {
  const rows = [];
  for (const [z, t] of STABILITY_CASES) {
    const probsTf = await tfjs.sigmoid([z]);
    rows.push({
      z,
      t,
      probas: binaryCrossEntropy(sigmoid([z]), [t]),
      probasTf: await tfjs.binaryCrossEntropy(probsTf, [t]),
      logLoss: await tfLogLoss(probsTf, [t]),
      logits: binaryCrossEntropyWithLogits([z], [t]),
      logitsTf: await tfjs.binaryCrossEntropyWithLogits([z], [t]),
    });
  }
  return rows;
}

show(
  "BCE at extreme logits, through probabilities and from logits",
  async () => {
    const f = (v: number) => v.toFixed(4);
    return table(
      ["logit", "t", "naive", "twin", "logLoss", "naive", "twin"],
      (await stabilityRows()).map((r) => [
        r.z,
        r.t,
        f(r.probas),
        f(r.probasTf),
        f(r.logLoss),
        f(r.logits),
        f(r.logitsTf),
      ]),
      {
        groups: [["", 2], ["through probabilities", 3], ["from logits", 2]],
        note: `(twin and logLoss on ${(await currentBackend()).name})`,
      },
    );
  },
);
show("σ(z) near the bottom of float32: float64, rounded to float32, tfjs", async () => {
  const e = (v: number) => v.toExponential(2);
  return table(
    ["z", "float64", "float32", "tfjs"],
    (await sigmoidUnderflow()).map((r) => [r.z, e(r.p64), e(r.p32), e(r.tf)]),
    { groups: [["", 1], ["σ(z)", 3]] },
  );
});
show("CCE (w Probas), logits (800, 0), target 1", () => viaProbabilities([[800, 0]], [1]));
show("CCE (w Logits), logits (800, 0), target 1", crossEntropy([[800, 0]], [1]).toFixed(4));

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
      await tfjs.dropout(activations, 0.5, { training: true, seed: 1 }) as number[][],
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
  // A single draw of ten may keep 2 or 8; over many draws the kept fraction is 1 − p.
  assert.ok(Math.abs(meanKeptFraction(activations, 0.5, 1000) - 0.5) < 0.02);
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
  assert.ok(Math.abs(at(-100).probas - 100) < 1e-9); // right only because −100 is the floor
  assert.equal(at(-120).probas, 100); // σ(−120) is a fine float64, but its log is floored
  assert.ok(Math.abs(at(-120).logits - 120) < 1e-9);
  assert.equal(at(40).probas, 100); // 1 − σ(40) = 0 in float64: the clamp answers
  assert.equal(at(20).probasTf, 100); // … in float32 already at 20
  assert.ok(Math.abs(at(20).probas - 20) < 1e-6); // float64 still copes at 20
  // TF.js's own logLoss adds ε = 1e-7 instead: it caps the loss at −ln(1e-7) ≈ 16.12.
  for (const z of [40, 20]) assert.ok(Math.abs(at(z).logLoss + Math.log(1e-7)) < 1e-3, `${z}`);
  assert.ok(rows.every((r) => r.logLoss <= -Math.log(1e-7) + 1e-3));
  assert.match(viaProbabilities([[800, 0]], [1]), /refused .*nllLoss.*-Infinity/);
  assert.equal(crossEntropy([[800, 0]], [1]), 800);
  const under = Object.fromEntries((await sigmoidUnderflow()).map((r) => [r.z, r]));
  assert.ok(under[-120].p64 > 0 && under[-103].p32 > 0); // float64 copes; float32 just does
  assert.equal(under[-104].p32, 0); // … and at −104 σ(z) is 0 in float32
});

/**
 * ## Exercises
 *
 * This lesson's nine graded tasks are the functions it uses. Start with
 * `deno task assignment new my-work --tasks 07.1,07.2,07.3,07.4,07.5,07.6,07.7,07.8,07.9`
 * (or any subset), write them, and run `deno task grade my-work`: the grader compares each
 * with the naive kernel on random inputs and shows a failing input.
 *
 * 1. **Task 07.1** — `sigmoid(x: number[]): number[]`, without overflow for large |x|.
 * 2. **Task 07.2** — `softmax(x: number[][]): number[][]`, row by row; logits of ±1000 must
 *    not give NaN.
 * 3. **Task 07.3** — `logSoftmax(x: number[][]): number[][]`, the stable
 *    $z - \max z - \ln \sum e^{z - \max z}$.
 * 4. **Task 07.4** — `binaryCrossEntropy(probs: number[], targets: number[]): number`, the
 *    batch mean with each log floored at −100, as `nn.BCELoss`.
 * 5. **Task 07.5** — `binaryCrossEntropyWithLogits(logits: number[], targets: number[]):
 *    number`; logits of ±1000 are in the tests, where a version that goes through
 *    `sigmoid` fails.
 * 6. **Task 07.6** — `nllLoss(logProbs: number[][], targets: number[]): number`.
 * 7. **Task 07.7** — `crossEntropy(logits: number[][], targets: number[]): number`, stable
 *    for logits of ±1000.
 * 8. **Task 07.8** — `l2Penalty(params: NestedNumberArray[], lambda: number): number`.
 * 9. **Task 07.9** — `dropout(x, p, {training, seed})`, inverted. Your random numbers
 *    differ from ours, so the grader checks the rules instead of values: identity in
 *    evaluation, every entry 0 or x/(1 − p) in training, the same output for the same seed.
 */

if (import.meta.main) await printLesson(import.meta.url);

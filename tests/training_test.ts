/**
 * Training: the loss falls, NaN stops the run, the command's flags, a complete run folder,
 * and a run killed after its first epoch that resumes to the end.
 */
import assert from "node:assert/strict";
import { tf, useBackend } from "../accel/backend.ts";
import { loadMnist, take } from "../data/mnist.ts";
import { buildModel } from "../training/model.ts";
import { Rng } from "../kernels/rng.ts";
import { evaluate, trainEpoch } from "../training/loop.ts";
import { HELP, parseTrainArgs } from "../training/args.ts";
import { TrainingError, UsageError } from "../kernels/errors.ts";
import { RUN_FILES } from "../training/cli.ts";
import { readCheckpointMeta } from "../training/checkpoint.ts";
import { defaultConfig, type Metrics, runTraining } from "../training/run.ts";
import { loadModel } from "../training/save_model.ts";
import { rotateImage, rotationAngles } from "../training/rotate.ts";
import { decode } from "../deps/fast_png.ts";

const data = loadMnist();
const CLI = new URL("../training/cli.ts", import.meta.url).pathname;

Deno.test("training: five Adam steps of 64 lower the loss on the images trained on", async () => {
  await useBackend("wasm");
  const batches = take(data.train, 5 * 64);
  const model = buildModel("lecture", 1);
  const before = await evaluate(model, batches);
  assert.ok(Math.abs(before.loss - Math.log(10)) < 0.2, `untrained loss ≈ ln 10: ${before.loss}`);
  const fit = await trainEpoch(model, tf.train.adam(1e-3), batches, new Rng(1), 64);
  const after = await evaluate(model, batches);
  assert.ok(after.loss < before.loss - 0.3, `${before.loss} → ${after.loss}`);
  assert.ok(fit.loss < before.loss, `epoch mean ${fit.loss}`);
  model.dispose();
});

Deno.test("training: a NaN loss stops the run with a clear message", async () => {
  await useBackend("wasm");
  // A model that has already diverged: its last bias is NaN, so every logit is.
  const model = buildModel("lecture", 1);
  const fc2 = model.getLayer("fc2");
  const [kernel] = fc2.getWeights();
  fc2.setWeights([kernel, tf.fill([10], NaN)]);
  const batch = take(data.train, 64);
  await assert.rejects(() => trainEpoch(model, tf.train.adam(1e-3), batch, new Rng(1), 64), (e) => {
    assert.ok(e instanceof TrainingError);
    assert.match(e.message, /loss became NaN at batch 1\/1: training diverged/);
    return true;
  });
  model.dispose();
});

Deno.test("train flags: defaults, every flag in --help, bad values rejected", () => {
  const d = parseTrainArgs([]);
  assert.deepEqual([d.epochs, d.model, d.seed, d.limit, d.rotationStep], [
    20, // the lecture's 20: they fit in ~20 minutes on 2 cores (training/args.ts)
    "lecture",
    1,
    null,
    5,
  ]);
  const a = parseTrainArgs([
    "--epochs",
    "20",
    "--limit=3000",
    "--model",
    "extra-conv",
    "--seed",
    "7",
  ]);
  assert.deepEqual([a.epochs, a.limit, a.model, a.seed], [20, 3000, "extra-conv", 7]);
  const flags = ["--epochs", "--limit", "--eval-limit", "--backend", "--model", "--seed", "--out"];
  for (const f of [...flags, "--resume", "--rotation-step", "--help"]) {
    assert.ok(HELP.includes(f), f);
  }
  for (
    const bad of [
      ["--epochs", "0"],
      ["--epochs", "2.5"],
      ["--limit", "-3"],
      ["--model", "resnet"],
      ["--seed"],
      ["--epochs", "--limit", "5"],
      ["--colour"],
      ["--resume", "a", "--out", "b"],
    ]
  ) {
    assert.throws(() => parseTrainArgs(bad), UsageError, bad.join(" "));
  }
});

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), { args: ["run", "-A", CLI, ...args] })
    .output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("deno task train: --help exits 0, bad values exit 2 with the reason", async () => {
  const help = await cli("--help");
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--epochs N/);
  const bad = await cli("--epochs", "zero");
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--epochs needs a whole number ≥ 1, got 'zero'/);
  const backend = await cli("--backend", "tpu", "--out", "/nonexistent/never-written");
  assert.equal(backend.code, 2);
  assert.match(backend.stderr, /backend must be one of cpu, wasm, webgpu, tensorflow/);
});

const QUICK = [
  "--limit",
  "256",
  "--eval-limit",
  "200",
  "--rotation-step",
  "45",
  "--backend",
  "wasm",
];

Deno.test("deno task train: killed after epoch 1, --resume reaches epoch 2 with 2 history entries", async () => {
  const dir = await Deno.makeTempDir({ prefix: "litconv-run-" });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, "--epochs", "2", ...QUICK, "--out", dir],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  // Read the child's log until the first checkpoint is on disk, then kill it outright.
  let log = "";
  const decoder = new TextDecoder();
  for await (const chunk of child.stderr) {
    log += decoder.decode(chunk, { stream: true });
    if (log.includes("checkpoint saved: epoch 1")) {
      child.kill("SIGKILL");
      break;
    }
  }
  const status = await child.status;
  assert.equal(status.signal, "SIGKILL", log);
  const killed = await readCheckpointMeta<{ history: unknown[] }>(dir);
  assert.equal(killed.history.length, 1);

  const resumed = await cli("--resume", dir);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /resuming .* after epoch 1 of 2/);
  assert.doesNotMatch(resumed.stderr, /epoch 1\/2/); // epoch 1 is not trained again
  const metrics: Metrics = JSON.parse(await Deno.readTextFile(`${dir}/metrics.json`));
  assert.deepEqual(metrics.history.map((h) => h.epoch), [1, 2]);
  assert.equal(metrics.config.limit, 256); // settings come from the checkpoint
  assert.ok(metrics.testAccuracy !== null && metrics.testAccuracy > 0.2);
  // Starting a new run over it is refused rather than overwriting it.
  const again = await cli("--epochs", "1", ...QUICK, "--out", dir);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already holds a run; continue it with --resume/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("runTraining: extra-conv writes a complete, consistent run folder", async () => {
  const backend = await useBackend("wasm");
  const dir = await Deno.makeTempDir({ prefix: "litconv-run-" });
  const config = defaultConfig({
    model: "extra-conv",
    epochs: 1,
    limit: 128,
    evalLimit: 100,
    rotationStep: 15,
  });
  const metrics = await runTraining({ config, outDir: dir, backend, data, log: () => {} });
  const files = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
  // Exactly the files the closing summary describes.
  assert.deepEqual(files, Object.keys(RUN_FILES).sort());
  const saved: Metrics = JSON.parse(await Deno.readTextFile(`${dir}/metrics.json`));
  assert.deepEqual(saved, JSON.parse(JSON.stringify(metrics)));
  assert.equal(saved.backend, "wasm");
  // Which kernels ran: OpenBLAS (its version, calls per kernel), or wasm and why.
  const k = saved.kernels!;
  assert.ok(k.kernels.startsWith("native: OpenBLAS") ? k.calls.Conv2D > 0 : k.reason, k.kernels);
  assert.equal(saved.versions.deno, Deno.version.deno);
  const [h] = saved.history;
  for (
    const k of ["trainLoss", "trainAccuracy", "validLoss", "validAccuracy", "seconds"] as const
  ) {
    assert.ok(Number.isFinite(h[k]) && h[k] >= 0, k);
  }
  assert.ok(h.imagesPerSecond > 0);
  // Rotation: −45 … 45 by 15 over the same test images; 0° is the plain test accuracy.
  const rotation = JSON.parse(await Deno.readTextFile(`${dir}/rotation.json`));
  assert.deepEqual(rotation.map((p: { angle: number }) => p.angle), rotationAngles(45, 15));
  assert.equal(rotation[3].accuracy, saved.testAccuracy);
  // The confusion matrix counts the same test images, and its diagonal is the test accuracy.
  const confusion = JSON.parse(await Deno.readTextFile(`${dir}/confusion.json`));
  assert.equal(confusion.count, 100);
  assert.equal(confusion.accuracy, saved.testAccuracy);
  // The saved model is the trained one: it reproduces the test accuracy.
  const reloaded = await loadModel(dir);
  assert.equal(reloaded.layers.filter((l) => l.name === "conv3").length, 1);
  assert.equal((await evaluate(reloaded, take(data.test, 100))).accuracy, saved.testAccuracy);
  reloaded.dispose();
  // The pictures: a 2×6 grid PNG, and SVG charts with one point per epoch / angle.
  const png = decode(await Deno.readFile(`${dir}/predictions.png`));
  assert.ok(png.width > png.height && png.height > 2 * 84, `${png.width}×${png.height}`);
  const curves = await Deno.readTextFile(`${dir}/curves.svg`);
  assert.equal(curves.match(/<circle/g)?.length, 4); // 4 lines × 1 epoch
  const rotSvg = await Deno.readTextFile(`${dir}/rotation.svg`);
  assert.equal(rotSvg.match(/<circle/g)?.length, 7);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("rotateImage: 0° is the identity, four quarter turns come back, mass is kept", () => {
  const img = data.test.images.slice(0, 784);
  assert.deepEqual(rotateImage(img, 0), img);
  let turned: Float32Array = img;
  for (let k = 0; k < 4; k++) turned = rotateImage(turned, 90);
  turned.forEach((v, i) => assert.ok(Math.abs(v - img[i]) < 1e-5, `pixel ${i}`));
  const sum = (a: Float32Array) => a.reduce((s, v) => s + v, 0);
  // A digit sits in the middle, so a 30° turn loses (almost) no ink off the edges.
  assert.ok(Math.abs(sum(rotateImage(img, 30)) - sum(img)) / sum(img) < 0.05);
  assert.notDeepEqual(rotateImage(img, 30), img);
});

/**
 * `deno task train --kernels naive` end to end on a few images: the run folder any run
 * leaves, with `backend: "naive"`; the TF.js model it saves computes what the naive weights
 * compute; `--resume` continues with the naive loop.
 */
import assert from "node:assert/strict";
import { useBackend } from "../accel/backend.ts";
import { loadMnist, take } from "../data/mnist.ts";
import { RUN_FILES } from "../training/cli.ts";
import { confusionMatrix } from "../training/confusion.ts";
import type { Metrics } from "../training/run.ts";
import { loadModel } from "../training/save_model.ts";

const CLI = new URL("../training/cli.ts", import.meta.url).pathname;
const EVAL = 40;

async function train(args: string[]): Promise<{ code: number; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, "--kernels", "naive", ...args],
    env: { TFJS_BACKEND: "wasm" },
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

const readMetrics = async (dir: string): Promise<Metrics> =>
  JSON.parse(await Deno.readTextFile(`${dir}/metrics.json`));

Deno.test("train --kernels naive: a run folder like any run, and --resume continues it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "litconv-naive-" });
  const common = ["--limit", "32", "--eval-limit", `${EVAL}`, "--rotation-step", "45"];
  const first = await train(["--epochs", "1", "--out", dir, ...common]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /kernels: naive/);
  const metrics = await readMetrics(dir);
  assert.equal(metrics.backend, "naive");
  assert.equal(metrics.history.length, 1);
  assert.ok(metrics.testAccuracy !== null && metrics.testAccuracy >= 0);
  const files = [...Deno.readDirSync(dir)].map((e) => e.name);
  for (const name of Object.keys(RUN_FILES)) assert.ok(files.includes(name), `${name} missing`);

  // The saved TF.js model is the naive weights, converted: same predictions, same matrix.
  await useBackend("wasm");
  const model = await loadModel(dir);
  const fromTfjs = await confusionMatrix(model, take(loadMnist().test, EVAL));
  const fromNaive = JSON.parse(await Deno.readTextFile(`${dir}/confusion.json`));
  assert.deepEqual(fromTfjs.matrix, fromNaive.matrix);
  model.dispose();

  const resumed = await train(["--resume", dir, "--epochs", "2"]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /resuming .* after epoch 1 of 2/);
  const after = await readMetrics(dir);
  assert.equal(after.backend, "naive");
  assert.deepEqual(after.history.map((h) => h.epoch), [1, 2]);
  assert.deepEqual(after.history[0], metrics.history[0]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("train --kernels: only tfjs or naive, and naive only for the lecture's model", async () => {
  const bad = await train(["--kernels", "fast"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--kernels must be tfjs or naive, got 'fast'/);
  const extra = await train(["--model", "extra-conv"]);
  assert.equal(extra.code, 2);
  assert.match(extra.stderr, /--kernels naive trains the lecture's model only/);
});

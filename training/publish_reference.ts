/**
 * `deno task reference RUN_DIR DEST_DIR`: publishes a finished run folder as a committed
 * reference run (data/reference/lecture/, data/reference/extra-conv/), so a fresh clone shows
 * real results without training.
 *
 * It copies the run's numbers unchanged (metrics.json, rotation.json), writes the confusion
 * matrix (from the run, or computed here for a run made before runs wrote one), redraws the
 * charts from those numbers with the current chart code, copies predictions.png, and saves the
 * model with uint8-quantized weights (TF.js's own format: `tf.loadLayersModel` dequantizes on
 * load). No checkpoint: a reference run is for looking at, not for resuming. `reference.json`
 * records what publishing measured: the test accuracy of the float and of the quantized model,
 * on the run's own test images, and the sizes.
 *
 * @module
 */
import { tf, useBackend } from "../accel/backend.ts";
import { FileError } from "../kernels/errors.ts";
import { loadMnist, type MnistSplit, take } from "../data/mnist.ts";
import type { Metrics } from "./run.ts";
import { loadModel } from "./save_model.ts";
import { evaluate } from "./loop.ts";
import { type Confusion, confusionMatrix } from "./confusion.ts";
import { confusionSvg, curvesSvg, rotationSvg } from "../drawing/charts.ts";
import { quantizeWeights } from "./quantize.ts";
import { writeAtomic, writeJsonAtomic } from "../data/atomic.ts";
import type { RotationPoint } from "./rotate.ts";

/** What `reference.json` holds. */
export interface ReferenceInfo {
  /** The run folder it was published from. */
  source: string;
  publishedAt: string;
  /** The backend the accuracies below were measured on. */
  backend: string;
  testImages: number;
  floatTestAccuracy: number;
  quantizedTestAccuracy: number;
  floatWeightBytes: number;
  quantizedWeightBytes: number;
}

async function readJson<T>(path: string): Promise<T> {
  try {
    return JSON.parse(await Deno.readTextFile(path));
  } catch (e) {
    throw new FileError("publishReference", path, `cannot be read: ${e}`);
  }
}

/** Saves `model` with uint8 weights as `dir/model.json` + `dir/weights.bin`; returns the bytes. */
export async function saveQuantizedModel(model: tf.LayersModel, dir: string): Promise<number> {
  let bytes = 0;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const q = quantizeWeights(artifacts.weightSpecs!, artifacts.weightData as ArrayBuffer);
    await writeAtomic(`${dir}/weights.bin`, q.data);
    const modelJson = {
      format: "layers-model",
      generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
      convertedBy: "litconv training/publish_reference.ts (uint8 quantization)",
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths: ["weights.bin"], weights: q.specs }],
    };
    await writeAtomic(`${dir}/model.json`, JSON.stringify(modelJson));
    bytes = q.data.byteLength;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
  }));
  return bytes;
}

/** Publishes `runDir` into `destDir`; `test` defaults to MNIST's test split. */
export async function publishReference(
  runDir: string,
  destDir: string,
  opts: { test?: MnistSplit; log?: (line: string) => void } = {},
): Promise<ReferenceInfo> {
  const log = opts.log ?? ((line: string) => console.error(line));
  const metrics = await readJson<Metrics>(`${runDir}/metrics.json`);
  if (metrics.testAccuracy === null || metrics.history.length !== metrics.config.epochs) {
    throw new FileError("publishReference", runDir, "holds a run that has not finished");
  }
  const rotation = await readJson<RotationPoint[]>(`${runDir}/rotation.json`);
  // The run's own test images: all 10,000 unless it was run with --eval-limit.
  const test = take(opts.test ?? loadMnist().test, metrics.config.evalLimit ?? undefined);
  await Deno.mkdir(destDir, { recursive: true });

  const model = await loadModel(runDir);
  const float = await evaluate(model, test);
  log(`float model:     test accuracy ${float.accuracy.toFixed(4)} on ${test.count} images`);
  let confusion: Confusion;
  try {
    confusion = await readJson<Confusion>(`${runDir}/confusion.json`);
  } catch {
    confusion = await confusionMatrix(model, test);
  }
  const quantizedBytes = await saveQuantizedModel(model, destDir);
  model.dispose();
  const quantized = await loadModel(destDir);
  const q = await evaluate(quantized, test);
  quantized.dispose();
  log(`quantized model: test accuracy ${q.accuracy.toFixed(4)}, ${quantizedBytes} bytes`);

  await writeJsonAtomic(`${destDir}/metrics.json`, metrics);
  await writeJsonAtomic(`${destDir}/rotation.json`, rotation);
  await writeJsonAtomic(`${destDir}/confusion.json`, confusion);
  await writeAtomic(`${destDir}/curves.svg`, curvesSvg(metrics.history));
  await writeAtomic(`${destDir}/rotation.svg`, rotationSvg(rotation));
  await writeAtomic(`${destDir}/confusion.svg`, confusionSvg(confusion.matrix));
  await Deno.copyFile(`${runDir}/predictions.png`, `${destDir}/predictions.png`);
  const info: ReferenceInfo = {
    source: runDir,
    publishedAt: new Date().toISOString(),
    backend: tf.getBackend(),
    testImages: test.count,
    floatTestAccuracy: float.accuracy,
    quantizedTestAccuracy: q.accuracy,
    floatWeightBytes: (await Deno.stat(`${runDir}/weights.bin`)).size,
    quantizedWeightBytes: quantizedBytes,
  };
  await writeJsonAtomic(`${destDir}/reference.json`, info);
  return info;
}

if (import.meta.main) {
  const [runDir, destDir] = Deno.args;
  if (!runDir || !destDir) {
    console.error("usage: deno task reference RUN_DIR DEST_DIR (e.g. data/reference/lecture)");
    Deno.exit(2);
  }
  const backend = await useBackend(); // TFJS_BACKEND, else the best available
  console.error(`backend: ${backend.name} (${backend.device})`);
  try {
    const info = await publishReference(runDir, destDir);
    console.log(JSON.stringify(info, null, 2));
  } catch (e) {
    if (!(e instanceof FileError)) throw e;
    console.error(`deno task reference: ${e.message}`);
    Deno.exit(1);
  }
}

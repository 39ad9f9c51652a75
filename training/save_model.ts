/**
 * Saving and loading a trained model as two plain files, `model.json` (the layers and a
 * manifest of the weights) and `weights.bin` (the weights, float32), in TF.js's own format.
 *
 * TF.js can save to browsers' storage, to HTTP and, in Node, to `file://`; in Deno none of
 * those apply, so we write a tiny save handler: TF.js gives it the model's artifacts, we
 * write them to files. The result loads in TF.js anywhere (`tf.loadLayersModel`).
 *
 * @module
 */
import { tf } from "../accel/backend.ts";
import type { LayersModel } from "../accel/tf_types.ts";
import { FileError } from "../kernels/errors.ts";
import { writeAtomic } from "../data/atomic.ts";

/** Writes `dir/model.json` and `dir/weights.bin`. */
export async function saveModel(model: LayersModel, dir: string): Promise<void> {
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const weights = new Uint8Array(artifacts.weightData as ArrayBuffer);
    await writeAtomic(`${dir}/weights.bin`, weights);
    const modelJson = {
      format: "layers-model",
      generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
      convertedBy: null,
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths: ["weights.bin"], weights: artifacts.weightSpecs }],
    };
    await writeAtomic(`${dir}/model.json`, JSON.stringify(modelJson));
    return {
      modelArtifactsInfo: {
        dateSaved: new Date(),
        modelTopologyType: "JSON",
        weightDataBytes: weights.byteLength,
      },
    };
  }));
}

/** Loads a model saved by {@link saveModel} from `dir`. */
export async function loadModel(dir: string): Promise<LayersModel> {
  let json: {
    modelTopology: tf.io.ModelArtifacts["modelTopology"];
    weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
  };
  let weightData: Uint8Array;
  try {
    json = JSON.parse(await Deno.readTextFile(`${dir}/model.json`));
    weightData = await Deno.readFile(`${dir}/weights.bin`);
  } catch (e) {
    throw new FileError("loadModel", dir, `holds no saved model (model.json + weights.bin): ${e}`);
  }
  return await tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest[0].weights,
    weightData: weightData.slice().buffer,
  }));
}

/**
 * The committed reference model of the lecture's CNN, for the tests that read it: where it
 * is, the requirement that skips them (with the reason) when it is absent, and loading it
 * on TF.js's cpu backend.
 */
import { useBackend } from "../accel/backend.ts";
import type { LayersModel } from "../accel/tf_types.ts";
import { loadModel } from "../training/save_model.ts";
import { REFERENCE_URL } from "../training/runs.ts";
import { fileMissing } from "./requirements.ts";

const REFERENCE_MODEL = new URL("lecture/", REFERENCE_URL);

/** Why the reference model's tests cannot run here, or undefined when they can. */
export const referenceModelMissing = (): string | undefined =>
  fileMissing(new URL("model.json", REFERENCE_MODEL), "the reference model");

/** The reference model, on the cpu backend (the caller disposes of it). */
export async function loadReferenceModel(): Promise<LayersModel> {
  await useBackend("cpu");
  return await loadModel(REFERENCE_MODEL.pathname);
}

/**
 * How every twin talks to TF.js: build the result inside `tf.tidy` (which frees
 * every intermediate tensor, inputs included), read it back asynchronously, free it.
 *
 * Reads are always `await t.array()` / `await t.data()`, never `dataSync`: the
 * webgpu backend can only hand data back asynchronously.
 *
 * @module
 */
import { currentBackend, tf } from "../../accel/backend.ts";

/**
 * The twins run on whatever backend the caller chose with `useBackend`. If none was
 * chosen yet, start litconv's default rather than let TF.js pick one on its own.
 */
async function ensureBackend(): Promise<void> {
  if (!tf.engine().backendName) await currentBackend();
}

/** Runs `build`, returns its result as nested arrays, and leaves no tensor behind. */
export async function readArray<T>(build: () => tf.Tensor): Promise<T> {
  await ensureBackend();
  const out = tf.tidy(build);
  try {
    return (await out.array()) as T;
  } finally {
    out.dispose();
  }
}

/** Runs `build`, which must give a single value, and returns it as a number. */
export async function readScalar(build: () => tf.Tensor): Promise<number> {
  await ensureBackend();
  const out = tf.tidy(build);
  try {
    return (await out.data())[0];
  } finally {
    out.dispose();
  }
}

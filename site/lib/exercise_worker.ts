/**
 * The exercise checker's Web Worker (bundled by the site build into `workers/exercise.js`).
 * The page sends one student module and a task; the worker strips the types, imports the
 * module, runs {@link checkExercise} with TF.js's cpu backend and posts the outcomes. Student
 * code runs here, never on the page's thread, so a `while (true)` stalls only this worker:
 * the page's watchdog ends it with `terminate()`.
 *
 * Messages out: `{type: "started"}` once the libraries are loaded (the watchdog starts),
 * `{type: "alive"}` between calls of student code (at most every 100 ms), then `{type:
 * "done", outcomes}` or `{type: "error", message}`.
 *
 * @module
 */
// The union package: its cpu backend, and every op's gradient (the backward twins use tf.grads).
import * as tf from "../../deps/tfjs.ts";
import { checkExercise, type StudentFunction } from "./exercise_check.ts";
import { importStudent } from "./exercise_compile.ts";

/** What the page sends. */
export interface CheckRequest {
  taskId: string;
  fn: string;
  code: string;
  seed: number;
}

/** The worker's global scope, typed by the little used here (no DOM lib in this project). */
const scope = globalThis as unknown as {
  postMessage(message: unknown): void;
  onmessage: ((e: MessageEvent<CheckRequest>) => void) | null;
};

const ready = tf.setBackend("cpu");

function post(message: unknown) {
  scope.postMessage(message);
}

let last = 0;
function alive() {
  const now = performance.now();
  if (now - last < 100) return;
  last = now;
  post({ type: "alive" });
}

scope.onmessage = async (e: MessageEvent<CheckRequest>) => {
  const { taskId, fn, code, seed } = e.data;
  await ready;
  post({ type: "started" });
  let mod: Record<string, unknown>;
  try {
    mod = await importStudent(code);
  } catch (err) {
    const what = err instanceof SyntaxError || /Unexpected|Expected/.test(String(err))
      ? "does not compile"
      : "threw while loading";
    post({ type: "error", message: `Your code ${what}: ${(err as Error).message ?? err}` });
    return;
  }
  const f = mod[fn];
  if (typeof f !== "function") {
    post({ type: "error", message: `Your code does not export a function named ${fn}.` });
    return;
  }
  try {
    const outcomes = await checkExercise(taskId, f as StudentFunction, { tf, seed, alive });
    post({ type: "done", outcomes });
  } catch (err) {
    post({ type: "error", message: `The check failed: ${(err as Error).message ?? err}` });
  }
};

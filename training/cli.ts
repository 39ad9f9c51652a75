/**
 * `deno task train`: the lecture's CNN on MNIST, with a progress bar, a checkpoint after
 * every epoch and a run folder of results. `deno task train --help` lists the flags.
 *
 * Exit codes: 0 done, 1 training failed (e.g. the loss became NaN, the disk refused a
 * write), 2 bad command line (a flag, a path, a backend that cannot start here).
 *
 * @module
 */
import { useBackend } from "../accel/backend.ts";
import { FileError, LitconvError, TrainingError, UsageError } from "../kernels/errors.ts";
import { usageLine } from "../cli/flags.ts";
import { HELP, LECTURE_EPOCHS, parseTrainArgs, type TrainArgs } from "./args.ts";
import { defaultConfig, runTraining } from "./run.ts";
import { CHECKPOINT_FILE, readCheckpointMeta } from "./checkpoint.ts";
import { isNaiveRun, NAIVE_BACKEND, runNaiveTraining } from "./naive_run.ts";

/** `2026-11-28T06:30:00.123Z` → `2026-11-28T06-30-00Z`, safe in file names everywhere. */
export function timestamp(d = new Date()): string {
  return d.toISOString().replace(/\.\d+Z$/, "Z").replace(/:/g, "-");
}

/** The run folder: --resume DIR, --out DIR, or data/runs/<timestamp>-<model>. */
export function runFolder(args: TrainArgs): string {
  return args.resume ?? args.out ??
    new URL(`../data/runs/${timestamp()}-${args.model}`, import.meta.url).pathname;
}

/** What each file of a run folder holds, for the closing summary. */
export const RUN_FILES: Record<string, string> = {
  "metrics.json": "losses and accuracies per epoch, test accuracy, timings, versions",
  "curves.svg": "loss and accuracy, train vs validation",
  "predictions.png": "the first 12 test digits, predicted and true labels",
  "confusion.svg": "the test set's confusion matrix",
  "confusion.json": "the same, as numbers",
  "rotation.svg": "test accuracy against rotation angle",
  "rotation.json": "the same, as numbers",
  "model.json": "the trained model (TF.js layers format), with …",
  "weights.bin": "… its weights",
  "checkpoint.bin": "weights + Adam state, to continue with --resume",
};

/** The closing summary: every file in the run folder, described where we know it. */
export function runSummary(dir: string, testAccuracy: number | null): string {
  const names = [...Deno.readDirSync(dir)].filter((e) => e.isFile && !e.name.endsWith(".tmp"))
    .map((e) => e.name);
  const known = Object.keys(RUN_FILES);
  // Known files in the table's order, then anything else (new outputs) by name.
  names.sort((a, b) =>
    ((known.indexOf(a) + 1 || 99) - (known.indexOf(b) + 1 || 99)) || a.localeCompare(b)
  );
  const width = Math.max(...names.map((n) => n.length));
  return [
    `Test accuracy ${testAccuracy?.toFixed(4)}. The run folder: ${dir}`,
    ...names.map((n) => `  ${n.padEnd(width)}  ${RUN_FILES[n] ?? ""}`.trimEnd()),
  ].join("\n");
}

async function statOrNull(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw new UsageError(`${path} cannot be read: ${(e as Error).message}`);
  }
}

/**
 * Checks the run folder before anything slow starts: --resume needs a folder with a
 * readable checkpoint, --out must be a folder (or not exist yet) without a run in it.
 */
async function checkRunFolder(args: TrainArgs, outDir: string): Promise<void> {
  const info = await statOrNull(outDir);
  if (args.resume !== undefined) {
    if (!info) {
      throw new UsageError(
        `--resume ${outDir}: no such folder; give the run folder of an earlier ` +
          `deno task train (they are in data/runs/ unless --out named another)`,
      );
    }
    if (!info.isDirectory) {
      throw new UsageError(`--resume ${outDir}: this is a file; --resume takes a run folder`);
    }
    if (!await statOrNull(`${outDir}/${CHECKPOINT_FILE}`)) {
      throw new UsageError(
        `--resume ${outDir}: this folder holds no ${CHECKPOINT_FILE}, so no epoch finished ` +
          `in it; start a new run instead (deno task train --out ${outDir})`,
      );
    }
    try {
      await readCheckpointMeta(outDir);
    } catch (e) {
      if (!(e instanceof FileError)) throw e;
      throw new UsageError(
        `--resume ${outDir}: ${e.message.replace(/^loadCheckpoint: /, "")}; ` +
          `it cannot be continued: start a new run with --out NEW_FOLDER`,
      );
    }
    return;
  }
  if (info && !info.isDirectory) {
    throw new UsageError(
      `--out ${outDir}: this is a file; --out names a folder (created if missing)`,
    );
  }
  if (info && await statOrNull(`${outDir}/${CHECKPOINT_FILE}`)) {
    throw new UsageError(
      `${outDir} already holds a run; continue it with --resume ${outDir} ` +
        `or choose another --out`,
    );
  }
}

/** A useBackend error as a plain sentence about the flag (or variable) that chose it. */
function backendMessage(e: LitconvError, args: TrainArgs): string {
  const detail = e.message.replace(/^useBackend: backend /, "");
  const fromEnv = args.backend === undefined ? Deno.env.get("TFJS_BACKEND") : undefined;
  const source = fromEnv !== undefined ? "TFJS_BACKEND" : "--backend";
  if (detail.startsWith("must ")) return `${source} ${detail}`;
  const name = args.backend ?? fromEnv;
  const plain = detail.replace(/^the '\w+' backend /, "it ").replace(/^'\w+' /, "it ");
  return name === undefined ? `the default backend: ${plain}` : `${source} ${name}: ${plain}`;
}

/** Any of Deno's I/O errors (NotFound, PermissionDenied…): their messages name the path. */
function isIoError(e: unknown): e is Error {
  return Object.values(Deno.errors).some((C) => e instanceof C);
}

/** Runs the command; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let args: TrainArgs;
  try {
    args = parseTrainArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(usageLine("deno task train", e));
    return 2;
  }
  if (args.help) {
    console.log(HELP);
    return 0;
  }
  const outDir = runFolder(args);
  try {
    if (args.ignoredByResume.length > 0) {
      console.error(
        `deno task train: --resume continues the run as it was started; ignoring ` +
          `${args.ignoredByResume.join(", ")} (the checkpoint's settings apply)`,
      );
    }
    await checkRunFolder(args, outDir);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`deno task train: ${e.message}`);
    return 2;
  }
  let backend;
  try {
    backend = await useBackend(args.backend);
  } catch (e) {
    if (!(e instanceof LitconvError)) throw e;
    console.error(`deno task train: ${backendMessage(e, args)} (see deno task train --help)`);
    return 2;
  }
  try {
    // A resumed run keeps the kernels it started with; its checkpoint says which.
    const naive = args.resume !== undefined ? await isNaiveRun(outDir) : args.kernels === "naive";
    console.error(
      naive
        ? `kernels: ${NAIVE_BACKEND} (the course's loops; TF.js on ${backend.name} only ` +
          `saves the model and draws the rotation curve)`
        : `backend: ${backend.name} (${backend.device})`,
    );
    console.error(`run folder: ${outDir}`);
    if (!args.resume && args.epochs < LECTURE_EPOCHS) {
      console.error(
        `training ${args.epochs} epoch(s); the lecture's full run is ` +
          `deno task train --epochs ${LECTURE_EPOCHS} (measured times: docs/speed.md)`,
      );
    }
    const metrics = await (naive ? runNaiveTraining : runTraining)({
      config: defaultConfig({
        model: args.model,
        epochs: args.epochs,
        seed: args.seed,
        limit: args.limit,
        evalLimit: args.evalLimit,
        rotationStep: args.rotationStep,
      }),
      outDir,
      backend,
      resume: args.resume !== undefined,
    });
    console.log(runSummary(outDir, metrics.testAccuracy));
    return 0;
  } catch (e) {
    // A failed run (NaN loss, a checkpoint that does not fit the model) or the disk
    // refusing a write: say what and where, without a stack trace.
    if (e instanceof TrainingError || e instanceof FileError) {
      console.error(`deno task train: ${e.message}`);
    } else if (isIoError(e)) {
      console.error(`deno task train: the run folder ${outDir} cannot be written: ${e.message}`);
    } else throw e;
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));

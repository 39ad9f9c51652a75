/**
 * `deno task train`: the lecture's CNN on MNIST, with a progress bar, a checkpoint after
 * every epoch and a run folder of results. `deno task train --help` lists the flags.
 *
 * Exit codes: 0 done, 1 training failed (e.g. the loss became NaN), 2 bad command line.
 *
 * @module
 */
import { useBackend } from "../kernels/backend.ts";
import { LitconvError } from "../kernels/errors.ts";
import { HELP, LECTURE_EPOCHS, parseTrainArgs, type TrainArgs, UsageError } from "./args.ts";
import { defaultConfig, runTraining } from "./run.ts";
import { CHECKPOINT_FILE } from "./checkpoint.ts";

/** `2026-11-28T06:30:00.123Z` → `2026-11-28T06-30-00Z`, safe in file names everywhere. */
export function timestamp(d = new Date()): string {
  return d.toISOString().replace(/\.\d+Z$/, "Z").replace(/:/g, "-");
}

/** The run folder: --resume DIR, --out DIR, or data/runs/<timestamp>-<model>. */
export function runFolder(args: TrainArgs): string {
  return args.resume ?? args.out ??
    new URL(`../data/runs/${timestamp()}-${args.model}`, import.meta.url).pathname;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Runs the command; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let args: TrainArgs;
  try {
    args = parseTrainArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`deno task train: ${e.message}\n(see deno task train --help)`);
    return 2;
  }
  if (args.help) {
    console.log(HELP);
    return 0;
  }
  try {
    const outDir = runFolder(args);
    if (!args.resume && await exists(`${outDir}/${CHECKPOINT_FILE}`)) {
      console.error(
        `deno task train: ${outDir} already holds a run; continue it with --resume ${outDir} ` +
          `or choose another --out`,
      );
      return 2;
    }
    const backend = await useBackend(args.backend);
    console.error(`backend: ${backend.name} (${backend.device})`);
    console.error(`run folder: ${outDir}`);
    if (!args.resume && args.epochs < LECTURE_EPOCHS) {
      console.error(
        `training ${args.epochs} epoch(s); the lecture's full run is ` +
          `deno task train --epochs ${LECTURE_EPOCHS} (about 45 minutes on 2 CPU cores with wasm)`,
      );
    }
    const metrics = await runTraining({
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
    console.log(
      [
        `Test accuracy ${metrics.testAccuracy?.toFixed(4)}. The run folder: ${outDir}`,
        `  metrics.json     losses and accuracies per epoch, test accuracy, timings`,
        `  curves.svg       loss and accuracy, train vs validation`,
        `  predictions.png  the first 12 test digits, predicted and true labels`,
        `  rotation.svg     test accuracy against rotation angle`,
      ].join("\n"),
    );
    return 0;
  } catch (e) {
    if (!(e instanceof LitconvError)) throw e;
    console.error(`deno task train: ${e.message}`);
    return e.fn === "useBackend" ? 2 : 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));

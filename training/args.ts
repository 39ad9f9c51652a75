/**
 * The flags of `deno task train`, parsed and checked before anything slow starts.
 *
 * The flags are parsed by cli/flags.ts (`node:util`'s parseArgs); the values are checked here. A bad one is a
 * {@link UsageError}; the command prints it with a pointer to `--help` and exits with code
 * 2, the usual "you called me wrong" status.
 *
 * @module
 */
import { callerPath, flagHelp, type Flags, parseFlags } from "../cli/flags.ts";
import { UsageError } from "../kernels/errors.ts";
import { MODEL_VARIANTS, type ModelVariant } from "./model.ts";

/**
 * How many epochs `deno task train` runs when not told: the lecture's 20, which fit in the
 * ~20 minutes a default run may take on 2 CPU cores (docs/speed.md has the times).
 */
export const DEFAULT_EPOCHS = 20;
/** The lecture's own run. */
export const LECTURE_EPOCHS = 20;

/** What the command was asked to do. */
export interface TrainArgs {
  help: boolean;
  epochs: number;
  /** First N training images (all 50,000 when null). */
  limit: number | null;
  /** First N validation and test images (all 10,000 when null). */
  evalLimit: number | null;
  backend: string | undefined;
  model: ModelVariant;
  seed: number;
  out: string | undefined;
  resume: string | undefined;
  /** Step between rotation angles, in degrees (−45 … 45). */
  rotationStep: number;
  /** Who computes the steps: TF.js (default) or the course's naive kernels. */
  kernels: "tfjs" | "naive";
  /** Flags given with --resume that it ignores (the checkpoint decides them), as typed. */
  ignoredByResume: string[];
}

/** Flags whose values a resumed run takes from its checkpoint instead. */
const DECIDED_BY_CHECKPOINT = ["model", "seed", "limit", "eval-limit", "rotation-step", "kernels"];

/** The flags; `--help` lists them from this table. */
const FLAGS = {
  epochs: {
    type: "string",
    value: "N",
    help: `epochs to train (default ${DEFAULT_EPOCHS}, the lecture's run; measured\n` +
      "times on 2 CPU cores: docs/speed.md)",
  },
  limit: {
    type: "string",
    value: "N",
    help: "train on the first N of the 50,000 training images only",
  },
  "eval-limit": {
    type: "string",
    value: "N",
    help: "validate, test and rotate on the first N of the 10,000 images only",
  },
  backend: {
    type: "string",
    value: "NAME",
    help:
      "cpu | wasm | webgpu | tensorflow (default: TFJS_BACKEND, else a hardware\nGPU, else wasm)",
  },
  model: {
    type: "string",
    value: "NAME",
    help: "lecture (default) | extra-conv (the exercise: a third 5×5×128 conv block)",
  },
  seed: {
    type: "string",
    value: "N",
    help: "seed for the weights, the shuffling and dropout (default 1)",
  },
  out: {
    type: "string",
    value: "DIR",
    help: "run folder, relative to where you are (default data/runs/<timestamp>-<model>)",
  },
  resume: {
    type: "string",
    value: "DIR",
    help: "continue the run in DIR from its last finished epoch; --epochs may raise\n" +
      "the number of epochs, the other settings come from the checkpoint",
  },
  "rotation-step": {
    type: "string",
    value: "D",
    help: "degrees between rotation angles from -45 to 45 (default 5)",
  },
  kernels: {
    type: "string",
    value: "NAME",
    help: "tfjs (default) | naive: train with the course's own naive forward and backward\n" +
      "loops and Adam in TypeScript, no TF.js in the step (slow: about 10 minutes of CPU\n" +
      "for --epochs 1 --limit 3000 --eval-limit 1000)",
  },
} as const satisfies Flags;

export const HELP = `deno task train [flags]

Trains the lecture's CNN on MNIST (50,000 train / 10,000 valid / 10,000 test) with Adam 1e-3,
batch 64 and cross-entropy on logits, and writes a run folder: metrics.json, curves.svg,
predictions.png, confusion.svg, confusion.json, rotation.svg, rotation.json, model.json +
weights.bin, checkpoint.bin.

${flagHelp(FLAGS)}

A first, quick run: deno task train --epochs 1 --limit 3000 --eval-limit 1000 (about 1 minute
on 2 CPU cores; without --eval-limit, testing 19 rotations of all 10,000 test images takes longer).
`;

/** `v` as a whole number ≥ `min`, or a {@link UsageError} naming the flag. */
const wholeNumber = (flag: string, v: string | undefined, min: number): number | undefined => {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min) {
    throw new UsageError(`--${flag} needs a whole number ≥ ${min}, got '${v}'`);
  }
  return Number(v);
};

/** Parses the command line; throws a {@link UsageError} for anything unknown or malformed. */
export function parseTrainArgs(argv: string[]): TrainArgs {
  const { values: v, tokens } = parseFlags(argv, FLAGS);
  if (v.model !== undefined && !(MODEL_VARIANTS as readonly string[]).includes(v.model)) {
    throw new UsageError(`--model must be one of ${MODEL_VARIANTS.join(", ")}, got '${v.model}'`);
  }
  if (v.kernels !== undefined && v.kernels !== "tfjs" && v.kernels !== "naive") {
    throw new UsageError(`--kernels must be tfjs or naive, got '${v.kernels}'`);
  }
  const args: TrainArgs = {
    help: v.help ?? false,
    epochs: wholeNumber("epochs", v.epochs, 1) ?? DEFAULT_EPOCHS,
    limit: wholeNumber("limit", v.limit, 1) ?? null,
    evalLimit: wholeNumber("eval-limit", v["eval-limit"], 1) ?? null,
    backend: v.backend,
    model: (v.model ?? "lecture") as ModelVariant,
    seed: wholeNumber("seed", v.seed, 0) ?? 1,
    // `deno task` runs in the repository; a relative folder is the caller's.
    out: v.out === undefined ? undefined : callerPath(v.out),
    resume: v.resume === undefined ? undefined : callerPath(v.resume),
    rotationStep: wholeNumber("rotation-step", v["rotation-step"], 1) ?? 5,
    kernels: (v.kernels ?? "tfjs") as TrainArgs["kernels"],
    ignoredByResume: [],
  };
  if (args.kernels === "naive" && args.model !== "lecture") {
    throw new UsageError(`--kernels naive trains the lecture's model only, not '${args.model}'`);
  }
  if (args.resume !== undefined) {
    if (args.out !== undefined && args.resume !== args.out) {
      throw new UsageError("--resume DIR writes into DIR; leave out --out");
    }
    if (v.epochs === undefined) args.epochs = 0; // 0: keep the checkpoint's epochs
    args.ignoredByResume = tokens.flatMap((t) =>
      t.kind === "option" && DECIDED_BY_CHECKPOINT.includes(t.name ?? "")
        ? [`--${t.name} ${t.value}`]
        : []
    );
  }
  return args;
}

/**
 * The flags of `deno task train`, parsed and checked before anything slow starts.
 *
 * A bad value is a {@link UsageError}; the command prints it with a pointer to `--help`
 * and exits with code 2, the usual "you called me wrong" status.
 *
 * @module
 */
import { MODEL_VARIANTS, type ModelVariant } from "./model.ts";

/**
 * The lecture trains 20 epochs, and so does the default: on this project's 2-core machine an
 * epoch (50,000 digits, then validation) takes 46–54 s on wasm with the native kernels, and
 * `deno task train --epochs 20` took 18 min 48 s (test accuracy 0.9908), within the ~20
 * minutes a default run may take. (It was 12 while an epoch took 76–85 s there and 20 took
 * 29 min 17 s.)
 */
export const DEFAULT_EPOCHS = 20;
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
  /** Flags given with --resume that it ignores (the checkpoint decides them), as typed. */
  ignoredByResume: string[];
}

/** Flags whose values a resumed run takes from its checkpoint instead. */
const DECIDED_BY_CHECKPOINT = ["--model", "--seed", "--limit", "--eval-limit", "--rotation-step"];

/** A mistake in the command line. */
export class UsageError extends Error {
  override name = "UsageError";
}

export const HELP = `deno task train [flags]

Trains the lecture's CNN on MNIST (50,000 train / 10,000 valid / 10,000 test) with Adam 1e-3,
batch 64 and cross-entropy on logits, and writes a run folder: metrics.json, model.json +
weights.bin, checkpoint.bin, curves.svg, predictions.png, rotation.json, rotation.svg.

  --epochs N        epochs to train (default ${DEFAULT_EPOCHS}, the lecture's run: about 19
                    minutes on 2 CPU cores)
  --limit N         train on the first N of the 50,000 training images only
  --eval-limit N    validate, test and rotate on the first N of the 10,000 images only
  --backend NAME    cpu | wasm | webgpu | tensorflow (default: TFJS_BACKEND, else a hardware
                    GPU, else wasm)
  --model NAME      lecture (default) | extra-conv (the exercise: a third 5×5×128 conv block)
  --seed N          seed for the weights, the shuffling and dropout (default 1)
  --out DIR         run folder (default data/runs/<timestamp>-<model>)
  --resume DIR      continue the run in DIR from its last finished epoch; --epochs may raise
                    the number of epochs, the other settings come from the checkpoint
  --rotation-step D degrees between rotation angles from -45 to 45 (default 5)
  --help            show this text

A first, quick run: deno task train --epochs 1 --limit 3000 --eval-limit 1000 (about 1 minute
on 2 CPU cores; without --eval-limit, testing 19 rotations of all 10,000 test images takes longer).
`;

const wholeNumber = (flag: string, v: string, min: number): number => {
  if (!/^\d+$/.test(v) || Number(v) < min) {
    throw new UsageError(`${flag} needs a whole number ≥ ${min}, got '${v}'`);
  }
  return Number(v);
};

/** Parses the command line; throws a {@link UsageError} for anything unknown or malformed. */
export function parseTrainArgs(argv: string[]): TrainArgs {
  const args: TrainArgs = {
    help: false,
    epochs: DEFAULT_EPOCHS,
    limit: null,
    evalLimit: null,
    backend: undefined,
    model: "lecture",
    seed: 1,
    out: undefined,
    resume: undefined,
    rotationStep: 5,
    ignoredByResume: [],
  };
  const given: string[] = [];
  let epochsGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (flag === "--help" || flag === "-h") {
      args.help = true;
      continue;
    }
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || (inline === undefined && v.startsWith("--"))) {
        throw new UsageError(`${flag} needs a value`);
      }
      if (DECIDED_BY_CHECKPOINT.includes(flag)) given.push(`${flag} ${v}`);
      return v;
    };
    switch (flag) {
      case "--epochs":
        args.epochs = wholeNumber(flag, value(), 1);
        epochsGiven = true;
        break;
      case "--limit":
        args.limit = wholeNumber(flag, value(), 1);
        break;
      case "--eval-limit":
        args.evalLimit = wholeNumber(flag, value(), 1);
        break;
      case "--seed":
        args.seed = wholeNumber(flag, value(), 0);
        break;
      case "--rotation-step":
        args.rotationStep = wholeNumber(flag, value(), 1);
        break;
      case "--backend":
        args.backend = value();
        break;
      case "--model": {
        const m = value();
        if (!(MODEL_VARIANTS as readonly string[]).includes(m)) {
          throw new UsageError(`--model must be one of ${MODEL_VARIANTS.join(", ")}, got '${m}'`);
        }
        args.model = m as ModelVariant;
        break;
      }
      case "--out":
        args.out = value();
        break;
      case "--resume":
        args.resume = value();
        break;
      default:
        throw new UsageError(`unknown argument '${argv[i]}'`);
    }
  }
  if (args.resume && args.out && args.resume !== args.out) {
    throw new UsageError("--resume DIR writes into DIR; leave out --out");
  }
  if (args.resume && !epochsGiven) args.epochs = 0; // 0: keep the checkpoint's epochs
  if (args.resume) args.ignoredByResume = given;
  return args;
}

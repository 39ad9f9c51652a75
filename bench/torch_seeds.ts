/**
 * The seed-to-seed spread of the lecture's own PyTorch run, beside ours: runs
 * `bench/torch_train.py` (the lecture's 20 epochs in PyTorch) once per seed, one after the
 * other, and records each run's test accuracy under `pytorch` in
 * `data/reference/seeds.json`, where lesson 08 and the results page read it.
 *
 * ```sh
 * deno run -A bench/torch_seeds.ts [--seeds 1,2,3] [--epochs 20] [--python /usr/bin/python3]
 * ```
 *
 * Each run takes about 25 minutes on 2 cores and is recorded as soon as it ends, replacing an
 * earlier run of the same seed; a run that fails stops the script.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { writeJsonAtomic } from "../data/atomic.ts";
import { mnistDataDir } from "../data/mnist.ts";
import type { SeedRun } from "../lessons/reference.ts";
import { REFERENCE_URL } from "../training/runs.ts";

const { values } = parseArgs({
  options: {
    seeds: { type: "string", default: "1,2,3" },
    epochs: { type: "string", default: "20" },
    python: { type: "string", default: "/usr/bin/python3" },
  },
});
const seeds = values.seeds.split(",").map(Number);
if (!seeds.every(Number.isSafeInteger)) throw new Error(`--seeds: integers, e.g. 1,2,3`);

const path = new URL("seeds.json", REFERENCE_URL);
const ABOUT = "The lecture's own PyTorch loop (bench/torch_train.py: the lecture's protocol, " +
  "Debian's PyTorch on the CPU) for the same seed numbers, by `deno run -A " +
  "bench/torch_seeds.ts`, on the same machine as ours.";

/** Records one run under `pytorch` at once, replacing an earlier run of the same seed. */
async function record(run: SeedRun): Promise<void> {
  const seeds = JSON.parse(await Deno.readTextFile(path));
  const runs: SeedRun[] = (seeds.pytorch?.runs ?? []).filter((r: SeedRun) => r.seed !== run.seed);
  seeds.pytorch = { about: ABOUT, runs: [...runs, run].sort((a, b) => a.seed - b.seed) };
  await writeJsonAtomic(path.pathname, seeds);
}

for (const seed of seeds) {
  console.log(`PyTorch, seed ${seed}:`);
  const child = new Deno.Command(values.python, {
    args: [
      new URL("./torch_train.py", import.meta.url).pathname,
      "--mnist",
      mnistDataDir(),
      "--seed",
      String(seed),
      "--epochs",
      values.epochs,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let printed = "";
  for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
    await Deno.stdout.write(new TextEncoder().encode(chunk));
    printed += chunk;
  }
  const { success, code } = await child.status;
  if (!success) throw new Error(`torch_train.py, seed ${seed}, exited with ${code}`);
  // The last line printed is the run's result, as JSON.
  const result = JSON.parse(printed.trimEnd().split("\n").at(-1)!);
  // Written after each run: a run stopped later loses only itself.
  await record({ ...result, finishedAt: new Date().toISOString() });
  console.log(`recorded seed ${seed} in ${path.pathname}`);
}

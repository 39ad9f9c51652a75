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
 * Each run takes about 17 minutes on 2 cores; a run that fails stops the script before it
 * writes anything.
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

const runs: SeedRun[] = [];
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
  let last = "";
  for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
    Deno.stdout.writeSync(new TextEncoder().encode(chunk));
    last = (last + chunk).trimEnd().split("\n").at(-1)!;
  }
  const { success, code } = await child.status;
  if (!success) throw new Error(`torch_train.py, seed ${seed}, exited with ${code}`);
  runs.push({ ...JSON.parse(last), finishedAt: new Date().toISOString() });
}

const path = new URL("seeds.json", REFERENCE_URL);
const record = JSON.parse(await Deno.readTextFile(path));
record.pytorch = {
  about: "The lecture's own PyTorch loop (bench/torch_train.py: the lecture's protocol, " +
    "Debian's PyTorch on the CPU) for the same seeds, by `deno run -A bench/torch_seeds.ts`, " +
    "on the same machine.",
  runs,
};
await writeJsonAtomic(path.pathname, record);
console.log(`wrote ${runs.length} PyTorch runs to ${path.pathname}`);

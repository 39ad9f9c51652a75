/**
 * The GEMM-shaped kernels of a lecture training step at the model's shapes, each on oneDNN,
 * on OpenBLAS (im2col + sgemm) and on the wasm kernels: the measurement behind the native
 * path. The paths alternate call by call; figures are medians of `--runs` after a warm-up.
 *
 * ```text
 * deno run -A bench/kernels.ts [--batch 64] [--runs 7]
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { tf, useBackend } from "../accel/backend.ts";
import { blasStatus, dnnlStatus, setDnnl, setNativeKernels } from "../accel/native/index.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { batch: { type: "string", default: "64" }, runs: { type: "string", default: "7" } },
});
const n = Number(values.batch), runs = Number(values.runs);

interface Case {
  name: string;
  flops: number;
  make: () => tf.Tensor[];
  run: (inputs: tf.Tensor[]) => tf.Tensor;
}

const conv = (x: number[], w: number[]) => ({
  flops: 2 * x[0] * x[1] * x[2] * w[0] * w[1] * w[2] * w[3], // 'same', stride 1
  x: x as [number, number, number, number],
  w: w as [number, number, number, number],
});
const c1 = conv([n, 28, 28, 1], [5, 5, 1, 32]), c2 = conv([n, 14, 14, 32], [5, 5, 32, 64]);
const attrs = { strides: [1, 1], pad: "same", dataFormat: "NHWC", dimRoundingMode: undefined };
const kernel = (name: string, inputs: Record<string, tf.Tensor>, a: object) =>
  tf.engine().runKernel(name, inputs, a as never) as tf.Tensor;

const cases: Case[] = [
  ...([["conv1", c1], ["conv2", c2]] as const).flatMap(([name, c]) => [
    {
      name: `${name} forward`,
      flops: c.flops,
      make: () => [tf.randomNormal(c.x), tf.randomNormal(c.w)],
      run: ([x, w]: tf.Tensor[]) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "same"),
    },
    {
      name: `${name} filter gradient`,
      flops: c.flops,
      make: () => [tf.randomNormal(c.x), tf.randomNormal([...c.x.slice(0, 3), c.w[3]])],
      run: ([x, dy]: tf.Tensor[]) =>
        kernel("Conv2DBackpropFilter", { x, dy }, { ...attrs, filterShape: c.w }),
    },
  ]),
  {
    name: "conv2 input gradient",
    flops: c2.flops,
    make: () => [tf.randomNormal([...c2.x.slice(0, 3), c2.w[3]]), tf.randomNormal(c2.w)],
    run: ([dy, filter]) =>
      kernel("Conv2DBackpropInput", { dy, filter }, { ...attrs, inputShape: c2.x }),
  },
  {
    name: "fc1 forward",
    flops: 2 * n * 3136 * 1024,
    make: () => [tf.randomNormal([n, 3136]), tf.randomNormal([3136, 1024])],
    run: ([a, b]) => tf.matMul(a, b),
  },
  {
    name: "fc1 input gradient",
    flops: 2 * n * 3136 * 1024,
    make: () => [tf.randomNormal([n, 1024]), tf.randomNormal([3136, 1024])],
    run: ([a, b]) => tf.matMul(a, b, false, true),
  },
  {
    name: "fc1 weight gradient",
    flops: 2 * n * 3136 * 1024,
    make: () => [tf.randomNormal([n, 3136]), tf.randomNormal([n, 1024])],
    run: ([a, b]) => tf.matMul(a, b, true, false),
  },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

type Path = "oneDNN" | "OpenBLAS" | "wasm";

async function time(c: Case, inputs: tf.Tensor[], path: Path): Promise<number> {
  setNativeKernels(path !== "wasm");
  setDnnl(path === "oneDNN");
  const start = performance.now();
  const out = c.run(inputs);
  await out.data();
  const ms = performance.now() - start;
  out.dispose();
  return ms;
}

if (import.meta.main) {
  const { device } = await useBackend("wasm");
  const blas = blasStatus();
  console.log(`batch ${n}, median of ${runs}; wasm: ${device}`);
  if (!blas.available) {
    console.log(`no native path to compare: ${blas.reason}`);
    Deno.exit(1);
  }
  const paths: Path[] = dnnlStatus().available
    ? ["oneDNN", "OpenBLAS", "wasm"]
    : ["OpenBLAS", "wasm"];
  console.log(
    "kernel".padEnd(26) + paths.map((p) => `${p} ms`.padStart(12) + "GFLOP/s".padStart(9)).join(""),
  );
  const sums = new Map(paths.map((p) => [p, 0]));
  for (const c of cases) {
    const inputs = c.make();
    const t = new Map(paths.map((p) => [p, [] as number[]]));
    for (let i = 0; i <= runs; i++) {
      for (const p of paths) {
        const ms = await time(c, inputs, p);
        if (i > 0) t.get(p)!.push(ms);
      }
    }
    tf.dispose(inputs);
    const cells = paths.map((p) => {
      const ms = median(t.get(p)!);
      sums.set(p, sums.get(p)! + ms);
      return ms.toFixed(2).padStart(12) + (c.flops / ms / 1e6).toFixed(1).padStart(9);
    });
    console.log(c.name.padEnd(26) + cells.join(""));
  }
  setNativeKernels(true);
  setDnnl(true);
  console.log(
    "all of the above".padEnd(26) +
      paths.map((p) => sums.get(p)!.toFixed(2).padStart(12) + "".padStart(9)).join(""),
  );
}

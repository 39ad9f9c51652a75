/**
 * The GEMM-shaped kernels of a lecture training step, one by one, on OpenBLAS (native)
 * and on the wasm kernels, at the model's shapes: the measurement behind the native path.
 *
 * ```text
 * deno run -A bench/kernels.ts [--batch 64] [--runs 7]
 * ```
 *
 * The two paths alternate call by call (so a busy machine slows both alike); each figure
 * is the median of `--runs`, after one warm-up call of each. GFLOP/s counts 2·M·N·K.
 * Called alone, as here, the native forward and filter gradient each build their im2col
 * patches; in a training step the filter gradient reuses the forward's (`patch_cache.ts`).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { tf, useBackend } from "../kernels/backend.ts";
import { blasStatus, setNativeKernels } from "../kernels/tfjs/native/index.ts";

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

async function time(c: Case, inputs: tf.Tensor[], native: boolean): Promise<number> {
  setNativeKernels(native);
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
  console.log("kernel                     native ms  GFLOP/s    wasm ms  GFLOP/s  wasm/native");
  let sumNative = 0, sumWasm = 0;
  for (const c of cases) {
    const inputs = c.make();
    const t = { native: [] as number[], wasm: [] as number[] };
    for (let i = 0; i <= runs; i++) {
      for (const native of [true, false]) {
        const ms = await time(c, inputs, native);
        if (i > 0) t[native ? "native" : "wasm"].push(ms);
      }
    }
    tf.dispose(inputs);
    const a = median(t.native), b = median(t.wasm);
    sumNative += a;
    sumWasm += b;
    const g = (ms: number) => (c.flops / ms / 1e6).toFixed(1).padStart(8);
    console.log(
      `${c.name.padEnd(26)}${a.toFixed(2).padStart(10)} ${g(a)} ${b.toFixed(2).padStart(10)} ${
        g(b)
      }  ${(b / a).toFixed(2).padStart(10)}×`,
    );
  }
  setNativeKernels(true);
  console.log(
    `${"all of the above".padEnd(26)}${sumNative.toFixed(2).padStart(10)}          ${
      sumWasm.toFixed(2).padStart(10)
    }           ${(sumWasm / sumNative).toFixed(2).padStart(10)}×`,
  );
}

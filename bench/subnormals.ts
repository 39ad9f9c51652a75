/**
 * What subnormal float32 values cost on this CPU, and what flushing them in Adam's update
 * buys, without training for an epoch: the fused Adam kernel, IEEE and flushing, on a
 * normal and a trained-like state, and the dense layer's weight gradient on oneDNN and
 * OpenBLAS with normal and partly subnormal operands. Cases run in turn (a busy machine
 * slows all alike); compare ratios within one run.
 *
 * ```text
 * deno run -A bench/subnormals.ts [--runs 15] [--size 3211264]
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { type AdamKernel, adamKernel } from "../accel/adam_wasm.ts";
import { useBackend } from "../accel/backend.ts";
import { blasStatus, dnnlStatus, setDnnl } from "../accel/native/index.ts";
import { gemm } from "../accel/native/gemm.ts";
import { Rng } from "../kernels/rng.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    runs: { type: "string", default: "15" },
    size: { type: "string", default: "3211264" },
  },
});
const runs = Number(values.runs), size = Math.floor(Number(values.size) / 4) * 4;
const SUBNORMAL_SHARE = 729_647 / 3_211_264;

/** A reproducible stream in [0, 1): the project's one seeded generator. */
function stream(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.next();
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

// Seven arrays of `size` floats in one memory: w m v g in, w m v out.
const bytes = 7 * size * 4;
const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) + 1 });
const at = (i: number) => i * size * 4;
const arr = (i: number) => new Float32Array(memory.buffer, at(i), size);
const [W, M, V, G] = [0, 1, 2, 3];

/** Fills the inputs: a normal state, or a trained-like one with `share` subnormal moments. */
function fill(share: number, flushed: boolean) {
  const r = stream(7);
  const w = arr(W), m = arr(M), v = arr(V), g = arr(G);
  for (let i = 0; i < size; i++) {
    w[i] = (r() - 0.5) * 0.05;
    v[i] = 1e-8 * (0.1 + r());
    if (r() < share) { // silent: gradient 0, first moment subnormal (or 0 once flushed)
      g[i] = 0;
      m[i] = flushed ? 0 : (r() < 0.5 ? -1 : 1) * Math.ceil(r() * 2 ** 23) * 2 ** -149;
    } else {
      g[i] = (r() - 0.5) * 2e-4;
      m[i] = (r() - 0.5) * 2e-5;
    }
  }
}

/** Adam's constants at step 1000 of training. */
const t = 1000;
const constants = [
  0.9,
  0.999,
  0.1,
  0.001,
  1 - 0.9 ** t,
  1 - 0.999 ** t,
  1e-7,
  -1e-3,
].map(Math.fround);

function countSubnormal(a: Float32Array): number {
  let n = 0;
  for (const x of a) if (x !== 0 && Math.abs(x) < 2 ** -126) n++;
  return n;
}

interface Case {
  name: string;
  setup: () => void;
  run: () => void;
  ms: number[];
}

const ieee = adamKernel(memory, false)!, flush = adamKernel(memory, true)!;
const adamCall = (k: AdamKernel) => () =>
  k(
    at(W),
    at(M),
    at(V),
    at(G),
    at(4),
    at(5),
    at(6),
    size / 4,
    ...constants as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ],
  );

const cases: Case[] = [
  { name: "Adam, IEEE, normal state", setup: () => fill(0, false), run: adamCall(ieee), ms: [] },
  {
    name: "Adam, flushing, normal state",
    setup: () => fill(0, false),
    run: adamCall(flush),
    ms: [],
  },
  {
    name: "Adam, IEEE, trained-like state",
    setup: () => fill(SUBNORMAL_SHARE, false),
    run: adamCall(ieee),
    ms: [],
  },
  {
    name: "Adam, flushing, trained-like state",
    setup: () => fill(SUBNORMAL_SHARE, true),
    run: adamCall(flush),
    ms: [],
  },
];

// GEMM cases, where the native libraries load (they need the wasm backend's setup).
await useBackend("wasm");
const [K, Mrows, N] = [64, 3136, 1024];
const x = new Float32Array(K * Mrows),
  dy = new Float32Array(K * N),
  out = new Float32Array(Mrows * N);
const fillGemm = (share: number) => {
  const r = stream(3);
  for (let i = 0; i < x.length; i++) {
    x[i] = r() < share ? Math.ceil(r() * 2 ** 23) * 2 ** -149 : r();
  }
  for (let i = 0; i < dy.length; i++) dy[i] = (r() - 0.5) * 1e-3;
};
const libraries: [string, boolean][] = [];
if (blasStatus().available) libraries.push(["OpenBLAS", false]);
if (dnnlStatus().available) libraries.push(["oneDNN", true]);
for (const [lib, dnnl] of libraries) {
  for (
    const [label, share] of [["normal x", 0], ["22.7% of x subnormal", SUBNORMAL_SHARE]] as const
  ) {
    cases.push({
      name: `GEMM xᵀ·dy on ${lib}, ${label}`,
      setup: () => {
        setDnnl(dnnl);
        fillGemm(share);
      },
      run: () => gemm(true, false, Mrows, N, K, x, dy, out),
      ms: [],
    });
  }
}

console.log(
  `subnormal float32 on ${
    Deno.readTextFileSync("/proc/cpuinfo").match(/^model name\s*:\s*(.*)$/m)?.[1]
  }: ${size.toLocaleString("en")} floats, median of ${runs}, all cases in turn`,
);
fill(SUBNORMAL_SHARE, false);
adamCall(ieee)();
const mOutIeee = countSubnormal(arr(5));
adamCall(flush)();
const mOutFlush = countSubnormal(arr(5));
console.log(
  `trained-like state: ${countSubnormal(arr(M)).toLocaleString("en")} subnormal first ` +
    `moments in; out: ${mOutIeee.toLocaleString("en")} (IEEE), ${mOutFlush} (flushing)`,
);
for (let i = 0; i <= runs; i++) {
  for (const c of cases) {
    c.setup();
    const start = performance.now();
    c.run();
    if (i > 0) c.ms.push(performance.now() - start);
  }
}
setDnnl(true);
const base = new Map<string, number>();
const width = Math.max(...cases.map((c) => c.name.length));
console.log(`${"case".padEnd(width)}    ms   vs normal state`);
for (const c of cases) {
  const ms = median(c.ms);
  const family = c.name.replace(/, (normal|trained-like) state$|, (normal x|22\.7%.*)$/, "");
  if (!base.has(family)) base.set(family, ms);
  console.log(
    `${c.name.padEnd(width)} ${ms.toFixed(2).padStart(6)}   ${
      (ms / base.get(family)!).toFixed(2)
    }×`,
  );
}

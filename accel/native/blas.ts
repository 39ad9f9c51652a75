/**
 * OpenBLAS through Deno's FFI: `cblas_sgemm`, the float32 matrix product PyTorch runs its
 * dense layers on, called on typed arrays where they lie (wasm memory included). Optional:
 * when it is absent, FFI is not permitted or `LITCONV_NATIVE=0`, the wasm kernels run and
 * {@link blasStatus} says why (`LITCONV_BLAS=path`, `LITCONV_BLAS_THREADS=n`).
 *
 * The one thing to know: where OpenBLAS falls back to a generic core on a CPU it does not
 * know, we reload it with the best core the CPU's flags allow, and keep it only if its
 * products check out (`LITCONV_BLAS_CORE=keep|NAME` overrides).
 *
 * @example The library's status, whether or not it is installed
 * ```ts
 * import { blasStatus } from "./blas.ts";
 * const s = blasStatus();
 * if (!(s.available ? s.library.startsWith("OpenBLAS") : s.reason.length > 0)) throw s;
 * ```
 *
 * @module
 */
import { readEnv as env } from "./env.ts";
import { openFirst } from "./open_library.ts";
import { Rng } from "../../kernels/rng.ts";

/** Where Debian puts OpenBLAS (the pthread build first: it is the one that uses all cores). */
const CANDIDATES = [
  "libopenblas.so.0",
  "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
  "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0",
  "libopenblas.so",
];

const SYMBOLS = {
  cblas_sgemm: {
    parameters: [
      "i32", // order: 101 row-major
      "i32", // transA: 111 no, 112 yes
      "i32", // transB
      "i32", // M
      "i32", // N
      "i32", // K
      "f32", // alpha
      "buffer", // A
      "i32", // lda
      "buffer", // B
      "i32", // ldb
      "f32", // beta
      "buffer", // C
      "i32", // ldc
    ],
    result: "void",
  },
  openblas_get_config: { parameters: [], result: "pointer" },
  openblas_get_corename: { parameters: [], result: "pointer" },
  openblas_set_num_threads: { parameters: ["i32"], result: "void" },
  openblas_get_num_threads: { parameters: [], result: "i32" },
} as const;

type Lib = Deno.DynamicLibrary<typeof SYMBOLS>;

/**
 * What `blasStatus()` reports: the library, its core (kernel set) and threads, or why there
 * is none. `coreNote` says how the core was chosen when it is not OpenBLAS's own pick (or
 * when a better one failed its check).
 */
export type BlasStatus =
  | {
    available: true;
    library: string;
    path: string;
    threads: number;
    core: string;
    coreNote?: string;
  }
  | { available: false; reason: string };

let lib: Lib | undefined;
let status: BlasStatus | undefined;

function load(): BlasStatus {
  if (env("LITCONV_NATIVE") === "0") {
    return { available: false, reason: "disabled by LITCONV_NATIVE=0" };
  }
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
    return { available: false, reason: "no FFI permission (run with -A or --allow-ffi)" };
  }
  const explicit = env("LITCONV_BLAS");
  const found = openFirst(explicit ? [explicit] : CANDIDATES, SYMBOLS);
  if (!found.lib) {
    return {
      available: false,
      reason: `OpenBLAS not found (apt-get install libopenblas0-pthread): ${
        found.errors.join("; ")
      }`,
    };
  }
  const wanted = Number(env("LITCONV_BLAS_THREADS") ?? navigator.hardwareConcurrency);
  const setThreads = (l: Lib) => {
    if (Number.isInteger(wanted) && wanted >= 1) l.symbols.openblas_set_num_threads(wanted);
  };
  setThreads(found.lib);
  const picked = chooseCore(found.lib, found.path, setThreads);
  lib = picked.lib;
  const config = lib.symbols.openblas_get_config();
  return {
    available: true,
    library: config ? Deno.UnsafePointerView.getCString(config) : "OpenBLAS",
    path: found.path,
    threads: lib.symbols.openblas_get_num_threads(),
    core: corename(lib),
    ...(picked.note ? { coreNote: picked.note } : {}),
  };
}

/** The core (kernel set) a loaded OpenBLAS runs, e.g. "Haswell"; "" if it cannot say. */
function corename(l: Lib): string {
  try {
    const p = l.symbols.openblas_get_corename();
    return p ? Deno.UnsafePointerView.getCString(p) : "";
  } catch {
    return "";
  }
}

/** OpenBLAS 0.3.21's x86-64 cores by the widest vector instructions they use (0: pre-AVX). */
const CORE_LEVEL: Record<string, number> = {
  skylakex: 3,
  cooperlake: 3,
  sapphirerapids: 3,
  haswell: 2,
  zen: 2,
  excavator: 2,
  sandybridge: 1,
  bulldozer: 1,
  piledriver: 1,
  steamroller: 1,
};

/** The CPU's feature flags (x86 Linux: /proc/cpuinfo's first "flags" line); empty if unknown. */
export function cpuFlags(): Set<string> {
  try {
    const info = Deno.readTextFileSync("/proc/cpuinfo");
    return new Set(info.match(/^flags\s*:\s*(.*)$/m)?.[1].split(/\s+/) ?? []);
  } catch {
    return new Set();
  }
}

/** The best OpenBLAS core for CPU flags: SkylakeX, Haswell, Sandybridge, or null. */
export function coreForFlags(flags: Set<string>): string | null {
  const has = (...f: string[]) => f.every((x) => flags.has(x));
  if (has("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl")) return "SkylakeX";
  if (has("avx2", "fma")) return "Haswell";
  if (has("avx")) return "Sandybridge";
  return null;
}

/**
 * The core to load OpenBLAS with instead of `current`: the best for the CPU's flags when
 * `current` is a generic pre-AVX core (an unknown CPU's fallback, e.g. "Prescott") and the
 * CPU can do better; else null (OpenBLAS's own pick stands).
 *
 * @example 0.3.21 on a Xeon it does not know, and on one it does
 * ```ts
 * import { betterCore } from "./blas.ts";
 * const avx512 = new Set(["avx", "avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]);
 * if (betterCore("Prescott", avx512) !== "SkylakeX") throw new Error("Prescott");
 * if (betterCore("Cooperlake", avx512) !== null) throw new Error("Cooperlake");
 * ```
 */
export function betterCore(current: string, flags: Set<string>): string | null {
  const best = coreForFlags(flags);
  return best && (CORE_LEVEL[current.toLowerCase()] ?? 0) === 0 ? best : null;
}

/**
 * OpenBLAS as loaded, or loaded again with the core `LITCONV_BLAS_CORE` asks for (default
 * `auto`: {@link betterCore}), where that core loads and passes {@link productsCorrect}.
 */
function chooseCore(first: Lib, path: string, setThreads: (l: Lib) => void): {
  lib: Lib;
  note?: string;
} {
  const mode = env("LITCONV_BLAS_CORE") ?? "auto";
  const own = corename(first);
  if (mode === "keep" || own === "") return { lib: first };
  const flags = mode === "auto" ? cpuFlags() : new Set<string>();
  const wanted = mode === "auto" ? betterCore(own, flags) : mode;
  if (!wanted || wanted.toLowerCase() === own.toLowerCase()) return { lib: first };
  const why = mode === "auto" ? "from the CPU's flags" : "by LITCONV_BLAS_CORE";
  let canSetEnv = false;
  try {
    canSetEnv = Deno.permissions.querySync({ name: "env", variable: "OPENBLAS_CORETYPE" })
      .state === "granted";
  } catch { /* no permission API: leave it */ }
  if (!canSetEnv) return { lib: first, note: `OpenBLAS chose ${own}; ${wanted} needs --allow-env` };
  const load = (core: string | undefined): Lib | null => {
    const before = Deno.env.get("OPENBLAS_CORETYPE");
    try {
      if (core === undefined) Deno.env.delete("OPENBLAS_CORETYPE");
      else Deno.env.set("OPENBLAS_CORETYPE", core);
      const l = Deno.dlopen(path, SYMBOLS); // OpenBLAS reads the variable as it loads
      setThreads(l);
      return l;
    } catch {
      return null;
    } finally { // only OpenBLAS's load should see it, not child processes
      if (before === undefined) Deno.env.delete("OPENBLAS_CORETYPE");
      else Deno.env.set("OPENBLAS_CORETYPE", before);
    }
  };
  first.close(); // unloaded, so that it loads (and picks its core) afresh
  const second = load(wanted);
  const got = second ? corename(second) : "";
  if (second && got.toLowerCase() === wanted.toLowerCase() && productsCorrect(second)) {
    return { lib: second, note: `OpenBLAS chose ${own}; ${got} picked ${why}, products checked` };
  }
  second?.close();
  const again = load(Deno.env.get("OPENBLAS_CORETYPE")) ?? Deno.dlopen(path, SYMBOLS);
  setThreads(again);
  const failure = !second
    ? "did not load"
    : got.toLowerCase() !== wanted.toLowerCase()
    ? `loaded as ${got || "an unknown core"}`
    : "gave wrong products";
  return { lib: again, note: `OpenBLAS chose ${own}; ${wanted} (${why}) ${failure}, kept ${own}` };
}

/**
 * Whether `l`'s sgemm multiplies correctly: every transpose case of a 67×129 · 129×45
 * product (sizes that take the optimized kernels and their edges) against a float64
 * reference, within float32's bound 2·K·2⁻²⁴·Σ|aᵢₖ·bₖⱼ| per entry.
 */
export function productsCorrect(l: Lib = lib!): boolean {
  const [M, N, K] = [67, 45, 129];
  const rng = new Rng(12345);
  const random = (n: number) => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
  for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]]) {
    const a = random(M * K), b = random(K * N), c = new Float32Array(M * N).fill(NaN);
    l.symbols.cblas_sgemm(
      ROW_MAJOR,
      transA ? TRANS : NO_TRANS,
      transB ? TRANS : NO_TRANS,
      M,
      N,
      K,
      1,
      a,
      transA ? M : K,
      b,
      transB ? K : N,
      0,
      c,
      N,
    );
    const { exact, mass } = productInFloat64(a, b, { transA, transB, M, N, K });
    if (!c.every((v, e) => Math.abs(v - exact[e]) <= 2 * K * 2 ** -24 * mass[e])) return false;
  }
  return true;
}

/** A product's shape as {@link sgemm} takes it: op(A) M×K (A is K×M when `transA`), op(B) K×N. */
export interface ProductShape {
  transA: boolean;
  transB: boolean;
  M: number;
  N: number;
  K: number;
}

/**
 * op(A)·op(B) as {@link sgemm} lays it out, computed in float64, and per entry the mass
 * Σₖ|op(A)ᵢₖ·op(B)ₖⱼ| that bounds a float32 product's rounding error: the reference a
 * product is checked against.
 */
export function productInFloat64(
  a: Float32Array,
  b: Float32Array,
  { transA, transB, M, N, K }: ProductShape,
): { exact: Float64Array; mass: Float64Array } {
  const exact = new Float64Array(M * N), mass = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      for (let k = 0; k < K; k++) {
        const p = (transA ? a[k * M + i] : a[i * K + k]) * (transB ? b[j * K + k] : b[k * N + j]);
        exact[i * N + j] += p;
        mass[i * N + j] += Math.abs(p);
      }
    }
  }
  return { exact, mass };
}

/** Loads OpenBLAS on first use; says whether it is there, which build, or why not. */
export function blasStatus(): BlasStatus {
  return status ??= load();
}

const ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;

/**
 * C[M×N] = α·op(A)·op(B) + β·C, row-major, where op(A) is M×K (A itself is K×M when
 * `transA`) and op(B) is K×N. Leading dimensions are the rows' lengths as stored.
 * Call only when {@link blasStatus} is available.
 */
export function sgemm(
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  beta = 0,
  alpha = 1,
): void {
  if (!lib) throw new Error("litconv: sgemm called without OpenBLAS");
  if (a.length < M * K || b.length < K * N || c.length < M * N) {
    throw new Error(`litconv sgemm: operands too short for ${M}×${K}·${K}×${N}`);
  }
  if (M === 0 || N === 0) return;
  if (K === 0) { // BLAS rejects a zero leading dimension; the product of nothing is 0
    for (let i = 0; i < M * N; i++) c[i] = beta === 0 ? 0 : beta * c[i];
    return;
  }
  lib.symbols.cblas_sgemm(
    ROW_MAJOR,
    transA ? TRANS : NO_TRANS,
    transB ? TRANS : NO_TRANS,
    M,
    N,
    K,
    alpha,
    a,
    transA ? M : K,
    b,
    transB ? K : N,
    beta,
    c,
    N,
  );
}

/**
 * OpenBLAS through Deno's FFI: `cblas_sgemm`, the single-precision matrix product that
 * PyTorch itself runs its dense layers (and, through im2col, convolutions) on.
 *
 * Found with `Deno.dlopen` under the names Debian's `libopenblas0-pthread` installs. It is
 * optional: when it is absent, when FFI is not permitted, or when `LITCONV_NATIVE=0`, the
 * wasm kernels run instead and {@link blasStatus} says why. `LITCONV_BLAS=/path/lib.so`
 * names the library to load; `LITCONV_BLAS_THREADS=n` sets OpenBLAS's thread count
 * (default: one per core).
 *
 * `cblas_sgemm` takes typed arrays directly, including views of the wasm backend's
 * (shared) memory, so a kernel can multiply tensors where they lie, without copies.
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
  openblas_set_num_threads: { parameters: ["i32"], result: "void" },
  openblas_get_num_threads: { parameters: [], result: "i32" },
} as const;

type Lib = Deno.DynamicLibrary<typeof SYMBOLS>;

/** What `blasStatus()` reports: the library and its threads, or why there is none. */
export type BlasStatus =
  | { available: true; library: string; path: string; threads: number }
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
  lib = found.lib;
  const wanted = Number(env("LITCONV_BLAS_THREADS") ?? navigator.hardwareConcurrency);
  if (Number.isInteger(wanted) && wanted >= 1) lib.symbols.openblas_set_num_threads(wanted);
  const config = lib.symbols.openblas_get_config();
  return {
    available: true,
    library: config ? Deno.UnsafePointerView.getCString(config) : "OpenBLAS",
    path: found.path,
    threads: lib.symbols.openblas_get_num_threads(),
  };
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

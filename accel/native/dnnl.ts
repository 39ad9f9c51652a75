/**
 * oneDNN through Deno's FFI, the library PyTorch runs its CPU convolutions on: the thin
 * binding (load, describe memory, create and run primitives on typed arrays);
 * `conv2d_dnnl.ts` builds the convolutions on it. Activations stay NHWC; only the small
 * filter is reordered to oneDNN's layout. Optional: when it is missing, `LITCONV_DNNL=0`,
 * `LITCONV_NATIVE=0` or FFI is not permitted, convolutions run as im2col + OpenBLAS and
 * {@link dnnlStatus} says why. Its OpenMP threads sleep between calls unless told otherwise.
 *
 * @example The library's status, whether or not it is installed
 * ```ts
 * import { dnnlStatus } from "./dnnl.ts";
 * const s = dnnlStatus();
 * if (!(s.available ? s.library.startsWith("oneDNN") : s.reason.length > 0)) throw s;
 * ```
 *
 * @module
 */
import { readEnv } from "./env.ts";
import { openFirst } from "./open_library.ts";

const CANDIDATES = [
  "libdnnl.so.2",
  "/usr/lib/x86_64-linux-gnu/libdnnl.so.2",
  "/usr/lib/aarch64-linux-gnu/libdnnl.so.2",
];

// oneDNN 2.x's C structs (dnnl_types.h; 3.x made them opaque handles, a different API).
// We only hold them for the library, so buffers larger than the structs do.
const MEMORY_DESC_SIZE = 696; // sizeof(dnnl_memory_desc_t), the same through 2.x
const MEMORY_DESC_BYTES = 1024;
const OP_DESC_BYTES = 8192; // sizeof(dnnl_convolution_desc_t) = 5976
const MAX_NDIMS = 12;

/** The last four arguments of every convolution: strides, dilates, padding left and right. */
const GEOMETRY = ["buffer", "buffer", "buffer", "buffer"] as const;

const SYMBOLS = {
  dnnl_version: { parameters: [], result: "pointer" },
  dnnl_engine_create: { parameters: ["buffer", "i32", "usize"], result: "i32" },
  dnnl_stream_create: { parameters: ["buffer", "pointer", "u32"], result: "i32" },
  dnnl_stream_wait: { parameters: ["pointer"], result: "i32" },
  dnnl_memory_desc_init_by_strides: {
    parameters: ["buffer", "i32", "buffer", "i32", "buffer"],
    result: "i32",
  },
  dnnl_memory_desc_init_by_tag: {
    parameters: ["buffer", "i32", "buffer", "i32", "i32"],
    result: "i32",
  },
  dnnl_memory_desc_get_size: { parameters: ["buffer"], result: "usize" },
  dnnl_memory_desc_equal: { parameters: ["buffer", "buffer"], result: "i32" },
  dnnl_dilated_convolution_forward_desc_init: {
    // desc, prop kind, algorithm, src, weights, bias, dst, then the geometry
    parameters: ["buffer", "i32", "i32", "buffer", "buffer", "buffer", "buffer", ...GEOMETRY],
    result: "i32",
  },
  dnnl_dilated_convolution_backward_data_desc_init: {
    // desc, algorithm, diff src, weights, diff dst, then the geometry
    parameters: ["buffer", "i32", "buffer", "buffer", "buffer", ...GEOMETRY],
    result: "i32",
  },
  dnnl_dilated_convolution_backward_weights_desc_init: {
    // desc, algorithm, src, diff weights, diff bias, diff dst, then the geometry
    parameters: ["buffer", "i32", "buffer", "buffer", "buffer", "buffer", ...GEOMETRY],
    result: "i32",
  },
  dnnl_eltwise_forward_desc_init: {
    parameters: ["buffer", "i32", "i32", "buffer", "f32", "f32"], // prop kind, algorithm, data, α, β
    result: "i32",
  },
  dnnl_eltwise_backward_desc_init: {
    parameters: ["buffer", "i32", "buffer", "buffer", "f32", "f32"], // algorithm, diff data, data
    result: "i32",
  },
  dnnl_binary_desc_init: {
    parameters: ["buffer", "i32", "buffer", "buffer", "buffer"], // algorithm, src 0, src 1, dst
    result: "i32",
  },
  dnnl_matmul_desc_init: {
    parameters: ["buffer", "buffer", "buffer", "buffer", "buffer"], // src, weights, bias, dst
    result: "i32",
  },
  dnnl_reduction_desc_init: {
    parameters: ["buffer", "i32", "buffer", "buffer", "f32", "f32"], // algorithm, src, dst, p, ε
    result: "i32",
  },
  dnnl_primitive_desc_create: {
    parameters: ["buffer", "buffer", "pointer", "pointer", "pointer"],
    result: "i32",
  },
  dnnl_reorder_primitive_desc_create: {
    parameters: ["buffer", "buffer", "pointer", "buffer", "pointer", "pointer"],
    result: "i32",
  },
  dnnl_primitive_desc_query: { parameters: ["pointer", "i32", "i32", "buffer"], result: "i32" },
  dnnl_primitive_desc_query_md: { parameters: ["pointer", "i32", "i32"], result: "pointer" },
  dnnl_primitive_desc_destroy: { parameters: ["pointer"], result: "i32" },
  dnnl_primitive_create: { parameters: ["buffer", "pointer"], result: "i32" },
  dnnl_primitive_destroy: { parameters: ["pointer"], result: "i32" },
  dnnl_primitive_execute: { parameters: ["pointer", "pointer", "i32", "buffer"], result: "i32" },
  dnnl_memory_create: { parameters: ["buffer", "buffer", "pointer", "pointer"], result: "i32" },
  dnnl_memory_set_data_handle: { parameters: ["pointer", "pointer"], result: "i32" },
  dnnl_memory_destroy: { parameters: ["pointer"], result: "i32" },
} as const;

type Lib = Deno.DynamicLibrary<typeof SYMBOLS>;

/** What {@link dnnlStatus} reports: the library, or why there is none. */
export type DnnlStatus =
  | { available: true; library: string; path: string }
  | { available: false; reason: string };

/** oneDNN's numbers for what we ask of it (dnnl_types.h). */
export const ARG = {
  SRC: 1,
  SRC_1: 2,
  DST: 17,
  WEIGHTS: 33,
  DIFF_SRC: 129,
  DIFF_DST: 145,
  DIFF_WEIGHTS: 161,
} as const;
export const PROP_FORWARD_TRAINING = 64;
export const CONVOLUTION_DIRECT = 1;
export const ELTWISE_RELU = 0x1f;
export const BINARY_ADD = 0x1fff0;
export const REDUCTION_SUM = 0x2fff4;
const F32 = 3, FORMAT_ANY = 1, CPU = 1, STREAM_IN_ORDER = 1, QUERY_IMPL_INFO = 8;
/** Which memory description of a primitive each argument takes: dnnl_query_*_md, index. */
const QUERY_MD: Record<number, [number, number]> = {
  [ARG.SRC]: [129, 0],
  [ARG.SRC_1]: [129, 1],
  [ARG.DIFF_SRC]: [130, 0],
  [ARG.WEIGHTS]: [131, 0],
  [ARG.DIFF_WEIGHTS]: [132, 0],
  [ARG.DST]: [133, 0],
  [ARG.DIFF_DST]: [134, 0],
};

let lib: Lib | undefined;
let status: DnnlStatus | undefined;
let engine: Deno.PointerValue = null;
let stream: Deno.PointerValue = null;

function check(code: number, what: string): void {
  if (code !== 0) throw new DnnlError(`oneDNN ${what} failed (status ${code})`);
}

/** A oneDNN call that failed: the caller falls back to another implementation. */
export class DnnlError extends Error {}

/** Runs `create` with a fresh out-parameter and returns the handle it wrote. */
function handle(create: (out: BigUint64Array) => number, what: string): Deno.PointerValue {
  const out = new BigUint64Array(1);
  check(create(out), what);
  return Deno.UnsafePointer.create(out[0]);
}

function load(): DnnlStatus {
  if (readEnv("LITCONV_NATIVE") === "0") {
    return { available: false, reason: "disabled by LITCONV_NATIVE=0" };
  }
  const setting = readEnv("LITCONV_DNNL");
  if (setting === "0") return { available: false, reason: "disabled by LITCONV_DNNL=0" };
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
    return { available: false, reason: "no FFI permission (run with -A or --allow-ffi)" };
  }
  // OpenMP's threads spin after each call by default, waiting for the next; between our
  // calls the cores belong to TF.js's wasm threads, so they should sleep instead.
  // libgomp reads this when it loads, with oneDNN, just below. A user's setting stands.
  if (readEnv("OMP_WAIT_POLICY") === undefined) {
    try {
      Deno.env.set("OMP_WAIT_POLICY", "passive");
    } catch { /* no --allow-env: the threads spin, which is slower, not wrong */ }
  }
  let version = "";
  const found = openFirst(setting ? [setting] : CANDIDATES, SYMBOLS, (opened, path) => {
    const s = opened.symbols;
    // dnnl_version_t: int major, minor, patch; const char *hash; unsigned cpu_runtime, …
    const v = new Deno.UnsafePointerView(s.dnnl_version()!);
    if (v.getInt32(0) !== 2) {
      return `${path} is oneDNN ${v.getInt32(0)}.x; litconv speaks the 2.x C API`;
    }
    try {
      engine = handle((out) => s.dnnl_engine_create(out, CPU, 0n), "engine creation");
      stream = handle(
        (out) => s.dnnl_stream_create(out, engine, STREAM_IN_ORDER),
        "stream creation",
      );
    } catch (e) {
      return `${path}: ${(e as Error).message}`;
    }
    version = `${v.getInt32(0)}.${v.getInt32(4)}.${v.getInt32(8)}`;
  });
  if (!found.lib) {
    return {
      available: false,
      reason: `oneDNN not found (apt-get install libdnnl2): ${found.errors.join("; ")}`,
    };
  }
  lib = found.lib;
  return { available: true, library: `oneDNN ${version}`, path: found.path };
}

/** Loads oneDNN on first use; says whether it is there and which version, or why not. */
export function dnnlStatus(): DnnlStatus {
  return status ??= load();
}

function symbols() {
  if (!lib) throw new Error("litconv: oneDNN called without the library");
  return lib.symbols;
}

function dims(values: readonly number[]): BigInt64Array {
  const d = new BigInt64Array(MAX_NDIMS);
  values.forEach((v, i) => d[i] = BigInt(v));
  return d;
}

/** A memory description: float32, the given logical dims, laid out by `strides`. */
export function stridedDesc(logical: readonly number[], strides: readonly number[]): Uint8Array {
  const md = new Uint8Array(MEMORY_DESC_BYTES);
  check(
    symbols().dnnl_memory_desc_init_by_strides(
      md,
      logical.length,
      dims(logical),
      F32,
      dims(strides),
    ),
    "memory description",
  );
  return md;
}

/** A float32 memory description whose layout oneDNN chooses when it builds a primitive. */
export function anyLayoutDesc(logical: readonly number[]): Uint8Array {
  const md = new Uint8Array(MEMORY_DESC_BYTES);
  check(
    symbols().dnnl_memory_desc_init_by_tag(md, logical.length, dims(logical), F32, FORMAT_ANY),
    "memory description",
  );
  return md;
}

/** Bytes that memory of description `md` takes. */
export function descBytes(md: Uint8Array): number {
  return Number(symbols().dnnl_memory_desc_get_size(md));
}

/** Whether two memory descriptions describe the same layout. */
export function sameDesc(a: Uint8Array, b: Uint8Array): boolean {
  return symbols().dnnl_memory_desc_equal(a, b) !== 0;
}

/** An operation description, filled in by `init` (one of the library's `*_desc_init`). */
export function opDesc(init: (desc: Uint8Array, s: Lib["symbols"]) => number): Uint8Array {
  const desc = new Uint8Array(OP_DESC_BYTES);
  check(init(desc, symbols()), "operation description");
  return desc;
}

/** Dims as oneDNN wants them in descriptors (int64[12]). */
export { dims };

/**
 * One oneDNN primitive, ready to run: its descriptor (so backward passes can name their
 * forward one), the layout each argument must have, and one memory object per argument
 * whose data pointer is set at each run.
 */
export class Primitive {
  readonly pd: Deno.PointerValue;
  readonly impl: string;
  private readonly prim: Deno.PointerValue;
  private readonly memories = new Map<number, { mem: Deno.PointerValue; bytes: number }>();
  private readonly argBuffer: BigUint64Array;

  /**
   * Creates the primitive for `op` (an operation description) with the arguments `args`;
   * `hint` is the forward primitive a backward one is derived from. `reorder` instead
   * creates a reorder from `reorder.from` to `reorder.to` (arguments SRC and DST).
   */
  constructor(
    op: Uint8Array | { from: Uint8Array; to: Uint8Array },
    args: readonly number[],
    hint?: Primitive,
  ) {
    const s = symbols();
    this.pd = op instanceof Uint8Array
      ? handle(
        (out) => s.dnnl_primitive_desc_create(out, op, null, engine, hint?.pd ?? null),
        "primitive description",
      )
      : handle(
        (out) => s.dnnl_reorder_primitive_desc_create(out, op.from, engine, op.to, engine, null),
        "reorder description",
      );
    const info = new BigUint64Array(1);
    check(s.dnnl_primitive_desc_query(this.pd, QUERY_IMPL_INFO, 0, info), "query");
    this.impl = Deno.UnsafePointerView.getCString(Deno.UnsafePointer.create(info[0])!);
    this.prim = handle((out) => s.dnnl_primitive_create(out, this.pd), "primitive creation");
    for (const arg of args) {
      const md = this.desc(arg);
      const mem = handle((out) => s.dnnl_memory_create(out, md, engine, null), "memory creation");
      this.memories.set(arg, { mem, bytes: descBytes(md) });
    }
    this.argBuffer = new BigUint64Array(2 * args.length);
  }

  /** The memory description argument `arg` must have (a copy). */
  desc(arg: number): Uint8Array {
    const [what, index] = QUERY_MD[arg];
    const ptr = symbols().dnnl_primitive_desc_query_md(this.pd, what, index);
    if (ptr === null) throw new DnnlError(`oneDNN: no memory description for argument ${arg}`);
    const md = new Uint8Array(MEMORY_DESC_BYTES);
    md.set(new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(ptr, MEMORY_DESC_SIZE)));
    return md;
  }

  /** Runs the primitive on `data` (argument → array), to completion. */
  run(data: ReadonlyMap<number, Float32Array>): void {
    const s = symbols();
    let i = 0;
    for (const [arg, { mem, bytes }] of this.memories) {
      const array = data.get(arg);
      if (!array || array.byteLength < bytes) {
        throw new Error(`litconv oneDNN: argument ${arg} needs ${bytes} bytes`);
      }
      check(s.dnnl_memory_set_data_handle(mem, Deno.UnsafePointer.of(array)), "set data");
      this.argBuffer[i++] = BigInt(arg);
      this.argBuffer[i++] = BigInt(Deno.UnsafePointer.value(mem));
    }
    check(
      s.dnnl_primitive_execute(this.prim, stream, this.memories.size, this.argBuffer),
      "execution",
    );
    check(s.dnnl_stream_wait(stream), "wait");
  }

  /** Frees the primitive, its description and its memory objects. */
  destroy(): void {
    const s = symbols();
    for (const { mem } of this.memories.values()) s.dnnl_memory_destroy(mem);
    s.dnnl_primitive_destroy(this.prim);
    s.dnnl_primitive_desc_destroy(this.pd);
  }
}

/**
 * Things built with oneDNN (primitives, or plans made of them), kept by a key naming their
 * shape, since building one JIT-compiles code. The least recently used beyond `max` is
 * freed with `free`. A key oneDNN declined (`make` threw a {@link DnnlError}) is kept as
 * null, so it is not tried again.
 */
export class DnnlCache<T> {
  private readonly kept = new Map<string, T | null>();

  constructor(private readonly max: number, private readonly free: (value: T) => void) {}

  /** The value for `key`, made by `make` on first use; null when oneDNN declines it. */
  get(key: string, make: () => T): T | null {
    if (this.kept.has(key)) {
      const value = this.kept.get(key)!;
      this.kept.delete(key); // re-inserted: the map's order is least recently used first
      this.kept.set(key, value);
      return value;
    }
    let value: T | null = null;
    try {
      value = make();
    } catch (e) {
      if (!(e instanceof DnnlError)) throw e;
    }
    this.kept.set(key, value);
    if (this.kept.size > this.max) {
      const [oldest, old] = this.kept.entries().next().value!;
      this.kept.delete(oldest);
      if (old !== null) this.free(old);
    }
    return value;
  }
}

/** Primitives kept by shape, destroyed when dropped. */
export const primitiveCache = (max: number): DnnlCache<Primitive> =>
  new DnnlCache<Primitive>(max, (p) => p.destroy());

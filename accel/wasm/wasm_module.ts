/**
 * A tiny WebAssembly encoder: enough to write one SIMD function as bytes and compile it
 * against the wasm backend's own memory, so it reads and writes tensors where they lie.
 *
 * litconv's hand-written wasm kernels (Adam's update in `accel/adam_wasm.ts`, the max
 * pooling gradient in `max_pool_grad_simd.ts`) are a few hundred bytes each; writing them
 * out here, opcode by opcode with the text format beside them, keeps them readable without
 * shipping a binary or a toolchain.
 *
 * @example A function that adds its two i32 parameters
 * ```ts
 * import { compileFunction, I32, op } from "./wasm_module.ts";
 * const memory = new WebAssembly.Memory({ initial: 1 });
 * const add = compileFunction(memory, "add", [I32, I32], [], [
 *   ...op.get(0), ...op.get(1), ...op.i32Add,
 * ], I32) as (a: number, b: number) => number;
 * if (add(2, 3) !== 5) throw new Error("2 + 3");
 * ```
 *
 * @module
 */

/** Unsigned LEB128, wasm's variable-length integer encoding. */
export function leb(n: number): number[] {
  const out: number[] = [];
  do {
    const byte = n & 0x7f;
    n >>>= 7;
    out.push(n ? byte | 0x80 : byte);
  } while (n);
  return out;
}

const vec = (items: number[][]) => [...leb(items.length), ...items.flat()];
const name = (s: string) => vec([...new TextEncoder().encode(s)].map((b) => [b]));
const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];

/** Value types. */
export const I32 = 0x7f, F32 = 0x7d, V128 = 0x7b;

const simd = (code: number) => [0xfd, ...leb(code)];

/** Opcodes (WebAssembly core spec and its SIMD extension) that our kernels use. */
export const op = {
  get: (i: number) => [0x20, ...leb(i)],
  set: (i: number) => [0x21, ...leb(i)],
  /** i32.const for 0 ≤ n < 64 (signed LEB128 of a small positive number is one byte). */
  i32: (n: number) => {
    if (!(n >= 0 && n < 64)) throw new Error(`i32 constant ${n} out of range`);
    return [0x41, n];
  },
  i32Add: [0x6a],
  i32Mul: [0x6c],
  i32Shl: [0x74],
  i32GeU: [0x4f],
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  brIf: (depth: number) => [0x0d, depth],
  br: (depth: number) => [0x0c, depth],
  end: [0x0b],
  load: [...simd(0x00), 0, 0], // v128.load, memarg: align 1, offset 0
  /** v128.const with the 32-bit integer `n` in each of its four lanes (little-endian). */
  i32x4Const: (n: number) => {
    const lane = [0, 8, 16, 24].map((s) => (n >>> s) & 0xff);
    return [...simd(0x0c), ...lane, ...lane, ...lane, ...lane];
  },
  store: [...simd(0x0b), 0, 0], // v128.store
  f32x4Splat: simd(0x13),
  i32x4GtS: simd(0x3b), // lane-wise signed a > b: all ones, else all zeros
  f32x4Gt: simd(0x44),
  v128And: simd(0x4e),
  v128AndNot: simd(0x4f), // a & ~b
  v128Or: simd(0x50),
  v128Bitselect: simd(0x52), // (a & mask) | (b & ~mask)
  f32x4Sqrt: simd(0xe3),
  f32x4Add: simd(0xe4),
  f32x4Mul: simd(0xe6),
  f32x4Div: simd(0xe7),
};

/**
 * The bytes of a module that imports `env.memory` (shared or not) and exports one function
 * `exportName` with these parameter and local types and this body (without the final end).
 */
export function moduleBytes(
  shared: boolean,
  exportName: string,
  params: number[],
  locals: [count: number, type: number][],
  body: number[],
  result?: number,
): Uint8Array<ArrayBuffer> {
  // Limits: a shared memory must declare a maximum; 65536 pages (4 GiB) admits any.
  const limits = shared ? [0x03, 0, ...leb(65536)] : [0x00, 0];
  const code = [...vec(locals.map(([n, t]) => [...leb(n), t])), ...body, ...op.end];
  const results = result === undefined ? [0] : [1, result];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0], // "\0asm", version 1
    ...section(1, vec([[0x60, ...vec(params.map((t) => [t])), ...results]])),
    ...section(2, vec([[...name("env"), ...name("memory"), 0x02, ...limits]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...name(exportName), 0x00, 0]])),
    ...section(10, vec([[...leb(code.length), ...code]])),
  ]);
}

/**
 * Compiles the function against `memory` and returns it, or null where it cannot be
 * compiled (a runtime without wasm SIMD): callers then take another path.
 */
export function compileFunction(
  memory: WebAssembly.Memory,
  exportName: string,
  params: number[],
  locals: [count: number, type: number][],
  body: number[],
  result?: number,
): ((...args: number[]) => unknown) | null {
  const shared = typeof SharedArrayBuffer !== "undefined" &&
    memory.buffer instanceof SharedArrayBuffer;
  try {
    const bytes = moduleBytes(shared, exportName, params, locals, body, result);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    return instance.exports[exportName] as (...args: number[]) => unknown;
  } catch {
    return null;
  }
}

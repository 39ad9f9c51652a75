/**
 * Adam's element-wise update as a tiny WebAssembly SIMD function working in the wasm
 * backend's memory: four floats at a time, every operation in float32 as TF.js computes it
 * (a JavaScript loop computes in float64 and is slower once it rounds each step back).
 *
 * One difference from IEEE, on purpose: the two moments are stored with subnormal values
 * flushed to a signed zero (see `ftz` below), since Intel cores compute on subnormals far
 * more slowly and a moment whose gradient stays 0 decays into them and stays there.
 * `adamKernel(memory, false)` builds the IEEE variant. The outputs may be the inputs.
 *
 * @module
 */
import { compileFunction, F32, I32, op, V128 } from "./wasm/wasm_module.ts";

/** The arguments: seven byte offsets into the backend's memory, a count, the constants. */
export type AdamKernel = (
  w: number,
  m: number,
  v: number,
  g: number,
  wOut: number,
  mOut: number,
  vOut: number,
  groupsOf4: number,
  b1: number,
  b2: number,
  oneMinusB1: number,
  oneMinusB2: number,
  c1: number,
  c2: number,
  eps: number,
  minusLr: number,
) => void;

const { get, set, load, store, i32Add } = op;
const splat = op.f32x4Splat, sqrt = op.f32x4Sqrt, add = op.f32x4Add, mul = op.f32x4Mul;
const div = op.f32x4Div;

// Locals: params 0–6 w m v g wOut mOut vOut, 7 groups, 8–15 the constants; then the i32s
// i and end, and the v128s 18 g, 19 m', 20 v', 21–28 the constants splatted to 4 lanes,
// 29 the exponent mask, 30 the sign bit, 31 zero (wasm zeroes locals).
const [W, M, Vv, G, WOUT, MOUT, VOUT, GROUPS] = [0, 1, 2, 3, 4, 5, 6, 7];
const CONSTANTS = [8, 9, 10, 11, 12, 13, 14, 15];
const [I, END, GV, MV, VV] = [16, 17, 18, 19, 20];
const splatted = (param: number) => 21 + (param - 8); // f32 param 8..15 → v128 local 21..28
const [B1, B2, OB1, OB2, C1, C2, EPS, MLR] = CONSTANTS.map(splatted);
const [EXPONENT, SIGN, ZERO] = [29, 30, 31];
const at = (base: number) => [...get(base), ...get(I), ...i32Add]; // base + i

/**
 * Local `x` ← x with subnormal lanes flushed to ±0: x & ((x & exponent) >s 0 | sign). Integer
 * operations only, so a subnormal costs nothing here on any CPU; NaN and ∞ pass unchanged.
 */
// deno-fmt-ignore
const ftz = (x: number) => [
  ...get(x), ...get(x), ...get(EXPONENT), ...op.v128And, // x & exponent
  ...get(ZERO), ...op.i32x4GtS,                          // > 0: all ones, else zeros
  ...get(SIGN), ...op.v128Or, ...op.v128And, ...set(x),  // | sign, & x
];

/** The function's body; `flush` false leaves out `ftz` (IEEE subnormals, for comparison). */
// deno-fmt-ignore
const body = (flush: boolean) => [
  ...CONSTANTS.flatMap((p) => [...get(p), ...splat, ...set(splatted(p))]),
  ...op.i32x4Const(0x7f800000), ...set(EXPONENT),
  ...op.i32x4Const(0x80000000), ...set(SIGN),
  ...get(GROUPS), 0x41, 4, 0x74, ...set(END),      // end = groups << 4 (bytes)
  0x02, 0x40, 0x03, 0x40,                           // block, loop
  ...get(I), ...get(END), 0x4f, 0x0d, 1,            //   if i >= end: break
  ...at(G), ...load, ...set(GV),                    //   g
  ...at(M), ...load, ...get(B1), ...mul,            //   m·b1
  ...get(GV), ...get(OB1), ...mul, ...add, ...set(MV), //  + g·(1−b1)
  ...at(Vv), ...load, ...get(B2), ...mul,           //   v·b2
  ...get(GV), ...get(GV), ...mul, ...get(OB2), ...mul, ...add, ...set(VV), // + (g·g)·(1−b2)
  ...(flush ? [...ftz(MV), ...ftz(VV)] : []),       //   m', v' flushed
  ...at(MOUT), ...get(MV), ...store,                //   store m'
  ...at(VOUT), ...get(VV), ...store,                //   store v'
  ...at(WOUT),                                      //   (the address w' goes to)
  ...get(MV), ...get(C1), ...div,                   //   m̂ = m'/c1
  ...get(VV), ...get(C2), ...div, ...sqrt, ...get(EPS), ...add, // √(v'/c2) + ε
  ...div, ...get(MLR), ...mul,                      //   (m̂ / that)·(−lr)
  ...at(W), ...load, ...add, ...store,              //   + w, stored
  ...get(I), 0x41, 16, ...i32Add, ...set(I),        //   i += 16
  0x0c, 0, 0x0b, 0x0b,                              // br loop; end loop; end block
];

const kernels = new Map<boolean, WeakMap<WebAssembly.Memory, AdamKernel | null>>();

/**
 * The Adam kernel working in `memory` (compiled once per memory), or null where it cannot be
 * compiled (a runtime without wasm SIMD): callers then take TF.js's own path. `flush`
 * (the default) stores subnormal moments as zeros; false gives plain IEEE arithmetic.
 */
export function adamKernel(memory: WebAssembly.Memory, flush = true): AdamKernel | null {
  let byMemory = kernels.get(flush);
  if (!byMemory) kernels.set(flush, byMemory = new WeakMap());
  if (!byMemory.has(memory)) {
    const params = [...Array(8).fill(I32), ...Array(8).fill(F32)];
    const locals: [number, number][] = [[2, I32], [14, V128]];
    byMemory.set(
      memory,
      compileFunction(memory, "adam", params, locals, body(flush)) as AdamKernel | null,
    );
  }
  return byMemory.get(memory) ?? null;
}

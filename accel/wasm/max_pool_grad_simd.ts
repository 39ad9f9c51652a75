/**
 * The lecture's max pooling gradient (2×2 windows, stride 2, no padding, NHWC) as one small
 * WebAssembly SIMD function, four channels at a time, in the wasm backend's memory: the
 * same rule as the loop in `max_pool_grad.ts` (each window's gradient to its first maximum
 * in row-major order, by the same strict `>`, so NaN behaves the same), without branches.
 * The four stores cover every input position, so dx needs no zeroing first.
 *
 * @module
 */
import { compileFunction, I32, op, V128 } from "./wasm_module.ts";

/** (x, g, dx byte offsets, rows = N·oH, rowBytes = W·C·4, channelBytes = C·4) → void. */
export type MaxPoolGrad2x2 = (
  x: number,
  g: number,
  dx: number,
  rows: number,
  rowBytes: number,
  channelBytes: number,
) => void;

const { get, set, load, store, i32Add } = op;
// Parameters 0–5, then the i32s r, p (byte offset in x and dx), pg (in g), rowEnd,
// channelEnd, and the v128s a, b, c, d, gv, mb, mc, md, best.
const [X, G, DX, ROWS, ROW_BYTES, CH_BYTES] = [0, 1, 2, 3, 4, 5];
const [R, P, PG, ROW_END, CH_END] = [6, 7, 8, 9, 10];
const [A, B, C, D, GV, MB, MC, MD, BEST] = [11, 12, 13, 14, 15, 16, 17, 18, 19];
/** base + p (+ rowBytes) (+ channelBytes): the address of one tap. */
const tap = (base: number, down: boolean, right: boolean) => [
  ...get(base),
  ...get(P),
  ...i32Add,
  ...(down ? [...get(ROW_BYTES), ...i32Add] : []),
  ...(right ? [...get(CH_BYTES), ...i32Add] : []),
];
const gt = op.f32x4Gt, and = op.v128And, andNot = op.v128AndNot, or = op.v128Or;

// deno-fmt-ignore
const body = [
  ...get(G), ...set(PG),
  ...op.block, ...op.loop,                                   // for r in 0..rows:
  ...get(R), ...get(ROWS), ...op.i32GeU, ...op.brIf(1),
  ...get(R), ...get(ROW_BYTES), ...op.i32Mul, ...op.i32(1), ...op.i32Shl, ...set(P), // p = 2r·rowBytes
  ...get(P), ...get(ROW_BYTES), ...i32Add, ...set(ROW_END),
  ...op.block, ...op.loop,                                   //   for each window of the row:
  ...get(P), ...get(ROW_END), ...op.i32GeU, ...op.brIf(1),
  ...get(P), ...get(CH_BYTES), ...i32Add, ...set(CH_END),
  ...op.block, ...op.loop,                                   //     for each 4 channels:
  ...get(P), ...get(CH_END), ...op.i32GeU, ...op.brIf(1),
  ...tap(X, false, false), ...load, ...set(A),
  ...tap(X, false, true), ...load, ...set(B),
  ...tap(X, true, false), ...load, ...set(C),
  ...tap(X, true, true), ...load, ...set(D),
  ...get(PG), ...load, ...set(GV),
  ...get(B), ...get(A), ...gt, ...set(MB),                   //       mb = b > a
  ...get(B), ...get(A), ...get(MB), ...op.v128Bitselect, ...set(BEST),
  ...get(C), ...get(BEST), ...gt, ...set(MC),                //       mc = c > best
  ...get(C), ...get(BEST), ...get(MC), ...op.v128Bitselect, ...set(BEST),
  ...get(D), ...get(BEST), ...gt, ...set(MD),                //       md = d > best
  ...tap(DX, true, true), ...get(GV), ...get(MD), ...and, ...store,
  ...tap(DX, true, false), ...get(GV), ...get(MC), ...get(MD), ...andNot, ...and, ...store,
  ...tap(DX, false, true), ...get(GV), ...get(MB), ...and, ...get(MC), ...get(MD), ...or,
    ...andNot, ...store,                                     //       (g & mb) & ~(mc|md)
  ...tap(DX, false, false), ...get(GV), ...get(MB), ...get(MC), ...or, ...get(MD), ...or,
    ...andNot, ...store,
  ...get(P), ...op.i32(16), ...i32Add, ...set(P),
  ...get(PG), ...op.i32(16), ...i32Add, ...set(PG),
  ...op.br(0), ...op.end, ...op.end,
  ...get(P), ...get(CH_BYTES), ...i32Add, ...set(P),       //     skip the right taps' channels
  ...op.br(0), ...op.end, ...op.end,
  ...get(R), ...op.i32(1), ...i32Add, ...set(R),
  ...op.br(0), ...op.end, ...op.end,
];

const kernels = new WeakMap<WebAssembly.Memory, MaxPoolGrad2x2 | null>();

/** The kernel for `memory` (compiled once per memory), or null where wasm SIMD is missing. */
export function maxPoolGrad2x2Kernel(memory: WebAssembly.Memory): MaxPoolGrad2x2 | null {
  if (!kernels.has(memory)) {
    const params = Array(6).fill(I32);
    const locals: [number, number][] = [[5, I32], [9, V128]];
    const f = compileFunction(memory, "maxPoolGrad2x2", params, locals, body);
    kernels.set(memory, f as MaxPoolGrad2x2 | null);
  }
  return kernels.get(memory) ?? null;
}

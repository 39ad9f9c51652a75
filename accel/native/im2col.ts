/**
 * im2col: a convolution rewritten as one matrix product.
 *
 * For an NHWC image x and a filter W[kH, kW, C, Co], every output position (n, i, j) reads
 * one kH×kW×C patch of x. Laying each patch out as a row gives the matrix
 *
 * ```text
 * col[(n·oH + i)·oW + j, (a·kW + b)·C + c] = x[n, s·i + d·a − top, s·j + d·b − left, c]
 * ```
 *
 * (zero where that falls in the padding), and then y = col · W, with W read as the
 * (kH·kW·C)×Co matrix it already is in memory. The product is what BLAS does fastest;
 * the copy costs one pass over col. In NHWC each patch row is kH runs of kW·C contiguous
 * values, so most of the copy is `TypedArray.set` of whole runs.
 *
 * @example A 3×3 image, a 2×2 window, stride 1, no padding: four patches of four values
 * ```ts
 * import { im2col } from "./im2col.ts";
 * const x = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
 * const g = { N: 1, H: 3, W: 3, C: 1, oH: 2, oW: 2, kH: 2, kW: 2, sH: 1, sW: 1, dH: 1, dW: 1, top: 0, left: 0 };
 * const col = new Float32Array(16);
 * im2col(x, g, col);
 * if (col.join() !== "1,2,4,5,2,3,5,6,4,5,7,8,5,6,8,9") throw new Error(col.join());
 * ```
 *
 * @module
 */

/** The shape of a 2-D convolution, NHWC, as im2col needs it. */
export interface ConvGeometry {
  /** Batch, input height, width, channels. */
  N: number;
  H: number;
  W: number;
  C: number;
  /** Output height and width. */
  oH: number;
  oW: number;
  /** Filter height and width. */
  kH: number;
  kW: number;
  /** Strides. */
  sH: number;
  sW: number;
  /** Dilations (filter taps this far apart). */
  dH: number;
  dW: number;
  /** Padding before the first row and column (padding after follows from the sizes). */
  top: number;
  left: number;
}

/** Runs at least this long are copied with `set`; shorter ones in a loop (less overhead). */
const SET_MIN = 48;

function copy(src: Float32Array, from: number, dst: Float32Array, to: number, n: number) {
  if (n >= SET_MIN) {
    dst.set(src.subarray(from, from + n), to);
  } else {
    for (let k = 0; k < n; k++) dst[to + k] = src[from + k];
  }
}

function zero(dst: Float32Array, from: number, n: number) {
  if (n >= SET_MIN) {
    dst.fill(0, from, from + n);
  } else {
    for (let k = 0; k < n; k++) dst[from + k] = 0;
  }
}

/** Fills `col` ([N·oH·oW, kH·kW·C], row-major) with the patches of `x` ([N, H, W, C]). */
export function im2col(x: Float32Array, g: ConvGeometry, col: Float32Array): void {
  const { N, H, W, C, oH, oW, kH, kW, sH, sW, dH, dW, top, left } = g;
  const run = kW * C; // one filter row of a patch
  let o = 0;
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < oH; i++) {
      const ih0 = i * sH - top;
      for (let j = 0; j < oW; j++) {
        const iw0 = j * sW - left;
        for (let a = 0; a < kH; a++, o += run) {
          const ih = ih0 + a * dH;
          if (ih < 0 || ih >= H) {
            zero(col, o, run);
            continue;
          }
          const base = (n * H + ih) * W;
          if (dW === 1) {
            // Taps b with 0 ≤ iw0 + b < W are one contiguous run of x.
            const lo = Math.min(kW, Math.max(0, -iw0)), hi = Math.max(lo, Math.min(kW, W - iw0));
            zero(col, o, lo * C);
            copy(x, (base + iw0 + lo) * C, col, o + lo * C, (hi - lo) * C);
            zero(col, o + hi * C, (kW - hi) * C);
          } else {
            for (let b = 0; b < kW; b++) {
              const iw = iw0 + b * dW;
              if (iw < 0 || iw >= W) zero(col, o + b * C, C);
              else copy(x, (base + iw) * C, col, o + b * C, C);
            }
          }
        }
      }
    }
  }
}

/**
 * Whether {@link im2colByTap} applies and pays: one input channel (the first layer of an
 * image model), where im2col's runs would be only kW values long, and unit steps along
 * the width.
 */
export function byTap(g: ConvGeometry): boolean {
  return g.C === 1 && g.sW === 1 && g.dW === 1;
}

/**
 * The transpose of im2col for one input channel: colT[a·kW + b, (n·oH + i)·oW + j] =
 * x[n, s·i + d·a − top, j + b − left]. Each tap's row is the image shifted by that tap,
 * so it is copied in runs of a whole output row (oW values) rather than kW.
 */
export function im2colByTap(x: Float32Array, g: ConvGeometry, colT: Float32Array): void {
  const { N, H, W, oH, oW, kH, kW, sH, dH, top, left } = g;
  const M = N * oH * oW;
  for (let a = 0; a < kH; a++) {
    for (let b = 0; b < kW; b++) {
      let o = (a * kW + b) * M;
      const shift = b - left; // input column of output column j is j + shift
      const lo = Math.min(oW, Math.max(0, -shift)), hi = Math.max(lo, Math.min(oW, W - shift));
      for (let n = 0; n < N; n++) {
        for (let i = 0; i < oH; i++, o += oW) {
          const ih = i * sH + a * dH - top;
          if (ih < 0 || ih >= H) {
            zero(colT, o, oW);
            continue;
          }
          zero(colT, o, lo);
          copy(x, (n * H + ih) * W + lo + shift, colT, o + lo, hi - lo);
          zero(colT, o + hi, oW - hi);
        }
      }
    }
  }
}

/** The patches of `x` for `g`: im2col's M×K matrix, or its K×M transpose when {@link byTap}. */
export function buildPatches(x: Float32Array, g: ConvGeometry, col: Float32Array): void {
  if (byTap(g)) im2colByTap(x, g, col);
  else im2col(x, g, col);
}

let scratch = new Float32Array(0);

/**
 * A reusable buffer of at least `n` floats outside the wasm heap (so the heap does not
 * grow for temporaries). Its contents are whatever the last user left: write before reading.
 */
export function scratchBuffer(n: number): Float32Array {
  if (scratch.length < n) scratch = new Float32Array(n);
  return scratch.subarray(0, n);
}

/**
 * Patch matrices kept from a forward convolution for its filter gradient.
 *
 * Training runs conv(x, W) forward and, in the backward pass, dW = im2col(x)ᵀ·dy on the
 * very same x; keeping im2col(x) saves building it twice (for conv2 of the lecture CNN,
 * 40 MB of copying per step). Tensors are immutable in TF.js (a new value is a new data
 * id; XNNPACK's weight cache relies on that too), so a data id and the convolution's
 * geometry name the patches exactly. A few entries are kept, oldest dropped first, and
 * their buffers are reused rather than reallocated (fresh pages cost page faults).
 *
 * @module
 */
import { buildPatches, type ConvGeometry, scratchBuffer } from "./im2col.ts";

interface Entry {
  dataId: object;
  key: string;
  col: Float32Array;
}

/** Entries kept at most: a forward pass of the deepest model here has 3 convolutions. */
const MAX_ENTRIES = 4;
const entries: Entry[] = [];
const spare: Float32Array[] = [];

const keyOf = (g: ConvGeometry) => Object.values(g).join(",");

function freshBuffer(n: number): Float32Array {
  const i = spare.findIndex((b) => b.length === n);
  return i >= 0 ? spare.splice(i, 1)[0] : new Float32Array(n);
}

function recycle(col: Float32Array): void {
  spare.push(col);
  if (spare.length > MAX_ENTRIES) spare.shift();
}

/**
 * The patches of x for `g` (see `buildPatches`). With `keep` (a forward pass), the result is kept for a later call on
 * the same `dataId`; without (the filter gradient), a kept result is used and let go.
 * A result not kept lies in scratch memory: use it before the next call.
 */
export function patchesOf(
  dataId: object,
  x: Float32Array,
  g: ConvGeometry,
  keep: boolean,
): Float32Array {
  const key = keyOf(g);
  const i = entries.findIndex((e) => e.dataId === dataId && e.key === key);
  if (i >= 0) {
    const { col } = entries[i];
    if (!keep) {
      entries.splice(i, 1);
      recycle(col); // still valid until the next patchesOf: the caller uses it at once
    }
    return col;
  }
  const n = g.N * g.oH * g.oW * g.kH * g.kW * g.C;
  const col = keep ? freshBuffer(n) : scratchBuffer(n);
  buildPatches(x, g, col);
  if (keep) {
    entries.push({ dataId, key, col });
    if (entries.length > MAX_ENTRIES) recycle(entries.shift()!.col);
  }
  return col;
}

/** How many patch matrices are kept now (for the tests). */
export function keptPatches(): number {
  return entries.length;
}

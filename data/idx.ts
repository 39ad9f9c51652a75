/**
 * The IDX file format that MNIST ships in, parsed by hand.
 *
 * An IDX file is a 4-byte magic number, one big-endian 32-bit size per dimension, then the
 * data, one unsigned byte per value:
 *
 * ```text
 * labels  (idx1): 0x00000801  n            then n bytes
 * images  (idx3): 0x00000803  n  rows cols then n·rows·cols bytes, row by row
 * ```
 *
 * The third byte of the magic number (0x08) says "unsigned byte"; the fourth is the number of
 * dimensions. We check all of it, and the exact length, so a truncated download or a foreign
 * file becomes a clear error instead of silently wrong digits.
 *
 * @module
 */
import { FileError } from "../kernels/errors.ts";

/** The magic number of an IDX file of unsigned bytes with one dimension (labels). */
export const IDX_LABELS_MAGIC = 0x00000801;
/** The magic number of an IDX file of unsigned bytes with three dimensions (images). */
export const IDX_IMAGES_MAGIC = 0x00000803;

/** A parsed IDX file: its dimensions and its bytes (a view into the file, not a copy). */
export interface IdxArray {
  /** The size of each dimension, e.g. `[60000, 28, 28]`. */
  dims: number[];
  /** The values, one byte each, row-major. */
  data: Uint8Array;
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, "0")}`;

/**
 * Parses `bytes` as an IDX file of unsigned bytes with `rank` dimensions (1 for labels, 3 for
 * images). `source` names the file in error messages.
 *
 * ```ts
 * import { parseIdx } from "./idx.ts";
 * const file = new Uint8Array([0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1]);
 * const { dims, data } = parseIdx(file, 1, "three labels");
 * console.assert(dims[0] === 3 && data[0] === 7);
 * ```
 */
export function parseIdx(bytes: Uint8Array, rank: 1 | 3, source: string): IdxArray {
  const fail = (detail: string): never => {
    throw new FileError("parseIdx", source, detail);
  };
  const expectedMagic = rank === 1 ? IDX_LABELS_MAGIC : IDX_IMAGES_MAGIC;
  const headerLength = 4 + 4 * rank;
  if (bytes.length < headerLength) {
    fail(`is ${bytes.length} bytes long, shorter than an IDX header (${headerLength} bytes)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false); // IDX is big-endian
  if (magic !== expectedMagic) {
    fail(
      `is not an IDX ${rank === 1 ? "label" : "image"} file: magic number ${hex(magic)}, ` +
        `expected ${hex(expectedMagic)}`,
    );
  }
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== headerLength + count) {
    fail(
      `has ${bytes.length} bytes but its header [${dims.join("×")}] needs exactly ` +
        `${headerLength + count} (${
          bytes.length < headerLength + count ? "truncated" : "trailing bytes"
        })`,
    );
  }
  return { dims, data: bytes.subarray(headerLength) };
}

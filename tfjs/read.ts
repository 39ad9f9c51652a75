/**
 * A twin's result read back as plain numbers, leaving no tensor behind: a tensor (a number for
 * a scalar), or an object of tensors (a backward pass's `{ dx, dweight, dbias }`, same keys).
 * It takes `tf` as an argument and imports only types, so the browser's exercise checker uses
 * it as the terminal's twins do. Reads are asynchronous: webgpu has no other kind.
 *
 * @module
 */
import type { Tensor, Tf } from "../kernels/op.ts";

/** `out`, a twin's result, as plain values; its tensors freed. */
export async function readResult(tf: Tf, out: unknown): Promise<unknown> {
  if (out instanceof tf.Tensor) return await read(out);
  if (!isTensorRecord(tf, out)) return out;
  const result: Record<string, unknown> = {};
  try {
    for (const [key, t] of Object.entries(out)) result[key] = await read(t);
  } finally {
    tf.dispose(Object.values(out));
  }
  return result;
}

/** Whether `v` is a plain object whose every value is a tensor. */
function isTensorRecord(tf: Tf, v: unknown): v is Record<string, Tensor> {
  return v !== null && typeof v === "object" && !Array.isArray(v) &&
    Object.values(v).length > 0 && Object.values(v).every((t) => t instanceof tf.Tensor);
}

/** A tensor's numbers (a number for a scalar), then the tensor freed. */
async function read(t: Tensor): Promise<unknown> {
  try {
    return t.rank === 0 ? (await t.data())[0] : await t.array();
  } finally {
    t.dispose();
  }
}

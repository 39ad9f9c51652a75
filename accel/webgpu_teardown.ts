/**
 * Destroys TF.js's WebGPU device when the program unloads, before the process exits.
 *
 * A process that exits with a live WebGPU device can abort inside libc's `exit`. When a
 * test has failed, `deno test` calls `exit(1)` at once instead of dropping its runtime
 * first; a core dump of one such abort (`malloc_consolidate(): unaligned fastbin chunk
 * detected`, exit 134) shows the main thread in `exit` → `_dl_fini` → a destructor of
 * libEGL.so (loaded by the GPU stack under Deno's WebGPU), while another thread is
 * still ending and freeing its malloc arena. We saw it as exit 134 (also `corrupted
 * double-linked list`) or 139, a few times in a hundred runs, only with webgpu in use.
 * Destroying the device on `unload` (which fires on a normal end, on `Deno.exit` and
 * after failed tests) releases it, and the threads working for it, before `exit`.
 * The device is gone afterwards, which is fine: nothing runs after `unload`.
 *
 * @module
 */
import { findBackend } from "../deps/tfjs_core.ts";

let registered = false;

/** Arranges (once) for the webgpu backend's device to be destroyed on `unload`. */
export function destroyWebgpuDeviceOnUnload(): void {
  if (registered) return;
  registered = true;
  globalThis.addEventListener("unload", () => {
    const backend = findBackend("webgpu") as { device?: GPUDevice } | null;
    try {
      backend?.device?.destroy();
    } catch { /* already destroyed: nothing to release */ }
  });
}

/**
 * Destroys TF.js's WebGPU device when the program unloads, before the process exits.
 *
 * A process that exits with a live WebGPU device can abort inside libc's `exit`: on
 * Mesa's software Vulkan (lavapipe), the device's worker threads still run while the
 * process tears down its heap, and `deno test` died with `corrupted size vs. prev_size`,
 * `corrupted double-linked list` (exit 134) or a segfault (139), in about 1 run in 20,
 * when a test had failed (the runner then exits at once instead of dropping its runtime
 * first). Destroying the device on `unload` (which fires on a normal end, on `Deno.exit`
 * and after failed tests) releases it in order. The device is gone afterwards, which is
 * fine: nothing runs after `unload`.
 *
 * @module
 */
import { findBackend } from "npm:@tensorflow/tfjs-core@4.22.0";

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

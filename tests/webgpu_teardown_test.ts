/**
 * The WebGPU device is destroyed on `unload`, so no process (a `deno test` run after a
 * failed test above all) exits with the device's threads still working: that crashed
 * inside libc's exit, now and then, with exit 134 or 139 (see
 * accel/webgpu_teardown.ts). Checked in a child process, where `unload` is
 * dispatched by hand and the device must report itself lost, "destroyed".
 */
import assert from "node:assert/strict";
import { availableBackends } from "../accel/backend.ts";

const BACKEND = new URL("../accel/backend.ts", import.meta.url).href;

const CHILD = `
import { tf, useBackend } from ${JSON.stringify(BACKEND)};
await useBackend("webgpu");
await tf.square(tf.tensor([1, 2, 3])).data();
const device = (tf.backend() as unknown as { device: GPUDevice }).device;
globalThis.dispatchEvent(new Event("unload"));
let timer = 0;
const lost = await Promise.race([
  device.lost.then((info) => info.reason),
  new Promise((resolve) => timer = setTimeout(() => resolve("still alive"), 10_000)),
]);
clearTimeout(timer);
console.log(lost);
`;

Deno.test("webgpu: unload destroys the device before the process exits", async () => {
  if (!(await availableBackends()).includes("webgpu")) {
    // No adapter here (no mesa-vulkan-drivers): then no device can outlive the program.
    return;
  }
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", CHILD],
    cwd: new URL("..", import.meta.url).pathname,
  }).output();
  const [stdout, stderr] = [out.stdout, out.stderr].map((b) => new TextDecoder().decode(b));
  assert.equal(out.code, 0, stderr);
  assert.equal(stdout.trim(), "destroyed");
});

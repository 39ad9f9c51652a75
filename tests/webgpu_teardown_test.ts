/**
 * The WebGPU device is destroyed on `unload`, so no process (a `deno test` run after a
 * failed test above all) exits with the device's threads still working: that crashed
 * inside libc's exit, now and then, with exit 134 or 139 (see
 * accel/webgpu_teardown.ts). Checked in a child process, where `unload` is
 * dispatched by hand and the device must report itself lost, "destroyed".
 */
import assert from "node:assert/strict";
import { needs, webgpuMissing } from "./requirements.ts";

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

Deno.test(needs(await webgpuMissing(), {
  name: "webgpu: unload destroys the device before the process exits",
  fn: async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--ext=ts", CHILD],
      cwd: new URL("..", import.meta.url).pathname,
    }).output();
    const [stdout, stderr] = [out.stdout, out.stderr].map((b) => new TextDecoder().decode(b));
    assert.equal(out.code, 0, stderr);
    assert.equal(stdout.trim(), "destroyed");
  },
}));

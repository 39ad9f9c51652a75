/**
 * Choosing where the `/train/` page's TF.js runs, in the browser: WebGPU where the browser
 * offers an adapter, else WebGL on a real GPU, else WebAssembly, else plain JavaScript (cpu).
 *
 * Two facts shape the order. A browser without a GPU often still offers WebGL, drawn by a
 * software rasteriser (SwiftShader, llvmpipe): there one training step of the lecture's CNN
 * took ~8 s in headless Chromium, against ~0.15 s on wasm, so software WebGL is passed
 * over. And TF.js 4.22's wasm backend cannot train a CNN on its own (it has no
 * `Conv2DBackpropFilter`, and its `_FusedMatMul` with a transposed operand and a bias
 * answers wrongly): the kernels litconv adds for the terminal (`accel/wasm/`) are
 * registered here too, each from its browser-safe module.
 *
 * @module
 */
import * as tf from "../../deps/tfjs.ts";
import "../../deps/tfjs_backend_webgpu.ts";
import { setWasmPaths } from "../../deps/tfjs_backend_wasm.ts";
import { registerWasmKernels } from "../../accel/wasm/register.ts";

/** The backends, in the order they are tried. */
export const BACKEND_ORDER = ["webgpu", "webgl", "wasm", "cpu"] as const;
export type BackendName = typeof BACKEND_ORDER[number];

/** The backend chosen, and why each one before it was not. */
export interface BackendChoice {
  name: BackendName;
  /** What runs it, e.g. the GPU's name, "WebAssembly SIMD, 1 thread". */
  detail: string;
  passed: { name: BackendName; why: string }[];
}

let wasmReady = false;
/** Says where the .wasm files are and registers litconv's wasm kernels, as the terminal does. */
function prepareWasm(wasmDir: string) {
  if (wasmReady) return;
  wasmReady = true;
  setWasmPaths(wasmDir);
  registerWasmKernels();
}

/** The WebGL renderer's name, when the browser tells it. */
function webglRenderer(): string | undefined {
  const gl = document.createElement("canvas").getContext("webgl2") ??
    document.createElement("canvas").getContext("webgl");
  if (!gl) return undefined;
  const info = gl.getExtension("WEBGL_debug_renderer_info");
  return String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
}

const SOFTWARE_GL = /swiftshader|llvmpipe|softpipe|software/i;

/** Why `name` cannot train here, or undefined when it can. */
async function refusal(name: BackendName): Promise<string | undefined> {
  if (name === "webgpu") {
    // deno-lint-ignore no-explicit-any
    const gpu = (navigator as any).gpu;
    if (!gpu) return "this browser has no WebGPU";
    const adapter = await gpu.requestAdapter().catch(() => null);
    if (!adapter) return "no WebGPU adapter (no usable GPU)";
  }
  if (name === "webgl") {
    const renderer = webglRenderer();
    if (!renderer) return "this browser has no WebGL";
    if (SOFTWARE_GL.test(renderer)) return `WebGL is drawn in software (${renderer})`;
  }
  return undefined;
}

/** A one-step check that the backend computes a convolution's gradient. */
async function trains(): Promise<boolean> {
  const g = tf.tidy(() => {
    const x = tf.ones([1, 4, 4, 1]) as tf.Tensor4D;
    const grad = tf.grad((w: tf.Tensor) => tf.conv2d(x, w as tf.Tensor4D, 1, "same").sum());
    return grad(tf.ones([3, 3, 1, 1]));
  });
  const v = await g.data();
  g.dispose();
  return v[4] === 16; // the centre weight meets every input pixel
}

/**
 * Picks the first backend of {@link BACKEND_ORDER} (or `only`) that starts here and trains;
 * `wasmDir` is the folder (URL) holding TF.js's .wasm files.
 */
export async function chooseBackend(wasmDir: string, only?: BackendName): Promise<BackendChoice> {
  const passed: BackendChoice["passed"] = [];
  for (const name of only ? [only] : BACKEND_ORDER) {
    const why = await refusal(name);
    if (why) {
      passed.push({ name, why });
      continue;
    }
    if (name === "wasm") prepareWasm(wasmDir);
    try {
      if (!(await tf.setBackend(name))) throw new Error("it did not start");
      await tf.ready();
      if (!(await trains())) throw new Error("a test gradient came out wrong");
    } catch (e) {
      passed.push({ name, why: (e as Error).message });
      continue;
    }
    const detail = name === "webgl"
      ? webglRenderer() ?? ""
      : name === "wasm"
      ? `WebAssembly${(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) ? " SIMD" : ""}, 1 thread`
      : name === "webgpu"
      ? "WebGPU"
      : "plain JavaScript";
    return { name, detail, passed };
  }
  throw new Error(`no TF.js backend trains here: ${passed.map((p) => `${p.name}: ${p.why}`)}`);
}

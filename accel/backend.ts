/**
 * Choosing the TensorFlow.js backend the `tfjs` twins and training run on: `cpu` (always
 * there, slow), `wasm` (SIMD, plus litconv's training kernels), `webgpu` (Deno's
 * `navigator.gpu`; a software adapter where there is no GPU, chosen by default only on
 * hardware) or `tensorflow` (tfjs-node-gpu, opt-in). An explicit `--backend`, else
 * `TFJS_BACKEND`, else a hardware GPU, else wasm, else cpu.
 *
 * @module
 */
import * as tf from "../deps/tfjs.ts";
import { getThreadsCount } from "../deps/tfjs_backend_wasm.ts";
import { destroyWebgpuDeviceOnUnload } from "./webgpu_teardown.ts";
import "../deps/tfjs_backend_webgpu.ts";
import { LitconvError } from "../kernels/errors.ts";
import { registerWasmTrainingKernels } from "./wasm_training_kernels.ts";
import { nativeReport } from "./native/index.ts";

export { tf };

/** Every backend name litconv knows. */
export const BACKENDS = ["cpu", "wasm", "webgpu", "tensorflow"] as const;
/** A backend's name: `"cpu"`, `"wasm"`, `"webgpu"` or `"tensorflow"`. */
export type BackendName = typeof BACKENDS[number];

/** What a backend is, here, now. */
export interface BackendReport {
  /** The backend. */
  name: BackendName;
  /** Whether it can run here. */
  available: boolean;
  /** Why not, or what it runs on ("llvmpipe (software)", "wasm SIMD, 1 thread"…). */
  detail: string;
}

/** The backend in use and the device under it; recorded with every result. */
export interface BackendInfo {
  /** The backend. */
  name: BackendName;
  /** What it runs on, e.g. "WebAssembly SIMD, 2 thread(s); GEMM kernels on oneDNN 2.6.3". */
  device: string;
}

let prepared = false;

/**
 * What a backend needs from the process, done once, on the first call that starts or probes
 * one (never at import, so importing this module changes nothing):
 * - TF.js greets Node-like runtimes with a banner on every first tensor; PROD mode keeps the
 *   terminal readable for students.
 * - Vulkan's loader (webgpu) wants XDG_RUNTIME_DIR, which CI shells and cron jobs often
 *   lack; without --allow-env/--allow-write it is left as it is.
 */
function prepareProcess(): void {
  if (prepared) return;
  prepared = true;
  tf.env().set("PROD", true);
  try {
    if (!Deno.env.get("XDG_RUNTIME_DIR")) {
      const dir = `/tmp/litconv-xdg-${Deno.uid?.() ?? "user"}`;
      Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
      Deno.env.set("XDG_RUNTIME_DIR", dir);
    }
  } catch { /* no permission: webgpu may then find no adapter */ }
}

let adapterInfo: Promise<{ description: string; software: boolean } | null> | undefined;

/** The WebGPU adapter Deno sees, if any (asked once). */
export function gpuAdapter(): Promise<{ description: string; software: boolean } | null> {
  adapterInfo ??= (async () => {
    prepareProcess();
    if (!("gpu" in navigator)) return null;
    try {
      const adapter = await navigator.gpu.requestAdapter();
      if (!adapter) return null;
      const info = adapter.info;
      const description = info.description || info.device || info.vendor || "unknown adapter";
      const software = (info as { isFallbackAdapter?: boolean }).isFallbackAdapter === true ||
        /llvmpipe|lavapipe|swiftshader|software/i.test(description);
      return { description, software };
    } catch {
      return null;
    }
  })();
  return adapterInfo;
}

/**
 * Loads `@tensorflow/tfjs-node-gpu` if someone installed it into ./node_modules (it is
 * never fetched on the fly: its install needs libtensorflow from outside the npm
 * registry). Returns null on success, else why not.
 */
async function loadTensorflowBackend(): Promise<string | null> {
  const entry = `${Deno.cwd()}/node_modules/@tensorflow/tfjs-node-gpu/dist/index.js`;
  try {
    Deno.statSync(entry);
  } catch {
    return "not installed in ./node_modules";
  }
  try {
    await import(entry);
    return null;
  } catch (e) {
    return (e as Error).message.split("\n")[0];
  }
}

const TENSORFLOW_HELP = "the 'tensorflow' backend needs @tensorflow/tfjs-node-gpu, whose install " +
  "downloads libtensorflow (CUDA 11.2, cuDNN 8.1) from outside the npm registry; install it " +
  "where that is possible, or use --backend wasm|webgpu|cpu";

/** Reports every backend: whether it can run here and on what. */
export async function probeBackends(): Promise<BackendReport[]> {
  const gpu = await gpuAdapter();
  const tfErr = await loadTensorflowBackend();
  return [
    { name: "cpu", available: true, detail: "pure JavaScript" },
    { name: "wasm", available: true, detail: `WebAssembly (SIMD); ${gemmKernels()}` },
    gpu
      ? {
        name: "webgpu",
        available: true,
        detail: `${gpu.description}${
          gpu.software ? " (software adapter, not chosen by default)" : ""
        }`,
      }
      : {
        name: "webgpu",
        available: false,
        detail: "no WebGPU adapter (install mesa-vulkan-drivers for a software one)",
      },
    tfErr === null
      ? { name: "tensorflow", available: true, detail: "@tensorflow/tfjs-node-gpu" }
      : { name: "tensorflow", available: false, detail: `${TENSORFLOW_HELP} (${tfErr})` },
  ];
}

/** The default: a hardware GPU, else wasm (cpu is the fallback of last resort). */
export async function bestBackend(): Promise<BackendName> {
  const gpu = await gpuAdapter();
  return gpu && !gpu.software ? "webgpu" : "wasm";
}

function checkName(name: string): BackendName {
  if (!(BACKENDS as readonly string[]).includes(name)) {
    throw new LitconvError(
      "useBackend",
      "backend",
      `must be one of ${BACKENDS.join(", ")}, got '${name}'`,
    );
  }
  return name as BackendName;
}

let current: BackendInfo | undefined;

/**
 * Switches TF.js to `name` (else `TFJS_BACKEND`, else {@link bestBackend}) and
 * returns what it runs on. Throws a {@link LitconvError} if it cannot start.
 */
export async function useBackend(name?: string): Promise<BackendInfo> {
  const fromEnv = Deno.permissions.querySync({ name: "env", variable: "TFJS_BACKEND" }).state ===
      "granted"
    ? Deno.env.get("TFJS_BACKEND")
    : undefined;
  prepareProcess();
  const wanted = checkName(name ?? fromEnv ?? await bestBackend());
  if (current?.name === wanted && tf.getBackend() === wanted) return current;
  if (wanted === "tensorflow") {
    const err = await loadTensorflowBackend();
    if (err !== null) throw new LitconvError("useBackend", "backend", TENSORFLOW_HELP);
  }
  if (wanted === "wasm") registerWasmTrainingKernels();
  if (wanted === "webgpu") destroyWebgpuDeviceOnUnload(); // a live device can crash exit
  let ok = false;
  try {
    ok = await tf.setBackend(wanted);
    await tf.ready();
  } catch (e) {
    throw new LitconvError("useBackend", "backend", `'${wanted}' failed to start: ${e}`);
  }
  if (!ok || tf.getBackend() !== wanted) {
    const why = wanted === "webgpu" ? ": no WebGPU adapter (mesa-vulkan-drivers?)" : "";
    throw new LitconvError("useBackend", "backend", `'${wanted}' is not available here${why}`);
  }
  current = { name: wanted, device: await describeDevice(wanted) };
  return current;
}

/** What runs the wasm backend's convolutions and products: oneDNN, OpenBLAS, or wasm and why. */
function gemmKernels(): string {
  const r = nativeReport();
  if (r.kernels === "wasm") return `GEMM kernels in wasm (${r.reason})`;
  const why = r.convolutionReason ? ` (${r.convolutionReason})` : "";
  return `GEMM kernels ${r.kernels.replace(/^native: /, "on ")}${why}`;
}

async function describeDevice(name: BackendName): Promise<string> {
  switch (name) {
    case "cpu":
      return `JavaScript on ${navigator.hardwareConcurrency} cores`;
    case "wasm":
      return `WebAssembly SIMD, ${getThreadsCount()} thread(s); ${gemmKernels()}`;
    case "webgpu": {
      const gpu = await gpuAdapter();
      return gpu ? `${gpu.description}${gpu.software ? " (software)" : ""}` : "WebGPU";
    }
    case "tensorflow":
      return "libtensorflow (tfjs-node-gpu)";
  }
}

/** The backend chosen last by {@link useBackend}, starting the default if none was. */
export async function currentBackend(): Promise<BackendInfo> {
  return current ?? await useBackend();
}

/** The backends that can run here, for tests that must cover each one. */
export async function availableBackends(): Promise<BackendName[]> {
  return (await probeBackends()).filter((b) => b.available).map((b) => b.name);
}

/**
 * Both cores for the wasm backend under Deno: TF.js ships a threaded wasm build but never
 * starts it there (it takes Deno for Node, starts workers from a `blob:` URL Deno refuses,
 * and halves the core count). This wraps the backend's factory to get past each, only
 * while the backend starts; if anything fails, or Deno has not already granted the temp
 * file's read and write, the backend starts single-threaded as before.
 * `LITCONV_WASM_THREADS=1` asks for one thread.
 *
 * @module
 */
import { writeAtomicSync } from "../../data/atomic.ts";
import os from "node:os";
import { createRequire } from "node:module";
import { engine, env } from "../../deps/tfjs_core.ts";
import { setThreadsCount, version_wasm } from "../../deps/tfjs_backend_wasm.ts";

/** Threads wanted: `LITCONV_WASM_THREADS`, else one per logical core (at most 8). */
export function wasmThreadsWanted(): number {
  let fromEnv: string | undefined;
  try {
    if (
      Deno.permissions.querySync({ name: "env", variable: "LITCONV_WASM_THREADS" }).state ===
        "granted"
    ) fromEnv = Deno.env.get("LITCONV_WASM_THREADS");
  } catch { /* no permission API: use the default */ }
  const n = fromEnv ? Number(fromEnv) : navigator.hardwareConcurrency;
  return Number.isInteger(n) && n >= 1 ? Math.min(n, 8) : 1;
}

interface EmscriptenWorker {
  unref(): void;
}
interface ThreadedWasm {
  PThread?: { runningWorkers: EmscriptenWorker[]; unusedWorkers: EmscriptenWorker[] };
}

/** Whether Deno already grants `desc` (we never trigger a permission prompt for threads). */
function granted(desc: Deno.PermissionDescriptor): boolean {
  try {
    return Deno.permissions.querySync(desc).state === "granted";
  } catch {
    return false;
  }
}

/** Writes the worker script where Deno's worker_threads can load it; null if we cannot. */
function writeWorkerScript(): { worker: string; main: string } | null {
  const tmp = (granted({ name: "env", variable: "TMPDIR" }) && Deno.env.get("TMPDIR")) || "/tmp";
  const dir = `${tmp}/litconv-tfjs-wasm-${version_wasm}`;
  if (!granted({ name: "write", path: dir }) || !granted({ name: "read", path: dir })) return null;
  try {
    const require = createRequire(import.meta.url);
    const main = require.resolve(
      "@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js",
    );
    const { wasmWorkerContents } = require(
      "@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js",
    ) as { wasmWorkerContents: string };
    const prelude = [
      // Inside the worker, the main script comes as a Blob too: load it from its file.
      `URL.createObjectURL = () => ${JSON.stringify(main)};`,
      `URL.revokeObjectURL = () => {};`,
      `for (const k of ["location", "self"]) Object.defineProperty(globalThis, k, ` +
      `{ value: globalThis[k], writable: true, configurable: true });`,
    ].join("\n");
    // One file per TF.js version, shared by every process: written to a unique name, then
    // renamed into place, so processes starting together never read half a file.
    Deno.mkdirSync(dir, { recursive: true });
    const worker = `${dir}/tfjs-backend-wasm-threaded-simd.worker.cjs`;
    // As TF.js does before making its Blob: the script's "\n" escapes must stay escapes.
    const text = `${prelude}\n${wasmWorkerContents.replace(/\n/g, "\\n")}`;
    writeAtomicSync(worker, text);
    return { worker, main };
  } catch {
    return null;
  }
}

let wrapped = false;

/**
 * Makes the wasm backend start with `threads` threads when it next starts. Returns false
 * (and changes nothing) when that is not possible here.
 */
export function enableWasmThreads(threads = wasmThreadsWanted()): boolean {
  if (wrapped) return true;
  if (threads < 2 || typeof SharedArrayBuffer === "undefined") return false;
  const registry = (engine() as unknown as {
    registryFactory: Record<string, { factory: () => Promise<unknown>; priority: number }>;
  }).registryFactory;
  const original = registry.wasm;
  if (!original) return false;
  const files = writeWorkerScript();
  if (!files) return false;

  const threaded = async () => {
    const createObjectURL = URL.createObjectURL;
    const cpus = os.cpus;
    URL.createObjectURL = (obj: Blob) =>
      obj instanceof Blob && obj.type === "application/javascript"
        ? files.worker
        : createObjectURL(obj);
    // Emscripten only counts the entries (and the real call would need --allow-sys).
    (os as { cpus: () => unknown[] }).cpus = () =>
      Array.from({ length: 2 * navigator.hardwareConcurrency }, () => ({}));
    env().set("WASM_HAS_MULTITHREAD_SUPPORT", true);
    setThreadsCount(threads);
    try {
      const backend = await original.factory() as { wasm: ThreadedWasm };
      const pool = backend.wasm.PThread;
      for (const w of [...pool?.runningWorkers ?? [], ...pool?.unusedWorkers ?? []]) w.unref();
      return backend;
    } catch {
      // Threaded start failed: start the single-threaded build instead.
      env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
      setThreadsCount(1);
      return await original.factory();
    } finally {
      URL.createObjectURL = createObjectURL;
      (os as { cpus: typeof cpus }).cpus = cpus;
    }
  };
  registry.wasm = { factory: threaded, priority: original.priority };
  wrapped = true;
  return true;
}

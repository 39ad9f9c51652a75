/**
 * Whether the native (OpenBLAS) kernels run, and which of them did.
 *
 * The native kernels sit on top of the wasm ones and hand every call they do not take to
 * them; {@link setNativeKernels} switches between the two at run time (the tests compare
 * both paths in one process), and each native kernel counts its calls so that a run can
 * record which kernels ran where.
 *
 * @example Off means every call goes to the wasm kernels
 * ```ts
 * import { nativeKernelsActive, setNativeKernels } from "./state.ts";
 * setNativeKernels(false);
 * if (nativeKernelsActive()) throw new Error("still on");
 * setNativeKernels(true);
 * ```
 *
 * @module
 */
import { blasStatus } from "./blas.ts";
import { dnnlStatus } from "./dnnl.ts";

let wanted = true;
let dnnlWanted = true;
const calls = new Map<string, number>();

/** Turns the native kernels on (where OpenBLAS loaded) or off (wasm kernels only). */
export function setNativeKernels(on: boolean): void {
  wanted = on;
}

/** Whether native kernels take their calls now: wanted and OpenBLAS loaded. */
export function nativeKernelsActive(): boolean {
  return wanted && blasStatus().available;
}

/**
 * Whether convolutions run on oneDNN (where it loaded) or as im2col + OpenBLAS; the
 * tests run the kernel checks both ways.
 */
export function setDnnl(on: boolean): void {
  dnnlWanted = on;
}

/** Whether convolutions go to oneDNN now: native kernels on, oneDNN wanted and loaded. */
export function dnnlActive(): boolean {
  return dnnlWanted && nativeKernelsActive() && dnnlStatus().available;
}

/** Counts one call of the native kernel `name`. */
export function countNativeCall(name: string): void {
  calls.set(name, (calls.get(name) ?? 0) + 1);
}

/** Calls each native kernel has taken since the start (or since {@link resetNativeCalls}). */
export function nativeCalls(): Record<string, number> {
  return Object.fromEntries([...calls].sort(([a], [b]) => a.localeCompare(b)));
}

/** Forgets the call counts. */
export function resetNativeCalls(): void {
  calls.clear();
}

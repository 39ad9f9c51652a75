/**
 * The untrusted side of grading: a script run in the sandboxed child `deno` that imports
 * the submission's `mod.ts` and answers calls read from stdin, one JSON object a line each
 * way (replies prefixed by {@link FRAME}). It imports nothing: the child may read only the
 * submission and this file. The parent judges only the bytes it reads, so a submission that
 * forges frames can only misreport its own answers; the harness captures everything it uses
 * before the import, so a submission that patches globals cannot confuse it.
 *
 * @module
 */

/** Marks a protocol line on stdout; anything else the child prints is only shown, capped. */
export const FRAME = "\u001elitconv-frame ";
/**
 * The most bytes one frame may have: the parent buffers no longer line, so a longer reply is
 * sent as an error instead (no task's answer comes near it).
 */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;
/** The longest export name listed, and the most names (the parent's schema allows no more). */
export const MAX_NAME = 255;
export const MAX_NAMES = 10_000;
/** The most numbers (and strings) one answer may hold. */
export const MAX_ANSWER_ITEMS = 1_000_000;
/** The deepest nesting one answer may have. */
const MAX_DEPTH = 12;
/** The longest error message sent (the parent caps again; this keeps the pipe small). */
const MAX_MESSAGE = 4096;
/** What `new Worker` throws in a submission. */
export const NO_WORKERS = "Workers are not allowed in a submission";

/** Runs the protocol; `modUrl` is the submission's mod.ts. */
export async function main(modUrl: string): Promise<void> {
  // Captured before the submission runs: it may replace any of these afterwards.
  const parse = JSON.parse;
  const quote = JSON.stringify;
  const isArray = Array.isArray;
  const ownKeys = Reflect.ownKeys;
  const describe = Object.getOwnPropertyDescriptor;
  const protoOf = Object.getPrototypeOf;
  const ObjectProto = Object.prototype;
  const encoder = new TextEncoder();
  const encode = encoder.encode.bind(encoder);
  const decoder = new TextDecoder();
  const decode = decoder.decode.bind(decoder);
  const stdout = Deno.stdout;
  const writeSync = stdout.writeSync.bind(stdout);
  const stdin = Deno.stdin;
  const read = stdin.read.bind(stdin);
  const stringOf = String;
  const apply = Reflect.apply;
  const define = Object.defineProperty;
  const indexOf = String.prototype.indexOf;
  const slice = String.prototype.slice;
  // Globals a hostile submission likes to patch: reported (the harness no longer uses them).
  const watched: [string, object, string, unknown][] = [
    ["Math.exp", Math, "exp", Math.exp],
    ["Math.log", Math, "log", Math.log],
    ["Math.max", Math, "max", Math.max],
    ["Math.floor", Math, "floor", Math.floor],
    ["JSON.stringify", JSON, "stringify", JSON.stringify],
    ["JSON.parse", JSON, "parse", JSON.parse],
    ["Object.is", Object, "is", Object.is],
    ["Array.isArray", Array, "isArray", Array.isArray],
    ["Array.prototype.map", Array.prototype, "map", Array.prototype.map],
    ["Array.prototype.reduce", Array.prototype, "reduce", Array.prototype.reduce],
    ["Array.prototype.push", Array.prototype, "push", Array.prototype.push],
    ["Number.isFinite", Number, "isFinite", Number.isFinite],
  ];
  const watchedGlobals: [string, string, unknown][] = [
    ["Math", "Math", Math],
    ["JSON", "JSON", JSON],
    ["Array", "Array", Array],
    ["Object", "Object", Object],
  ];

  // Casual prints go to stderr, so stdout carries frames (and only deliberate writes).
  const stderr = Deno.stderr;
  const writeErr = stderr.writeSync.bind(stderr);
  const toStderr = (...xs: unknown[]) => {
    try {
      let text = "";
      for (let i = 0; i < xs.length; i++) text += (i ? " " : "") + safeText(xs[i]);
      writeErr(encode(text + "\n"));
    } catch { /* nothing to do */ }
  };
  for (const k of ["log", "info", "debug", "warn", "error", "trace", "table", "dir"] as const) {
    // deno-lint-ignore no-explicit-any
    (console as any)[k] = toStderr;
  }

  function send(text: string, id = 0): void {
    // A leading newline ends whatever the submission printed without one.
    let bytes = encode("\n" + FRAME + text + "\n");
    if (bytes.length > MAX_FRAME_BYTES) {
      const error = quote(
        `bad answer: the result is ${bytes.length} bytes as JSON, more than the ` +
          `${MAX_FRAME_BYTES} a reply may have`,
      );
      bytes = encode(`\n${FRAME}{"id":${id},"ok":false,"error":${error}}\n`);
    }
    let at = 0;
    while (at < bytes.length) at += writeSync(bytes.subarray(at));
  }

  function safeText(e: unknown): string {
    const text = fullText(e);
    return text.length > MAX_MESSAGE
      ? apply(slice, text, [0, MAX_MESSAGE]) + `… (${text.length - MAX_MESSAGE} more characters)`
      : text;
  }

  function fullText(e: unknown): string {
    try {
      if (typeof e === "string") return e;
      if (e !== null && typeof e === "object") {
        const m = describe(e, "message");
        const n = describe(protoOf(e) ?? ObjectProto, "name") ?? describe(e, "name");
        if (m && "value" in m && typeof m.value === "string") {
          const name = n && "value" in n && typeof n.value === "string" ? n.value : "Error";
          return name + ": " + m.value;
        }
      }
      return stringOf(e);
    } catch {
      return "a thrown value that cannot be shown";
    }
  }

  /** The answer as JSON text, walked with the captured functions; throws a plain string. */
  function serialise(value: unknown): string {
    let items = 0;
    const walk = (v: unknown, depth: number): string => {
      if (++items > MAX_ANSWER_ITEMS) throw `the result holds more than ${MAX_ANSWER_ITEMS} items`;
      if (depth > MAX_DEPTH) throw "the result is nested too deeply";
      if (typeof v === "number") {
        return v === v && v !== Infinity && v !== -Infinity ? "" + v : quote("" + v);
      }
      if (typeof v === "string") return quote(v);
      if (typeof v === "boolean") return v ? "true" : "false";
      if (v === null) return "null";
      if (v === undefined) return quote("undefined");
      if (typeof v !== "object") throw `the result contains a ${typeof v}`;
      if (isArray(v)) {
        const lengthDesc = describe(v, "length");
        const n = lengthDesc?.value;
        if (typeof n !== "number") throw "the result is an array without a length";
        let text = "[";
        for (let i = 0; i < n; i++) {
          const d = describe(v, "" + i);
          if (d === undefined) throw `the result has a hole at index ${i}`;
          if (!("value" in d)) throw `the result has a getter at index ${i}`;
          text += (i ? "," : "") + walk(d.value, depth + 1);
        }
        return text + "]";
      }
      const proto = protoOf(v);
      if (proto !== ObjectProto && proto !== null) {
        const ctor = describe(proto, "constructor")?.value;
        const name = typeof ctor === "function" ? describe(ctor, "name")?.value : undefined;
        throw `the result contains a ${typeof name === "string" ? name : "class instance"}, ` +
          "not a plain array or object";
      }
      let text = "{";
      let first = true;
      for (const key of ownKeys(v)) {
        if (typeof key !== "string") continue;
        const d = describe(v, key);
        if (!d || !d.enumerable) continue;
        if (!("value" in d)) throw `the result has a getter for "${key}"`;
        text += (first ? "" : ",") + quote(key) + ":" + walk(d.value, depth + 1);
        first = false;
      }
      return text + "}";
    };
    return walk(value, 0);
  }

  // A worker is a second isolate: under the memory rlimit it dies as "out of memory", which
  // sends a student after the wrong bug. It is refused by name instead.
  const noWorker = function Worker() {
    throw new Error(NO_WORKERS);
  };
  define(globalThis, "Worker", { value: noWorker, writable: false, configurable: false });
  // Node's worker_threads is a second way to the same isolate, by any route (a computed
  // `import("node:…")`, process.getBuiltinModule, createRequire): its Worker class is one
  // object whatever the route, and its constructor's super() call goes to its prototype,
  // so that prototype becomes the refusing function and is then frozen in place.
  try {
    const proc = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } })
      .process;
    const nodeWorker = (proc?.getBuiltinModule?.("worker_threads") as { Worker?: unknown })
      ?.Worker;
    if (typeof nodeWorker === "function") {
      Object.setPrototypeOf(nodeWorker, noWorker);
      Object.preventExtensions(nodeWorker);
    }
  } catch { /* no node compatibility layer: nothing to close */ }

  let mod: Record<string, unknown>;
  try {
    mod = await import(modUrl);
  } catch (e) {
    send(`{"id":0,"ready":false,"error":${quote(safeText(e))}}`);
    return;
  }
  // Lists are built as JSON text: a planted Array.prototype setter cannot intercept strings.
  let exports = "";
  const keys = ownKeys(mod);
  for (let i = 0, listed = 0; i < keys.length && listed < MAX_NAMES; i++) {
    const key = keys[i];
    // A name longer than any task's cannot be graded: left out, not a reason to fail the load.
    if (
      typeof key === "string" && key.length <= MAX_NAME &&
      typeof describe(mod, key)?.value === "function"
    ) {
      exports += (exports ? "," : "") + quote(key);
      listed++;
    }
  }
  let patched = "";
  for (let i = 0; i < watched.length; i++) {
    const [name, owner, key, original] = watched[i];
    if (describe(owner, key)?.value !== original) patched += (patched ? "," : "") + quote(name);
  }
  for (let i = 0; i < watchedGlobals.length; i++) {
    const [name, key, original] = watchedGlobals[i];
    if (describe(globalThis, key)?.value !== original) {
      patched += (patched ? "," : "") + quote(name);
    }
  }
  send(`{"id":0,"ready":true,"exports":[${exports}],"patched":[${patched}]}`);

  let buffered = "";
  const chunk = new Uint8Array(1 << 16);
  while (true) {
    let newline = apply(indexOf, buffered, ["\n"]) as number;
    while (newline < 0) {
      const n = await read(chunk);
      if (n === null) return;
      buffered += decode(chunk.subarray(0, n), { stream: true });
      newline = apply(indexOf, buffered, ["\n"]) as number;
    }
    const line = apply(slice, buffered, [0, newline]) as string;
    buffered = apply(slice, buffered, [newline + 1]) as string;
    const call = parse(line) as { id: number; fn: string; args: unknown[]; undef: number[] };
    // The parsed arrays are fresh, but assigning an index could still reach a planted setter.
    const args = call.args;
    for (let i = 0; i < call.undef.length; i++) {
      define(args, call.undef[i], { value: undefined, enumerable: true, writable: true });
    }
    const fn = describe(mod, call.fn)?.value;
    let reply: string;
    try {
      if (typeof fn !== "function") throw `mod.ts does not export a function ${call.fn}`;
      const result = apply(fn, undefined, args);
      try {
        reply = `{"id":${call.id},"ok":true,"value":${serialise(result)}}`;
      } catch (e) {
        reply = `{"id":${call.id},"ok":false,"error":${quote("bad answer: " + safeText(e))}}`;
      }
    } catch (e) {
      reply = `{"id":${call.id},"ok":false,"error":${quote("threw " + safeText(e))}}`;
    }
    send(reply, call.id);
  }
}

if (import.meta.main) await main(Deno.args[0]);

/**
 * One running child: sends calls, reads framed replies, and enforces the limits a launch
 * cannot: a wall-clock limit per call, per function and for the whole submission, with
 * SIGTERM then SIGKILL (SIGTERM can be ignored), and a cap on the bytes it prints.
 *
 * Everything read from the child is untrusted: a frame is checked against the protocol's
 * schema before it is used (a line that looks like a frame but is not one is the
 * submission's doing, and is reported as such), every message is capped, and no line can
 * stop the reader. Stdout is read a line at a time in linear time, and no line is buffered
 * beyond {@link MAX_FRAME_BYTES}: a longer frame-shaped line is the submission's (the harness
 * never writes one), so one student cannot make the grader hold gigabytes or stall the event
 * loop that times a neighbour. The print cap counts the student's bytes only: the harness's
 * own replies are not the student's output.
 *
 * @module
 */
import { FRAME, MAX_FRAME_BYTES, MAX_NAME, MAX_NAMES } from "./harness.ts";
import { concatBytes, type SandboxDir, type SandboxLimits, signalSandboxed } from "./sandbox.ts";

/** The longest message (an exception's text) kept from the child. */
export const MAX_MESSAGE = 2048;

/** `text` cut to `max` characters, saying how much was left out. */
export function capText(text: string, max = MAX_MESSAGE): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
}

/** A point in time (performance.now()) after which nothing more runs, and why. */
export interface Deadline {
  at: number;
  reason: string;
}

/** The children running now, for {@link killAllChildren}. */
const LIVE = new Set<Deno.ChildProcess>();

/** SIGKILLs every child still running (the grader is being stopped itself) and reaps them. */
export async function killAllChildren(): Promise<void> {
  const all = [...LIVE];
  // Each with what runs below it (bubblewrap's init and the deno inside), waiting for those.
  await Promise.all(all.map((p) => signalSandboxed(p.pid, "SIGKILL", 2000)));
  await Promise.race([
    Promise.allSettled(all.map((p) => p.status)),
    new Promise((r) => setTimeout(r, 2000)),
  ]);
}

/** Signals the rlimits send, in words. */
const SIGNALS: Partial<Record<Deno.Signal, string>> = {
  SIGXFSZ: "it tried to write a file",
  SIGXCPU: "it used up its CPU time",
};

/** What a frame-shaped line that breaks the protocol is called in a report. */
const FORGED =
  "the submission printed a line shaped like the grader's protocol that is not a valid reply " +
  "(a forged frame on stdout?)";

/** What one call returned: a value, an exception, or a failure of the child itself. */
export type Reply =
  | { kind: "value"; value: unknown }
  | { kind: "error"; message: string }
  | { kind: "fatal"; reason: string };

/** What a frame-shaped line past {@link MAX_FRAME_BYTES} is called in a report. */
const OVERSIZE = `the submission printed a line shaped like the grader's protocol of more than ${
  MAX_FRAME_BYTES / 2 ** 20
} MiB (a forged frame on stdout? the harness's own replies are smaller)`;

/** Whether the line so far (`parts`, `size` bytes) is a prefix of a frame or starts with one. */
function startsLikeFrame(parts: Uint8Array[], size: number): boolean {
  let i = 0;
  for (const p of parts) {
    for (let k = 0; k < p.length && i < FRAME_BYTES.length; k++, i++) {
      if (p[k] !== FRAME_BYTES[i]) return false;
    }
    if (i >= FRAME_BYTES.length) break;
  }
  return i === Math.min(size, FRAME_BYTES.length);
}

const FRAME_BYTES = new TextEncoder().encode(FRAME);

/** How much stray output (prints) is kept to show in the report. */
const KEEP_PRINTED = 2048;

interface Pending {
  id: number;
  resolve: (r: Reply) => void;
}

/** One running child: send calls, read framed replies, enforce the limits. */
export class Child {
  private process: Deno.ChildProcess;
  private writer: WritableStreamDefaultWriter<Uint8Array>;
  private pending: Pending | undefined;
  private nextId = 1;
  private outputBytes = 0;
  private dead: string | undefined;
  private ready: Promise<Reply>;
  private resolveReady!: (r: Reply) => void;
  /** Whatever the child printed outside the protocol, the first {@link KEEP_PRINTED} bytes. */
  printed = "";
  private stderrText = "";
  private readonly exited: Promise<Deno.CommandStatus>;

  private readonly paths: [string, string][];

  constructor(
    sandbox: SandboxDir,
    private limits: SandboxLimits,
    private deadline?: Deadline,
  ) {
    // Messages name files by the sandbox's paths: shown relative to the submission instead.
    this.paths = [
      [new URL(`file://${sandbox.submission}/`).href, "./"],
      [`${sandbox.submission}/`, "./"],
      [new URL(`file://${sandbox.root}/harness/`).href, "grader:"],
      [`${sandbox.root}/harness/`, "grader:"],
    ];
    const cpu = deadline ? (deadline.at - performance.now()) / 1000 + 5 : 600;
    const { cmd, args, env } = sandbox.command(limits, sandbox.runArgs(limits), cpu);
    this.process = new Deno.Command(cmd, {
      args,
      env,
      clearEnv: true,
      cwd: sandbox.submission,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.writer = this.process.stdin.getWriter();
    this.ready = new Promise((r) => (this.resolveReady = r));
    this.exited = this.process.status.then((s) => sandbox.exitStatus(s));
    LIVE.add(this.process);
    this.exited.finally(() => LIVE.delete(this.process));
    const streamsDone = Promise.all([this.readStdout(), this.readStderr()]);
    this.exited.then(async (status) => {
      // Frames (and V8's out-of-memory message) written just before the exit are still in
      // the pipes: read them first.
      await Promise.race([streamsDone, new Promise((r) => setTimeout(r, 1000))]);
      const why = status.signal ? SIGNALS[status.signal] : undefined;
      const how = status.signal
        ? `was killed by ${status.signal}${why ? ` (${why})` : ""}`
        : `exited (code ${status.code})`;
      const oom = /out of memory|allocation failed|OOM/i.test(this.stderrText)
        ? ` after running out of memory (limits: ${limits.heapBytes / 2 ** 20} MiB of JS heap, ` +
          `${limits.memoryBytes / 2 ** 20} MiB in all)`
        : "";
      this.fail(`the process ${how}${oom}`);
    });
  }

  /** Resolves when mod.ts has loaded: its function exports and the globals it patched. */
  async start(): Promise<
    { ok: true; exports: string[]; patched: string[] } | { ok: false; reason: string }
  > {
    const reply = await this.withTimeout(
      this.ready,
      this.limits.loadMs,
      `loading mod.ts took longer than ${this.limits.loadMs / 1000} s`,
    );
    if (reply.kind === "fatal" && /exited/.test(reply.reason)) {
      // Deno's own last word (an uncaught error, a refused read) says more than the code.
      const last = this.stderrText.trim().split("\n").at(-1)?.trim();
      const said = last ? `; its last line: ${this.clean(capText(last, 300))}` : "";
      return {
        ok: false,
        reason: `${reply.reason} while loading (Deno.exit at import time?)${said}`,
      };
    }
    if (reply.kind === "value") {
      this.loaded = reply.value as { exports: string[]; patched: string[] };
      return { ok: true, ...this.loaded };
    }
    return { ok: false, reason: reply.kind === "error" ? reply.message : reply.reason };
  }

  /** `text` from the child: capped, with the sandbox's paths shown relative to it. */
  private clean(text: string): string {
    let out = capText(text);
    for (const [from, to] of this.paths) out = out.replaceAll(from, to);
    return out;
  }

  private loaded = { exports: [] as string[], patched: [] as string[] };

  /** The functions mod.ts exports (after {@link start}). */
  exports(): string[] {
    return this.loaded.exports;
  }

  /** The globals mod.ts replaced while loading (after {@link start}). */
  patched(): string[] {
    return this.loaded.patched;
  }

  /** The child's process id: deno's (setpriv and prlimit exec it), or bubblewrap's monitor above it. */
  get pid(): number {
    return this.process.pid;
  }

  /** Whether the child has died or been stopped. */
  isDead(): boolean {
    return this.dead !== undefined;
  }

  private budget: { fn: string; deadline: number } | undefined;

  /**
   * Starts `fn`'s time budget: what is left of {@link SandboxLimits.functionMs} for all its
   * calls (`leftMs`, when an earlier phase used some).
   */
  startBudget(fn: string, leftMs = this.limits.functionMs): void {
    this.budget = { fn, deadline: performance.now() + leftMs };
  }

  /** Calls `fn(...args)` in the child. */
  call(fn: string, args: unknown[]): Promise<Reply> {
    if (this.dead) return Promise.resolve({ kind: "fatal", reason: this.dead });
    let ms = this.limits.callMs;
    let what = `${fn} took longer than ${ms / 1000} s`;
    if (this.budget?.fn === fn) {
      const left = this.budget.deadline - performance.now();
      const spent = `${fn} used up its ${this.limits.functionMs / 1000} s for all its calls`;
      if (left <= 0) return Promise.resolve({ kind: "fatal", reason: `${spent} (stopped)` });
      if (left < ms) [ms, what] = [left, spent.replace("used up", "would overrun")];
    }
    const id = this.nextId++;
    const undef = args.flatMap((a, i) => (a === undefined ? [i] : []));
    const line = JSON.stringify({ id, fn, args, undef }) + "\n";
    const reply = new Promise<Reply>((resolve) => (this.pending = { id, resolve }));
    this.writer.write(new TextEncoder().encode(line)).catch(() => {});
    return this.withTimeout(reply, ms, what);
  }

  /** Ends the child: SIGTERM, then SIGKILL if it is still there after the grace period. */
  async stop(): Promise<void> {
    this.dead ??= "the grader stopped it";
    await this.writer.close().catch(() => {});
    const term = this.signal("SIGTERM");
    const killed = await Promise.race([
      this.exited.then(() => false),
      new Promise<boolean>((r) => setTimeout(() => r(true), this.limits.graceMs)),
    ]);
    if (killed && term) await signalSandboxed(this.process.pid, "SIGKILL", this.limits.graceMs);
    await this.exited;
  }

  private signal(sig: Deno.Signal): boolean {
    try {
      this.process.kill(sig);
      return true;
    } catch {
      return false;
    }
  }

  private async withTimeout(p: Promise<Reply>, ms: number, what: string): Promise<Reply> {
    if (this.deadline && this.deadline.at - performance.now() < ms) {
      ms = Math.max(0, this.deadline.at - performance.now());
      what = this.deadline.reason;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<Reply>((resolve) => {
      timer = setTimeout(() => {
        const reason = `${what} (stopped)`;
        this.fail(reason);
        resolve({ kind: "fatal", reason });
        this.stop();
      }, ms);
    });
    try {
      return await Promise.race([p, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Marks the child dead and answers whoever waits. */
  private fail(reason: string): void {
    this.dead ??= reason;
    this.resolveReady({ kind: "fatal", reason: this.dead });
    this.pending?.resolve({ kind: "fatal", reason: this.dead });
    this.pending = undefined;
  }

  private countOutput(n: number): void {
    this.outputBytes += n;
    if (this.outputBytes > this.limits.outputBytes && !this.dead) {
      this.fail(`it printed more than ${this.limits.outputBytes / 2 ** 20} MiB (stopped)`);
      this.stop();
    }
  }

  private keepPrinted(text: string): void {
    if (this.printed.length < KEEP_PRINTED) {
      this.printed = (this.printed + text).slice(0, KEEP_PRINTED);
    }
  }

  /**
   * Reads stdout line by line, each byte looked at once. A line is a frame candidate while
   * its bytes match {@link FRAME} and it stays within {@link MAX_FRAME_BYTES}; only then is it
   * buffered. Anything else is a print: counted as it arrives, its first bytes kept to show.
   */
  private async readStdout(): Promise<void> {
    const prints = new TextDecoder();
    let parts: Uint8Array[] = [];
    let size = 0;
    // "frame": may still be a frame (buffered); "print": shown and counted; "over": a
    // frame-shaped line past the cap, dropped and counted.
    let state: "frame" | "print" | "over" = "frame";
    const toPrint = (bytes: Uint8Array) => {
      this.countOutput(bytes.length);
      if (this.printed.length < KEEP_PRINTED) {
        this.keepPrinted(prints.decode(bytes, { stream: true }));
      }
    };
    try {
      for await (const chunk of this.process.stdout) {
        if (this.dead) {
          this.countOutput(chunk.length);
          continue; // drain what is left without parsing it
        }
        let start = 0;
        while (start <= chunk.length) {
          const nl = chunk.indexOf(0x0a, start);
          const piece = chunk.subarray(start, nl < 0 ? chunk.length : nl);
          if (state === "frame") {
            parts.push(piece);
            size += piece.length;
            if (!startsLikeFrame(parts, size)) {
              state = "print";
              for (const p of parts) toPrint(p);
              parts = [];
            } else if (size > MAX_FRAME_BYTES) {
              state = "over";
              this.countOutput(size);
              parts = [];
              this.keepPrinted(`(a protocol-shaped line of more than ${MAX_FRAME_BYTES} bytes)\n`);
              this.answer({ kind: "error", message: OVERSIZE });
            }
          } else if (state === "print") toPrint(piece);
          else this.countOutput(piece.length);
          if (nl < 0) break;
          // The line ends here.
          if (state === "frame" && size > 0) {
            const line = concatBytes(parts, size);
            const accepted = this.onFrameLine(line);
            if (!accepted) this.countOutput(line.length + 1);
            // A big frame took a while to parse and judge: let timers (a neighbour's) run.
            if (line.length > 256 * 1024) await new Promise((r) => setTimeout(r, 0));
          } else if (state === "print") toPrint(new Uint8Array([0x0a]));
          else if (state === "over") this.countOutput(1);
          parts = [];
          size = 0;
          state = "frame";
          start = nl + 1;
        }
      }
    } catch { /* the stream ends when the child does */ }
  }

  /** Handles one frame-shaped line; true when it was the harness's awaited answer. */
  private onFrameLine(bytes: Uint8Array): boolean {
    try {
      return this.onLine(new TextDecoder().decode(bytes));
    } catch {
      return false; // no line may stop the reader
    }
  }

  private onLine(text: string): boolean {
    if (!text.startsWith(FRAME)) {
      this.keepPrinted(text + "\n");
      return false;
    }
    let msg: unknown;
    try {
      msg = JSON.parse(text.slice(FRAME.length));
    } catch {
      msg = undefined;
    }
    const frame = checkFrame(msg);
    if (frame === undefined) {
      // Not a frame the harness could have written: the submission printed it. A call
      // waiting for its reply fails with that reason (the harness's own reply, if it comes,
      // is ignored); otherwise the line is shown as a print.
      this.keepPrinted(capText(text, 300) + "\n");
      const id = (msg as { id?: unknown } | null)?.id;
      if (this.pending && id === this.pending.id) this.answer({ kind: "error", message: FORGED });
      return false;
    }
    if (frame.kind === "ready" || frame.kind === "unloaded") {
      if (this.loadAnswered) return false;
      this.loadAnswered = true;
      this.resolveReady(
        frame.kind === "ready"
          ? { kind: "value", value: { exports: frame.exports, patched: frame.patched } }
          : { kind: "error", message: this.clean(frame.error) },
      );
      return true;
    }
    if (this.pending && frame.id === this.pending.id) {
      this.answer(
        frame.kind === "value"
          ? { kind: "value", value: frame.value }
          : { kind: "error", message: this.clean(frame.error) },
      );
      return true;
    }
    return false;
  }

  /** Whether the load frame (ready or not) has come: a later one is not the harness's. */
  private loadAnswered = false;

  private answer(reply: Reply): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.resolve(reply);
  }

  private async readStderr(): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of this.process.stderr) {
        this.countOutput(chunk.length);
        if (this.stderrText.length < 64 * 1024) {
          const text = decoder.decode(chunk, { stream: true });
          this.stderrText += text;
          this.keepPrinted(text);
        }
      }
    } catch { /* ended */ }
  }
}

/** A frame as the harness writes it (see harness.ts), checked field by field. */
export type Frame =
  | { kind: "ready"; id: 0; exports: string[]; patched: string[] }
  | { kind: "unloaded"; id: 0; error: string }
  | { kind: "value"; id: number; value: unknown }
  | { kind: "error"; id: number; error: string };

const isNames = (v: unknown): v is string[] =>
  Array.isArray(v) && v.length <= MAX_NAMES &&
  v.every((s) => typeof s === "string" && s.length <= MAX_NAME);

/** `msg` as a {@link Frame}, or undefined when it is not one the harness could have sent. */
export function checkFrame(msg: unknown): Frame | undefined {
  if (msg === null || typeof msg !== "object" || Array.isArray(msg)) return undefined;
  const m = msg as Record<string, unknown>;
  if (!Number.isSafeInteger(m.id) || (m.id as number) < 0) return undefined;
  if (m.id === 0) {
    if (m.ready === true && isNames(m.exports) && isNames(m.patched)) {
      return { kind: "ready", id: 0, exports: m.exports, patched: m.patched };
    }
    if (m.ready === false && typeof m.error === "string") {
      return { kind: "unloaded", id: 0, error: m.error };
    }
    return undefined;
  }
  const id = m.id as number;
  if (m.ok === true && "value" in m) return { kind: "value", id, value: m.value };
  if (m.ok === false && typeof m.error === "string") return { kind: "error", id, error: m.error };
  return undefined;
}

/**
 * One running child: sends calls, reads framed replies, and enforces the limits a launch
 * cannot: a wall-clock limit per call and per function, with SIGTERM then SIGKILL (SIGTERM can
 * be ignored), and a cap on the bytes it prints.
 *
 * @module
 */
import { FRAME } from "./harness.ts";
import type { SandboxDir, SandboxLimits } from "./sandbox.ts";

/** What one call returned: a value, an exception, or a failure of the child itself. */
export type Reply =
  | { kind: "value"; value: unknown }
  | { kind: "error"; message: string }
  | { kind: "fatal"; reason: string };

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

  constructor(sandbox: SandboxDir, private limits: SandboxLimits) {
    const { cmd, args, env } = sandbox.command(limits);
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
    this.exited = this.process.status;
    const streamsDone = Promise.all([this.readStdout(), this.readStderr()]);
    this.exited.then(async (status) => {
      // Frames (and V8's out-of-memory message) written just before the exit are still in
      // the pipes: read them first.
      await Promise.race([streamsDone, new Promise((r) => setTimeout(r, 1000))]);
      const how = status.signal ? `was killed by ${status.signal}` : `exited (code ${status.code})`;
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
      return { ok: false, reason: `${reply.reason} while loading (Deno.exit at import time?)` };
    }
    if (reply.kind === "value") {
      const v = reply.value as { exports: string[]; patched: string[] };
      this.loaded = { exports: v.exports, patched: v.patched };
      return { ok: true, ...this.loaded };
    }
    return { ok: false, reason: reply.kind === "error" ? reply.message : reply.reason };
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

  /** The child's process id (that of deno: setpriv and prlimit exec it). */
  get pid(): number {
    return this.process.pid;
  }

  /** Whether the child has died or been stopped. */
  isDead(): boolean {
    return this.dead !== undefined;
  }

  private budget: { fn: string; deadline: number } | undefined;

  /** Starts `fn`'s time budget: {@link SandboxLimits.functionMs} for all its calls. */
  startBudget(fn: string): void {
    this.budget = { fn, deadline: performance.now() + this.limits.functionMs };
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
    if (killed && term) this.signal("SIGKILL");
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

  private async readStdout(): Promise<void> {
    const decoder = new TextDecoder();
    let line = "";
    try {
      for await (const chunk of this.process.stdout) {
        this.countOutput(chunk.length);
        if (this.dead) continue; // drain what is left without parsing it
        line += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = line.indexOf("\n")) >= 0) {
          this.onLine(line.slice(0, nl));
          line = line.slice(nl + 1);
        }
        if (!line.startsWith(FRAME.slice(0, line.length))) {
          this.keepPrinted(line);
          line = "";
        }
      }
    } catch { /* the stream ends when the child does */ }
  }

  private onLine(text: string): void {
    if (text === "") return;
    if (!text.startsWith(FRAME)) return this.keepPrinted(text + "\n");
    let msg: { id: number; ok?: boolean; ready?: boolean; value?: unknown; error?: string };
    try {
      msg = JSON.parse(text.slice(FRAME.length));
    } catch {
      return this.keepPrinted(text + "\n");
    }
    if (msg.id === 0) {
      this.resolveReady(
        msg.ready ? { kind: "value", value: msg } : { kind: "error", message: String(msg.error) },
      );
    } else if (this.pending && msg.id === this.pending.id) {
      const { resolve } = this.pending;
      this.pending = undefined;
      resolve(
        msg.ok ? { kind: "value", value: msg.value } : {
          kind: "error",
          message: String(msg.error),
        },
      );
    }
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

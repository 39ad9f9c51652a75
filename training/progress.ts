/**
 * A progress bar for one epoch, on stderr (stdout stays free for results).
 *
 * On a terminal it redraws one line with `\r`; in a log file (CI) the carriage returns
 * would pile up, so there it prints a plain line every tenth of the epoch instead.
 *
 * ```text
 * epoch 2/3 [##########..........] 391/782 loss 0.0712 acc 0.9781 212 img/s ETA 1m58s
 * ```
 *
 * @module
 */
import type { BatchReport } from "./loop.ts";

/** `125` → `2m05s`, `7` → `7s`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

/** The text of the bar for one report, `elapsed` seconds into the epoch. */
export function progressLine(label: string, r: BatchReport, elapsed: number, width = 20): string {
  const filled = Math.round((r.batch / r.batches) * width);
  const rate = r.seen / Math.max(elapsed, 1e-9);
  const eta = ((r.batches - r.batch) / r.batch) * elapsed;
  return `${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ` +
    `${r.batch}/${r.batches} loss ${r.loss.toFixed(4)} acc ${r.accuracy.toFixed(4)} ` +
    `${Math.round(rate)} img/s ETA ${formatDuration(eta)}`;
}

/** Writes progress lines for one epoch to `out` (stderr by default). */
export class ProgressBar {
  #start = performance.now();
  #lastDraw = 0;
  #lastTenth = -1;
  #encoder = new TextEncoder();

  constructor(
    readonly label: string,
    readonly out: { writeSync(p: Uint8Array): number; isTerminal(): boolean } = Deno.stderr,
    readonly tty: boolean = out.isTerminal(),
  ) {}

  #write(text: string): void {
    this.out.writeSync(this.#encoder.encode(text));
  }

  /** Call after every batch. */
  update(r: BatchReport): void {
    const now = performance.now();
    const line = progressLine(this.label, r, (now - this.#start) / 1000);
    const last = r.batch === r.batches;
    if (this.tty) {
      // Redrawing costs a syscall; ten times a second is smooth enough.
      if (last || now - this.#lastDraw > 100) {
        this.#write(`\r${line}\x1b[K${last ? "\n" : ""}`);
        this.#lastDraw = now;
      }
    } else {
      const tenth = Math.floor((r.batch / r.batches) * 10);
      if (tenth !== this.#lastTenth && (tenth > 0 || r.batch === 1)) this.#write(`${line}\n`);
      this.#lastTenth = tenth;
    }
  }

  /** A plain message on its own line (e.g. the epoch's summary). */
  message(text: string): void {
    this.#write(`${text}\n`);
  }
}

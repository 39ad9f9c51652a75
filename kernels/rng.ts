/**
 * A small seeded pseudo-random generator (mulberry32) whose whole state is one number.
 *
 * `Math.random` cannot be seeded, and TF.js's seeded ops restart from their seed on every
 * call. Training needs a stream we own: the same seed gives the same shuffles, and saving
 * `state` in a checkpoint lets a resumed run continue the stream exactly where it stopped.
 *
 * ```ts
 * import { Rng } from "./rng.ts";
 * const a = new Rng(1), b = new Rng(1);
 * console.assert(a.next() === b.next());
 * const resumed = new Rng(0);
 * resumed.state = a.state; // a checkpoint stores just this
 * console.assert(resumed.next() === a.next());
 * ```
 *
 * @module
 */
export class Rng {
  /** The generator's entire state: a 32-bit unsigned integer. */
  state: number;

  /** A generator whose stream is decided by `seed` (taken modulo 2³²). */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    // mulberry32 (Tommy Ettinger): add a Weyl constant, then mix the bits.
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A whole number in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A float in [lo, hi), like Python's `random.uniform`. */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** 0, 1, …, n−1 in a random order (Fisher–Yates), like `shuffle=True` each epoch. */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [p[i], p[j]] = [p[j], p[i]];
    }
    return p;
  }
}

/**
 * litconv's errors, one class per kind of thing that can be wrong, and the small argument
 * checks every kernel shares: {@link LitconvError} (an argument a function cannot use; the
 * message names function, argument and shapes, so a bad argument never becomes a silent
 * wrong answer), {@link FileError} (a file or folder that is not what it should be),
 * {@link UsageError} (a command line a command cannot run: exit code 2) and
 * {@link TrainingError} (a run that cannot go on, such as a NaN loss).
 *
 * @module
 */
import type { PoolOptions } from "./types.ts";

/** Thrown for every invalid argument a litconv function receives. */
export class LitconvError extends Error {
  /**
   * An error that names the function, the argument and what is wrong with it.
   *
   * @param fn The public function that rejected its input, e.g. `"conv2d"`.
   * @param arg The argument at fault, e.g. `"padding"`.
   * @param detail Continues the sentence "`fn`: `arg` …", e.g. "must not be empty".
   */
  constructor(readonly fn: string, readonly arg: string, detail: string) {
    super(`${fn}: ${arg} ${detail}`);
    this.name = "LitconvError";
  }
}

/** Thrown when a file or folder cannot be read or does not hold what it should. */
export class FileError extends Error {
  /**
   * An error that names the function, the file and what is wrong with it.
   *
   * @param fn The function that read it, e.g. `"loadCheckpoint"`.
   * @param path The file or folder at fault.
   * @param detail Continues the sentence "`fn`: `path` …", e.g. "is empty".
   */
  constructor(readonly fn: string, readonly path: string, detail: string) {
    super(`${fn}: ${path} ${detail}`);
    this.name = "FileError";
  }
}

/** Thrown for a command line that cannot be run; the message says what was wrong with it. */
export class UsageError extends Error {
  /** `detail`: what is wrong with the command line, e.g. "--epochs needs a whole number". */
  constructor(detail: string) {
    super(detail);
    this.name = "UsageError";
  }
}

/** Thrown when training cannot go on (the loss is no longer a number). */
export class TrainingError extends Error {
  /** `detail`: what happened and what to try instead. */
  constructor(detail: string) {
    super(detail);
    this.name = "TrainingError";
  }
}

/** Shape of a (possibly ragged) nested array, for error messages: `[3,4]`, `[2,?]`. */
export function describeShape(x: unknown): string {
  const dims: (number | string)[] = [];
  let level: unknown = x;
  while (Array.isArray(level)) {
    dims.push(level.length);
    level = level[0];
  }
  return `[${dims.join(",")}]`;
}

/** A finite number (not NaN, not ±Infinity), or a LitconvError naming where it sits. */
export function assertFiniteNumber(fn: string, arg: string, v: unknown, where = ""): number {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new LitconvError(fn, arg, `must hold finite numbers, got ${String(v)}${where}`);
  }
  return v;
}

/** A non-empty 1-D array of finite numbers. */
export function assertVector(fn: string, arg: string, x: unknown): number[] {
  if (!Array.isArray(x)) throw new LitconvError(fn, arg, `must be an array of numbers`);
  if (x.length === 0) throw new LitconvError(fn, arg, `must not be empty`);
  x.forEach((v, i) => assertFiniteNumber(fn, arg, v, ` at [${i}]`));
  return x as number[];
}

/** A non-empty rectangular 2-D array of finite numbers; returns [rows, cols]. */
export function assertMatrix(fn: string, arg: string, x: unknown): [number, number] {
  if (!Array.isArray(x) || x.length === 0 || !Array.isArray(x[0])) {
    throw new LitconvError(fn, arg, `must be a non-empty 2-D array, got shape ${describeShape(x)}`);
  }
  const cols = (x[0] as unknown[]).length;
  if (cols === 0) throw new LitconvError(fn, arg, `must not have empty rows`);
  x.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== cols) {
      throw new LitconvError(
        fn,
        arg,
        `is ragged: row 0 has ${cols} entries but row ${i} has ${
          Array.isArray(row) ? row.length : "none"
        }`,
      );
    }
    row.forEach((v, j) => assertFiniteNumber(fn, arg, v, ` at [${i}][${j}]`));
  });
  return [x.length, cols];
}

/**
 * A rectangular N-D array of finite numbers; returns its shape. `rank` fixes the
 * number of dimensions when given.
 */
export function assertTensor(fn: string, arg: string, x: unknown, rank?: number): number[] {
  const shape: number[] = [];
  let level: unknown = x;
  while (Array.isArray(level)) {
    if (level.length === 0) throw new LitconvError(fn, arg, `has an empty dimension`);
    shape.push(level.length);
    level = level[0];
  }
  if (rank !== undefined && shape.length !== rank) {
    throw new LitconvError(
      fn,
      arg,
      `must have ${rank} dimensions, got shape ${describeShape(x)}`,
    );
  }
  const walk = (node: unknown, depth: number, path: string) => {
    if (depth === shape.length) {
      assertFiniteNumber(fn, arg, node, ` at ${path}`);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw new LitconvError(
        fn,
        arg,
        `is ragged: expected ${shape[depth]} entries at ${path || "top level"}, got ${
          Array.isArray(node) ? node.length : typeof node
        } (shape ${describeShape(x)})`,
      );
    }
    node.forEach((child, i) => walk(child, depth + 1, `${path}[${i}]`));
  };
  walk(x, 0, "");
  return shape;
}

/** A whole number ≥ `min` (0 for padding, 1 for stride and sizes). */
export function assertInteger(fn: string, arg: string, v: unknown, min: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
    throw new LitconvError(fn, arg, `must be a whole number ≥ ${min}, got ${String(v)}`);
  }
  return v;
}

/** `number | [rows, cols]` as a pair, each a whole number ≥ `min`. */
export function asPair(fn: string, arg: string, v: unknown, min: number): [number, number] {
  if (Array.isArray(v)) {
    if (v.length !== 2) {
      throw new LitconvError(fn, arg, `must be a number or [rows, cols], got ${JSON.stringify(v)}`);
    }
    return [assertInteger(fn, arg, v[0], min), assertInteger(fn, arg, v[1], min)];
  }
  const n = assertInteger(fn, arg, v, min);
  return [n, n];
}

/**
 * `asPair` (a number or `[rows, cols]` → a pair), with the shapes of the call's arrays added
 * to any error, so "stride … got 0" also says which inputs it was for.
 *
 * ```ts
 * import { optionPair } from "./errors.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(optionPair("conv2d", "padding", 1, 0, "X [4,4]"), [1, 1]);
 * assert.throws(() => optionPair("conv2d", "stride", 0, 1, "X [4,4]"), /\(X \[4,4\]\)/);
 * ```
 */
export function optionPair(
  fn: string,
  arg: string,
  v: unknown,
  min: number,
  context: string,
): [number, number] {
  try {
    return asPair(fn, arg, v, min);
  } catch (e) {
    if (!(e instanceof LitconvError)) throw e;
    const detail = e.message.slice(`${fn}: ${arg} `.length);
    throw new LitconvError(fn, arg, `${detail} (${context})`);
  }
}

/**
 * A layer's optional bias: absent, or a vector with one number per output. `outputs` says how
 * the weight counts them, e.g. "Out=3 outputs"; `context` gives the call's shapes.
 */
export function assertOptionalBias(
  fn: string,
  bias: unknown,
  count: number,
  outputs: string,
  context: string,
): void {
  if (bias === undefined) return;
  const { length } = assertVector(fn, "bias", bias);
  if (length !== count) {
    throw new LitconvError(
      fn,
      "bias",
      `has length ${length} but weight has ${outputs} (${context})`,
    );
  }
}

/** Window and stride of a pooling as `[rows, cols]` pairs. */
export interface PoolPlan {
  /** The window's rows and columns. */
  size: [number, number];
  /** How far the window moves down and across. */
  stride: [number, number];
}

/**
 * The options every pooling checks, for an input `x` (named `arg`) whose last two axes are
 * `[h, w]`: a window size is required and must fit; the stride defaults to the size.
 */
export function poolPlan(
  fn: string,
  arg: string,
  x: unknown,
  [h, w]: number[],
  options: PoolOptions,
): PoolPlan {
  const context = `${arg} ${describeShape(x)}`;
  if (options?.size === undefined) {
    throw new LitconvError(fn, "size", `is required, e.g. { size: 2 } (${context})`);
  }
  const size = optionPair(fn, "size", options.size, 1, context);
  // Without a stride the windows tile the input: stride = size.
  const stride = optionPair(fn, "stride", options.stride ?? size, 1, context);
  if (size[0] > h || size[1] > w) {
    throw new LitconvError(
      fn,
      "size",
      `[${size}] is larger than ${arg}'s [${h},${w}] (${context})`,
    );
  }
  return { size, stride };
}

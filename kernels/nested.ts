/**
 * Two walks over nested arrays of numbers that the kernels, their contracts and the grader's
 * judge share: every number in order ({@link leaves}), and the shape of a value that may not
 * be a proper nested array at all ({@link shapeOf}).
 *
 * Also a short rendering of any value ({@link show}) and a depth test
 * ({@link nestedDeeperThan}). All walk with an explicit stack rather than recursion, because
 * the grader feeds them answers from untrusted code: an array nested 200,000 levels deep must
 * get a sentence, not a stack overflow.
 *
 * @module
 */

/** The deepest nesting {@link shapeOf} accepts: far beyond any tensor, far below the stack. */
export const MAX_DEPTH = 64;

/**
 * Every number in a nested array, in row-major order. A plain object (a backward pass's
 * `{ dx, dweight, dbias }`) contributes its values' numbers in the order of its keys.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { leaves } from "./nested.ts";
 * assert.deepEqual(leaves([[1, 2], [3, [4]]]), [1, 2, 3, 4]);
 * assert.deepEqual(leaves(5), [5]);
 * assert.deepEqual(leaves({ dx: [1, 2], dbias: [3] }), [1, 2, 3]);
 * ```
 */
export function leaves(x: unknown): number[] {
  const out: number[] = [];
  const stack: unknown[] = [x];
  while (stack.length > 0) {
    const node = stack.pop();
    const children = Array.isArray(node)
      ? node
      : node !== null && typeof node === "object"
      ? Object.values(node)
      : undefined;
    if (children) { for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]); }
    else out.push(node as number);
  }
  return out;
}

/** How a value that is not a number is named in a message: "null", "an object", "a string". */
function kindOf(v: unknown): string {
  return v === null ? "null" : typeof v === "object" ? "an object" : `a ${typeof v}`;
}

/**
 * The shape of a rectangular nested array of finite numbers (`[]` for a number, `[0]` for an
 * empty array), or one sentence saying why `v` is not one: a value that is not a number, a
 * non-finite number (also as the strings "NaN", "Infinity", "-Infinity" that JSON carries
 * them as), a ragged array, or nesting deeper than {@link MAX_DEPTH}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shapeOf } from "./nested.ts";
 * assert.deepEqual(shapeOf([[1, 2, 3], [4, 5, 6]]), [2, 3]);
 * assert.equal(shapeOf([[1, 2], [3]]), "the result is ragged: [1] has 1 entries, [0] has 2");
 * assert.equal(shapeOf([1, null]), "[1] is null, not a number");
 * ```
 */
export function shapeOf(v: unknown): number[] | string {
  // The shape is read down the first elements, then every element is checked against it.
  const shape: number[] = [];
  for (let node = v; Array.isArray(node); node = node[0]) {
    if (shape.length === MAX_DEPTH) {
      return `the result is nested more than ${MAX_DEPTH} levels deep`;
    }
    shape.push(node.length);
    if (node.length === 0) break;
  }
  const stack: [node: unknown, depth: number, path: string][] = [[v, 0, ""]];
  while (stack.length > 0) {
    const [node, depth, path] = stack.pop()!;
    const where = path || "the result";
    if (depth === shape.length) {
      if (typeof node === "number") {
        if (!Number.isFinite(node)) return `${where} is ${node}`;
        continue;
      }
      if (typeof node === "string" && /^(NaN|-?Infinity)$/.test(node)) {
        return `${where} is ${node}, not a finite number`;
      }
      if (Array.isArray(node)) {
        return `the result is ragged: ${path} is an array, ${path.replace(/\d+\]$/, "0]")} is not`;
      }
      return `${where} is ${kindOf(node)}, not ${path ? "a number" : "a number or an array"}`;
    }
    if (!Array.isArray(node)) {
      return `the result is ragged: ${where} is ${
        typeof node === "number" ? "a number" : kindOf(node)
      }, not an array of ${shape[depth]}`;
    }
    if (node.length !== shape[depth]) {
      const first = `${path.replace(/\d+\]$/, "0]")}`;
      return `the result is ragged: ${path || "the result"} has ${node.length} entries, ${
        first || "[0]"
      } has ${shape[depth]}`;
    }
    for (let i = node.length - 1; i >= 0; i--) stack.push([node[i], depth + 1, `${path}[${i}]`]);
  }
  return shape;
}

/**
 * A short, readable rendering of a value as JSON (long arrays cut; NaN and ±Infinity as
 * strings, as the child sends them). It walks the value with an explicit stack and stops at
 * `max` characters, so an answer nested 200,000 levels deep or holding a 20 MB string costs a
 * few hundred characters, never a stack overflow.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { show } from "./nested.ts";
 * assert.equal(show([[1, NaN], { a: "b" }]), '[[1,"NaN"],{"a":"b"}]');
 * let deep: unknown = [];
 * for (let i = 0; i < 200_000; i++) deep = [deep];
 * assert.equal(show(deep, 10), "[[[[[[[[[[…");
 * ```
 */
export function show(v: unknown, max = 300): string {
  let out = "";
  const frames: { values: unknown[]; keys?: string[]; i: number; close: string }[] = [];
  const put = (x: unknown) => {
    if (Array.isArray(x)) {
      out += "[";
      frames.push({ values: x, i: 0, close: "]" });
    } else if (x !== null && typeof x === "object") {
      const keys = Object.keys(x);
      out += "{";
      frames.push({
        values: keys.map((k) => (x as Record<string, unknown>)[k]),
        keys,
        i: 0,
        close: "}",
      });
    } else if (typeof x === "number") {
      out += Number.isFinite(x) ? String(x) : `"${x}"`;
    } else if (typeof x === "string") {
      out += JSON.stringify(x.length > max ? x.slice(0, max) : x);
    } else if (x === null || typeof x === "boolean") {
      out += String(x);
    } else {
      out += typeof x === "undefined" ? "undefined" : `[${typeof x}]`;
    }
  };
  put(v);
  while (frames.length > 0 && out.length <= max) {
    const f = frames[frames.length - 1];
    if (f.i >= f.values.length) {
      out += f.close;
      frames.pop();
      continue;
    }
    if (f.i > 0) out += ",";
    if (f.keys) out += JSON.stringify(f.keys[f.i]) + ":";
    put(f.values[f.i++]);
  }
  return out.length > max || frames.length > 0 ? out.slice(0, max) + "…" : out;
}

/** Whether `v` (arrays and plain objects) nests deeper than `limit`: an iterative walk. */
export function nestedDeeperThan(v: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[v, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    if (depth >= limit) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
    }
  }
  return false;
}

/**
 * Structural judges, for the two tasks whose answer is not one fixed array: dropout (any
 * generator may draw the mask) and the exercise's model (layers that keep the shape may be
 * listed or not). Self-contained apart from `judge.ts`, because starter folders carry a copy.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { judgeDropout } from "./structural.ts";
 * assert.equal(judgeDropout([1, 2], 0.5, true, [0, 4]), undefined);
 * assert.match(judgeDropout([1, 2], 0.5, true, [1, 4]) ?? "", /element 0 is 1/);
 * ```
 *
 * @module
 */
import { flat, REL, shapeOf, show } from "./judge.ts";

/**
 * Inverted dropout's contract on one answer: the shape of x; in training each element is 0
 * or x/(1 − p) (within {@link REL}: x·(1/(1 − p)) is as right as x/(1 − p)); in evaluation
 * exactly x.
 */
export function judgeDropout(
  x: unknown,
  p: number,
  training: boolean,
  got: unknown,
): string | undefined {
  const [want, have] = [shapeOf(x) as number[], shapeOf(got)];
  if (typeof have === "string") return have;
  if (have.join() !== want.join()) {
    return `shape [${have.join(", ")}], expected [${want.join(", ")}]`;
  }
  const [xs, ys] = [flat(x), flat(got)];
  for (let i = 0; i < xs.length; i++) {
    const kept = xs[i] / (1 - p);
    const ok = training
      ? ys[i] === 0 || Math.abs(ys[i] - kept) <= REL * Math.abs(kept)
      : ys[i] === xs[i];
    if (!ok) {
      return `element ${i} is ${ys[i]}, expected ${
        training ? `0 or x/(1 − p) = ${kept}` : `x = ${xs[i]} (evaluation changes nothing)`
      }`;
    }
  }
  return undefined;
}

/** Task 10.1's answer: `{ layers: [{ name, shape }], params }`. */
export interface ModelAnswer {
  layers: { name: string; shape: number[] }[];
  params: number;
}

/** Compares a model summary with the expected one: shapes in order (repeats collapse), params. */
export function judgeModel(want: ModelAnswer, got: unknown): string | undefined {
  const g = got as Partial<ModelAnswer> | null;
  if (g === null || typeof g !== "object" || !Array.isArray(g.layers)) {
    return `expected { layers: [{ name, shape }, …], params }, got ${show(got)}`;
  }
  const shapes: string[] = [];
  for (const [i, layer] of g.layers.entries()) {
    const s = (layer as { shape?: unknown } | null)?.shape;
    if (!Array.isArray(s) || !s.every((d) => Number.isInteger(d))) {
      return `layers[${i}].shape is ${show(s)}, not a list of whole numbers`;
    }
    // ReLU and dropout keep the shape: listing them is not wrong, so repeats collapse.
    if (shapes.at(-1) !== s.join("×")) shapes.push(s.join("×"));
  }
  const wanted = want.layers.map((l) => l.shape.join("×"));
  if (shapes.join(" → ") !== wanted.join(" → ")) {
    return `layer shapes ${shapes.join(" → ")}, expected ${wanted.join(" → ")}`;
  }
  if (g.params !== want.params) return `params ${show(g.params)}, expected ${want.params}`;
  return undefined;
}

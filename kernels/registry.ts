/**
 * The registry: every operation litconv teaches, collected from the operations' own modules
 * (`ops.ts`), so that nothing about an operation is written twice. The property tests, the
 * grader, the starter folders, the lessons and the site read it.
 *
 * - {@link OPS}: every operation by name, typed, in course order.
 * - {@link PAIRS}: the operations with a TF.js twin, which the property tests check.
 * - {@link TASKS}: the graded tasks, numbered by lesson (`02.1`, …), one per operation.
 *
 * ```ts
 * import { OPS, PAIRS } from "./registry.ts";
 * import assert from "node:assert/strict";
 * const conv1d = OPS.conv1d.naive;
 * assert.deepEqual(conv1d([1, 3, 2, 4, 5, 6, 1, 3], [1, 0, 3, 1, 2], { padding: 2 }), [
 *   5, 14, 16, 26, 24, 34, 19, 22,
 * ]);
 * assert.ok(PAIRS.some((p) => p.name === "conv1d"));
 * assert.ok(!PAIRS.some((p) => p.name === "convOutputSize")); // a formula: no twin
 * ```
 *
 * @module
 */
import * as modules from "./ops.ts";
import type { Op, Pair } from "./op.ts";

/** The definitions a module namespace `M` exports as `<name>Op`, keyed by `<name>`. */
export type OpsOf<M> = {
  [K in keyof M as K extends `${infer Name}Op` ? M[K] extends Op ? Name : never : never]: M[K];
};

/** Every operation's definition, by name. */
export type Ops = OpsOf<typeof modules>;

/** An operation's name, e.g. `"conv1d"`. */
export type OpName = keyof Ops;

/** Whether `op` has a TF.js twin. */
export function isPair(op: Op): op is Pair {
  return typeof (op as Partial<Pair>).twin === "function";
}

/** Task ids compare as lesson, then number: "02.1" < "05.2" < "10.1". */
const byTask = (a: Op, b: Op) => a.task.id.localeCompare(b.task.id, "en", { numeric: true });

/** Collects every `<name>Op` export and checks that it is named after its operation. */
function collect(exported: Record<string, unknown>): Ops {
  const found: Op[] = [];
  for (const [key, value] of Object.entries(exported)) {
    if (!key.endsWith("Op") || typeof value !== "object" || value === null) continue;
    const op = value as Op;
    if (`${op.name}Op` !== key) {
      throw new Error(`registry: ${key} defines the operation '${op.name}': name it ${op.name}Op`);
    }
    found.push(op);
  }
  found.sort(byTask);
  return Object.fromEntries(found.map((op) => [op.name, op])) as Ops;
}

/** Every operation, by name, in course order (by task). */
export const OPS: Ops = collect(modules);

/** Every operation, in course order. */
export const OP_LIST: readonly Op[] = Object.values(OPS) as Op[];

/** The operations with a TF.js twin, in course order: what the property tests check. */
export const PAIRS: readonly Pair[] = OP_LIST.filter(isPair);

/** One graded task, with the operation it asks for. */
export interface TaskInfo {
  /** `"LL.N"`: the lesson's number, then the task's number within it. */
  id: string;
  /** The function the student writes (exported from their `mod.ts`). */
  fn: string;
  /** The slug of the lesson that teaches it. */
  lesson: string;
  /** One line: what the function does. */
  title: string;
}

/** Every graded task, in course order. */
export const TASKS: readonly TaskInfo[] = OP_LIST.map(({ name, task }) => ({
  id: task.id,
  fn: name,
  lesson: task.lesson,
  title: task.title,
}));

/** The operation named `name`, or undefined. */
export function findOp(name: string): Op | undefined {
  return OP_LIST.find((op) => op.name === name);
}

/** The task with this id (`"02.1"`), or undefined. */
export function findTask(id: string): TaskInfo | undefined {
  return TASKS.find((t) => t.id === id);
}

/** The tasks a lesson teaches, in order. */
export function tasksOfLesson(slug: string): TaskInfo[] {
  return TASKS.filter((t) => t.lesson === slug);
}

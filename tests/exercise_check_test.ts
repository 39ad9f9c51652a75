/**
 * The check behind the lesson pages' exercises (`site/lib/exercise_check.ts`), here in Deno
 * with the same TF.js cpu backend the browser's worker uses: the course's own naive kernel
 * passes every task's tests (so the comparison with each float32 twin allows what it must),
 * and a conv1d without the kernel flip fails with a shrunk counterexample.
 */
import assert from "node:assert/strict";
// The union package: its cpu backend, and every op's gradient (the backward twins use tf.grads).
import * as tf from "../deps/tfjs.ts";
import { OP_LIST } from "../kernels/registry.ts";
import type { Tf } from "../kernels/op.ts";
import { checkExercise, pretty, type StudentFunction } from "../site/lib/exercise_check.ts";
import { importStudent, stripTypes } from "../site/lib/exercise_compile.ts";

/** Runs `body` on TF.js's cpu backend, then gives the previous backend back. */
async function onCpu<T>(body: () => Promise<T>): Promise<T> {
  const before = tf.getBackend();
  await tf.setBackend("cpu");
  try {
    return await body();
  } finally {
    if (before && before !== "cpu") await tf.setBackend(before);
  }
}

Deno.test("every task's own naive kernel passes its exercise's check", async () => {
  await onCpu(async () => {
    for (const op of OP_LIST) {
      const outcomes = await checkExercise(op.task.id, op.naive as StudentFunction, {
        tf: tf as unknown as Tf,
        seed: 7,
      });
      assert.ok(outcomes.some((o) => o.kind === "property"), `${op.task.id}: no property test`);
      for (const o of outcomes) assert.ok(o.passed, `${op.task.id} ${o.name}: ${o.wrong}`);
    }
  });
});

Deno.test("conv1d without the kernel flip fails, with a shrunk counterexample", async () => {
  const student = await importStudent(`
    export function conv1d(x: number[], w: number[], o: { padding?: number; stride?: number } = {}) {
      const p = o.padding ?? 0, s = o.stride ?? 1;
      const xs: number[] = [...Array(p).fill(0), ...x, ...Array(p).fill(0)];
      const out: number[] = [];
      for (let i = 0; i + w.length <= xs.length; i += s) {
        out.push(w.reduce((sum, wj, j) => sum + xs[i + j] * wj, 0));
      }
      return out;
    }`);
  const outcomes = await onCpu(() =>
    checkExercise("02.1", student.conv1d as StudentFunction, {
      tf: tf as unknown as Tf,
      seed: 7,
    })
  );
  const property = outcomes.find((o) => o.kind === "property" && !o.passed);
  assert.ok(property, JSON.stringify(outcomes));
  assert.match(
    property.call!,
    /^conv1d\(\[[-\d, ]+\], \[[-\d, ]+\], \{padding: \d+, stride: \d+\}\)$/,
  );
  assert.notEqual(property.expected, property.got);
  assert.match(property.note!, /shrunk \d+ times/);
});

Deno.test("students' code: types stripped, syntax errors reported, values shown as written", async () => {
  assert.equal(stripTypes("const n: number = 1 as number;").trim(), "const n = 1 ;");
  assert.throws(() => stripTypes("export function f( {"));
  const mod = await importStudent("export const twice = (x: number): number => 2 * x;");
  assert.equal((mod.twice as (x: number) => number)(21), 42);
  assert.equal(pretty([[1, -0.5], [2, 3]]), "[[1, -0.5], [2, 3]]");
  assert.equal(pretty({ padding: 2, stride: [1, 2] }), "{padding: 2, stride: [1, 2]}");
  const circular: unknown[] = [1];
  circular.push(circular);
  assert.equal(pretty(circular), "[1, …]");
});

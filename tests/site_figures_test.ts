/**
 * The lessons' step-through figures (`site/lib/window_steps.ts`): every step's spelled-out
 * arithmetic adds up to the value the naive kernel computed, the window moves with the
 * output cell, and each island's numbers are the ones its lesson's static figure shows
 * (so a lesson that changes its data cannot leave its island behind).
 */
import assert from "node:assert/strict";
import { LESSONS } from "../lessons/index.ts";
import { figureSpecs } from "../site/lib/figure_islands.tsx";
import { windowFigure } from "../site/lib/window_steps.ts";

/** Every number in a text, in order (alt texts spell arrays as `[1, 2, 3]`). */
const numbersOf = (s: string) => (s.match(/-?\d+(\.\d+)?/g) ?? []).map(Number);

/** Whether `run` appears in `all` as consecutive entries. */
function contains(all: number[], run: number[]): boolean {
  for (let i = 0; i + run.length <= all.length; i++) {
    if (run.every((v, k) => Math.abs(all[i + k] - v) < 1e-9)) return true;
  }
  return false;
}

Deno.test("figures: each step's spelled arithmetic is the kernel's value", () => {
  for (const [name, spec] of Object.entries(figureSpecs())) {
    const fig = windowFigure(spec);
    const [rows, cols] = fig.outShape;
    assert.equal(fig.steps.length, rows * cols, name);
    for (const step of fig.steps) {
      assert.ok(Math.abs(step.spelled - step.value) < 1e-9, `${name} ${step.name}`);
      assert.match(step.sum, new RegExp(`= ${step.value}(;|$)`), `${name} ${step.name}`);
    }
    // Neighbouring outputs read neighbouring windows: the first input window moves.
    const [a, b] = [fig.steps[0].windows[0], fig.steps[1].windows[0]];
    assert.ok(a.col !== b.col || a.row !== b.row, `${name}: the window moves`);
  }
});

Deno.test("figures: each island's numbers are its lesson's static figure's", async () => {
  for (const [key, spec] of Object.entries(figureSpecs())) {
    const [slug, tag] = [key.slice(0, key.indexOf(" ")), key.slice(key.indexOf(" ") + 1)];
    const lesson = LESSONS.find((l) => l.slug === slug);
    assert.ok(lesson, `no lesson ${slug}`);
    const outputs = await lesson.outputs();
    const figure = outputs.find((o) => o.figure?.fig === tag)?.figure;
    assert.ok(figure, `${slug} has no ${tag}`);
    const alt = numbersOf(figure.alt);
    const fig = windowFigure(spec);
    const start = fig.steps[fig.start];
    const out = fig.rows.flat().find((g) => g.id === fig.outGrid)!.values.flat();
    if (spec.kind === "conv1d" || spec.kind === "conv2d") {
      // FIG 3 and FIG 6 spell the window they show: its products and their sum. The island
      // opens at that window.
      assert.ok(contains(alt, start.products[0].values.flat()), `${key}: products`);
      assert.ok(contains(alt, [start.value]), `${key}: sum`);
    }
    if (spec.kind !== "conv2d") {
      assert.ok(contains(alt, out), `${key}: output ${out} not in "${figure.alt}"`);
    }
  }
});

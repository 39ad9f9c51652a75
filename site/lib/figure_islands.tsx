/**
 * Which lesson figures become {@link SlidingWindow} islands, and with what numbers: the
 * lecture's FIG 3 (lesson 02), FIG 6 (04), FIG 7 (05) and FIG 8 (06), each opening at the
 * window its static figure shows. The numbers are the lessons' own (`kernels/inputs.ts`,
 * lesson 05's X, lesson 06's seeded channels); `tests/site_figures_test.ts` checks each
 * against the static figure the lesson draws, so a lesson that changes its data fails there.
 *
 * @module
 */
import type { VNode } from "../../deps/preact.ts";
import type { Output } from "../../lessons/show.ts";
import { LECTURE_W, LECTURE_W2, LECTURE_X, LECTURE_X2, POOL_INPUT } from "../../kernels/inputs.ts";
import { Rng } from "../../kernels/rng.ts";
import SlidingWindow from "../islands/SlidingWindow.tsx";
import { Island } from "./island.tsx";
import type { WindowSpec } from "./window_steps.ts";

/** Lesson 06's seeded whole numbers in [−3, 3] (its `randomInts`). */
function randomInts(shape: number[], seed: number): unknown {
  const rng = new Rng(seed);
  const build = (dims: number[]): unknown =>
    dims.length === 1
      ? Array.from({ length: dims[0] }, () => Math.floor(rng.next() * 7) - 3)
      : Array.from({ length: dims[0] }, () => build(dims.slice(1)));
  return build(shape);
}

/** `"<lesson slug> <figure tag>"` → the island's numbers. */
export function figureSpecs(): Record<string, WindowSpec> {
  const x = randomInts([1, 3, 5, 5], 6) as number[][][][];
  const weight = randomInts([2, 3, 3, 3], 7) as number[][][][];
  return {
    "02-conv1d FIG 3": { kind: "conv1d", x: LECTURE_X, w: LECTURE_W, padding: 2, start: 3 },
    "04-conv2d FIG 6": { kind: "conv2d", X: LECTURE_X2, W: LECTURE_W2, padding: 1, start: [1, 2] },
    "05-pooling FIG 7": { kind: "pool", X: POOL_INPUT, size: 2, start: [0, 0] },
    "06-channels FIG 8": {
      kind: "channels",
      x: x[0],
      weight: weight[0],
      bias: 1,
      k: 0,
      start: [0, 0],
    },
  };
}

/** The island for a lesson's figure output, or undefined when it stays a static figure. */
export function interactiveFigure(slug: string, output: Output): VNode | undefined {
  const f = output.figure;
  const spec = f?.fig && figureSpecs()[`${slug} ${f.fig}`];
  if (!f || !spec) return undefined;
  return (
    <Island
      name="SlidingWindow"
      component={SlidingWindow}
      props={{ spec, svg: f.svg, alt: f.alt, label: output.label, fig: f.fig }}
    />
  );
}

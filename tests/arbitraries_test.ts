/**
 * Coverage of the property tests' generators. A property test is only as good as
 * what its arbitraries draw: fixing conv2d's strides to 1, or conv2dLayer's input
 * channels to 1, left every property green while the bugs those cases catch went
 * unseen. On a fixed seed, each arbitrary must draw the cases that matter.
 */
import assert from "node:assert/strict";
import fc from "../deps/fast_check.ts";
import { OPS } from "../kernels/registry.ts";
import { arbitraryOf } from "../kernels/fast_check.ts";
import { leaves } from "../kernels/nested.ts";
import type { IntPair } from "../kernels/types.ts";

const SAMPLE = { seed: 20261129, numRuns: 400 };
const pairOf = (v: IntPair | undefined, fallback: number): [number, number] =>
  v === undefined ? [fallback, fallback] : typeof v === "number" ? [v, v] : v;

/** Asserts that some sample satisfies each named condition. */
function covers<T>(samples: T[], conditions: Record<string, (s: T) => boolean>): void {
  for (const [what, holds] of Object.entries(conditions)) {
    assert.ok(samples.some(holds), `no sample with ${what} in ${samples.length}`);
  }
}

Deno.test("conv1dArgs draws strides > 1, padding, and sizes that leave a remainder", () => {
  covers(fc.sample(arbitraryOf(OPS.conv1d), SAMPLE), {
    "stride ≥ 2": ([, , o]) => (o!.stride as number) >= 2,
    "stride ≥ 3": ([, , o]) => (o!.stride as number) >= 3,
    "padding ≥ 1": ([, , o]) => (o!.padding as number) >= 1,
    "(n + 2p − m) mod s ≠ 0": ([x, w, o]) =>
      (x.length + 2 * (o!.padding as number) - w.length) % (o!.stride as number) !== 0,
    "a kernel as long as the padded input": ([x, w, o]) =>
      w.length === x.length + 2 * (o!.padding as number),
    "a kernel of one": ([, w]) => w.length === 1,
  });
});

Deno.test("conv2dArgs draws row and column strides > 1 that differ, and uneven sizes", () => {
  covers(fc.sample(arbitraryOf(OPS.conv2d), SAMPLE), {
    "row and column strides > 1 and different": ([, , o]) => {
      const [sr, sc] = pairOf(o!.stride, 1);
      return sr > 1 && sc > 1 && sr !== sc;
    },
    "one stride 1, the other > 1": ([, , o]) => {
      const [sr, sc] = pairOf(o!.stride, 1);
      return Math.min(sr, sc) === 1 && Math.max(sr, sc) > 1;
    },
    "a stride given as one number > 1": ([, , o]) => typeof o!.stride === "number" && o!.stride > 1,
    "row and column padding that differ": ([, , o]) => {
      const [pr, pc] = pairOf(o!.padding, 0);
      return pr !== pc;
    },
    "a non-square kernel": ([, W]) => W.length !== W[0].length,
    "a non-square input": ([X]) => X.length !== X[0].length,
    "remainders in both output-size divisions": ([X, W, o]) => {
      const [pr, pc] = pairOf(o!.padding, 0), [sr, sc] = pairOf(o!.stride, 1);
      return (X.length + 2 * pr - W.length) % sr !== 0 &&
        (X[0].length + 2 * pc - W[0].length) % sc !== 0;
    },
  });
});

Deno.test("conv2dLayerArgs draws batches, several channels in and out, bias or not", () => {
  covers(fc.sample(arbitraryOf(OPS.conv2dLayer), SAMPLE), {
    "batch ≥ 2": ([x]) => x.length >= 2,
    "≥ 2 input channels": ([x]) => x[0].length >= 2,
    "≥ 2 output channels": ([, w]) => w.length >= 2,
    "≥ 2 input and ≥ 2 output channels with a batch ≥ 2": ([x, w]) =>
      x.length >= 2 && x[0].length >= 2 && w.length >= 2,
    "a bias": ([, , b]) => b !== undefined,
    "no bias": ([, , b]) => b === undefined,
    "row and column strides > 1 and different": ([, , , o]) => {
      const [sr, sc] = pairOf(o!.stride, 1);
      return sr > 1 && sc > 1 && sr !== sc;
    },
    "a remainder in the row division": ([x, w, , o]) => {
      const [pr] = pairOf(o!.padding, 0), [sr] = pairOf(o!.stride, 1);
      return (x[0][0].length + 2 * pr - w[0][0].length) % sr !== 0;
    },
  });
});

Deno.test("poolArgs draws default and explicit strides, uneven windows and remainders", () => {
  covers(fc.sample(arbitraryOf(OPS.maxPool2d), SAMPLE), {
    "no stride (it defaults to the window)": ([, o]) => o!.stride === undefined,
    "a stride unlike the window": ([, o]) =>
      o!.stride !== undefined && pairOf(o!.stride, 1).join() !== pairOf(o.size, 1).join(),
    "overlapping windows (stride < window)": ([, o]) =>
      o!.stride !== undefined && pairOf(o!.stride, 1)[0] < pairOf(o.size, 1)[0],
    "a non-square window": ([, o]) => pairOf(o.size, 1)[0] !== pairOf(o.size, 1)[1],
    "a remainder in the row division": ([X, o]) => {
      const [kh] = pairOf(o.size, 1);
      const [sr] = pairOf(o!.stride, kh);
      return (X.length - kh) % sr !== 0;
    },
  });
});

Deno.test("activation and loss arbitraries draw the extremes the stable formulas exist for", () => {
  const huge = (xs: number[]) => xs.some((v) => Math.abs(v) >= 800);
  covers(fc.sample(arbitraryOf(OPS.sigmoid), SAMPLE), { "|x| ≥ 800": ([x]) => huge(x) });
  covers(fc.sample(arbitraryOf(OPS.softmax), SAMPLE), {
    "|x| ≥ 800": ([x]) => huge(x.flat()),
    "several rows": ([x]) => x.length >= 2,
    "one class": ([x]) => x[0].length === 1,
  });
  covers(fc.sample(arbitraryOf(OPS.binaryCrossEntropy), SAMPLE), {
    "p exactly 0": ([p]) => p.includes(0),
    "p exactly 1": ([p]) => p.includes(1),
    "a soft target": ([, t]) => t.some((v) => v > 0 && v < 1),
  });
  covers(fc.sample(arbitraryOf(OPS.binaryCrossEntropyWithLogits), SAMPLE), {
    "|x| ≥ 800": ([x]) => huge(x),
  });
  covers(fc.sample(arbitraryOf(OPS.crossEntropy), SAMPLE), {
    "|x| ≥ 800": ([x]) => huge(x.flat()),
    "a target other than 0": ([, t]) => t.some((v) => v > 0),
  });
  covers(fc.sample(arbitraryOf(OPS.nllLoss), SAMPLE), {
    "several rows": ([lp]) => lp.length >= 2,
  });
});

Deno.test("l2Args and dropoutArgs draw every rank, both modes and the edge rates", () => {
  covers(fc.sample(arbitraryOf(OPS.l2Penalty), SAMPLE), {
    "a scalar parameter": ([ps]) => ps.some((p) => !Array.isArray(p)),
    "a rank-3 parameter": ([ps]) => ps.some((p) => Array.isArray(p) && Array.isArray(p[0])),
    "several parameters": ([ps]) => ps.length >= 2,
    "λ = 0": ([, l]) => l === 0,
  });
  covers(fc.sample(arbitraryOf(OPS.dropout), SAMPLE), {
    "training": ([, , o]) => o.training,
    "evaluation": ([, , o]) => !o.training,
    "p = 0": ([, p]) => p === 0,
    "p > 0.5": ([, p]) => p > 0.5,
    "≥ 8 elements": ([x]) => leaves(x).length >= 8,
  });
});

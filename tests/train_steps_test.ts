/**
 * Task 11.10's judge on the 20 losses: the reference's own passes with the course's kernels
 * pass; a wrong gradient anywhere in the chain, or Adam without its bias correction, fails
 * within the judge's tolerance on the lesson's example.
 */
import assert from "node:assert/strict";
import { judgeNumbers } from "../grading/judge.ts";
import { Adam } from "../kernels/adam.ts";
import { COURSE_KERNELS, type Kernels, trainStep } from "../kernels/cnn.ts";
import { GRADED_CNN, gradedCase, trainSteps, trainStepsOp } from "../kernels/train_steps.ts";

const example = trainStepsOp.task.examples[0][1][0];
const expected = trainSteps(...example);
const scale = trainStepsOp.task.scale!(example) as number[];

/** The 20 losses with `kernels` and `adam` in the chain, as a student's trainSteps. */
function lossesWith(kernels: Kernels, adam = new Adam(example[2])): number[] {
  const params = structuredClone(example[0]);
  return example[1].map((b) =>
    trainStep(params, adam, b, null, { arch: GRADED_CNN, kernels }).loss
  );
}

/** The judge's verdict: undefined when the losses pass. */
const judge = (got: number[]) => judgeNumbers(expected, got, (k) => scale[k]);

/** A conv kernel turned by 180° (both spatial axes reversed). */
const turned = (w: number[][][][]) =>
  w.map((o) => o.map((c) => c.map((row) => [...row].reverse()).reverse()));

Deno.test("task 11.10: the same chain passes, and does not touch the weights it is given", () => {
  const before = structuredClone(example[0]);
  assert.equal(judge(lossesWith(COURSE_KERNELS)), undefined);
  trainSteps(...example);
  assert.deepEqual(example[0], before);
  assert.equal(expected.length, 20);
});

Deno.test("task 11.10: a conv's input gradient without the flip fails", () => {
  const unflipped: Kernels = {
    ...COURSE_KERNELS,
    conv2dLayerBackward: (x, w, dy, o) => ({
      ...COURSE_KERNELS.conv2dLayerBackward(x, w, dy, o),
      // Turning the kernel first cancels the flip the backward pass makes.
      dx: COURSE_KERNELS.conv2dLayerBackward(x, turned(w), dy, o).dx,
    }),
  };
  assert.match(judge(lossesWith(unflipped)) ?? "", /element \[\d+\]: expected/);
});

Deno.test("task 11.10: a conv's bias gradient left at zero fails", () => {
  const noBias: Kernels = {
    ...COURSE_KERNELS,
    conv2dLayerBackward: (x, w, dy, o) => {
      const g = COURSE_KERNELS.conv2dLayerBackward(x, w, dy, o);
      return { ...g, dbias: g.dbias.map(() => 0) };
    },
  };
  assert.match(judge(lossesWith(noBias)) ?? "", /element \[\d+\]: expected/);
});

Deno.test("task 11.10: Adam without its bias correction fails", () => {
  class Uncorrected extends Adam {
    override biasCorrections(): [number, number] {
      return [1, 1];
    }
  }
  assert.match(judge(lossesWith(COURSE_KERNELS, new Uncorrected(example[2]))) ?? "", /expected/);
});

Deno.test("task 11.10: bad arguments name what is wrong", () => {
  const [params, batches] = gradedCase(1, 2, 2, 0.01);
  assert.throws(() => trainSteps(params, batches, 0), /trainSteps: learningRate must be > 0/);
  assert.throws(() => trainSteps(params, [], 0.01), /batches must be a non-empty list/);
  const wide = { ...params, fc1Weight: params.fc1Weight.map((r) => [...r, 0]) };
  assert.throws(() => trainSteps(wide, batches, 0.01), /params\.fc1Weight.*\[6,13\].*\[6,12\]/);
});

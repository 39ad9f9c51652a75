/**
 * The course's graded tasks, numbered by lesson as minitorch numbers its tasks: `02.1` is
 * the first task of lesson 02. Each task is one function of the API contract (DESIGN.md)
 * that a student writes. The lessons' exercise sections, the grader (`grading/`) and the
 * site all read this one list, so a task is renamed or added here and nowhere else.
 *
 * @example The lecture's 1-D convolution is task 02.1
 * ```ts
 * import assert from "node:assert/strict";
 * import { findTask } from "./tasks.ts";
 * assert.equal(findTask("02.1")?.fn, "conv1d");
 * ```
 *
 * @module
 */

/** One graded task. */
export interface Task {
  /** `"LL.N"`: lesson number, then the task's number within the lesson. */
  id: string;
  /** The contract function the student writes (exported from their `mod.ts`). */
  fn: string;
  /** The slug of the lesson that teaches it (see `lessons/index.ts`). */
  lesson: string;
  /** One line: what the function does. */
  title: string;
}

/** Every graded task, in course order. */
export const TASKS: readonly Task[] = [
  {
    id: "02.1",
    fn: "conv1d",
    lesson: "02-conv1d",
    title: "1-D convolution with padding and stride",
  },
  { id: "03.1", fn: "convOutputSize", lesson: "03-padding", title: "the output-size formula" },
  {
    id: "04.1",
    fn: "conv2d",
    lesson: "04-conv2d",
    title: "2-D convolution with padding and stride",
  },
  { id: "05.1", fn: "maxPool2d", lesson: "05-pooling", title: "max pooling" },
  { id: "05.2", fn: "avgPool2d", lesson: "05-pooling", title: "mean pooling" },
  {
    id: "06.1",
    fn: "conv2dLayer",
    lesson: "06-channels",
    title: "a multi-channel convolution layer (NCHW, as nn.Conv2d)",
  },
  { id: "07.1", fn: "sigmoid", lesson: "07-regularization", title: "the logistic sigmoid" },
  { id: "07.2", fn: "softmax", lesson: "07-regularization", title: "row-wise softmax" },
  { id: "07.3", fn: "logSoftmax", lesson: "07-regularization", title: "row-wise log-softmax" },
  {
    id: "07.4",
    fn: "binaryCrossEntropy",
    lesson: "07-regularization",
    title: "binary cross-entropy from probabilities",
  },
  {
    id: "07.5",
    fn: "binaryCrossEntropyWithLogits",
    lesson: "07-regularization",
    title: "binary cross-entropy from logits, stable for large logits",
  },
  { id: "07.6", fn: "nllLoss", lesson: "07-regularization", title: "negative log-likelihood" },
  {
    id: "07.7",
    fn: "crossEntropy",
    lesson: "07-regularization",
    title: "cross-entropy from logits, stable for logits of ±1000",
  },
  { id: "07.8", fn: "l2Penalty", lesson: "07-regularization", title: "the L2 penalty" },
  { id: "07.9", fn: "dropout", lesson: "07-regularization", title: "inverted dropout" },
  {
    id: "10.1",
    fn: "extraConvModel",
    lesson: "10-extra-conv",
    // Graded without TF.js (the sandbox has none): extraConvModel(size) returns each layer's
    // output shape for a 1×size×size image and the parameter count (grading/model_spec.ts).
    title: "the extra 5×5×128 conv block: each layer's output shape and the parameter count",
  },
];

/** The task with this id (`"02.1"`), or undefined. */
export function findTask(id: string): Task | undefined {
  return TASKS.find((t) => t.id === id);
}

/** The tasks a lesson teaches, in order. */
export function tasksOfLesson(slug: string): Task[] {
  return TASKS.filter((t) => t.lesson === slug);
}

/**
 * litconv: learn convolutional neural networks by building them. The root entry is the
 * naive kernels (plain loops over plain arrays, read beside the lecture) and their backward
 * passes, their types and
 * errors, and each operation's definition; it loads no npm package and touches no file.
 * `./tfjs` has the TF.js twins and backends, `./data` the MNIST loader, `./training` the
 * lecture's model and its training run.
 *
 * ```ts
 * import { conv1d } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const x = [1, 3, 2, 4, 5, 6, 1, 3], w = [1, 0, 3, 1, 2];
 * assert.deepEqual(conv1d(x, w, { padding: 2 }), [5, 14, 16, 26, 24, 34, 19, 22]);
 * ```
 *
 * @module
 */
export * from "./kernels/ops.ts";
export * from "./kernels/contracts.ts";
export { FileError, LitconvError, TrainingError, UsageError } from "./kernels/errors.ts";
export type {
  Conv2dLayerGrads,
  ConvOptions,
  DropoutOptions,
  IntPair,
  LayerShape,
  LinearGrads,
  ModelSummary,
  NestedNumberArray,
  PoolOptions,
} from "./kernels/types.ts";
export type {
  AnyFunction,
  Arbitrary,
  Cases,
  Fc,
  Op,
  Pair,
  Task,
  Tensor,
  Tf,
} from "./kernels/op.ts";
export {
  findOp,
  findTask,
  isPair,
  OP_LIST,
  type OpName,
  OPS,
  type Ops,
  type OpsOf,
  PAIRS,
  type TaskInfo,
  TASKS,
  tasksOfLesson,
} from "./kernels/registry.ts";

/**
 * Every module that defines operations, in course order. Each exports its naive functions
 * and, for each operation, its definition `<name>Op` (see `op.ts`); `registry.ts` collects
 * the definitions from here, and the root entry (`mod.ts`) exports everything here.
 *
 * A new operation in one of these modules needs no other line; a new module needs its line
 * here.
 *
 * @module
 */
export * from "./conv.ts";
export * from "./pool.ts";
export * from "./activation.ts";
export * from "./loss.ts";
export * from "./regularize.ts";
export * from "./extra_conv_model.ts";
export * from "./relu.ts";
export * from "./linear.ts";
export * from "./conv_backward.ts";
export * from "./pool_layer.ts";
export * from "./train_steps.ts";

/**
 * The TF.js types that litconv's public functions take and return, named once, so that the
 * entries' documentation can name them (types only: importing this loads nothing).
 *
 * @module
 */
import type * as tfjs from "../deps/tfjs.ts";

/** TF.js's `tf` namespace. */
export type TfNamespace = typeof tfjs;
/** A TF.js layers model (`tf.LayersModel`). */
export type LayersModel = InstanceType<TfNamespace["LayersModel"]>;
/** A TF.js sequential model (`tf.Sequential`), as `tf.sequential()` builds. */
export type Sequential = InstanceType<TfNamespace["Sequential"]>;
/** A TF.js optimizer (`tf.Optimizer`). */
export type Optimizer = InstanceType<TfNamespace["Optimizer"]>;
/** TF.js's Adam optimizer (`tf.AdamOptimizer`). */
export type AdamOptimizer = InstanceType<TfNamespace["AdamOptimizer"]>;
/** A TF.js tensor of any rank. */
export type Tensor = ReturnType<TfNamespace["tensor"]>;
/** A TF.js vector. */
export type Tensor1D = ReturnType<TfNamespace["tensor1d"]>;
/** A TF.js rank-4 tensor (a batch of images, NHWC). */
export type Tensor4D = ReturnType<TfNamespace["tensor4d"]>;
/** A TF.js scalar. */
export type Scalar = ReturnType<TfNamespace["scalar"]>;

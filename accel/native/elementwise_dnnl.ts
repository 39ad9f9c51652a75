/**
 * The element-wise tail of a convolution layer on oneDNN: the bias add, the relu and the
 * relu's gradient, each one multi-threaded JIT pass (TF.js's wasm backend runs them one
 * thread at a time, the gradient as three kernels). oneDNN's relu turns NaN into 0 where
 * TF.js keeps it, so the relu and its gradient first check that x is finite
 * ({@link dnnlAllFinite}) and otherwise leave the values to TF.js. Primitives are kept per
 * size.
 *
 * @module
 */
import {
  ARG,
  BINARY_ADD,
  ELTWISE_RELU,
  opDesc,
  Primitive,
  primitiveCache,
  PROP_FORWARD_TRAINING,
  REDUCTION_SUM,
  stridedDesc,
} from "./dnnl.ts";

/** Primitives kept at most (a model has a few activation sizes, times two batch sizes). */
const kept = primitiveCache(32);
const primitive = (key: string, make: () => Primitive) => kept.get(key, make);

const flat = (n: number) => stridedDesc([n], [1]);

function reluForward(n: number): Primitive {
  const md = flat(n);
  return new Primitive(
    opDesc((d, s) =>
      s.dnnl_eltwise_forward_desc_init(d, PROP_FORWARD_TRAINING, ELTWISE_RELU, md, 0, 0)
    ),
    [ARG.SRC, ARG.DST],
  );
}

const sum = new Float32Array(1);

/**
 * Whether every value of `x` is finite (no NaN, no ±∞), from their sum: a NaN or an
 * infinity makes it non-finite. So can an overflow of finite values, which only sends the
 * caller to the slower exact path. null when oneDNN declines.
 */
export function dnnlAllFinite(x: Float32Array): boolean | null {
  const n = x.length;
  const p = primitive(`sum ${n}`, () =>
    new Primitive(
      opDesc((d, s) =>
        s.dnnl_reduction_desc_init(
          d,
          REDUCTION_SUM,
          stridedDesc([1, n], [n, 1]),
          stridedDesc([1, 1], [1, 1]),
          0,
          0,
        )
      ),
      [ARG.SRC, ARG.DST],
    ));
  if (!p) return null;
  p.run(new Map([[ARG.SRC, x], [ARG.DST, sum]]));
  return Number.isFinite(sum[0]);
}

/** y = relu(x) over `x.length` values, for finite x (see above); false when declined. */
export function dnnlRelu(x: Float32Array, y: Float32Array): boolean {
  const p = primitive(`relu ${x.length}`, () => reluForward(x.length));
  if (!p) return false;
  p.run(new Map([[ARG.SRC, x], [ARG.DST, y]]));
  return true;
}

/** dx = dy where x > 0, else 0, for finite x (see above); false when oneDNN declines. */
export function dnnlReluGrad(x: Float32Array, dy: Float32Array, dx: Float32Array): boolean {
  const n = x.length;
  const forward = primitive(`relu ${n}`, () => reluForward(n)); // a backward needs its forward
  const p = forward && primitive(`relu grad ${n}`, () => {
    const md = flat(n);
    return new Primitive(
      opDesc((d, s) => s.dnnl_eltwise_backward_desc_init(d, ELTWISE_RELU, md, md, 0, 0)),
      [ARG.SRC, ARG.DIFF_DST, ARG.DIFF_SRC],
      forward,
    );
  });
  if (!p) return false;
  p.run(new Map([[ARG.SRC, x], [ARG.DIFF_DST, dy], [ARG.DIFF_SRC, dx]]));
  return true;
}

/** y[r, c] = x[r, c] + b[c] for x of `x.length / b.length` rows; false when declined. */
export function dnnlAddRow(x: Float32Array, b: Float32Array, y: Float32Array): boolean {
  const C = b.length, rows = x.length / C;
  const p = primitive(`add row ${rows} ${C}`, () => {
    const matrix = stridedDesc([rows, C], [C, 1]), row = stridedDesc([1, C], [C, 1]);
    return new Primitive(
      opDesc((d, s) => s.dnnl_binary_desc_init(d, BINARY_ADD, matrix, row, matrix)),
      [ARG.SRC, ARG.SRC_1, ARG.DST],
    );
  });
  if (!p) return false;
  p.run(new Map([[ARG.SRC, x], [ARG.SRC_1, b], [ARG.DST, y]]));
  return true;
}

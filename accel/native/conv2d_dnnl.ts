/**
 * 2-D convolutions and their two gradients on oneDNN (`dnnl.ts`), reading NHWC activations
 * in place (described to oneDNN by strides); the filter is reordered on each call into the
 * blocked layout oneDNN picks. Primitives are built once per shape and kept; a shape oneDNN
 * declines is remembered, and its calls return false for im2col + OpenBLAS to take.
 *
 * @module
 */
import {
  anyLayoutDesc,
  ARG,
  CONVOLUTION_DIRECT,
  descBytes,
  dims,
  DnnlCache,
  DnnlError,
  opDesc,
  Primitive,
  PROP_FORWARD_TRAINING,
  sameDesc,
  stridedDesc,
} from "./dnnl.ts";
import type { ConvGeometry } from "./im2col.ts";

/** A convolution's shape as oneDNN is told it, and the descriptions shared by its passes. */
interface Shape {
  src: Uint8Array; // x (or dx): NHWC
  dst: Uint8Array; // y (or dy): NHWC
  hwio: Uint8Array; // the filter as TF.js keeps it
  anyWeights: Uint8Array; // the filter, in whatever layout oneDNN prefers
  /** Strides, dilates, padding left and right: the last arguments of every pass. */
  geometry: [BigInt64Array, BigInt64Array, BigInt64Array, BigInt64Array];
}

/** A primitive plus the reorder that brings the filter to it (or its gradient back). */
interface Pass {
  primitive: Primitive;
  reorder: Primitive | null; // null when the layouts already agree
  weights: Float32Array; // the filter (or its gradient) in the primitive's layout
}

interface Plan {
  shape: Shape;
  forward: Primitive;
  passes: Map<string, Pass | null>; // null: oneDNN declined that pass
}

/** Plans kept by shape (a training run uses 2–3, plus evaluation's batch size). */
const plans = new DnnlCache<Plan>(16, destroyPlan);

function describe(g: ConvGeometry, Co: number): Shape {
  const { N, H, W, C, oH, oW, kH, kW, sH, sW, dH, dW, top, left } = g;
  // TF.js may pad more after than the last window reads; oneDNN wants it exact.
  const bottom = Math.max(0, (oH - 1) * sH + (kH - 1) * dH + 1 - H - top);
  const right = Math.max(0, (oW - 1) * sW + (kW - 1) * dW + 1 - W - left);
  return {
    src: stridedDesc([N, C, H, W], [H * W * C, 1, W * C, C]),
    dst: stridedDesc([N, Co, oH, oW], [oH * oW * Co, 1, oW * Co, Co]),
    hwio: stridedDesc([Co, C, kH, kW], [1, Co, kW * C * Co, C * Co]),
    anyWeights: anyLayoutDesc([Co, C, kH, kW]),
    geometry: [
      dims([sH, sW]),
      dims([dH - 1, dW - 1]), // oneDNN counts the gaps: 0 is a plain convolution
      dims([top, left]),
      dims([bottom, right]),
    ],
  };
}

function planFor(g: ConvGeometry, Co: number): Plan | null {
  return plans.get([...Object.values(g), Co].join(","), () => {
    const shape = describe(g, Co);
    const desc = opDesc((d, s) =>
      s.dnnl_dilated_convolution_forward_desc_init(
        d,
        PROP_FORWARD_TRAINING,
        CONVOLUTION_DIRECT,
        shape.src,
        shape.anyWeights,
        null,
        shape.dst,
        ...shape.geometry,
      )
    );
    const forward = new Primitive(desc, [ARG.SRC, ARG.WEIGHTS, ARG.DST]);
    return { shape, forward, passes: new Map() };
  });
}

function destroyPlan(plan: Plan): void {
  for (const pass of plan.passes.values()) {
    if (pass && pass.primitive !== plan.forward) pass.primitive.destroy();
    pass?.reorder?.destroy();
  }
  plan.forward.destroy();
}

type PassName = "forward" | "backwardData" | "backwardWeights";

/** A pass's primitive (the forward one is the plan's own) and the argument of its filter. */
function passPrimitive(plan: Plan, name: PassName): [Primitive, number] {
  const { shape: sh } = plan;
  switch (name) {
    case "forward":
      return [plan.forward, ARG.WEIGHTS];
    case "backwardData": {
      const desc = opDesc((d, s) =>
        s.dnnl_dilated_convolution_backward_data_desc_init(
          d,
          CONVOLUTION_DIRECT,
          sh.src,
          sh.anyWeights,
          sh.dst,
          ...sh.geometry,
        )
      );
      const args = [ARG.DIFF_SRC, ARG.WEIGHTS, ARG.DIFF_DST];
      return [new Primitive(desc, args, plan.forward), ARG.WEIGHTS];
    }
    case "backwardWeights": {
      const desc = opDesc((d, s) =>
        s.dnnl_dilated_convolution_backward_weights_desc_init(
          d,
          CONVOLUTION_DIRECT,
          sh.src,
          sh.anyWeights,
          null,
          sh.dst,
          ...sh.geometry,
        )
      );
      const args = [ARG.SRC, ARG.DIFF_WEIGHTS, ARG.DIFF_DST];
      return [new Primitive(desc, args, plan.forward), ARG.DIFF_WEIGHTS];
    }
  }
}

/**
 * The pass `name` of `plan` with the reorder of its filter, built on first use; null
 * (remembered) when oneDNN declines it.
 */
function passOf(plan: Plan, name: PassName): Pass | null {
  if (plan.passes.has(name)) return plan.passes.get(name)!;
  let pass: Pass | null = null;
  try {
    const [primitive, weightsArg] = passPrimitive(plan, name);
    const { hwio } = plan.shape, layout = primitive.desc(weightsArg);
    const same = sameDesc(layout, hwio);
    // The filter goes into the pass's layout; its gradient comes out of it.
    const [from, to] = name === "backwardWeights" ? [layout, hwio] : [hwio, layout];
    pass = {
      primitive,
      reorder: same ? null : new Primitive({ from, to }, [ARG.SRC, ARG.DST]),
      weights: new Float32Array(same ? 0 : descBytes(layout) / 4),
    };
  } catch (e) {
    if (!(e instanceof DnnlError)) throw e;
  }
  plan.passes.set(name, pass);
  return pass;
}

/** Pass `name` of the convolution `g` with `Co` filters; null when oneDNN declines it. */
function passFor(g: ConvGeometry, Co: number, name: PassName): Pass | null {
  const plan = planFor(g, Co);
  return plan && passOf(plan, name);
}

/** y = conv(x, w), `g` the convolution's geometry; false when oneDNN declines it. */
export function dnnlConv2D(
  g: ConvGeometry,
  Co: number,
  x: Float32Array,
  w: Float32Array,
  y: Float32Array,
): boolean {
  const pass = passFor(g, Co, "forward");
  if (!pass) return false;
  const weights = reorderIn(pass, w);
  pass.primitive.run(new Map([[ARG.SRC, x], [ARG.WEIGHTS, weights], [ARG.DST, y]]));
  return true;
}

/** dx for y = conv(x, w) given dy (`g` is the forward convolution's geometry). */
export function dnnlConv2DBackpropInput(
  g: ConvGeometry,
  Co: number,
  dy: Float32Array,
  w: Float32Array,
  dx: Float32Array,
): boolean {
  const pass = passFor(g, Co, "backwardData");
  if (!pass) return false;
  const weights = reorderIn(pass, w);
  pass.primitive.run(new Map([[ARG.DIFF_SRC, dx], [ARG.WEIGHTS, weights], [ARG.DIFF_DST, dy]]));
  return true;
}

/** dw for y = conv(x, w) given x and dy, written to `dw` in TF.js's HWIO layout. */
export function dnnlConv2DBackpropFilter(
  g: ConvGeometry,
  Co: number,
  x: Float32Array,
  dy: Float32Array,
  dw: Float32Array,
): boolean {
  const pass = passFor(g, Co, "backwardWeights");
  if (!pass) return false;
  const out = pass.reorder ? pass.weights : dw;
  pass.primitive.run(new Map([[ARG.SRC, x], [ARG.DIFF_WEIGHTS, out], [ARG.DIFF_DST, dy]]));
  pass.reorder?.run(new Map([[ARG.SRC, out], [ARG.DST, dw]]));
  return true;
}

/** The filter in the pass's layout: reordered into the pass's buffer, or `w` itself. */
function reorderIn(pass: Pass, w: Float32Array): Float32Array {
  if (!pass.reorder) return w;
  pass.reorder.run(new Map([[ARG.SRC, w], [ARG.DST, pass.weights]]));
  return pass.weights;
}

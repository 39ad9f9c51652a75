/**
 * The lecture's FIG 10: a CNN's layers with their real shapes and parameter counts, read
 * from the TF.js model `training/model.ts` builds.
 *
 * @module
 */
import { currentBackend, type tf } from "../../accel/backend.ts";
import { buildModel, type ModelVariant } from "../../training/model.ts";
import type { Figure } from "../show.ts";
import { COLORS, rect, svgFigure, text } from "./svg.ts";

/** One layer as the figure draws it. */
export interface LayerInfo {
  name: string;
  /** What it does, e.g. `conv 5×5, padding 2, ReLU`. */
  op: string;
  /** Output shape of one image, channels first: `[32, 28, 28]` or `[1024]`. */
  shape: number[];
  params: number;
}

/** The layers of a TF.js model (dropout included), with channels-first shapes. */
export function describeLayers(model: tf.LayersModel): LayerInfo[] {
  const input = model.inputs[0].shape.slice(1) as number[];
  const layers: LayerInfo[] = [{
    name: "input",
    op: "a grey image",
    shape: [input[2], input[0], input[1]],
    params: 0,
  }];
  for (const layer of model.layers) {
    const out = (layer.outputShape as number[]).slice(1);
    // deno-lint-ignore no-explicit-any
    const c = layer.getConfig() as Record<string, any>;
    const relu = c.activation === "relu" ? ", ReLU" : "";
    const kind = layer.getClassName();
    const op = kind === "Conv2D"
      ? `conv ${c.kernelSize.join("×")}, ${c.filters} kernels, ${c.padding} padding${relu}`
      : kind === "MaxPooling2D"
      ? `max pool ${c.poolSize.join("×")}, stride ${c.strides.join("×")}`
      : kind === "Flatten"
      ? "flatten"
      : kind === "Dense"
      ? `dense${relu}`
      : kind === "Dropout"
      ? `dropout p = ${c.rate} (training only)`
      : kind;
    layers.push({
      name: layer.name,
      op,
      shape: out.length === 3 ? [out[2], out[0], out[1]] : out,
      params: layer.countParams(),
    });
  }
  return layers;
}

/**
 * Each layer as a row: a glyph of its output (a stack of feature maps whose side follows
 * the map's size, or a bar for a flat vector), its name and operation, its output shape and
 * its parameters.
 */
export function networkFigure(layers: LayerInfo[], title: string): Figure {
  const unit = 2, glyphW = 92, rowGap = 10, top = 26;
  const heights = layers.map((l) => (l.shape.length === 3 ? l.shape[1] * unit + 12 : 22));
  const body: string[] = [
    text(8, 14, "layer", { anchor: "start", size: 12, opacity: 0.7 }),
    text(glyphW + 16, 14, "operation, output C × H × W", {
      anchor: "start",
      size: 12,
      opacity: 0.7,
    }),
    text(432, 14, "parameters", { anchor: "end", size: 12, opacity: 0.7 }),
  ];
  const most = Math.max(...layers.filter((l) => l.shape.length === 1).map((l) => l.shape[0]));
  let y = top;
  layers.forEach((l, i) => {
    const h = heights[i];
    if (l.shape.length === 3) {
      const [C, H] = l.shape, side = H * unit, slabs = Math.min(6, Math.max(1, Math.round(C / 12)));
      for (let s = slabs - 1; s >= 0; s--) {
        body.push(rect(8 + s * 4, y + 6 + (slabs - 1 - s) * 2, side, side, {
          fill: i === 0 ? "currentColor" : COLORS.blue,
          fillOpacity: i === 0 ? 0.12 : 0.22,
          strokeOpacity: 0.7,
        }));
      }
    } else {
      const len = Math.max(4, (glyphW - 12) * Math.log(l.shape[0]) / Math.log(most));
      body.push(rect(8, y + 6, len, 10, { fill: COLORS.orange, fillOpacity: 0.45 }));
    }
    const shape = l.shape.join(" × ");
    body.push(
      text(glyphW + 16, y + 14, l.name, { anchor: "start", weight: "bold", size: 13 }),
      text(432, y + 14, l.params === 0 ? "–" : l.params.toLocaleString("en-US"), {
        anchor: "end",
        mono: true,
        size: 12,
      }),
      text(glyphW + 16, y + 30, l.op, { anchor: "start", size: 12 }),
      text(glyphW + 16, y + 45, `→ ${shape}`, { anchor: "start", size: 12, mono: true }),
    );
    y += Math.max(h, 50) + rowGap;
  });
  const total = layers.reduce((s, l) => s + l.params, 0);
  body.push(
    text(432, y + 8, `total ${total.toLocaleString("en-US")}`, {
      anchor: "end",
      weight: "bold",
      size: 12,
    }),
  );
  return svgFigure(
    440,
    y + 16,
    `${title}: ${layers.map((l) => `${l.name} (${l.op}) → ${l.shape.join("×")}`).join(", ")}; ${
      total.toLocaleString("en-US")
    } parameters in all.`,
    body,
  );
}

/** The figure of a freshly built model of `variant`, read from the TF.js model itself. */
export async function modelFigure(variant: ModelVariant, title: string): Promise<Figure> {
  await currentBackend(); // TF.js needs a started backend before the first layer
  const model = buildModel(variant, 1);
  try {
    return networkFigure(describeLayers(model), title);
  } finally {
    model.dispose();
  }
}

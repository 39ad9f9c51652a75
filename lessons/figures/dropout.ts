/**
 * The lecture's FIG 9: dropout's kept units, in training and in evaluation, from the
 * course's own `dropout` kernel.
 *
 * @module
 */
import { dropout } from "../../kernels/regularize.ts";
import type { Figure } from "../show.ts";
import { COLORS, formatCell, line, svgFigure, text } from "./svg.ts";

/**
 * A layer's units (values `x`) feeding a next layer of `next` units: in training each unit
 * is dropped with probability p (crossed out, passes 0) or kept and scaled by 1/(1 − p);
 * in evaluation every unit passes its value unchanged.
 */
export function dropoutFigure(x: number[], p: number, seed: number, next = 3): Figure {
  const train = dropout(x, p, { training: true, seed });
  const evalMode = dropout(x, p, { training: false, seed });
  const gap = 38, left = 28, r = 14;
  const width = left * 2 + (x.length - 1) * gap;
  const nextX = (j: number) => width / 2 + (j - (next - 1) / 2) * 70;
  const panel = (top: number, title: string, values: number[]) => {
    const out: string[] = [text(width / 2, top, title, { weight: "bold" })];
    values.forEach((v, i) => {
      const cx = left + i * gap, cy = top + 30, kept = v !== 0;
      if (kept) {
        for (let j = 0; j < next; j++) {
          out.push(line(cx, cy + r, nextX(j), top + 110 - 12, { opacity: 0.45 }));
        }
      }
      out.push(
        `<circle cx="${cx}" cy="${cy}" r="${r}" fill="${kept ? COLORS.blue : "none"}" ` +
          `fill-opacity="0.3" stroke="currentColor" stroke-width="1.5"${
            kept ? "" : ` stroke-dasharray="3 2" stroke-opacity="0.55"`
          }/>`,
        text(cx, cy + 4.5, formatCell(v), { size: 12, opacity: kept ? undefined : 0.55 }),
      );
      if (!kept) {
        out.push(
          line(cx - 9, cy - 9, cx + 9, cy + 9, { stroke: COLORS.pink, width: 2 }),
          line(cx - 9, cy + 9, cx + 9, cy - 9, { stroke: COLORS.pink, width: 2 }),
        );
      }
    });
    for (let j = 0; j < next; j++) {
      out.push(
        `<circle cx="${nextX(j)}" cy="${top + 110}" r="12" fill="none" stroke="currentColor" ` +
          `stroke-width="1.5"/>`,
      );
    }
    return out;
  };
  const kept = train.filter((v) => v !== 0).length;
  return svgFigure(
    width,
    310,
    `Ten units with values ${x.join(", ")} feeding a layer of ${next}. In training, dropout ` +
      `with p = ${p} (seed ${seed}) drops ${x.length - kept} of them (crossed out, they pass 0) ` +
      `and doubles the ${kept} it keeps: ${train.map(formatCell).join(", ")}. In evaluation ` +
      `every unit passes its value unchanged.`,
    [
      ...panel(18, `training: p = ${p}, kept ×${formatCell(1 / (1 - p))}`, train),
      ...panel(172, "evaluation: every unit, unscaled", evalMode),
    ],
  );
}

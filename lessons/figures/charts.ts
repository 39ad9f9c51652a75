/**
 * The lessons' charts, drawn by the site's chart machinery (`drawing/charts.ts`, Observable
 * Plot) in its page style: training curves with the lecture's log beside ours, accuracy
 * against rotation angle, the confusion matrix, and two runs on the same axes.
 *
 * @module
 */
import {
  confusionSvg,
  type CurvePoint,
  type Line,
  lineChartSvg,
  PALETTE,
} from "../../drawing/charts.ts";
import type { Figure } from "../show.ts";
import { esc } from "./svg.ts";

/** A chart as a figure: its aria-label becomes the alt text, which says what it shows. */
const figure = (svg: string, alt: string): Figure => ({
  kind: "figure",
  svg: svg.replace(/aria-label="[^"]*"/, `aria-label="${esc(alt)}"`),
  alt,
});
const pct = (v: number) => v.toFixed(4);

/** A line chart against the epoch, whole epochs on its x axis. */
const epochChart = (chart: { title: string; yLabel: string; lines: Line[]; note?: string }) =>
  lineChartSvg({ ...chart, xLabel: "Epoch", epochs: true });

/** A run's two curves by epoch of what `pick` reads: training (solid), validation (dashed). */
function runLines(history: CurvePoint[], pick: (h: CurvePoint) => [number, number]): Line[] {
  const curve = (which: 0 | 1) => history.map((h) => ({ x: h.epoch, y: pick(h)[which] }));
  return [
    { label: "Train", color: PALETTE[0], points: curve(0) },
    { label: "Validation", color: PALETTE[1], dashed: true, points: curve(1) },
  ];
}

/** Loss by epoch, train (solid) and validation (dashed). */
export function lossFigure(history: CurvePoint[], who: string): Figure {
  const last = history[history.length - 1];
  const best = history.reduce((b, h) => (h.validLoss < b.validLoss ? h : b));
  return figure(
    epochChart({
      title: `Loss by epoch, ${who}`,
      yLabel: "Cross-entropy loss",
      lines: runLines(history, (h) => [h.trainLoss, h.validLoss]),
    }),
    `Loss by epoch, ${who}, over ${history.length} epochs: the training loss falls from ` +
      `${pct(history[0].trainLoss)} to ${pct(last.trainLoss)}; the validation loss is lowest ` +
      `at epoch ${best.epoch} (${pct(best.validLoss)}) and ends at ${pct(last.validLoss)}.`,
  );
}

/** Accuracy by epoch, ours and (when given) the lecture's printed log, on the same axes. */
export function accuracyFigure(
  history: CurvePoint[],
  who: string,
  lecture?: readonly { epoch: number; accuracy: number; valAccuracy: number }[],
): Figure {
  const lines = runLines(history, (h) => [h.trainAccuracy, h.validAccuracy]);
  if (lecture) {
    lines.push(
      // The lecture's log in thin grey: told apart from ours by more than a hue.
      {
        label: "Lecture train",
        color: PALETTE[0],
        reference: true,
        points: lecture.map((l) => ({ x: l.epoch, y: l.accuracy })),
      },
      {
        label: "Lecture valid.",
        color: PALETTE[1],
        reference: true,
        points: lecture.map((l) => ({ x: l.epoch, y: l.valAccuracy })),
      },
    );
  }
  const last = history[history.length - 1];
  return figure(
    epochChart({ title: `Accuracy by epoch, ${who}`, yLabel: "Accuracy", lines }),
    `Accuracy by epoch, ${who}: training accuracy ${
      pct(history[0].trainAccuracy)
    } after epoch 1, ` +
      `${pct(last.trainAccuracy)} after epoch ${last.epoch}; validation accuracy between ` +
      `${pct(Math.min(...history.map((h) => h.validAccuracy)))} and ` +
      `${pct(Math.max(...history.map((h) => h.validAccuracy)))}` +
      (lecture
        ? `. The lecture's log, drawn beside it, goes from ${pct(lecture[0].accuracy)} to ` +
          `${pct(lecture[lecture.length - 1].accuracy)} (training) and stays between ` +
          `${pct(Math.min(...lecture.map((l) => l.valAccuracy)))} and ` +
          `${pct(Math.max(...lecture.map((l) => l.valAccuracy)))} (validation).`
        : "."),
  );
}

/**
 * Accuracy against rotation angle, one line per series; a `reference` series (measured on
 * other digits, say) is the thin grey line behind the others.
 */
export function rotationFigure(
  series: {
    label: string;
    points: { angle: number; accuracy: number }[];
    dashed?: boolean;
    reference?: boolean;
  }[],
  note?: string,
): Figure {
  const at = (s: (typeof series)[number], deg: number) =>
    s.points.find((p) => p.angle === deg)?.accuracy;
  const say = (s: (typeof series)[number]) => {
    const [first, last] = [s.points[0], s.points[s.points.length - 1]];
    return `${s.label}: ${pct(at(s, 0) ?? NaN)} upright, ${pct(first.accuracy)} at ` +
      `${first.angle}°, ${pct(last.accuracy)} at ${last.angle}°`;
  };
  return figure(
    lineChartSvg({
      title: "Test accuracy against rotation angle",
      xLabel: "Angle (degrees, counter-clockwise)",
      yLabel: "Accuracy",
      xTicks: [-45, -30, -15, 0, 15, 30, 45],
      ruleX: 0,
      note,
      lines: series.map((s, i) => ({
        label: s.label,
        color: PALETTE[i],
        dashed: s.dashed,
        reference: s.reference,
        points: s.points.map((p) => ({ x: p.angle, y: p.accuracy })),
      })),
    }),
    `Test accuracy against rotation angle, highest upright and falling on both sides. ` +
      series.map(say).join("; ") + "." + (note ? ` ${note}.` : ""),
  );
}

/** The confusion matrix as a heat map. */
export function confusionFigure(matrix: number[][], who: string): Figure {
  const wrong = matrix.flatMap((row, t) =>
    row.flatMap((v, p) => (t !== p && v > 0 ? [{ t, p, v }] : []))
  )
    .sort((a, b) => b.v - a.v);
  const total = matrix.flat().reduce((a, b) => a + b, 0);
  const right = matrix.reduce((s, row, i) => s + row[i], 0);
  return figure(
    confusionSvg(matrix, `Confusion matrix, ${who}`, { page: true }),
    `Confusion matrix of ${who} on the ${total.toLocaleString("en-US")} test digits: ` +
      `${right.toLocaleString("en-US")} right. The most frequent mistakes: ` +
      wrong.slice(0, 3).map((w) => `${w.v} ${w.t}s read as ${w.p}`).join(", ") + ".",
  );
}

/**
 * Several runs' validation accuracy or loss by epoch on the same axes; `note` says what a
 * difference must exceed to mean anything (the seeds' spread), shown under the title.
 */
export function compareFigure(
  runs: { label: string; history: CurvePoint[] }[],
  key: "validAccuracy" | "validLoss",
  note?: string,
): Figure {
  const what = key === "validAccuracy" ? "Validation accuracy" : "Validation loss";
  return figure(
    epochChart({
      title: `${what} by epoch`,
      yLabel: key === "validAccuracy" ? "Accuracy" : "Cross-entropy loss",
      note,
      lines: runs.map((r, i) => ({
        label: r.label,
        color: PALETTE[i],
        points: r.history.map((h) => ({ x: h.epoch, y: h[key] })),
      })),
    }),
    `${what} by epoch of ${runs.length} runs on the same axes: ` +
      runs.map((r) =>
        `${r.label}: ${pct(r.history[0][key])} after epoch 1, ${
          pct(r.history[r.history.length - 1][key])
        } after epoch ${r.history.length}`
      ).join("; ") + "." + (note ? ` ${note}.` : ""),
  );
}

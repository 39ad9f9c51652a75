/**
 * Figures of MNIST digits (lessons 08 and 09): the lecture's grid of 12 test digits with
 * predicted and true labels, and a digit beside its rotated copies. Digits are drawn as the
 * lecture's `imshow(…, cmap='gray_r')` draws them: ink black on white.
 *
 * @module
 */
import { IMAGE_SIZE } from "../../data/mnist.ts";
import type { Figure } from "../show.ts";
import { COLORS, greyPng, image, rect, svgFigure, text } from "./svg.ts";

/**
 * Digits in a grid of `cols` columns, each with "Pred" and "True" under it; a wrong
 * prediction gets a pink frame and a ✗.
 */
export function predictionsFigure(
  images: Float32Array,
  labels: ArrayLike<number>,
  predicted: ArrayLike<number>,
  cols = 6,
): Figure {
  const count = labels.length, side = 56, cellW = 70, cellH = side + 44, top = 6;
  const rows = Math.ceil(count / cols);
  const body: string[] = [];
  const wrong: number[] = [];
  for (let i = 0; i < count; i++) {
    const x = 7 + (i % cols) * cellW, y = top + Math.floor(i / cols) * cellH;
    const px = images.subarray(i * IMAGE_SIZE ** 2, (i + 1) * IMAGE_SIZE ** 2);
    const bad = predicted[i] !== labels[i];
    if (bad) wrong.push(i);
    body.push(
      image(x, y, side, side, greyPng(px, IMAGE_SIZE, IMAGE_SIZE, 2)),
      rect(
        x,
        y,
        side,
        side,
        bad ? { stroke: COLORS.pink, strokeWidth: 3 } : { strokeOpacity: 0.3 },
      ),
      text(x + side / 2, y + side + 16, `Pred: ${predicted[i]}${bad ? " ✗" : ""}`, {
        size: 12,
        fill: bad ? COLORS.pink : COLORS.blue,
        weight: "bold",
      }),
      text(x + side / 2, y + side + 32, `True: ${labels[i]}`, { size: 12 }),
    );
  }
  const list = (xs: number[]) => xs.map((i) => `${labels[i]} read as ${predicted[i]}`).join(", ");
  return svgFigure(
    7 + cols * cellW,
    top + rows * cellH,
    `${count} test digits with the network's prediction and the true label: ` +
      `${Array.from({ length: count }, (_, i) => labels[i]).join(", ")}. ` +
      (wrong.length === 0
        ? "Every prediction is right."
        : `${wrong.length} wrong (framed): ${list(wrong)}.`),
    body,
  );
}

/** One digit beside its rotated copies, each with the prediction for it. */
export function rotatedFigure(
  views: { title: string; image: Float32Array; predicted: number }[],
  label: number,
  angle: number,
): Figure {
  const side = 112, gap = 24, top = 22;
  const body = views.flatMap((v, i) => {
    const x = 8 + i * (side + gap), bad = v.predicted !== label;
    return [
      text(x + side / 2, top - 7, v.title, { size: 12 }),
      image(x, top, side, side, greyPng(v.image, IMAGE_SIZE, IMAGE_SIZE, 4)),
      rect(
        x,
        top,
        side,
        side,
        bad ? { stroke: COLORS.pink, strokeWidth: 3 } : { strokeOpacity: 0.3 },
      ),
      text(x + side / 2, top + side + 18, `Pred: ${v.predicted}, True: ${label}`, {
        size: 12,
        weight: "bold",
        fill: bad ? COLORS.pink : COLORS.blue,
      }),
    ];
  });
  return svgFigure(
    8 + views.length * side + (views.length - 1) * gap + 8,
    top + side + 28,
    `A test digit ${label} and its copies turned ${angle.toFixed(2)}° counter-clockwise: ` +
      views.map((v) => `${v.title}, read as ${v.predicted}`).join("; ") + ".",
    body,
  );
}

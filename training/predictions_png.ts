/**
 * The lecture's figure of predictions: the first 12 test digits in a 2×6 grid, each with
 * "Pred: p" (blue) and "True: t" (red) underneath, written as a PNG with fast-png.
 *
 * Digits are drawn as the lecture's `cmap='gray_r'` does: 0 is white, 1 is black.
 *
 * @module
 */
import { encode } from "../deps/fast_png.ts";
import { IMAGE_SIZE, type MnistSplit, PIXELS } from "../data/mnist.ts";
import { drawText, type RgbImage, textWidth } from "./font.ts";

const ZOOM = 3; // 28 px → 84 px
const CELL_W = 104, CELL_H = 84 + 44, MARGIN = 8;
const BLUE: [number, number, number] = [31, 64, 220];
const RED: [number, number, number] = [214, 39, 40];

/** A 2×6 grid of the first 12 images of `split`, labelled with `predicted` and the truth. */
export function predictionsGrid(split: MnistSplit, predicted: ArrayLike<number>): RgbImage {
  const cols = 6, rows = 2;
  const width = cols * CELL_W + 2 * MARGIN, height = rows * CELL_H + 2 * MARGIN;
  const img: RgbImage = { width, height, data: new Uint8Array(width * height * 3).fill(255) };
  for (let i = 0; i < Math.min(12, split.count); i++) {
    const x0 = MARGIN + (i % cols) * CELL_W + (CELL_W - IMAGE_SIZE * ZOOM) / 2;
    const y0 = MARGIN + Math.floor(i / cols) * CELL_H;
    const pixels = split.images.subarray(i * PIXELS, (i + 1) * PIXELS);
    for (let y = 0; y < IMAGE_SIZE * ZOOM; y++) {
      for (let x = 0; x < IMAGE_SIZE * ZOOM; x++) {
        const v = pixels[Math.floor(y / ZOOM) * IMAGE_SIZE + Math.floor(x / ZOOM)];
        const grey = Math.round(255 * (1 - v));
        img.data.fill(grey, ((y0 + y) * width + x0 + x) * 3, ((y0 + y) * width + x0 + x) * 3 + 3);
      }
    }
    const centre = MARGIN + (i % cols) * CELL_W + CELL_W / 2;
    const pred = `Pred:${predicted[i]}`, truth = `True:${split.labels[i]}`;
    drawText(img, pred, Math.round(centre - textWidth(pred, 2) / 2), y0 + 84 + 8, BLUE);
    drawText(img, truth, Math.round(centre - textWidth(truth, 2) / 2), y0 + 84 + 24, RED);
  }
  return img;
}

/** The grid as PNG bytes. */
export function predictionsPng(split: MnistSplit, predicted: ArrayLike<number>): Uint8Array {
  const img = predictionsGrid(split, predicted);
  return encode({ width: img.width, height: img.height, data: img.data, channels: 3, depth: 8 });
}

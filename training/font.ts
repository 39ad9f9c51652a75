/**
 * A tiny bitmap font (3×5 pixels a glyph) for labelling images without a text renderer:
 * the ten digits and the letters of "Pred:" and "True:".
 *
 * Each glyph is five rows of three bits, `1` = ink. Drawing scales every bit to an
 * `scale`×`scale` square.
 *
 * @module
 */
import { LitconvError } from "../kernels/errors.ts";

const GLYPHS: Record<string, string[]> = {
  "0": ["111", "101", "101", "101", "111"],
  "1": ["010", "110", "010", "010", "111"],
  "2": ["111", "001", "111", "100", "111"],
  "3": ["111", "001", "111", "001", "111"],
  "4": ["101", "101", "111", "001", "001"],
  "5": ["111", "100", "111", "001", "111"],
  "6": ["111", "100", "111", "101", "111"],
  "7": ["111", "001", "010", "010", "010"],
  "8": ["111", "101", "111", "101", "111"],
  "9": ["111", "101", "111", "001", "111"],
  "P": ["110", "101", "110", "100", "100"],
  "T": ["111", "010", "010", "010", "010"],
  "r": ["000", "011", "100", "100", "100"],
  "e": ["000", "111", "111", "100", "111"],
  "d": ["001", "001", "111", "101", "111"],
  "u": ["000", "000", "101", "101", "111"],
  ":": ["000", "010", "000", "010", "000"],
  " ": ["000", "000", "000", "000", "000"],
};

/** An RGB image we can draw into: `data` is width·height·3 bytes. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Width in pixels of `text` drawn at `scale` (one blank column between glyphs). */
export function textWidth(text: string, scale: number): number {
  return text.length * 4 * scale - scale;
}

/**
 * Draws `text` with its top-left corner at (x, y) in `color`. Characters outside the font
 * are an error, so a label never silently loses a letter.
 */
export function drawText(
  img: RgbImage,
  text: string,
  x: number,
  y: number,
  color: [number, number, number],
  scale = 2,
): void {
  [...text].forEach((ch, k) => {
    const glyph = GLYPHS[ch];
    if (!glyph) {
      throw new LitconvError("drawText", "text", `has '${ch}', which the font has no glyph for`);
    }
    glyph.forEach((row, gy) => {
      [...row].forEach((bit, gx) => {
        if (bit !== "1") return;
        for (let dy = 0; dy < scale; dy++) {
          for (let dx = 0; dx < scale; dx++) {
            const px = x + (k * 4 + gx) * scale + dx, py = y + gy * scale + dy;
            if (px < 0 || py < 0 || px >= img.width || py >= img.height) continue;
            img.data.set(color, (py * img.width + px) * 3);
          }
        }
      });
    });
  });
}

/**
 * Makes `data/channels.png`, the RGB picture lesson 06 reads: three overlapping discs,
 * red, green and blue, on black, mixed additively (red + green = yellow, all three =
 * white). Each disc lives in exactly one channel, so splitting the channels takes the
 * picture apart again. It replaces the lecture's web image: nothing is downloaded.
 *
 * ```text
 * deno run -A data/make_channels_png.ts            # writes data/channels.png
 * ```
 *
 * @module
 */
import { encode } from "../deps/fast_png.ts";

/** Picture size: 240 rows × 320 columns. */
export const HEIGHT = 240;
export const WIDTH = 320;
/** Every disc's radius, in pixels. */
export const RADIUS = 70;

/** Disc centres as [row, col], one per channel: red, green, blue. */
export const CENTRES: readonly (readonly [number, number])[] = [
  [95, 130],
  [95, 190],
  [145, 160],
];

/** The picture as interleaved RGB bytes (row-major, 3 bytes a pixel), as PNG stores it. */
export function channelsPicture(): Uint8Array {
  const data = new Uint8Array(HEIGHT * WIDTH * 3);
  for (let r = 0; r < HEIGHT; r++) {
    for (let c = 0; c < WIDTH; c++) {
      CENTRES.forEach(([cr, cc], channel) => {
        // Pixel centres at (r + 0.5, c + 0.5) keep the discs symmetric.
        const inside = (r + 0.5 - cr) ** 2 + (c + 0.5 - cc) ** 2 <= RADIUS ** 2;
        if (inside) data[(r * WIDTH + c) * 3 + channel] = 255;
      });
    }
  }
  return data;
}

/** The picture encoded as an 8-bit RGB PNG. */
export function channelsPng(): Uint8Array {
  return encode({ width: WIDTH, height: HEIGHT, data: channelsPicture(), channels: 3, depth: 8 });
}

if (import.meta.main) {
  const path = new URL("./channels.png", import.meta.url);
  const png = channelsPng();
  await Deno.writeFile(path, png);
  console.log(`wrote ${path.pathname} (${WIDTH}×${HEIGHT} RGB, ${png.length} bytes)`);
}

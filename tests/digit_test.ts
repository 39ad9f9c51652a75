/**
 * MNIST-style preprocessing of a drawn digit: the box, the centre of mass, the aspect ratio, and
 * real MNIST digits, which were made this way, coming back (nearly) as they were.
 */
import assert from "node:assert/strict";
import { loadMnist, PIXELS } from "../data/mnist.ts";
import {
  BOX,
  centreOfMass,
  FIELD,
  inkBox,
  preprocessDigit,
  resizeArea,
} from "../training/digit.ts";
import { tf } from "../accel/backend.ts";
import { needs } from "./requirements.ts";
import { loadReferenceModel, referenceModelMissing } from "./reference_model.ts";

/** A `width`×`height` canvas with thick strokes from point to point (ink 1, anti-aliasing none). */
function draw(width: number, height: number, path: [number, number][], pen: number): Float32Array {
  const img = new Float32Array(width * height);
  for (let k = 1; k < path.length; k++) {
    const [x0, y0] = path[k - 1], [x1, y1] = path[k];
    const steps = Math.ceil(Math.hypot(x1 - x0, y1 - y0));
    for (let s = 0; s <= steps; s++) {
      const cx = x0 + ((x1 - x0) * s) / steps, cy = y0 + ((y1 - y0) * s) / steps;
      for (let y = Math.floor(cy - pen); y <= cy + pen; y++) {
        for (let x = Math.floor(cx - pen); x <= cx + pen; x++) {
          if (x >= 0 && y >= 0 && x < width && y < height && Math.hypot(x - cx, y - cy) <= pen) {
            img[y * width + x] = 1;
          }
        }
      }
    }
  }
  return img;
}

const side = (b: NonNullable<ReturnType<typeof inkBox>>) => [
  b.bottom - b.top + 1,
  b.right - b.left + 1,
];

Deno.test("preprocessDigit: a 7 drawn off-centre → box side 20, centre of mass at (14, 14)", () => {
  // A 7 in the top-right corner of a 300×240 pad, as a mouse would draw it.
  const seven = draw(300, 240, [[170, 20], [280, 22], [215, 190]], 9);
  const out = preprocessDigit(seven, 300, 240);
  assert.equal(out.length, FIELD * FIELD);
  const [row, col] = centreOfMass(out, FIELD, FIELD);
  assert.ok(Math.abs(row - 14) <= 0.5 && Math.abs(col - 14) <= 0.5, `centre (${row}, ${col})`);
  const box = inkBox(out, FIELD, FIELD)!;
  const [h, w] = side(box);
  assert.equal(Math.max(h, w), BOX);
  // Anti-aliased: the stroke's edges are grey, not only 0 and 1; nothing above 1.
  assert.ok(out.some((v) => v > 0.05 && v < 0.95));
  assert.ok(out.every((v) => v >= 0 && v <= 1 + 1e-6));
});

Deno.test("preprocessDigit: a tall 1 keeps its aspect ratio (20 high, narrow)", () => {
  const one = draw(200, 200, [[100, 10], [100, 190]], 6); // 13 wide, 193 high
  const box = inkBox(preprocessDigit(one, 200, 200), FIELD, FIELD)!;
  const [h, w] = side(box);
  assert.equal(h, BOX);
  assert.ok(w >= 1 && w <= 3, `width ${w}: 13/193 of 20 is 1.3 px`);
  // A wide bar is 20 wide instead.
  const bar = draw(200, 100, [[20, 50], [180, 50]], 10);
  const [bh, bw] = side(inkBox(preprocessDigit(bar, 200, 100), FIELD, FIELD)!);
  assert.equal(bw, BOX);
  assert.ok(bh < 5, `height ${bh}`);
});

Deno.test("preprocessDigit: a blank pad gives a blank field; a wrong size is an error", () => {
  assert.ok(preprocessDigit(new Float32Array(50 * 40), 50, 40).every((v) => v === 0));
  assert.throws(() => preprocessDigit(new Float32Array(10), 4, 4), /10 grey levels for a 4×4/);
});

Deno.test("resizeArea: keeps the mean, and shrinking a checkerboard averages it to grey", () => {
  const img = Float32Array.from({ length: 64 }, (_, i) => ((i >> 3) + i) % 2);
  const small = resizeArea(img, 8, 8, 4, 4);
  small.forEach((v) => assert.ok(Math.abs(v - 0.5) < 1e-6));
  const ramp = Float32Array.from({ length: 35 }, (_, i) => (i % 7) / 6);
  const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
  assert.ok(Math.abs(mean(resizeArea(ramp, 7, 5, 3, 2)) - mean(ramp)) < 1e-6);
});

const { test } = loadMnist();
const digit = (i: number) => test.images.subarray(i * PIXELS, (i + 1) * PIXELS);
const meanAbs = (a: Float32Array, b: Float32Array) =>
  a.reduce((s, v, k) => s + Math.abs(v - b[k]), 0) / a.length;

Deno.test("preprocessDigit: MNIST test digits, made this way, come back as they were", () => {
  // Measured over all 10,000: 9,997 come back exactly, the worst differs by 0.045 per pixel
  // (its centre of mass rounds to a shift of one pixel).
  let changed = 0, worst = 0;
  for (let i = 0; i < test.count; i++) {
    const d = meanAbs(preprocessDigit(digit(i), FIELD, FIELD), digit(i));
    if (d > 0) changed++;
    worst = Math.max(worst, d);
  }
  assert.ok(changed <= 10, `${changed} digits changed`);
  assert.ok(worst < 0.06, `worst mean |difference| ${worst}`);
});

Deno.test("preprocessDigit: an MNIST digit drawn 2.5× larger, off-centre, comes back close", () => {
  // The first 1,000 test digits upscaled to 70×70 and put at (67, 31) on a 160×110 pad.
  // Measured: median mean |difference| per pixel 0.013, worst 0.083 (MNIST's mean ink: 0.13).
  const diffs: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const big = resizeArea(digit(i), FIELD, FIELD, 70, 70);
    const pad = new Float32Array(160 * 110);
    for (let y = 0; y < 70; y++) pad.set(big.subarray(y * 70, (y + 1) * 70), (y + 31) * 160 + 67);
    diffs.push(meanAbs(preprocessDigit(pad, 160, 110), digit(i)));
  }
  diffs.sort((a, b) => a - b);
  assert.ok(diffs[500] < 0.02, `median ${diffs[500]}`);
  assert.ok(diffs[999] < 0.1, `worst ${diffs[999]}`);
});

Deno.test(needs(referenceModelMissing(), {
  name: "the reference model reads a 1 and a 7 drawn as on the site's pad (280 px, 20 px pen)",
  fn: async () => {
    const model = await loadReferenceModel();
    // The browser test's stroke (down the middle, 15 % to 87 % of the height) and the pad's
    // own example 7 (site/islands/DigitPad.tsx).
    const strokes: [number, [number, number][]][] = [
      [1, [[140, 42], [140, 244]]],
      [7, [[80, 70], [200, 70], [150, 160], [120, 230]]],
    ];
    for (const [label, path] of strokes) {
      const input = preprocessDigit(draw(280, 280, path, 10), 280, 280);
      const probs = tf.tidy(() =>
        tf.softmax(model.predict(tf.tensor4d(input, [1, FIELD, FIELD, 1])) as tf.Tensor)
      );
      const p = Array.from(await probs.data());
      probs.dispose();
      assert.equal(p.indexOf(Math.max(...p)), label, `a drawn ${label} read as ${p}`);
      assert.ok(p[label] > 0.5, `a drawn ${label}: p = ${p[label]}`);
    }
    model.dispose();
  },
}));

/**
 * The charts: each is one standalone SVG document with a title, axis labels and a legend, one
 * mark per data point, and the data where it belongs on the axes.
 */
import assert from "node:assert/strict";
import { DOMParser } from "../deps/linkedom.ts";
import {
  compareSvg,
  confusionSvg,
  type CurvePoint,
  curvesSvg,
  lineChartSvg,
  PALETTE,
  REFERENCE_GREY,
  rotationSvg,
} from "../drawing/charts.ts";

function parse(svg: string): Element {
  const doc = new DOMParser().parseFromString(svg, "image/svg+xml");
  const root = doc.documentElement as unknown as Element;
  assert.equal(root.tagName.toLowerCase(), "svg");
  assert.equal(root.getAttribute("xmlns"), "http://www.w3.org/2000/svg");
  return root;
}

const texts = (root: Element) => [...root.querySelectorAll("text")].map((t) => t.textContent);

/** `translate(x,y)` of an element, as numbers. */
function translate(el: Element): [number, number] {
  const m = /translate\(([-\d.e]+),([-\d.e]+)\)/.exec(el.getAttribute("transform") ?? "");
  assert.ok(m, `no translate on ${el.outerHTML}`);
  return [Number(m[1]), Number(m[2])];
}

/** Centres of the dots drawn in `color` (Plot puts a constant fill on the mark's group). */
const dots = (p: Element, color?: string): [number, number][] =>
  [...p.querySelectorAll(`g[aria-label="dot"]${color ? `[fill="${color}"]` : ""} circle`)]
    .map((c) => [Number(c.getAttribute("cx")), Number(c.getAttribute("cy"))]);

/** The line marks of a panel, one group per line. */
const lineMarks = (p: Element) => [...p.querySelectorAll('g[aria-label="line"]')];

/** The panels (Plot's nested `<svg>`s with axes), left to right. */
const panels = (root: Element) =>
  [...root.querySelectorAll("svg")].filter((s) => s.querySelector('[aria-label="x-axis tick"]'));

/** Where the x-axis tick labelled `label` sits in `panel` (Plot writes − as U+2212). */
function xTickAt(panel: Element, label: string): number {
  const tick = [...panel.querySelectorAll('[aria-label="x-axis tick label"] text')]
    .find((t) => t.textContent === label);
  assert.ok(tick, `no x tick "${label}"`);
  return translate(tick)[0];
}

const history: CurvePoint[] = [1, 2, 3].map((epoch) => ({
  epoch,
  trainLoss: 0.3 / epoch,
  validLoss: 0.1 / epoch,
  trainAccuracy: 1 - 0.05 / epoch,
  validAccuracy: 0.99 - 0.01 / epoch,
}));

Deno.test("curvesSvg: two panels, four lines of one dot per epoch, each line labelled", () => {
  const root = parse(curvesSvg(history));
  assert.equal(root.querySelector("title")?.textContent, "Training curves");
  assert.equal(root.querySelector("rect")?.getAttribute("fill"), "white");
  const [loss, acc] = panels(root);
  assert.ok(loss && acc);
  for (const p of [loss, acc]) {
    assert.equal(lineMarks(p).length, 2);
    assert.equal(dots(p).length, 2 * history.length);
    // Whole epochs on the x axis, not 1.5, 2.5.
    assert.deepEqual(
      [...p.querySelectorAll('[aria-label="x-axis tick label"] text')].map((t) => t.textContent),
      ["1", "2", "3"],
    );
  }
  const words = texts(root);
  for (const w of ["Loss", "Accuracy", "Epoch", "Cross-entropy loss", "Train", "Validation"]) {
    assert.ok(words.includes(w), `missing text "${w}"`);
  }
  // Validation is dashed, train solid, in the legend as on the lines.
  const lines = lineMarks(acc);
  assert.equal(lines[0].getAttribute("stroke-dasharray"), null);
  assert.ok(lines[1].getAttribute("stroke-dasharray"));
});

Deno.test("curvesSvg: the loss falls left to right and the highest accuracy is the last epoch", () => {
  const [loss, acc] = panels(parse(curvesSvg(history)));
  const trainLoss = dots(loss, PALETTE[0]);
  assert.equal(trainLoss.length, 3);
  // SVG's y grows downwards: a falling loss is a rising y.
  assert.ok(trainLoss[0][1] < trainLoss[1][1] && trainLoss[1][1] < trainLoss[2][1]);
  const epochX = ["1", "2", "3"].map((e) => xTickAt(loss, e));
  trainLoss.forEach(([x], i) => assert.ok(Math.abs(x - epochX[i]) < 0.5));
  const validAcc = dots(acc, PALETTE[1]);
  assert.equal(validAcc.length, 3);
  const top = validAcc.reduce((a, b) => (b[1] < a[1] ? b : a));
  assert.ok(Math.abs(top[0] - xTickAt(acc, "3")) < 0.5);
});

Deno.test("rotationSvg: one dot per angle, and the peak sits over the 0° tick", () => {
  const points = [-45, -30, -15, 0, 15, 30, 45].map((angle) => ({
    angle,
    accuracy: 0.99 - 0.0001 * angle * angle + 0.0005 * angle, // −45° worse than 45°
  }));
  const root = parse(rotationSvg(points));
  const [panel] = panels(root);
  const marks = dots(panel);
  assert.equal(marks.length, 7);
  const peak = marks.reduce((a, b) => (b[1] < a[1] ? b : a));
  assert.ok(Math.abs(peak[0] - xTickAt(panel, "0")) < 0.5, `peak at x=${peak[0]}`);
  // Angles run left to right: the leftmost dot (−45°) is the lowest of all.
  const leftmost = marks.reduce((a, b) => (b[0] < a[0] ? b : a));
  assert.equal(leftmost[1], Math.max(...marks.map((d) => d[1])));
  assert.ok(Math.abs(leftmost[0] - xTickAt(panel, "\u221245")) < 0.5);
  const words = texts(root);
  assert.ok(words.includes("Rotation angle (degrees, counter-clockwise)"));
  assert.ok(words.includes("Test accuracy"));
});

Deno.test("confusionSvg: 100 cells with their counts, rows true and columns predicted", () => {
  const matrix = Array.from(
    { length: 10 },
    (_, t) => Array.from({ length: 10 }, (_, p) => (t === p ? 900 + t : 0)),
  );
  matrix[9][4] = 7; // seven 9s taken for 4s
  const root = parse(confusionSvg(matrix));
  const [panel] = panels(root);
  const cells = [...panel.querySelectorAll('[aria-label="cell"] rect')];
  assert.equal(cells.length, 100);
  const counts = [...panel.querySelectorAll('[aria-label="text"] text')];
  assert.equal(counts.length, 100);
  const seven = counts.find((t) => t.textContent === "7");
  assert.ok(seven);
  const yTick = (label: string) => {
    const t = [...panel.querySelectorAll('[aria-label="y-axis tick label"] text')]
      .find((e) => e.textContent === label)!;
    return translate(t)[1];
  };
  // The label sits at (predicted 4, true 9): Plot centres text in band scales' cells.
  const [x, y] = translate(seven);
  const band = xTickAt(panel, "5") - xTickAt(panel, "4");
  assert.ok(Math.abs(x - xTickAt(panel, "4")) < band / 2, `x ${x}`);
  assert.ok(Math.abs(y - yTick("9")) < band / 2, `y ${y}`);
  // Mistakes are shaded apart from right answers.
  const fillOf = (i: number) => cells[i].getAttribute("fill");
  assert.notEqual(fillOf(9 * 10 + 4), fillOf(9 * 10 + 9));
  assert.equal(fillOf(1), fillOf(2)); // two empty cells look alike
  const words = texts(root);
  for (const w of ["Predicted digit", "True digit"]) assert.ok(words.includes(w), w);
  assert.ok(words.some((w) => w?.startsWith("9,045 of 9,052 right")), words.join("|"));
});

Deno.test("compareSvg: one line per run in each panel, each run labelled", () => {
  const other = history.map((h) => ({ ...h, validAccuracy: h.validAccuracy + 0.001 }));
  const root = parse(compareSvg([
    { label: "lecture", history },
    { label: "extra-conv", history: other },
  ]));
  const [acc, loss] = panels(root);
  for (const p of [acc, loss]) {
    assert.equal(lineMarks(p).length, 2);
    assert.equal(dots(p).length, 6);
  }
  const words = texts(root);
  for (const w of ["lecture", "extra-conv", "Validation accuracy", "Validation loss", "Epoch"]) {
    assert.ok(words.includes(w), w);
  }
  // The better run's dots sit higher at every epoch.
  const ys = (color: string) => dots(acc, color).map((d) => d[1]);
  ys(PALETTE[1]).forEach((y, i) => assert.ok(y < ys(PALETTE[0])[i]));
});

/** The direct labels of a panel: text drawn in a line's own colour, right of its last dot. */
function endLabels(panel: Element): { text: string; fill: string; x: number; y: number }[] {
  return [...panel.querySelectorAll('g[aria-label="text"][fill]')].flatMap((g) =>
    [...g.querySelectorAll("text")].map((t) => {
      const [x, y] = translate(t);
      return { text: t.textContent ?? "", fill: g.getAttribute("fill")!, x, y };
    })
  );
}

Deno.test("chart discipline: lines labelled at their ends, no legend swatches", () => {
  for (const svg of [curvesSvg(history), curvesSvg(history, "t", { page: true })]) {
    const root = parse(svg);
    // A legend would be swatches (link marks) outside the panels.
    assert.equal(root.querySelectorAll('[aria-label="link"]').length, 0, "a legend swatch");
    for (const p of panels(root)) {
      const labels = endLabels(p);
      assert.deepEqual(labels.map((l) => l.text).sort(), ["Train", "Validation"]);
      // Each label sits right of its line's last dot, in its colour.
      for (const l of labels) {
        const last = dots(p, l.fill).reduce((a, b) => (b[0] > a[0] ? b : a));
        assert.ok(Math.abs(l.x - last[0]) < 0.5, `${l.text} at x ${l.x}, last dot ${last[0]}`);
      }
      const [a, b] = labels;
      assert.ok(Math.abs(a.y - b.y) >= 12, `labels overlap: ${a.y} and ${b.y}`);
    }
  }
});

Deno.test("chart discipline: the lecture's series is thin grey dashed, ours solid and coloured", () => {
  const ours = history.map((h) => ({ x: h.epoch, y: h.validAccuracy }));
  const root = parse(lineChartSvg({
    title: "Accuracy",
    xLabel: "Epoch",
    yLabel: "Accuracy",
    epochs: true,
    lines: [
      { label: "Ours", color: PALETTE[0], points: ours },
      // Asked for in a hue: a reference line is grey all the same.
      { label: "Lecture", color: PALETTE[4], reference: true, points: ours },
    ],
  }));
  const [panel] = panels(root);
  const [first, second] = lineMarks(panel);
  // The reference is drawn first, under ours, so ours is never hidden by it.
  assert.equal(first.getAttribute("stroke"), REFERENCE_GREY);
  assert.ok(first.getAttribute("stroke-dasharray"));
  assert.ok(
    Number(first.getAttribute("stroke-width")) < Number(second.getAttribute("stroke-width")),
  );
  assert.equal(second.getAttribute("stroke"), PALETTE[0]);
  assert.equal(second.getAttribute("stroke-dasharray"), null);
  assert.ok(!PALETTE.includes(REFERENCE_GREY));
});

Deno.test("chart discipline: a seed spread is a band, and a note says what a zoom hides", () => {
  const band = history.map((h) => ({
    x: h.epoch,
    lo: h.validAccuracy - 0.002,
    hi: h.validAccuracy + 0.002,
  }));
  const svg = lineChartSvg({
    title: "Validation accuracy",
    xLabel: "Epoch",
    yLabel: "Accuracy",
    epochs: true,
    note: "seeds spread over 0.004",
    lines: [{
      label: "Ours",
      color: PALETTE[0],
      band,
      points: history.map((h) => ({ x: h.epoch, y: h.validAccuracy })),
    }],
  });
  const root = parse(svg);
  const [panel] = panels(root);
  const area = panel.querySelector('g[aria-label="area"] path');
  assert.ok(area, "no band");
  assert.ok(texts(root).includes("seeds spread over 0.004"));
  // A page chart draws no white panel: dark mode shows through.
  assert.doesNotMatch(svg, /fill="white"/);
  assert.doesNotMatch(compareSvg([{ label: "a", history }], "t", { page: true }), /fill="white"/);
});

Deno.test("confusionSvg: four-digit counts fit inside their cells", () => {
  const matrix = Array.from(
    { length: 10 },
    (_, t) => Array.from({ length: 10 }, (_, p) => (t === p ? 1135 : 3)),
  );
  for (const style of [{}, { page: true }]) {
    const [panel] = panels(parse(confusionSvg(matrix, "t", style)));
    const group = panel.querySelector('g[aria-label="text"]')!;
    const size = Number(group.getAttribute("font-size") ?? 12);
    const band = xTickAt(panel, "1") - xTickAt(panel, "0");
    assert.ok(texts(panel).includes("1135"), "counts written as plain digits");
    // Digits are at most 0.6 em wide in the sans-serif faces the pages use.
    assert.ok(4 * 0.6 * size <= band, `"1135" at ${size} px in a ${band} px cell`);
  }
});

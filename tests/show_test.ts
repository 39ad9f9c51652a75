/**
 * The output mechanism every lesson uses (`lessons/show.ts`): recording against the caller's
 * line, computing lazily and in order, comparing with the lecture, and displaying at once in
 * a notebook.
 */
import assert from "node:assert/strict";
import {
  bundlesOf,
  displayWith,
  hasOutputs,
  lessonOutputs,
  type MediaBundle,
  numbersIn,
  sameAsLecture,
  show,
  shown,
  svgImg,
} from "../lessons/show.ts";
import { table, tableText } from "../lessons/table.ts";

// Recorded when this module loads, as a lesson's are: the lines are this file's.
let computed = 0;
const here = new Error().stack!.match(/:(\d+):\d+/)!;
show("eager", [1, 2, 3]); // line = here + 1
show("lazy", () => {
  computed++;
  return 42;
}, { lecture: "answer: 42" });
show(
  "twin",
  () =>
    Promise.resolve({
      text: "[1]",
      twin: { value: "[1]", backend: "cpu", maxDiff: 0, tolerance: 0 },
    }),
  {
    lecture: { text: "[2]", why: "a different input, on purpose" },
  },
);
show("figure", { kind: "figure", svg: "<svg/>", alt: "nothing to see" }, { fig: "FIG 1" });

Deno.test("show: records against the caller's line; computes only when asked, in order", async () => {
  assert.ok(hasOutputs(import.meta.url));
  assert.equal(computed, 0, "a function value waits until the outputs are asked for");
  const outputs = await lessonOutputs(import.meta.url);
  assert.equal(computed, 1);
  assert.deepEqual(outputs.map((o) => o.label), ["eager", "lazy", "twin", "figure"]);
  const first = Number(here[1]) + 1;
  assert.equal(outputs[0].line, first);
  assert.equal(outputs[1].line, first + 1);
  assert.deepEqual(outputs.map((o) => o.text), ["[1 2 3]", "42", "[1]", "nothing to see"]);
  assert.deepEqual(outputs[1].lecture, { text: "answer: 42", same: true });
  assert.equal(outputs[2].lecture?.same, false);
  assert.equal(outputs[2].twin?.backend, "cpu");
  assert.deepEqual(outputs[3].figure, { svg: "<svg/>", alt: "nothing to see", fig: "FIG 1" });
  await lessonOutputs(import.meta.url);
  assert.equal(computed, 1, "computed once per process");
  await assert.rejects(lessonOutputs("file:///nowhere.ts"), /recorded no outputs/);
});

Deno.test("show: the lecture's numbers against ours", () => {
  assert.deepEqual(numbersIn("torch.Size([4, 64, 7, 7])"), [4, 64, 7, 7]);
  assert.deepEqual(numbersIn("Conv1d Implementation: [ 5. 14. -3.]"), [5, 14, -3]);
  assert.deepEqual(numbersIn("tensor(0.1127, grad_fn=<AddBackward0>)"), [0.1127]);
  assert.deepEqual(numbersIn("torch.uint8"), [8]);
  assert.ok(sameAsLecture("[5]", "(5,)"));
  assert.ok(sameAsLecture("[0 2 4 6 8]", "0\n2\n4\n6\n8"));
  assert.ok(sameAsLecture("uint8", "Image data type: torch.uint8"));
  assert.ok(!sameAsLecture("[3, 240, 320]", "Image shape: torch.Size([3, 537, 547])"));
  assert.ok(!sameAsLecture("0.9909", "Test accuracy: 0.9926"));
  assert.ok(!sameAsLecture("[1 2]", "[1 2 3]"));
  assert.ok(!sameAsLecture("wasm", "cuda\nTesla T4"));
});

Deno.test("show: in a notebook each output is displayed at once, in order, figures as SVG", async () => {
  const sent: MediaBundle[] = [];
  displayWith((bundle) => {
    sent.push(bundle);
    return Promise.resolve();
  });
  try {
    show("slow", () => new Promise((r) => setTimeout(() => r("first"), 30)));
    show("fast", "second", { lecture: "second" });
    show("a picture", { kind: "figure", svg: "<svg/>", alt: "a picture of nothing" }, {
      fig: "FIG 9",
    });
    await shown();
  } finally {
    displayWith();
  }
  assert.deepEqual(sent, [
    { "text/plain": "slow: first" },
    { "text/plain": "fast: second\n  the lecture (same): second" },
    {
      "text/markdown": "**a picture** (the lecture's FIG 9)",
      "text/plain": "a picture (the lecture's FIG 9)",
    },
    {
      "text/html": svgImg("<svg/>", "a picture of nothing"),
      "image/svg+xml": "<svg/>",
      "text/plain": "a picture of nothing",
    },
  ]);
  // The HTML is the same SVG as an image (which exporters keep), with its alt text.
  const html = (sent[3] as Record<string, string>)["text/html"];
  assert.match(html, /^<img alt="a picture of nothing" /);
  const src = /src="data:image\/svg\+xml;base64,([^"]+)"/.exec(html)![1];
  assert.equal(atob(src), "<svg/>");
  // Displayed, not recorded: the module's record still holds its four outputs only.
  assert.equal((await lessonOutputs(import.meta.url)).length, 4);
  assert.deepEqual(bundlesOf({ label: "n", text: "1", line: 1 }), [{ "text/plain": "n: 1" }]);
});

Deno.test("a table: aligned text in the terminal, an HTML table in a notebook, escaped", () => {
  const t = table(["layer", "params"], [["<conv1>", 832], ["total", "51,264"]], {
    groups: [["", 1], ["counted", 1]],
    note: "(by hand)",
  });
  assert.equal(
    tableText(t),
    [
      "        │ counted",
      "layer   │  params",
      "<conv1> │     832",
      "total   │  51,264",
      "(by hand)",
    ].join("\n"),
  );
  const [bundle] = bundlesOf({
    label: "a & b",
    text: tableText(t),
    line: 1,
    table: { columns: t.columns, rows: t.rows, groups: t.groups, note: t.note },
  });
  assert.match(bundle["text/html"], /^<p><strong>a &amp; b<\/strong><\/p><table>/);
  assert.match(
    bundle["text/html"],
    /<th colspan="1" style="text-align:center;border-left:[^"]+">counted<\/th>/,
  );
  assert.match(bundle["text/html"], /<td style="text-align:left">&lt;conv1&gt;<\/td>/);
  assert.match(
    bundle["text/html"],
    /<td class="num" style="text-align:right;border-left:[^"]+">51,264<\/td>/,
  );
  assert.match(bundle["text/plain"], /^a & b:\n {2}/);
  assert.throws(() => table(["a", "b"], [[1]]), /a row of 1 cells under 2 columns/);
  assert.throws(() => table(["a"], [[1]], { groups: [["x", 2]] }), /span 2 columns of 1/);
});

/**
 * The site's rendering, without a browser: where outputs go on a lesson page, the twin and
 * lecture columns, figures, math that must fail the build, anchors, relative links, routes,
 * and the rule that caches slow outputs. A small made-up lesson stands in for the real ones
 * for the placement logic; lesson 08's page checks the real thing.
 */
import assert from "node:assert/strict";
import { renderToString } from "../deps/preact_render_to_string.ts";
import { splitLiterate } from "../lessons/literate.ts";
import { Output, Outputs } from "../site/components/Output.tsx";
import { PageContext } from "../site/lib/context.ts";
import { cachedOutputs, sharedInputs } from "../site/lib/outputs.ts";
import { insertIslands } from "../site/lib/island.tsx";
import { renderMarkdown, Slugger } from "../site/lib/markdown.ts";
import { rewriteProseLinks } from "../site/lib/prose_links.ts";
import { patternOf } from "../site/lib/router.tsx";
import { arrangeLesson } from "../site/lib/sections.ts";
import { sitePath } from "../site/lib/server.ts";
import { headlineRun, newestRun } from "../site/lib/headline.ts";
import type { SiteRun } from "../site/lib/runs_data.ts";
import { listRuns, REFERENCE_DIR } from "../training/runs.ts";

const LESSON = `/**
 * # 99 · A made-up lesson
 *
 * Opening prose with $x^2$.
 *
 * @module
 */
import { conv1d } from "../kernels/conv.ts";

/**
 * ## First steps
 *
 * Some prose.
 */
export const a = 1;
show("a", a);

/**
 * ### A sub-section, with \`code\`
 */
export const b = 2;

/**
 * ## Stride, and the textbook's bug
 */
export const c = 3;
show("c", c);
show("c again", c);
`;

Deno.test("site: each output goes under the code block whose lines hold its show call", () => {
  const blocks = splitLiterate(LESSON);
  const { sections, unplaced } = arrangeLesson(blocks, [
    { label: "a", text: "1", line: 16 },
    { label: "c", text: "3", line: 27 },
    { label: "c again", text: "3", line: 28 },
    { label: "in prose", text: "0", line: 13 },
    { label: "after the end", text: "9", line: 99 },
  ]);
  assert.deepEqual(
    sections.map((s) => [s.heading?.id, s.rows.map((r) => r.outputs.map((o) => o.label))]),
    [
      ["99-a-made-up-lesson", [[]]],
      ["first-steps", [["a"]]],
      ["a-sub-section-with-code", [[]]],
      ["stride-and-the-textbooks-bug", [["c", "c again"]]],
    ],
  );
  assert.deepEqual(unplaced.map((o) => o.label), ["in prose", "after the end"]);
  // Prose and the code after it share a row; the import sits beside the opening prose.
  assert.ok(sections[0].rows[0].code?.code.startsWith("import { conv1d }"));
  assert.equal(sections[1].rows[0].code?.code, 'export const a = 1;\nshow("a", a);');
  assert.equal(sections[1].rows[0].code?.line, 15); // its line in the file, for the source link
});

Deno.test("site: the twin's value, backend, difference and tolerance are shown beside the naive one", () => {
  const html = renderToString(
    <Output
      output={{
        label: "conv1d",
        text: "[ 5 14]",
        line: 1,
        twin: { value: "[ 5 14]", backend: "wasm", maxDiff: 1.5e-7, tolerance: 1e-5 },
      }}
    />,
  );
  assert.match(html, /data-output="naive">\[ 5 14\]</);
  assert.match(html, /data-output="twin">\[ 5 14\]</);
  assert.match(html, /TF\.js on wasm/);
  assert.match(html, /1\.50e-7/);
  assert.match(html, /1\.00e-5/);
  assert.match(html, /✓ agree/);
  const outside = renderToString(
    <Output
      output={{
        label: "x",
        text: "1",
        line: 1,
        twin: { value: "2", backend: "cpu", maxDiff: 1, tolerance: 0 },
      }}
    />,
  );
  assert.match(outside, /outside the tolerance/);
  const plain = renderToString(<Output output={{ label: "y", text: "3", line: 1 }} />);
  assert.doesNotMatch(plain, /TF\.js|lecture/);
});

Deno.test("site: the lecture's value beside ours, marked the same or not, the reason a click away", () => {
  const same = renderToString(
    <Output output={{ label: "w", text: "[5]", line: 1, lecture: { text: "(5,)", same: true } }} />,
  );
  assert.match(same, /data-output="value">\[5\]</);
  assert.match(same, /data-output="lecture">\(5,\)</);
  assert.match(same, /data-lecture="same"/);
  assert.doesNotMatch(same, /<details/);
  const differs = renderToString(
    <Output
      output={{
        label: "angle",
        text: "-44.75",
        line: 1,
        lecture: { text: "angle: -15.84", why: "another random draw", same: false },
      }}
    />,
  );
  assert.match(differs, /data-lecture="differs"/);
  assert.match(differs, /<details><summary>why it differs<\/summary><p>another random draw<\/p>/);
});

Deno.test("site: figures are inline SVG with their caption; text outputs and figures group apart", () => {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" role="img" ' +
    'aria-label="a dot"><circle cx="5" cy="5" r="2"/></svg>';
  const html = renderToString(
    <Outputs
      outputs={[
        { label: "n", text: "1", line: 1 },
        { label: "A dot", text: "a dot", line: 2, figure: { svg, alt: "a dot", fig: "FIG 2" } },
        { label: "Another", text: "a dot", line: 3, figure: { svg, alt: "a dot" } },
      ]}
    />,
  );
  assert.match(html, /^<div class="outputs"><figure class="output">/);
  assert.match(html, /<div class="figures"><figure class="lesson-figure" data-fig="FIG 2">/);
  assert.match(html, /<figcaption>A dot<span class="fig-tag">the lecture's FIG 2/);
  assert.equal(html.match(/<svg /g)?.length, 2);
  assert.equal(html.match(/class="figures"/g)?.length, 1, "consecutive figures share a row");
});

Deno.test("site: a bad formula fails the build; math outside code only", () => {
  assert.throws(() => renderMarkdown("A broken formula: $\\frac{1}{$."), /KaTeX|parse/i);
  assert.throws(() => renderMarkdown("Unknown command $\\notacommand x$"), /notacommand/);
  const { html } = renderMarkdown(
    "Code `$x$` stays, and so does\n\n```ts\nconst s = `$${1}`;\n```",
  );
  assert.doesNotMatch(html, /katex/);
  assert.match(html, /<code>\$x\$<\/code>/);
  const display = renderMarkdown("$$\n\\sum_k x_k\n$$").html;
  assert.match(display, /<div class="math"><span class="katex-display">/);
});

Deno.test("site: anchors are unique across a page's prose blocks", () => {
  const slugger = new Slugger();
  const a = renderMarkdown("## Claims", slugger).headings;
  const b = renderMarkdown("## Claims", slugger).headings;
  assert.deepEqual([a[0].id, b[0].id], ["claims", "claims-2"]);
});

Deno.test("site: links are relative to the page's depth; routes map to index.html files", () => {
  const page = new PageContext("lessons/02-conv1d/index.html");
  assert.equal(page.href("index.html"), "../../index.html");
  assert.equal(new PageContext("index.html").href("results/index.html"), "results/index.html");
  assert.equal(patternOf("index.tsx"), "index.html");
  assert.equal(patternOf("results.tsx"), "results/index.html");
  assert.equal(patternOf("lessons/[slug].tsx"), "lessons/[slug]/index.html");
  assert.equal(patternOf("lessons/[slug]/source.tsx"), "lessons/[slug]/source/index.html");
  assert.equal(patternOf("_404.tsx"), "404.html");
  assert.equal(sitePath("/"), "index.html");
  assert.equal(sitePath("/lessons/02-conv1d/"), "lessons/02-conv1d/index.html");
  assert.equal(sitePath("/static/../../etc/passwd"), undefined);
});

Deno.test("site: islands get markers, props as JSON and the boot script; other pages no script", () => {
  assert.equal(insertIslands("<p>plain</p>", [], "../"), "<p>plain</p>");
  const html = insertIslands('<div data-frsh-k="0"></div>', [
    { name: "ConvExplorer", props: { s: "</script>" }, html: "<b>hi</b>" },
  ], "../");
  assert.match(
    html,
    /<!--frsh:ConvExplorer:0--><div class="island" data-island="ConvExplorer"><b>hi<\/b><\/div><!--\/frsh:ConvExplorer:0-->/,
  );
  assert.match(html, /"s":"\\u003c\/script>"/); // props cannot close their script tag
  assert.match(html, /<script defer src="\.\.\/static\/boot\.js"><\/script>$/);
});

Deno.test("site: slow outputs are cached by the hash of their sources, fast ones are not", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/99_lesson.ts`, shared = `${dir}/figure.ts`;
    await Deno.writeTextFile(file, "// v1");
    await Deno.writeTextFile(shared, "// f1");
    let runs = 0;
    const slow = {
      slug: "99-slow",
      url: new URL(`file://${file}`),
      outputs: async () => {
        runs++;
        await new Promise((r) => setTimeout(r, 30));
        return [{ label: "n", text: String(runs), line: 1 }];
      },
    };
    const inputs = [new URL(`file://${shared}`)];
    const first = await cachedOutputs(slow, `${dir}/cache`, 0.01, inputs);
    const second = await cachedOutputs(slow, `${dir}/cache`, 0.01, inputs);
    assert.deepEqual([first.cached, second.cached, runs], [false, true, 1]);
    assert.deepEqual(second.outputs, [{ label: "n", text: "1", line: 1 }]);
    await Deno.writeTextFile(file, "// v2"); // an edited lesson computes again
    const third = await cachedOutputs(slow, `${dir}/cache`, 0.01, inputs);
    assert.deepEqual([third.cached, third.outputs[0].text], [false, "2"]);
    await Deno.writeTextFile(shared, "// f2"); // so does an edited figure, or a new run
    assert.equal((await cachedOutputs(slow, `${dir}/cache`, 0.01, inputs)).cached, false);
    // Under the threshold nothing is written, so the next build computes it again.
    const fast = { ...slow, slug: "99-fast" };
    await cachedOutputs(fast, `${dir}/cache`, 60, inputs);
    assert.equal((await cachedOutputs(fast, `${dir}/cache`, 60, inputs)).cached, false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("site: the cache's inputs are every lesson helper and every committed record", () => {
  const inputs = sharedInputs().map((u) => u.pathname.split("/lessons/").pop()!);
  const root = new URL("../", import.meta.url);
  for (const e of Deno.readDirSync(new URL("lessons/", root))) {
    if (e.isFile && !/^\d\d_/.test(e.name)) assert.ok(inputs.includes(e.name), e.name);
  }
  assert.ok(inputs.some((p) => p.startsWith("figures/")), "the figure modules");
  const paths = sharedInputs().map((u) => u.pathname);
  for (
    const f of [
      "drawing/charts.ts",
      "drawing/markup.ts",
      "data/reference/seeds.json",
      "data/reference/lecture/metrics.json",
    ]
  ) {
    assert.ok(paths.includes(new URL(f, root).pathname), f);
  }
});

Deno.test("site: relative links in lesson prose go to lesson pages or to copies in the build", () => {
  const lessonUrl = new URL("../lessons/02_conv1d.ts", import.meta.url).href;
  const lessons = [
    { slug: "03-padding", url: new URL("../lessons/03_padding.ts", import.meta.url) },
  ];
  const page = new PageContext("lessons/02-conv1d/index.html");
  const html = [
    '<a href="./03_padding.ts#x">next</a>',
    '<img src="../data/channels.png" alt="">',
    '<a href="../data/no-such-file.svg">gone</a>',
    '<a href="#here">here</a>',
    '<a href="https://example.org/">out</a>',
  ].join("");
  const out = rewriteProseLinks(html, lessonUrl, page, lessons);
  assert.match(out, /href="\.\.\/\.\.\/lessons\/03-padding\/index\.html#x"/);
  assert.match(out, /src="\.\.\/\.\.\/files\/data\/channels\.png"/);
  assert.ok(page.assets.get("files/data/channels.png")?.endsWith("/data/channels.png"));
  assert.match(out, /href="\.\.\/data\/no-such-file\.svg"/); // left for the link check
  assert.match(out, /href="#here"/);
  assert.match(out, /href="https:\/\/example\.org\/"/);
});

Deno.test("site: the front page headlines the reference run, not a newer quick run", async () => {
  const runs = await Deno.makeTempDir({ prefix: "litconv-site-runs-" });
  const reference = JSON.parse(await Deno.readTextFile(`${REFERENCE_DIR}/lecture/metrics.json`));
  // A quick start's run, newer than anything: one epoch on 3,000 images.
  const quick = `${runs}/2099-01-01T00-00-00Z-lecture`;
  await Deno.mkdir(quick);
  await Deno.writeTextFile(
    `${quick}/metrics.json`,
    JSON.stringify({
      ...reference,
      config: { ...reference.config, epochs: 1, limit: 3000, evalLimit: 1000 },
      history: reference.history.slice(0, 1),
      testAccuracy: 0.91,
    }),
  );
  // As runs_data.ts's siteRuns lists them: the reference runs, then data/runs/ newest first.
  const listed = async (dir: string, reference: boolean): Promise<SiteRun[]> =>
    (await listRuns(dir)).map((r) => ({
      id: reference ? `reference-${r.name}` : r.name,
      dir: r.dir,
      reference,
      metrics: r.metrics,
      files: [],
    }));
  const all = [...await listed(REFERENCE_DIR, true), ...await listed(runs, false)];
  assert.equal(headlineRun(all)?.id, "reference-lecture");
  assert.equal(newestRun(all)?.id, "2099-01-01T00-00-00Z-lecture");
  // Without a reference run, the newest run is what there is.
  assert.equal(headlineRun(all.filter((r) => !r.reference))?.id, "2099-01-01T00-00-00Z-lecture");
  await Deno.remove(runs, { recursive: true });
});

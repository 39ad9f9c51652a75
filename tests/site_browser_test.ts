/**
 * The site in a real browser: Debian's Chromium driven by playwright-core opens every page
 * of the static build (served as plain files, as any static host would) and a few of
 * `deno task site`'s server (which must serve every page byte for byte as built), and fails
 * on any console error, failed request or request that leaves the machine. It checks that math rendered, charts are present and the
 * lecture's numbers show, that every lesson page has its figures (alt text, nothing broken,
 * legible in light and dark, within a phone's width), drives the islands, and checks every
 * link of the static build.
 *
 * One build and one browser serve every check, to keep this quick, which is why this file is
 * one long test (about 600 lines) rather than several. The build and the server run as the
 * commands a reader types (`deno task site:build`, `deno task site`), in child processes:
 * importing the routes here would also register every lesson's own tests.
 */
import assert from "node:assert/strict";
import type { Page } from "../deps/playwright_core.ts";
import { chromiumMissing, needs } from "./requirements.ts";
import { CHROMIUM, launchBrowser, serveFiles } from "./browser.ts";

const decoder = new TextDecoder();

/** Each lesson's figures and tables, counted from its outputs by `lessons/counts.ts`. */
async function lessonCounts(): Promise<Record<string, { figures: number; tables: number }>> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "lessons/counts.ts"],
    cwd: new URL("..", import.meta.url),
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, decoder.decode(stderr));
  return JSON.parse(decoder.decode(stdout));
}

/** Runs `deno task site:build --out DIR`; returns every file path it wrote. */
async function build(out: string): Promise<string[]> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "site:build", "--out", out],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, decoder.decode(stderr));
  assert.match(decoder.decode(stdout), /\[1\/\d+\] /, "a progress line per page");
  const files: string[] = [];
  const walk = async (dir: string, prefix: string) => {
    for await (const e of Deno.readDir(dir)) {
      if (e.isDirectory) await walk(`${dir}/${e.name}`, `${prefix}${e.name}/`);
      else files.push(`${prefix}${e.name}`);
    }
  };
  await walk(out, "");
  return files.sort();
}

/** Starts `deno task site --port PORT`; resolves with its URL once it says it listens. */
async function serve(port: number, workDir: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "site", "--port", String(port)],
    env: { LITCONV_SITE_WORKDIR: workDir },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`deno task site ended: ${text}`);
    text += value;
    const m = /litconv site on (http:\/\/127\.0\.0\.1:(\d+)\/)/.exec(text);
    if (m) {
      // Keep draining its log so the pipe never fills.
      (async () => {
        while (!(await reader.read()).done);
      })();
      return { url: m[1], port: Number(m[2]), child, stderr: child.stderr };
    }
  }
}

/** Pages loaded in the browser from the server too: the front page and two with islands. */
const SERVER_VISITS = ["index.html", "lessons/02-conv1d/index.html", "train/index.html"];

/** Every href/src of every HTML file in the build, with the file it is in. */
async function linksOf(dir: string, pages: string[]) {
  const links: { page: string; url: string }[] = [];
  for (const page of pages) {
    const html = await Deno.readTextFile(`${dir}/${page}`);
    for (const m of html.matchAll(/\s(?:href|src)="([^"]*)"/g)) links.push({ page, url: m[1] });
  }
  return links;
}

/** Opens `url` and returns what went wrong while it loaded. */
async function visit(page: Page, url: string) {
  // Leave the previous page first, so its late requests (a font still loading) cannot be
  // aborted on this page's account.
  await page.goto("about:blank");
  const problems: string[] = [];
  const onConsole = (m: { type(): string; text(): string }) => {
    if (m.type() === "error") problems.push(`console error: ${m.text()}`);
  };
  const onPageError = (e: Error) => problems.push(`page error: ${e.message}`);
  const onFailed = (r: { url(): string; failure(): { errorText: string } | null }) =>
    problems.push(`failed request: ${r.url()} ${r.failure()?.errorText}`);
  const onResponse = (r: { url(): string; status(): number }) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  };
  page.on("console", onConsole);
  page.on("pageerror", onPageError);
  page.on("requestfailed", onFailed);
  page.on("response", onResponse);
  await page.goto(url, { waitUntil: "load" });
  // A page with islands goes on loading (bundles, workers, wasm) after its load event: wait
  // for the network to go quiet. One without them has loaded everything by then.
  if (await page.locator("[data-island]").count() > 0) {
    await page.waitForLoadState("networkidle");
  }
  page.off("console", onConsole);
  page.off("pageerror", onPageError);
  page.off("requestfailed", onFailed);
  page.off("response", onResponse);
  return problems;
}

Deno.test(needs(chromiumMissing(CHROMIUM), {
  name: "site: static build and server in Chromium",
  fn: siteInChromium,
}));
async function siteInChromium(t: Deno.TestContext) {
  const out = await Deno.makeTempDir({ prefix: "litconv-site-" });
  const work = await Deno.makeTempDir({ prefix: "litconv-serve-" });
  const [all, counts] = await Promise.all([build(out), lessonCounts()]);
  const shown = (what: "figures" | "tables") =>
    Object.entries(counts).map(([slug, c]) => [slug, c[what]] as const).filter(([, n]) => n > 0);
  const pages = all.filter((p) => p.endsWith(".html"));
  const files = serveFiles(out);
  const dev = await serve(0, work);
  const browser = await launchBrowser();
  const offMachine: string[] = [];
  try {
    await t.step("deno task site: a taken port is a clear message", async () => {
      const { code, stderr } = await new Deno.Command(Deno.execPath(), {
        args: ["task", "site", "--port", String(dev.port)],
        stdout: "null",
        stderr: "piped",
      }).output();
      assert.equal(code, 1);
      assert.match(decoder.decode(stderr), new RegExp(`port ${dev.port} .* already taken`));
    });

    await t.step(
      "every lesson page offers its notebook, made from the lesson's source",
      async () => {
        for (const file of Deno.readDirSync(new URL("../lessons/", import.meta.url))) {
          const m = /^(\d\d)_(\w+)\.ts$/.exec(file.name);
          if (!m) continue;
          const slug = `${m[1]}-${m[2].replaceAll("_", "-")}`;
          const html = await Deno.readTextFile(`${out}/lessons/${slug}/index.html`);
          const name = file.name.replace(/\.ts$/, ".ipynb");
          assert.ok(html.includes(`href="../../notebooks/${name}"`), `${slug}: no notebook link`);
          const nb = JSON.parse(await Deno.readTextFile(`${out}/notebooks/${name}`));
          assert.equal(nb.nbformat, 4);
          assert.equal(nb.metadata.kernelspec.name, "deno");
          assert.ok(nb.cells.some((c: { cell_type: string }) => c.cell_type === "markdown"));
          assert.equal(nb.metadata.litconv.lesson, `lessons/${file.name}`);
        }
      },
    );

    await t.step("link check: no root-absolute link, no broken link", async () => {
      const links = await linksOf(out, pages);
      assert.ok(links.length > 100, `only ${links.length} links`);
      for (const { page, url } of links) {
        if (/^(data:|#|mailto:)/.test(url)) continue;
        assert.ok(!url.startsWith("/"), `${page}: root-absolute link ${url}`);
        assert.ok(!/^[a-z]+:/i.test(url), `${page}: link off the site ${url}`);
        const target = new URL(url, `file://${out}/${page}`);
        const path = decodeURIComponent(target.pathname);
        const stat = await Deno.stat(path).catch(() => null);
        assert.ok(stat?.isFile, `${page}: broken link ${url}`);
        if (target.hash && path.endsWith(".html")) {
          const id = decodeURIComponent(target.hash.slice(1));
          const html = await Deno.readTextFile(path);
          assert.ok(html.includes(`id="${id}"`), `${page}: no anchor ${url}`);
        }
      }
    });

    const context = await browser.newContext();
    // Anything not on this machine is recorded and refused.
    await context.route("**/*", (route) => {
      const url = new URL(route.request().url());
      if (url.protocol === "data:" || url.protocol === "file:" || url.hostname === "127.0.0.1") {
        return route.continue();
      }
      offMachine.push(url.href);
      return route.abort();
    });
    const page = await context.newPage();

    for (
      const [name, base] of [["static build", `http://127.0.0.1:${files.addr.port}/`], [
        "server",
        dev.url,
      ]]
    ) {
      // The server renders each page from the same code as the build: it must serve the
      // build's bytes, so the browser need only load a few of its pages (the build's all).
      if (name === "server") {
        await t.step("server: every page is the static build's, byte for byte", async () => {
          for (const path of pages) {
            const served = await (await fetch(base + path)).text();
            const built = await Deno.readTextFile(`${out}/${path}`);
            assert.ok(served === built, `server ${path} differs from the static build's`);
          }
        });
      }
      const visited = name === "server" ? SERVER_VISITS : pages;
      await t.step(`${name}: ${visited.length} pages load cleanly`, async () => {
        for (const path of visited) {
          const problems = await visit(page, base + path);
          assert.deepEqual(problems, [], `${name} ${path}: ${JSON.stringify(problems)}`);
          // Headings in order (never a jump down of two levels), one h1, alt text on images.
          const levels = await page.locator("h1, h2, h3, h4, h5, h6").evaluateAll((hs) =>
            hs.map((h) => Number(h.tagName[1]))
          );
          assert.equal(levels.filter((l) => l === 1).length, 1, `${path}: one h1`);
          levels.forEach((l, i) =>
            assert.ok(i === 0 || l <= levels[i - 1] + 1, `${path}: h${levels[i - 1]} → h${l}`)
          );
          const noAlt = await page.locator("img:not([alt]), img[alt='']").count();
          assert.equal(noAlt, 0, `${path}: images without alt text`);
          // A page without islands ships no JavaScript at all.
          const scripts = await page.locator("script[src]").count();
          const islands = await page.locator("[data-island]").count();
          assert.equal(scripts > 0, islands > 0, `${path}: scripts only with islands`);
        }
      });

      await t.step(`${name}: math rendered, the lecture's numbers shown`, async () => {
        await page.goto(`${base}lessons/02-conv1d/index.html`);
        assert.ok(await page.locator(".katex").count() > 10, "KaTeX math on lesson 02");
        assert.equal(await page.locator(".katex-error").count(), 0);
        const outputs02 = await page.locator(".output pre").allTextContents();
        assert.ok(
          outputs02.some((o) => o.includes("[ 5 14 16 26 24 34 19 22]")),
          `conv1d output missing: ${outputs02.join(" | ")}`,
        );
        await page.goto(`${base}lessons/07-regularization/index.html`);
        const outputs07 = (await page.locator(".output pre").allTextContents()).join("\n");
        assert.match(outputs07, /0\.3711/, "BCE 0.3711");
        assert.match(outputs07, /0\.5996/, "cross-entropy 0.5996");
        // Charts: every run's curves and rotation, the comparison, predictions pictures.
        await page.goto(`${base}results/index.html`, { waitUntil: "networkidle" });
        const runs = await page.locator("section.run").count();
        assert.ok(runs >= 2, `${runs} runs on the results page`);
        assert.ok(await page.locator("section.run .chart").count() >= 2 * runs, "run charts");
        assert.ok(await page.locator("#compare .chart svg").count() >= 1, "lecture vs extra-conv");
        // The seed record (data/reference/seeds.json): a row per seed, and the lecture's place.
        assert.ok(await page.locator("#seeds tbody tr").count() >= 3, "three seeds or more");
        assert.match(
          await page.locator("#seeds p").first().innerText(),
          /lecture's own run reached 99\.26 %, (inside|outside) that spread/,
        );
        // The lecture's own PyTorch loop for the same seed numbers (bench/torch_seeds.ts).
        assert.match(
          await page.locator("#seeds .pytorch-seeds").innerText(),
          /same seed numbers: mean \d+\.\d\d % ± \d\.\d\d %/,
        );
        assert.equal(
          await page.locator("#seeds thead th").last().innerText(),
          "PyTorch: test accuracy",
        );
        const pictures = await page.locator("img.predictions").evaluateAll((imgs) =>
          imgs.map((i) => (i as HTMLImageElement).naturalWidth)
        );
        assert.ok(pictures.length >= 1 && pictures.every((w) => w > 0), `${pictures}`);
        await page.goto(`${base}lessons/07-regularization/index.html`);
        // KaTeX's fonts came from the build, not from outside.
        const fonts = await page.evaluate(async () => {
          await document.fonts.ready;
          return document.fonts.check("16px KaTeX_Main");
        });
        assert.ok(fonts, "KaTeX_Main font loaded");
      });
    }

    await t.step("explorer: stride 1 → 2 shortens the lecture's output from 8 to 4", async () => {
      const problems = await visit(page, `http://127.0.0.1:${files.addr.port}/explorer/index.html`);
      assert.deepEqual(problems, []);
      await page.waitForSelector("[data-island=ConvExplorer][data-hydrated=true]");
      const length = page.getByTestId("output-length");
      assert.equal(await length.textContent(), "8");
      assert.equal(
        (await page.getByTestId("output").locator("button").allTextContents()).join(" "),
        "5 14 16 26 24 34 19 22",
      );
      await page.getByTestId("stride").fill("2");
      assert.equal(await length.textContent(), "4");
      assert.match(await page.getByTestId("formula").textContent() ?? "", /\/2⌋ \+ 1 = 4/);
      // The textbook's loop visits the windows starting at 0 and 2 only.
      await page.getByTestId("bug").check();
      assert.equal(await length.textContent(), "2");
      assert.equal(await page.locator("[data-testid=padded] .skipped").count() > 0, true);
      // Keyboard: step to the next window with the keyboard.
      await page.getByTestId("bug").uncheck();
      await page.getByRole("button", { name: "next window ▶" }).focus();
      await page.keyboard.press("Enter");
      assert.match(await page.getByTestId("step").textContent() ?? "", /window 2 of 4/);
      assert.match(await page.getByTestId("sum").textContent() ?? "", /= 16$/);
      // 2-D: the lecture's 4×4 X and 3×3 W with padding 1 give 4×4 outputs, by conv2d.
      await page.getByTestId("dims").selectOption("2");
      assert.equal(await length.textContent(), "16");
      assert.equal(
        (await page.getByTestId("output").locator("button").allTextContents()).slice(0, 4).join(
          " ",
        ),
        "11 25 32 13",
      );
    });

    await t.step("search: typing finds a section and its link opens it", async () => {
      await page.goto(`http://127.0.0.1:${files.addr.port}/index.html`);
      await page.waitForSelector("[data-island=Search][data-hydrated=true]");
      await page.getByTestId("search").fill("stride");
      // A section heading of lesson 02 (its exact words belong to the lesson).
      const link = page.getByTestId("search-results").locator('a[href*="02-conv1d/index.html#"]')
        .first();
      assert.match(await link.textContent() ?? "", /stride/i);
      const id = (await link.getAttribute("href"))!.split("#")[1];
      await link.click();
      await page.waitForLoadState();
      assert.match(page.url(), new RegExp(`lessons/02-conv1d/index\\.html#${id}$`));
      assert.equal(await page.locator(`[id="${id}"]`).count(), 1);
    });

    await t.step("draw a digit: a mouse stroke like a 1 is read as a 1", async () => {
      const problems: string[] = [];
      page.on("pageerror", (e) => problems.push(e.message));
      page.on("requestfailed", (r) => problems.push(`failed request ${r.url()}`));
      await page.goto(`http://127.0.0.1:${files.addr.port}/draw/index.html`, {
        waitUntil: "networkidle",
      });
      await page.waitForSelector("[data-island=DigitPad][data-hydrated=true]");
      const box = (await page.getByTestId("pad").boundingBox())!;
      // A stroke like a 1: down the middle of the pad.
      await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.15);
      await page.mouse.down();
      for (let i = 1; i <= 12; i++) {
        await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * (0.15 + i * 0.06));
      }
      await page.mouse.up();
      const probs = page.getByTestId("prob");
      await page.waitForFunction(
        () => document.querySelector("[data-testid=probs]")?.getAttribute("data-sum") !== "",
        null,
        { timeout: 60_000 },
      );
      const ps = (await probs.evaluateAll((els) => els.map((e) => e.getAttribute("data-p"))))
        .map(Number);
      assert.equal(ps.length, 10);
      assert.ok(ps.every((p) => p >= 0 && p <= 1), `${ps}`);
      assert.ok(Math.abs(ps.reduce((a, b) => a + b, 0) - 1) < 1e-4, `sum of ${ps}`);
      // The committed reference model reads it (tests/digit_test.ts draws the same stroke).
      assert.equal(ps.indexOf(Math.max(...ps)), 1, `a drawn 1 read as ${ps}`);
      assert.ok(ps[1] > 0.5, `a drawn 1: p = ${ps[1]}`);
      assert.match(await page.getByTestId("status").textContent() ?? "", /reads a 1 /);
      assert.equal(await page.getByTestId("maps").locator("canvas").count(), 32);
      // The slider rotates what the network sees, and it reads again.
      const before = await page.getByTestId("status").textContent();
      await page.getByTestId("rotation").fill("90");
      await page.waitForFunction(
        (old) => document.querySelector("[data-testid=status]")?.textContent !== old,
        before,
      );
      assert.equal(await page.getByTestId("angle").textContent(), "90°");
      assert.deepEqual(problems, []);
    });

    await t.step(
      "dark mode: follows the system, the toggle flips it, math keeps the text colour",
      async () => {
        const url = `http://127.0.0.1:${files.addr.port}/lessons/02-conv1d/index.html`;
        const dark = await browser.newContext({ colorScheme: "dark" });
        const light = await browser.newContext({ colorScheme: "light" });
        try {
          const look = async (p: Page) =>
            await p.evaluate(() => ({
              bg: getComputedStyle(document.body).backgroundColor,
              fg: getComputedStyle(document.body).color,
              math: getComputedStyle(document.querySelector(".katex")!).color,
            }));
          const d = await dark.newPage(), l = await light.newPage();
          await d.goto(url);
          await l.goto(url);
          const [inDark, inLight] = [await look(d), await look(l)];
          assert.notEqual(inDark.bg, inLight.bg);
          assert.equal(inDark.math, inDark.fg, "math in dark mode has the text colour");
          // The Theme switch (a label for a checkbox; works from the keyboard too).
          await l.getByText("Theme", { exact: false }).click();
          assert.equal((await look(l)).bg, inDark.bg);
          await d.keyboard.press("Tab"); // the first stop is the switch
          await d.keyboard.press("Space");
          assert.equal((await look(d)).bg, inLight.bg);
        } finally {
          await dark.close();
          await light.close();
        }
      },
    );

    await t.step(
      "lesson figures: each page has its figures, with alt text, none broken, light and dark",
      async () => {
        const base = `http://127.0.0.1:${files.addr.port}/lessons/`;
        for (const colorScheme of ["light", "dark"] as const) {
          const context = await browser.newContext({
            colorScheme,
            viewport: { width: 360, height: 800 },
          });
          try {
            const p = await context.newPage();
            for (const [slug, expected] of shown("figures")) {
              await p.goto(`${base}${slug}/index.html`, { waitUntil: "networkidle" });
              const figures = await p.locator("figure.lesson-figure").evaluateAll(async (els) => {
                // Relative luminance and contrast, as WCAG defines them.
                const lum = (css: string) => {
                  const [r, g, b] = (css.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number).map(
                    (v) => {
                      const c = v / 255;
                      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
                    },
                  );
                  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
                };
                const bg = lum(getComputedStyle(document.body).backgroundColor);
                return await Promise.all(els.map(async (el) => {
                  const svg = el.querySelector("svg")!;
                  const box = svg.getBoundingClientRect();
                  const fg = lum(getComputedStyle(svg).color);
                  const images = await Promise.all(
                    [...svg.querySelectorAll("image")].map(async (im) => {
                      const i = new Image();
                      i.src = im.getAttribute("href") ?? "";
                      return await i.decode().then(() => i.naturalWidth > 0, () => false);
                    }),
                  );
                  // A figure too wide to keep its text legible scrolls inside its own box.
                  const wrap = el.querySelector(".fig")!.getBoundingClientRect();
                  return {
                    alt: svg.getAttribute("aria-label") ?? "",
                    role: svg.getAttribute("role"),
                    width: box.width,
                    height: box.height,
                    fitsPhone: wrap.right <= globalThis.innerWidth,
                    marks: svg.querySelectorAll("rect, circle, path, line, text, image").length,
                    contrast: (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05),
                    imagesOk: images.every((ok) => ok),
                  };
                }));
              });
              const where = `${slug} (${colorScheme})`;
              assert.ok(
                figures.length >= expected,
                `${where}: ${figures.length} figures of ${expected}`,
              );
              for (const [k, f] of figures.entries()) {
                assert.equal(f.role, "img", `${where} figure ${k + 1}`);
                assert.ok(f.alt.length > 40, `${where} figure ${k + 1}: alt "${f.alt}"`);
                assert.ok(
                  f.width > 100 && f.height > 50 && f.marks >= 3,
                  `${where} figure ${k + 1}: ${JSON.stringify(f)}`,
                );
                assert.ok(f.fitsPhone, `${where} figure ${k + 1} is wider than the phone`);
                assert.ok(f.imagesOk, `${where} figure ${k + 1}: a picture inside does not decode`);
                assert.ok(
                  f.contrast >= 7,
                  `${where} figure ${k + 1}: text contrast ${f.contrast.toFixed(1)}`,
                );
              }
            }
          } finally {
            await context.close();
          }
        }
      },
    );

    await t.step(
      "phone, dark: no sideways page, no raw math, figure text ≥ 10 px, no white chart panel",
      async () => {
        const base = `http://127.0.0.1:${files.addr.port}/`;
        const context = await browser.newContext({
          colorScheme: "dark",
          viewport: { width: 360, height: 800 },
        });
        try {
          const p = await context.newPage();
          // Every page: the lessons, their source pages, the results, the docs, the tools.
          const paths = pages.filter((f) => f !== "404.html");
          assert.ok(paths.length >= 30, `${paths.length} pages`);
          for (const path of paths) {
            // "load", not "networkidle": layout and figures are in the served HTML, and waiting
            // out half a second of quiet on each of ~36 pages would double this step.
            await p.goto(base + path, { waitUntil: "load" });
            await p.evaluate(() => document.fonts.ready);
            const found = await p.evaluate(() => {
              const problems: string[] = [];
              const width = document.documentElement.clientWidth;
              if (document.documentElement.scrollWidth > width) {
                problems.push(`the page is ${document.documentElement.scrollWidth} px wide`);
              }
              // Whatever reaches past the screen must sit in a box that scrolls or clips.
              const inScroller = (e: Element | null) => {
                for (let x = e; x; x = x.parentElement) {
                  if (/auto|scroll|hidden/.test(getComputedStyle(x).overflowX)) return true;
                }
                return false;
              };
              for (const e of document.querySelectorAll("body *")) {
                const b = e.getBoundingClientRect();
                if (b.width > 0 && b.right > width + 1 && !inScroller(e.parentElement)) {
                  problems.push(`${e.tagName.toLowerCase()}.${e.className} ends at ${b.right}`);
                  break;
                }
              }
              // Rendered text outside code and math: no $ delimiter, no TeX command.
              const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
              for (let n = walk.nextNode(); n; n = walk.nextNode()) {
                if (n.parentElement!.closest("pre, code, .katex, script, style, svg")) continue;
                const m = /\$\S|\\[a-zA-Z]{2,}/.exec(n.textContent ?? "");
                if (m) problems.push(`raw math: ${n.textContent!.trim().slice(0, 60)}`);
              }
              // Figure and chart text as drawn: its font size times the figure's scale.
              for (const t of document.querySelectorAll("svg text")) {
                if ((t as SVGTextElement).getBoundingClientRect().width === 0) continue;
                let root = (t as SVGTextElement).ownerSVGElement!;
                while (root.ownerSVGElement) root = root.ownerSVGElement;
                const vb = root.viewBox.baseVal;
                const scale = vb?.width ? root.getBoundingClientRect().width / vb.width : 1;
                const px = parseFloat(getComputedStyle(t).fontSize) * scale;
                if (px < 10) {
                  problems.push(
                    `${px.toFixed(1)} px text "${t.textContent}" in ` +
                      `"${root.getAttribute("aria-label")?.slice(0, 40)}"`,
                  );
                  break;
                }
              }
              // In dark mode a chart has no white panel behind it.
              for (const r of document.querySelectorAll("svg rect")) {
                const b = r.getBoundingClientRect();
                if (getComputedStyle(r).fill === "rgb(255, 255, 255)" && b.width * b.height > 1e4) {
                  problems.push(
                    `a white panel in "${
                      (r as SVGElement).ownerSVGElement?.getAttribute("aria-label")?.slice(0, 40)
                    }"`,
                  );
                }
              }
              return problems;
            });
            assert.deepEqual(found, [], `${path}: ${found.join("; ")}`);
          }
        } finally {
          await context.close();
        }
      },
    );

    await t.step(
      "lesson tables: HTML tables, numbers aligned right, inside a 360 px phone",
      async () => {
        const base = `http://127.0.0.1:${files.addr.port}/lessons/`;
        const context = await browser.newContext({ viewport: { width: 360, height: 800 } });
        try {
          const p = await context.newPage();
          for (const [slug, expected] of shown("tables")) {
            await p.goto(`${base}${slug}/index.html`, { waitUntil: "networkidle" });
            const tables = await p.locator("[data-output=table]").evaluateAll((els) =>
              els.map((wrap) => {
                const table = wrap.querySelector("table")!;
                const heads = table.querySelectorAll("thead tr:last-child th").length;
                const rows = [...table.querySelectorAll("tbody tr")];
                const num = table.querySelector("td.num");
                return {
                  heads,
                  rows: rows.length,
                  even: rows.every((r) => r.children.length === heads),
                  right: num ? getComputedStyle(num).textAlign : "right",
                  fits: wrap.getBoundingClientRect().right <= globalThis.innerWidth,
                };
              })
            );
            assert.ok(tables.length >= expected, `${slug}: ${tables.length} tables of ${expected}`);
            for (const [k, tb] of tables.entries()) {
              const where = `${slug} table ${k + 1}: ${JSON.stringify(tb)}`;
              assert.ok(tb.heads >= 2 && tb.rows >= 2 && tb.even, where);
              assert.equal(tb.right, "right", where);
              assert.ok(tb.fits, `${where}: wider than the phone (it should scroll inside)`);
            }
          }
        } finally {
          await context.close();
        }
      },
    );

    await t.step("static build opened as files: a lesson page without a server", async () => {
      const problems = await visit(page, `file://${out}/lessons/03-padding/index.html`);
      assert.deepEqual(problems, []);
      const next = page.locator("a[rel=next]");
      await next.click();
      await page.waitForLoadState();
      assert.match(page.url(), /lessons\/04-conv2d\/index\.html$/);
    });

    await t.step("nothing left the machine", () => {
      assert.deepEqual(offMachine, []);
    });
  } finally {
    await browser.close();
    await files.shutdown();
    dev.child.kill("SIGTERM");
    await dev.child.status;
    await dev.stderr.cancel();
    await Deno.remove(out, { recursive: true });
    await Deno.remove(work, { recursive: true });
  }
}

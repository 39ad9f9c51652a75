/**
 * The `/train/` page in a real browser: Debian's Chromium (playwright-core, no GPU) opens the
 * static build (`deno task site:build`, served as plain files) and trains the lecture's CNN
 * on a small subset for a bounded number of steps. The loss curve gains points, Stop halts it
 * and Resume goes on from the same step, validation accuracy rises above chance (> 0.2)
 * within two minutes, and the saved model reads a digit on the draw-a-digit pad.
 *
 * It prints the backend, the step time and images/s it measured. Set SCREENSHOTS=DIR to also
 * save the page after training at 1280 and 360 px, light and dark, for a person to look at.
 */
import assert from "node:assert/strict";
import { CHROMIUM, openSite } from "./browser.ts";
import { chromiumMissing, needs } from "./requirements.ts";
import type { Locator, Page } from "../deps/playwright_core.ts";
import { TRAIN_IMAGES, VALID_IMAGES } from "../site/lib/train_data.ts";

/** A short run: 1,280 training images, 200 validation images, batches of 32. */
const RUN = "?train=1280&valid=200&batch=32&every=10&steps=60";

/** The lessons whose sliding-window figure is an island, and the kind each draws. */
const FIGURE_LESSONS = [
  ["02-conv1d", "conv1d"],
  ["04-conv2d", "conv2d"],
  ["05-pooling", "pool"],
  ["06-channels", "channels"],
] as const;

/** With SCREENSHOTS=DIR: `what` at 1280 and 360 px, light and dark (the element, or the page). */
async function shoot(page: Page, what: string, element?: Locator) {
  const dir = Deno.env.get("SCREENSHOTS");
  if (!dir) return;
  await Deno.mkdir(dir, { recursive: true });
  for (const colorScheme of ["light", "dark"] as const) {
    for (const width of [1280, 360]) {
      await page.emulateMedia({ colorScheme });
      await page.setViewportSize({ width, height: 900 });
      const path = `${dir}/${what}-${width}-${colorScheme}.png`;
      if (element) await element.screenshot({ path });
      else await page.screenshot({ path, fullPage: true });
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize({ width: 1280, height: 900 });
}

const attr = (page: Page, selector: string, name: string) =>
  page.locator(selector).first().getAttribute(name);

/** The points the accuracy chart's validation series and the loss chart hold. */
async function points(page: Page) {
  const n = async (series: string) =>
    Number(await attr(page, `[data-series="${series}"]`, "data-points"));
  return { loss: await n("loss (batch)"), valid: await n("validation") };
}

Deno.test(needs(chromiumMissing(CHROMIUM), {
  name:
    "train page and lesson figures in Chromium: step-through figures; the CNN learns, stops, resumes",
  fn: async (t) => {
    const { out, base, context, page, problems, close } = await openSite("litconv-train-");
    // Nothing may come from outside the build.
    await context.route(
      "**/*",
      (route) => route.request().url().startsWith(base) ? route.continue() : route.abort(),
    );
    try {
      await t.step("the build wrote the subset and says what the terminal reached", async () => {
        const size = async (f: string) => (await Deno.stat(`${out}/train/data/${f}`)).size;
        assert.equal(await size("mnist-train-images.u8"), TRAIN_IMAGES * 784);
        assert.equal(await size("mnist-train-labels.u8"), TRAIN_IMAGES);
        assert.equal(await size("mnist-valid-images.u8"), VALID_IMAGES * 784);
        assert.equal(await size("mnist-valid-labels.u8"), VALID_IMAGES);
        // The validation split's first image is MNIST's first training image, a 5.
        const labels = await Deno.readFile(`${out}/train/data/mnist-valid-labels.u8`);
        assert.equal(labels[0], 5);
        const metrics = JSON.parse(
          await Deno.readTextFile(
            new URL("../data/reference/lecture/metrics.json", import.meta.url),
          ),
        );
        const html = await Deno.readTextFile(`${out}/train/index.html`);
        assert.ok(
          html.includes(`${(metrics.testAccuracy * 100).toFixed(2)} %`),
          "the page states the reference run's test accuracy",
        );
      });

      await t.step(
        "lesson figures: step through the windows, computed in the browser",
        async () => {
          for (const [slug, kind] of FIGURE_LESSONS) {
            await page.goto(`${base}lessons/${slug}/index.html`);
            const island = page.locator(`[data-island="SlidingWindow"]:has([data-kind="${kind}"])`);
            assert.equal(await island.count(), 1, `${slug}: one step-through figure`);
            assert.equal(
              await page.locator(`article.lesson [data-island="SlidingWindow"]`).count(),
              1,
              `${slug}: the figure sits inside the lesson's article`,
            );
            await island.scrollIntoViewIfNeeded();
            await page.waitForSelector(
              `[data-island="SlidingWindow"][data-hydrated="true"] [data-kind="${kind}"] svg`,
            );
            const sum = island.locator('[data-testid="window-sum"]');
            const before = await sum.innerText();
            // Pointing at the last output cell moves the window there, and the sum with it.
            await island.locator("g.pick").last().hover();
            const after = await sum.innerText();
            assert.notEqual(after, before, `${slug}: the sum follows the pointer`);
            const step = await island.locator("[data-step]").getAttribute("data-step");
            // The keyboard steps back one output.
            await island.locator(".window-live").focus();
            await page.keyboard.press("ArrowLeft");
            assert.equal(
              Number(await island.locator("[data-step]").getAttribute("data-step")),
              Number(step) - 1,
              `${slug}: ArrowLeft steps back`,
            );
            // The value after "=" is the one lit in the output grid.
            const value = /= (-?[\d.]+)(;|$)/.exec(await sum.innerText())?.[1];
            assert.ok(value, `${slug}: a sum with a value`);
            const lit = await island.locator("g.pick text[font-weight=bold]").allTextContents();
            assert.ok(lit.includes(value), `${slug}: ${value} is lit in the output (${lit})`);
            await shoot(page, `figure-${slug}`, island);
          }
        },
      );

      await t.step("training: curves grow, Stop and Resume, accuracy above chance", async () => {
        await page.goto(`${base}train/index.html${RUN}`);
        await page.waitForSelector('[data-island="TrainCnn"][data-hydrated="true"]');
        const started = Date.now();
        await page.getByRole("button", { name: /^(Train|Start)/ }).click();
        // The first validation pass, after 10 steps.
        await page.waitForFunction(
          () => document.querySelector("[data-accuracy]")?.getAttribute("data-accuracy"),
          null,
          { timeout: 120_000 },
        );
        const early = await points(page);
        assert.ok(early.loss >= 10, `loss curve has ${early.loss} points`);
        await page.getByRole("button", { name: "Stop" }).click();
        await page.waitForSelector('.train[data-state="stopped"]', { timeout: 60_000 });
        const stoppedAt = Number(await attr(page, "[data-step]", "data-step"));
        await new Promise((r) => setTimeout(r, 1500));
        assert.equal(
          Number(await attr(page, "[data-step]", "data-step")),
          stoppedAt,
          "no step after Stop",
        );
        await page.getByRole("button", { name: /^Resume/ }).click();
        const left = 120_000 - (Date.now() - started);
        await page.waitForFunction(
          () =>
            Number(document.querySelector("[data-accuracy]")?.getAttribute("data-accuracy")) > 0.2,
          null,
          { timeout: Math.max(left, 1000) },
        );
        const later = await points(page);
        assert.ok(later.loss > stoppedAt, "Resume went on training");
        assert.ok(later.valid > early.valid, "the validation curve gained points");
        const stats = {
          backend: await attr(page, "[data-backend]", "data-backend"),
          stepMs: await attr(page, "[data-step-ms]", "data-step-ms"),
          imagesPerSecond: await attr(page, "[data-images-per-second]", "data-images-per-second"),
          accuracy: await attr(page, "[data-accuracy]", "data-accuracy"),
          seconds: ((Date.now() - started) / 1000).toFixed(0),
        };
        console.log(`in-browser training (batch 32): ${JSON.stringify(stats)}`);
        assert.ok(stats.backend, "the backend is shown");
      });

      await t.step("the saved model reads a digit on the draw-a-digit pad", async () => {
        await page.waitForSelector('.train[data-state="done"]', { timeout: 120_000 });
        await page.getByRole("button", { name: /Save for the draw/ }).click();
        const link = page.getByRole("link", { name: /Draw a digit with it/ });
        await link.waitFor();
        const dir = Deno.env.get("SCREENSHOTS");
        if (dir) {
          await Deno.mkdir(dir, { recursive: true });
          for (const colorScheme of ["light", "dark"] as const) {
            for (const width of [1280, 360]) {
              await page.emulateMedia({ colorScheme });
              await page.setViewportSize({ width, height: 900 });
              await page.screenshot({
                path: `${dir}/train-${width}-${colorScheme}.png`,
                fullPage: true,
              });
            }
          }
          await page.setViewportSize({ width: 1280, height: 900 });
        }
        await link.click();
        await page.waitForSelector('[data-island="DigitPad"][data-hydrated="true"]');
        await page.getByRole("button", { name: /Draw an example/ }).click();
        await page.waitForFunction(
          () =>
            /reads a \d/.test(document.querySelector('[data-testid="status"]')?.textContent ?? ""),
          null,
          { timeout: 60_000 },
        );
        assert.match(await page.locator("main").innerText(), /the model you trained/);
      });
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  },
}));

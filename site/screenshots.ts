/**
 * Screenshots of the site for a person to look at (kept out of git): the home page, every
 * lesson (its first screen, the whole page, and each row of figures on its own), the
 * results page and both islands, at desktop and phone width (360 px), light and dark.
 * Serves the site itself on a free port.
 *
 * ```text
 * deno run -A site/screenshots.ts [OUT_DIR]   # default .site-cache/screenshots
 * ```
 *
 * @module
 */
import { chromium } from "../deps/playwright_core.ts";
import { ROOT_DIR } from "./lib/assets.ts";
import { startServer } from "./lib/server.ts";

const LESSON_PAGES = [
  "01-building-blocks",
  "02-conv1d",
  "03-padding",
  "04-conv2d",
  "05-pooling",
  "06-channels",
  "07-regularization",
  "08-mnist-cnn",
  "09-rotation",
  "10-extra-conv",
  "11-backprop",
];
const PAGES: [string, string][] = [
  ["home", "index.html"],
  ...LESSON_PAGES.map((slug): [string, string] => [
    `lesson-${slug.slice(0, 2)}`,
    `lessons/${slug}/index.html`,
  ]),
  ["results", "results/index.html"],
  ["explorer", "explorer/index.html"],
  ["draw", "draw/index.html"],
];
const SIZES = { desktop: { width: 1280, height: 1300 }, phone: { width: 360, height: 780 } };

if (import.meta.main) {
  const out = Deno.args[0] ?? `${ROOT_DIR}/.site-cache/screenshots`;
  await Deno.mkdir(out, { recursive: true });
  const server = await startServer({ port: 0, workDir: `${ROOT_DIR}/.site-cache/shots-serve` });
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
  });
  try {
    for (const [size, viewport] of Object.entries(SIZES)) {
      for (const colorScheme of ["light", "dark"] as const) {
        const context = await browser.newContext({ viewport, colorScheme });
        const page = await context.newPage();
        for (const [name, path] of PAGES) {
          await page.goto(server.url + path, { waitUntil: "networkidle" });
          if (name === "draw") {
            await page.waitForSelector("[data-hydrated=true]");
            await page.getByRole("button", { name: "Draw an example 7" }).click();
            await page.waitForFunction(() =>
              document.querySelector("[data-testid=probs]")?.getAttribute("data-sum") !== ""
            );
          }
          await page.waitForTimeout(300);
          const file = `${out}/${name}-${size}-${colorScheme}.png`;
          await page.screenshot({
            path: file,
            fullPage: size === "phone" && (name === "explorer" || name === "draw"),
          });
          console.log(file);
          // The explorer again with stride 2 and the textbook's loop: the skipped windows.
          if (name === "explorer") {
            await page.getByTestId("stride").fill("2");
            await page.getByTestId("bug").check();
            const at = `${out}/${name}-bug-${size}-${colorScheme}.png`;
            await page.screenshot({ path: at, fullPage: size === "phone" });
            console.log(at);
          }
          if (name.startsWith("lesson")) {
            // The whole page, and each row of figures on its own (with its captions).
            const full = `${out}/${name}-full-${size}-${colorScheme}.png`;
            await page.screenshot({ path: full, fullPage: true });
            console.log(full);
            const rows = page.locator(".figures");
            for (let k = 0; k < await rows.count(); k++) {
              const at = `${out}/${name}-figures${k + 1}-${size}-${colorScheme}.png`;
              await rows.nth(k).screenshot({ path: at });
              console.log(at);
            }
            // The first output with the lecture's value beside it, if any.
            const lecture = page.locator(".output:has(.lecture)").first();
            if (await lecture.count() > 0) {
              const at = `${out}/${name}-lecture-${size}-${colorScheme}.png`;
              await lecture.screenshot({ path: at });
              console.log(at);
            }
          }
        }
        await context.close();
      }
    }
  } finally {
    await browser.close();
    await server.shutdown();
  }
}

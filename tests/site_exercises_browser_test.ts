/**
 * The exercises on the lesson pages, in a real browser: Debian's Chromium (playwright-core)
 * opens the static build (`deno task site:build`, served as plain files) and, on lesson 02,
 * writes task 02.1 as a student would. A right `conv1d` passes; one that forgets to flip the
 * kernel fails and shows a counterexample; `while (true) {}` is stopped by the time limit
 * while the page keeps answering; the code survives a reload; the downloaded mod.ts is
 * graded by `deno task grade` like any submission.
 *
 * Set SCREENSHOTS=DIR to also save the exercise after a failed check at 1280 and 360 px,
 * light and dark, for a person to look at.
 */
import assert from "node:assert/strict";
import { CHROMIUM, openSite } from "./browser.ts";
import { chromiumMissing, needs } from "./requirements.ts";
import type { Page } from "../deps/playwright_core.ts";
import { TASKS } from "../kernels/registry.ts";

const decoder = new TextDecoder();

/** A right conv1d, as a student might write it: pad, flip the kernel, slide with the stride. */
const RIGHT = `export function conv1d(
  x: number[],
  w: number[],
  options: { padding?: number; stride?: number } = {},
): number[] {
  const p = options.padding ?? 0;
  const s = options.stride ?? 1;
  const padded = [...new Array(p).fill(0), ...x, ...new Array(p).fill(0)];
  const k = w.length;
  const out: number[] = [];
  for (let i = 0; i + k <= padded.length; i += s) {
    let sum = 0;
    for (let j = 0; j < k; j++) sum += padded[i + j] * w[k - 1 - j];
    out.push(sum);
  }
  return out;
}
`;
/** The same without the kernel flip: cross-correlation, the classic slip. */
const UNFLIPPED = RIGHT.replace("w[k - 1 - j]", "w[j]");
/** Never returns. */
const LOOPS = `export function conv1d(x: number[], w: number[]): number[] {
  while (true) {}
}
`;

/** Task 02.1's exercise, hydrated: its element, editor and Check button. */
async function exercise(page: Page) {
  const root = page.locator('[data-task="02.1"]');
  await root.scrollIntoViewIfNeeded();
  await page.waitForSelector('[data-island="Exercise"][data-hydrated="true"] [data-task="02.1"]');
  const check = root.getByRole("button", { name: /Check/ });
  await check.waitFor();
  return { root, editor: root.getByRole("textbox"), check };
}

/** Types `code` into the editor, presses Check and waits for the verdict. */
async function checkCode(page: Page, code: string): Promise<string> {
  const { root, editor, check } = await exercise(page);
  await editor.fill(code);
  await check.click();
  await page.waitForFunction(
    () => document.querySelector('[data-task="02.1"]')?.getAttribute("data-status"),
    null,
    { timeout: 90_000 },
  );
  return (await root.getAttribute("data-status"))!;
}

Deno.test(needs(chromiumMissing(CHROMIUM), {
  name: "exercises: task 02.1 checked, stopped, kept and downloaded in Chromium",
  fn: async (t) => {
    const { out, base, browser, page, problems, close } = await openSite("litconv-exercises-");
    const lesson02 = `${base}lessons/02-conv1d/index.html`;
    try {
      await t.step("every graded task has its exercise, editable before any script", async () => {
        for (const task of TASKS) {
          const html = await Deno.readTextFile(`${out}/lessons/${task.lesson}/index.html`);
          const at = html.indexOf(`data-task="${task.id}"`);
          assert.ok(at >= 0, `task ${task.id} has no exercise on ${task.lesson}`);
          const editor = /<textarea[^>]*>([^<]*)<\/textarea>/.exec(html.slice(at));
          assert.ok(editor, `task ${task.id}: no editor`);
          assert.match(editor[1], new RegExp(`export function ${task.fn}\\b`), task.id);
        }
        // A page without islands still ships no script.
        const results = await Deno.readTextFile(`${out}/results/index.html`);
        assert.doesNotMatch(results, /<script/);
      });

      await t.step("lesson 02 loads no checker until Check is pressed", async () => {
        const requested: string[] = [];
        page.on("request", (r) => requested.push(r.url()));
        await page.goto(lesson02, { waitUntil: "networkidle" });
        await exercise(page);
        assert.ok(!requested.some((u) => u.includes("workers/")), requested.join("\n"));
      });

      await t.step("a right conv1d passes", async () => {
        assert.equal(await checkCode(page, RIGHT), "passed");
        const text = await page.locator('[data-task="02.1"] .exercise-result').textContent();
        assert.match(text ?? "", /All tests passed: (\d+) of \1 tests passed/);
      });

      await t.step("without the kernel flip it fails, with a counterexample", async () => {
        assert.equal(await checkCode(page, UNFLIPPED), "failed");
        const tests = page.locator('[data-task="02.1"] .exercise-tests');
        const failedProperty = tests.locator("li.failed", { hasText: "property" }).first();
        const text = await failedProperty.textContent() ?? "";
        // The shrunk call, its arrays written as [a, b, …], then expected and got. The property's
        // seed is random, so its numbers may be any floats (a shrink once ended on -1.18e-30).
        const num = String.raw`-?\d+(?:\.\d+)?(?:e[+-]?\d+)?`;
        const list = String.raw`\[${num}(?:, ${num})*\]`;
        assert.match(text, new RegExp(String.raw`counterexample\s*conv1d\(${list}, ${list}`));
        assert.match(text, /expected\s*\[/);
        assert.match(text, /got\s*\[/);
        // The lecture's own example fails too, with its arrays.
        assert.match(
          await tests.locator("li.failed").first().textContent() ?? "",
          /conv1d\(\[1, 3, 2, 4, 5, 6, 1, 3\], \[1, 0, 3, 1, 2\], \{padding: 2\}\)/,
        );
      });

      await t.step("while (true) {} meets the time limit; the page keeps answering", async () => {
        const { root, editor, check } = await exercise(page);
        await editor.fill(LOOPS);
        await check.click();
        // While the worker spins, the page's own thread still runs script and takes input.
        assert.equal(await root.getAttribute("data-status"), null);
        assert.equal(await page.evaluate(() => 6 * 7), 42);
        await root.locator("h3 label").click();
        assert.equal(await page.evaluate(() => document.activeElement?.tagName), "TEXTAREA");
        await page.waitForFunction(
          () => document.querySelector('[data-task="02.1"]')?.getAttribute("data-status"),
          null,
          { timeout: 90_000 },
        );
        assert.equal(await root.getAttribute("data-status"), "failed");
        assert.match(
          await root.locator(".exercise-result").textContent() ?? "",
          /time limit.*stopped after \d+ s/i,
        );
        assert.equal(await check.isEnabled(), true);
      });

      await t.step("the code is kept across a reload, and Reset brings the stub back", async () => {
        const { editor } = await exercise(page);
        await editor.fill(RIGHT);
        await page.reload({ waitUntil: "networkidle" });
        const again = await exercise(page);
        assert.equal(await again.editor.inputValue(), RIGHT);
        await again.root.getByRole("button", { name: /Reset/ }).click();
        assert.match(await again.editor.inputValue(), /not implemented yet \(task 02\.1\)/);
        await page.reload({ waitUntil: "networkidle" });
        assert.match(await (await exercise(page)).editor.inputValue(), /not implemented yet/);
      });

      await t.step("the downloaded mod.ts is graded by deno task grade", async () => {
        const { root, editor } = await exercise(page);
        await editor.fill(RIGHT);
        const [download] = await Promise.all([
          page.waitForEvent("download"),
          root.getByRole("button", { name: /Download/ }).click(),
        ]);
        assert.equal(download.suggestedFilename(), "mod.ts");
        const dir = await Deno.makeTempDir({ prefix: "litconv-download-" });
        await download.saveAs(`${dir}/mod.ts`);
        const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
          args: ["task", "grade", dir, "--tasks", "02.1"],
          stdout: "piped",
          stderr: "piped",
        }).output();
        const report = decoder.decode(stdout);
        assert.equal(code, 0, decoder.decode(stderr));
        const [, score, max] = /Score: (\d+) \/ (\d+)/.exec(report) ?? [];
        assert.ok(Number(max) > 0 && score === max, report);
        await Deno.remove(dir, { recursive: true });
      });

      const shots = Deno.env.get("SCREENSHOTS");
      if (shots) {
        await t.step("screenshots", async () => {
          for (const colorScheme of ["light", "dark"] as const) {
            for (const width of [1280, 360]) {
              const ctx = await browser.newContext({
                viewport: { width, height: 900 },
                colorScheme,
              });
              const p = await ctx.newPage();
              await p.goto(lesson02, { waitUntil: "networkidle" });
              await checkCode(p, UNFLIPPED);
              await p.locator('[data-task="02.1"]').screenshot({
                path: `${shots}/exercise-${width}-${colorScheme}.png`,
              });
              await ctx.close();
            }
          }
        });
      }

      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  },
}));

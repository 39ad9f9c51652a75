/**
 * Puts the lessons in the test suite. Importing the index imports every lesson, which
 * registers the claims each lesson states as its own `Deno.test`s; the tests below check
 * the course as a whole: order, metadata, prose, exercises, and the lecture's numbers in
 * what each lesson prints.
 */
import assert from "node:assert/strict";
import { lessonBlocks, LESSONS } from "../lessons/index.ts";
import type { LiterateBlock } from "../lessons/literate.ts";
import { TASKS } from "../kernels/registry.ts";
import katex from "npm:katex@0.19.1";
import { channelsPicture, channelsPng, HEIGHT, WIDTH } from "../data/make_channels_png.ts";
import { decode } from "npm:fast-png@8.0.0";

const LESSON_DIR = new URL("../lessons/", import.meta.url);

/** Each lesson's examples, computed once for the tests that read them (they take a while). */
const computed = new Map<string, ReturnType<(typeof LESSONS)[number]["examples"]>>();
const examplesOf = (lesson: (typeof LESSONS)[number]) => {
  if (!computed.has(lesson.slug)) computed.set(lesson.slug, lesson.examples());
  return computed.get(lesson.slug)!;
};

Deno.test("lessons: every lessons/NN_*.ts file is in the index, in order, slugs match files", async () => {
  const files: string[] = [];
  for await (const f of Deno.readDir(LESSON_DIR)) {
    if (/^\d\d_.*\.ts$/.test(f.name)) files.push(f.name);
  }
  files.sort();
  assert.deepEqual(LESSONS.map((l) => l.url.pathname.split("/").pop()), files);
  LESSONS.forEach((l, i) => {
    assert.equal(l.order, i + 1, l.slug);
    const file = files[i].replace(/\.ts$/, "");
    assert.equal(l.slug, file.replace(/_/g, "-"), `slug of ${files[i]}`);
    assert.ok(l.title.length > 0 && l.summary.length > 20, `${l.slug}: title and summary`);
  });
});

Deno.test("lessons: each opens with its title, explains in prose, ends with exercises", async () => {
  for (const lesson of LESSONS) {
    const blocks = await lessonBlocks(lesson);
    const [head] = blocks;
    assert.equal(head.kind, "prose", lesson.slug);
    if (head.kind !== "prose") continue;
    assert.match(head.markdown, new RegExp(`^# ${String(lesson.order).padStart(2, "0")} · `));
    assert.ok(head.markdown.split("\n")[0].endsWith(lesson.title), `${lesson.slug}: title`);
    const prose = blocks.flatMap((b) => (b.kind === "prose" ? [b.markdown] : []));
    assert.ok(prose.length >= 4, `${lesson.slug}: prose between the code`);
    const exercises = prose.find((p) => p.startsWith("## Exercises"));
    assert.ok(exercises, `${lesson.slug}: exercises`);
    assert.match(exercises, /`\w+\(/, `${lesson.slug}: exercises name the function`);
    // Prose fences other than ```text would be type-checked and run by `deno test --doc`.
    for (const p of prose) assert.doesNotMatch(p, /```(?!text)\w/, `${lesson.slug}: fence`);
  }
});

/** A lesson's Exercises section (the prose block that starts with `## Exercises`). */
function exercisesOf(blocks: LiterateBlock[]): string {
  const found = blocks.find((b) => b.kind === "prose" && b.markdown.startsWith("## Exercises"));
  return found?.kind === "prose" ? found.markdown : "";
}

Deno.test("lessons: every graded task is named in its lesson's exercises, with how to start and check it", async () => {
  for (const lesson of LESSONS) {
    const exercises = exercisesOf(await lessonBlocks(lesson));
    const tasks = TASKS.filter((t) => t.lesson === lesson.slug);
    for (const task of tasks) {
      assert.ok(exercises.includes(`**Task ${task.id}**`), `${lesson.slug}: Task ${task.id}`);
      assert.ok(exercises.includes(`\`${task.fn}(`), `${lesson.slug}: ${task.id} names ${task.fn}`);
    }
    if (tasks.length > 0) {
      assert.match(exercises, /`deno task assignment new my-work --tasks [\d.,]+`/, lesson.slug);
      assert.match(exercises, /`deno task grade my-work`/, lesson.slug);
    } else {
      // Without a graded task nothing checks the exercises: they must not say otherwise.
      assert.doesNotMatch(
        exercises,
        /\*\*Task|will be (property-)?checked|is checked/,
        lesson.slug,
      );
    }
    // Task ids the lesson names must exist, and belong to it.
    for (const [, id] of exercises.matchAll(/\*\*Task (\d\d\.\d+)\*\*/g)) {
      assert.ok(tasks.some((t) => t.id === id), `${lesson.slug}: Task ${id} is not in TASKS`);
    }
  }
});

/** Every `$…$` and `$$…$$` of a Markdown text, outside code spans and fences. */
function mathOf(markdown: string): { tex: string; display: boolean }[] {
  const text = markdown.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
  const out: { tex: string; display: boolean }[] = [];
  const rest = text.replace(/\$\$([\s\S]+?)\$\$/g, (_, tex) => {
    out.push({ tex, display: true });
    return "";
  });
  for (const [, tex] of rest.matchAll(/\$([^$\n]+?)\$/g)) out.push({ tex, display: false });
  return out;
}

Deno.test("lessons: every formula renders with KaTeX in strict mode; display math ends its sentence", async () => {
  let count = 0;
  for (const lesson of LESSONS) {
    const blocks = await lessonBlocks(lesson);
    for (const b of blocks) {
      if (b.kind !== "prose") continue;
      for (const { tex, display } of mathOf(b.markdown)) {
        count++;
        assert.doesNotThrow(
          () =>
            katex.renderToString(tex, {
              displayMode: display,
              throwOnError: true,
              strict: "error",
            }),
          `${lesson.slug} line ${b.line}: ${tex}`,
        );
      }
      // A display formula ending in "." closes a sentence, so what follows starts a new one.
      for (const [, after] of b.markdown.matchAll(/\.\$\$\s*\n\s*\n?\s*(\S+)/g)) {
        assert.match(after, /^[A-Z`*#(\[-]|^\d/, `${lesson.slug} line ${b.line}: "…$$ ${after}"`);
      }
    }
  }
  assert.ok(count > 40, `only ${count} formulas found`);
});

Deno.test("lessons: every example names a real section of its lesson, and every twin is within its tolerance", async () => {
  for (const lesson of LESSONS) {
    const headings = new Set(
      (await lessonBlocks(lesson)).flatMap((b) =>
        b.kind === "prose" ? [...b.markdown.matchAll(/^#{2,3}\s+(.+?)\s*$/gm)].map((m) => m[1]) : []
      ),
    );
    const examples = await examplesOf(lesson);
    let twins = 0;
    for (const e of examples) {
      assert.ok(e.section, `${lesson.slug}: "${e.label}" has no section`);
      assert.ok(headings.has(e.section), `${lesson.slug}: "${e.label}" → unknown "${e.section}"`);
      if (!e.twin) continue;
      twins++;
      assert.ok(e.twin.value.length > 0 && e.twin.backend.length > 0, `${lesson.slug}: ${e.label}`);
      assert.ok(Number.isFinite(e.twin.maxDiff) && e.twin.tolerance >= 0, e.label);
      assert.ok(
        e.twin.maxDiff <= e.twin.tolerance,
        `${lesson.slug}: "${e.label}" differs by ${e.twin.maxDiff} > ${e.twin.tolerance}`,
      );
    }
    assert.ok(twins >= 1, `${lesson.slug}: no example shows its TF.js twin`);
  }
});

/** The lecture's printed numbers, as each lesson must print them. */
const LECTURE: Record<string, string[]> = {
  "01-building-blocks": ["615440", "832", "51264", "3212288", "10250"],
  "02-conv1d": [
    "[2 1 3 0 1]",
    "[0 2 4 6 8]",
    "Conv1d Implementation: [ 5 14 16 26 24 34 19 22]",
    "[[ 0  3  0]\n [ 0  0 -1]\n [ 0  2  0]]",
    "[[ 0  2  0]\n [-1  0  0]\n [ 0  3  0]]",
  ],
  "03-padding": ["p=2 → o=8"],
  "04-conv2d": [
    "[[1 1 0]\n [1 2 1]\n [3 0 1]]",
    "[[11 25 32 13]\n [19 25 24 13]\n [13 28 25 17]\n [11 17 14  9]]",
  ],
  "05-pooling": ["[[6 9 2]\n [3 8 6]\n [8 3 9]]"],
  "06-channels": [
    "Image shape: [3, 240, 320]",
    "Number of channels: 3",
    "Image data type: uint8",
  ],
  "07-regularization": [
    "BCE (w Probas): 0.3711",
    "BCE (w Logits): 0.3711",
    "CCE (w Logits): 0.5996",
    "CCE (w Probas): 0.5996",
  ],
  "08-mnist-cnn": [
    "50000 10000 10000",
    "[1, 28, 28] 3",
    "[4,64,7,7]",
    "[4,3136]",
    "[10000, 28, 28] → [10000, 1, 28, 28]",
    "0.9926",
    "0.9985 0.9909",
  ],
  "09-rotation": [],
  "10-extra-conv": ["6423552", "6690826", "1447946"],
};

/** Spacing is the printer's business; the numbers and their order are the lecture's. */
const squeeze = (s: string) => s.replace(/\s+/g, "");

Deno.test("lessons: every lesson's examples run and contain the lecture's numbers", async () => {
  for (const lesson of LESSONS) {
    const examples = await examplesOf(lesson);
    assert.ok(examples.length >= 3, lesson.slug);
    const printed = examples.map((e) =>
      e.value.includes("\n") ? `${e.label}:\n${e.value}` : `${e.label}: ${e.value}`
    ).join("\n");
    assert.doesNotMatch(printed, /NaN|undefined|\[object/, lesson.slug);
    for (const expected of LECTURE[lesson.slug] ?? []) {
      assert.ok(squeeze(printed).includes(squeeze(expected)), `${lesson.slug}: ${expected}`);
    }
  }
});

async function run(...args: string[]): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...args],
    cwd: new URL("..", import.meta.url),
  })
    .output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return text;
}

Deno.test("lessons: `deno run` prints a lesson's outputs, and literate.ts prints it as text", async () => {
  const printed = await run("lessons/04_conv2d.ts");
  assert.match(printed, /^X:\n {2}\[\[1 3 2 4\]/, "inputs first");
  assert.match(printed, /\nW_rot .*:\n {2}\[\[1 1 0\]/);
  assert.ok(printed.includes("  [[11 25 32 13]\n   [19 25 24 13]"));
  assert.match(printed, /\n {2}TF\.js twin \((wasm|cpu|webgpu)\):\n {4}\[\[11 25 32 13\]/);
  assert.match(printed, /\n {2}max \|naive − twin\| = \S+ ≤ tolerance \S+\n/);
  const text = await run("lessons/literate.ts", "lessons/02_conv1d.ts");
  assert.match(text, /^02 · Convolution in one dimension\n═+\n\nA discrete convolution/);
  assert.ok(text.includes("\n    │ export function lectureConv1d("));
  assert.doesNotMatch(text, /^\s*\* /m, "JSDoc margins must be stripped");
});

Deno.test("data/channels.png is exactly what data/make_channels_png.ts makes", async () => {
  const committed = await Deno.readFile(new URL("../data/channels.png", import.meta.url));
  const png = decode(committed);
  assert.deepEqual([png.width, png.height, png.channels, png.depth], [WIDTH, HEIGHT, 3, 8]);
  assert.deepEqual(png.data, channelsPicture());
  assert.deepEqual(decode(channelsPng()).data, png.data);
});

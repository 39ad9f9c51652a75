/**
 * The course: every lesson, in order, with what the site needs to show it.
 *
 * A lesson states each fact about itself once. Its file name gives its place and its URL
 * name (`02_conv1d.ts` → order 2, slug `02-conv1d`), the `# 02 · Title` heading that opens
 * it gives its title, and the one sentence the table of contents shows is its `summary`
 * export. Its outputs are what its `show` calls record (`show.ts`).
 *
 * Importing a lesson has no side effects beyond recording its `show` calls (its printing
 * waits for `import.meta.main`, its heavy outputs for {@link LessonEntry.outputs}), so
 * importing this index is cheap; it does register the lessons' `Deno.test`s when run by
 * `deno test`, which is how `tests/lessons_test.ts` puts them in the suite.
 *
 * @module
 */
import * as l01 from "./01_building_blocks.ts";
import * as l02 from "./02_conv1d.ts";
import * as l03 from "./03_padding.ts";
import * as l04 from "./04_conv2d.ts";
import * as l05 from "./05_pooling.ts";
import * as l06 from "./06_channels.ts";
import * as l07 from "./07_regularization.ts";
import * as l08 from "./08_mnist_cnn.ts";
import * as l09 from "./09_rotation.ts";
import * as l10 from "./10_extra_conv.ts";
import * as l11 from "./11_backprop.ts";
import { LitconvError } from "../kernels/errors.ts";
import { type LiterateBlock, splitLiterate } from "./literate.ts";
import { lessonOutputs, type Output } from "./show.ts";

/** One lesson of the course. */
export interface LessonEntry {
  /** URL-safe name from the file name: `02_conv1d.ts` → `"02-conv1d"`. */
  slug: string;
  /** Position in the course, the file name's number. */
  order: number;
  /** The text of the lesson's `# NN · Title` heading after the `·`. */
  title: string;
  /** One sentence for the table of contents (the lesson's `summary` export). */
  summary: string;
  /** The lesson's source file, e.g. `…/lessons/02_conv1d.ts`. */
  url: URL;
  /** Computes the lesson's outputs (what `deno run` prints), once per process. */
  outputs(): Promise<Output[]>;
}

/**
 * A lesson's slug, order and title, from its file name and its opening heading.
 *
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeLesson } from "./index.ts";
 * assert.deepEqual(
 *   describeLesson("02_conv1d.ts", "/**\n * # 02 · Convolution in one dimension\n"),
 *   { slug: "02-conv1d", order: 2, title: "Convolution in one dimension" },
 * );
 * ```
 */
export function describeLesson(
  file: string,
  source: string,
): { slug: string; order: number; title: string } {
  const name = /^(\d\d)_([a-z0-9_]+)\.ts$/.exec(file);
  if (!name) {
    throw new LitconvError("describeLesson", "file", `${file} is not named NN_words.ts`);
  }
  const order = Number(name[1]);
  const [head] = splitLiterate(source);
  const title = head?.kind === "prose"
    ? new RegExp(`^# ${name[1]} · (.+)$`, "m").exec(head.markdown)?.[1]
    : undefined;
  if (!title) {
    throw new LitconvError(
      "describeLesson",
      "source",
      `${file} does not open with "# ${name[1]} · Title"`,
    );
  }
  return { slug: `${name[1]}-${name[2].replace(/_/g, "-")}`, order, title: title.trim() };
}

const entry = (mod: { lesson: { url: string; summary: string } }): LessonEntry => {
  const url = new URL(mod.lesson.url);
  const file = url.pathname.split("/").pop()!;
  return {
    ...describeLesson(file, Deno.readTextFileSync(url)),
    summary: mod.lesson.summary,
    url,
    outputs: () => lessonOutputs(url),
  };
};

/** All lessons, ordered by `order`. */
export const LESSONS: readonly LessonEntry[] = [
  l01,
  l02,
  l03,
  l04,
  l05,
  l06,
  l07,
  l08,
  l09,
  l10,
  l11,
].map(entry).sort((a, b) => a.order - b.order);

/** A lesson's prose and code, in reading order (reads its source file). */
export async function lessonBlocks(lesson: LessonEntry): Promise<LiterateBlock[]> {
  return splitLiterate(await Deno.readTextFile(lesson.url));
}

/**
 * The course: every lesson, in order, with what the site needs to show it.
 *
 * Each entry is a lesson module's own metadata (`lesson`), its `examples()` and the URL
 * of its source file, which {@link lessonBlocks} splits into prose and code. Importing
 * a lesson has no side effects (its printing waits for `import.meta.main`), so importing
 * this index is cheap; it does register the lessons' `Deno.test`s when run by
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
import { type Example, type LessonMeta, type LiterateBlock, splitLiterate } from "./literate.ts";

/** One lesson of the course. */
export interface LessonEntry extends LessonMeta {
  /** The lesson's source file, e.g. `…/lessons/02_conv1d.ts`. */
  url: URL;
  /** Runs the lesson's examples and returns what `deno run` prints. */
  examples(): Promise<Example[]>;
}

const entry = (file: string, mod: { lesson: LessonMeta; examples(): Promise<Example[]> }) => ({
  ...mod.lesson,
  url: new URL(`./${file}`, import.meta.url),
  examples: mod.examples,
});

/** All lessons, ordered by `order`. */
export const LESSONS: readonly LessonEntry[] = [
  entry("01_building_blocks.ts", l01),
  entry("02_conv1d.ts", l02),
  entry("03_padding.ts", l03),
  entry("04_conv2d.ts", l04),
  entry("05_pooling.ts", l05),
  entry("06_channels.ts", l06),
  entry("07_regularization.ts", l07),
  entry("08_mnist_cnn.ts", l08),
  entry("09_rotation.ts", l09),
  entry("10_extra_conv.ts", l10),
].sort((a, b) => a.order - b.order);

/** A lesson's prose and code, in reading order (reads its source file). */
export async function lessonBlocks(lesson: LessonEntry): Promise<LiterateBlock[]> {
  return splitLiterate(await Deno.readTextFile(lesson.url));
}

/**
 * What each lesson shows, counted from its own outputs: figures, tables and values of the
 * lecture beside ours. The one place these counts come from; the notebooks' run, the site's
 * browser test and the lessons' test compare against them instead of keeping their own.
 *
 * `deno run -A lessons/counts.ts` prints them as JSON, for a process that must not import
 * the lessons (a test process would register their tests a second time).
 *
 * @module
 */
import { type LessonEntry, LESSONS } from "./index.ts";
import type { Output } from "./show.ts";

/** What one lesson's outputs hold. */
export interface LessonCounts {
  figures: number;
  tables: number;
  /** Outputs shown beside the lecture's own value. */
  lectureValues: number;
}

/** Counts one lesson's outputs. */
export function countOutputs(outputs: readonly Output[]): LessonCounts {
  return {
    figures: outputs.filter((o) => o.figure).length,
    tables: outputs.filter((o) => o.table).length,
    lectureValues: outputs.filter((o) => o.lecture).length,
  };
}

/** Each lesson's counts by slug (every lesson unless `lessons` says which). */
export async function lessonCounts(
  lessons: readonly LessonEntry[] = LESSONS,
): Promise<Record<string, LessonCounts>> {
  const counts: Record<string, LessonCounts> = {};
  for (const lesson of lessons) counts[lesson.slug] = countOutputs(await lesson.outputs());
  return counts;
}

if (import.meta.main) {
  console.log(JSON.stringify(await lessonCounts()));
}

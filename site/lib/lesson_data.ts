/**
 * Everything a lesson page shows, prepared ahead of rendering (highlighting is async):
 * its sections with prose rendered (Markdown + KaTeX) and code highlighted, outputs placed,
 * its neighbours and its graded tasks.
 *
 * @module
 */
import { lessonBlocks, type LessonEntry, LESSONS } from "../../lessons/index.ts";
import type { Output } from "../../lessons/show.ts";
import { type TaskInfo, tasksOfLesson } from "../../kernels/registry.ts";
import { cachedOutputs } from "./outputs.ts";
import { type OfferedNotebook, offeredNotebook } from "./notebook_data.ts";
import { highlight } from "./highlight.ts";
import { renderMarkdown, Slugger } from "./markdown.ts";
import { arrangeLesson, type Section } from "./sections.ts";

/** A row ready to print: prose, the code beside it, and the outputs that code computes. */
export interface RenderedRow {
  proseHtml?: string;
  codeHtml?: string;
  codeLine?: number;
  outputs: Output[];
}

/** A section ready to print. */
export interface RenderedSection {
  id?: string;
  rows: RenderedRow[];
}

export interface LessonPageData {
  lesson: { slug: string; title: string; order: number; summary: string };
  file: string;
  /** The lesson's source file URL, which its prose's relative links are relative to. */
  url: string;
  sections: RenderedSection[];
  unplaced: Output[];
  outputsCached: boolean;
  prev?: { slug: string; title: string };
  next?: { slug: string; title: string };
  tasks: TaskInfo[];
  /** The lesson as a Jupyter notebook, to download. */
  notebook: OfferedNotebook;
}

/** The lesson's file name (`02_conv1d.ts`). */
export const fileOf = (lesson: LessonEntry): string => lesson.url.pathname.split("/").pop()!;

/** Renders one lesson's sections, computing (or reading the cache of) its outputs. */
export async function lessonPageData(lesson: LessonEntry): Promise<LessonPageData> {
  const blocks = await lessonBlocks(lesson);
  const { outputs, cached } = await cachedOutputs(lesson);
  const { sections, unplaced } = arrangeLesson(blocks, outputs);
  const slugger = new Slugger();
  const rendered: RenderedSection[] = [];
  for (const s of sections) rendered.push(await renderSection(s, slugger));
  const k = LESSONS.indexOf(lesson);
  const neighbour = (l?: LessonEntry) => l && { slug: l.slug, title: l.title };
  return {
    lesson: {
      slug: lesson.slug,
      title: lesson.title,
      order: lesson.order,
      summary: lesson.summary,
    },
    file: fileOf(lesson),
    url: lesson.url.href,
    sections: rendered,
    unplaced,
    outputsCached: cached,
    prev: neighbour(LESSONS[k - 1]),
    next: neighbour(LESSONS[k + 1]),
    tasks: tasksOfLesson(lesson.slug),
    notebook: await offeredNotebook(lesson),
  };
}

async function renderSection(s: Section, slugger: Slugger): Promise<RenderedSection> {
  const rows: RenderedRow[] = [];
  for (const row of s.rows) {
    rows.push({
      proseHtml: row.prose && renderMarkdown(row.prose.markdown, slugger).html,
      codeHtml: row.code && await highlight(row.code.code),
      codeLine: row.code?.line,
      outputs: row.outputs,
    });
  }
  return { id: s.heading?.id, rows };
}

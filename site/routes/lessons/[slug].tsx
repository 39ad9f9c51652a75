/** One page per lesson: prose beside code, each code block's outputs under it, tasks, neighbours. */
import { LESSONS } from "../../../lessons/index.ts";
import { Outputs } from "../../components/Output.tsx";
import { usePage } from "../../lib/context.ts";
import { type LessonPageData, lessonPageData } from "../../lib/lesson_data.ts";
import { rewriteProseLinks } from "../../lib/prose_links.ts";
import { type ExerciseData, exercisesOf } from "../../lib/exercise_data.ts";
import { Island } from "../../lib/island.tsx";
import Exercise from "../../islands/Exercise.tsx";
import { interactiveFigure } from "../../lib/figure_islands.tsx";
import type { Output } from "../../../lessons/show.ts";

/** A lesson's page data, with an exercise per graded task. */
type LessonPage = LessonPageData & { exercises: ExerciseData[] };

export function paths(): Promise<Record<string, string>[]> {
  return Promise.resolve(LESSONS.map((l) => ({ slug: l.slug })));
}

export async function load(params: Record<string, string>): Promise<LessonPage> {
  const lesson = LESSONS.find((l) => l.slug === params.slug);
  if (!lesson) throw new Deno.errors.NotFound(`no lesson ${params.slug}`);
  const [data, exercises] = await Promise.all([lessonPageData(lesson), exercisesOf(lesson.slug)]);
  return { ...data, exercises };
}

export const title = (d: LessonPage): string => d.lesson.title;

export default function LessonPage({ data }: { data: LessonPage }) {
  const page = usePage();
  const src = (line: number) => `source/index.html#L${line}`;
  const liveFigure = (o: Output) => interactiveFigure(data.lesson.slug, o);
  return (
    <article class="lesson">
      <p class="lesson-head">
        <span>Lesson {String(data.lesson.order).padStart(2, "0")} of {LESSONS.length}</span>
        <a href={src(1)}>source: lessons/{data.file}</a>
        <a
          class="notebook"
          href={page.asset(data.notebook.path, `notebooks/${data.notebook.name}`)}
          download={data.notebook.name}
          title="It imports the course by file:// URL from the folder that built this site"
        >
          Jupyter notebook{data.notebook.executed ? " (executed)" : " (not executed yet)"}
        </a>
      </p>
      {data.sections.map((s) => (
        <section class="section" id={s.id ? `s-${s.id}` : undefined}>
          {s.rows.map((row) => (
            <div class="row">
              <div
                class="prose"
                dangerouslySetInnerHTML={{
                  __html: rewriteProseLinks(row.proseHtml ?? "", data.url, page, LESSONS),
                }}
              />
              {row.codeHtml
                ? (
                  <div class="code">
                    <div dangerouslySetInnerHTML={{ __html: row.codeHtml }} />
                    <a class="src" href={src(row.codeLine!)}>
                      lessons/{data.file}:{row.codeLine}
                    </a>
                  </div>
                )
                : <div />}
              {row.outputs.length > 0 && (
                <div class="row-outputs">
                  <Outputs outputs={row.outputs} figure={liveFigure} />
                </div>
              )}
            </div>
          ))}
        </section>
      ))}
      {data.unplaced.length > 0 && (
        <section class="section" id="outputs">
          <h2>What the lesson prints</h2>
          <p class="muted">
            The lesson's outputs, as <code>deno run -A lessons/{data.file}</code> prints them.
          </p>
          <Outputs outputs={data.unplaced} figure={liveFigure} />
        </section>
      )}
      {data.tasks.length > 0 && (
        <section class="tasks" id="graded-tasks">
          <h2>Graded tasks</h2>
          <p class="muted">
            Write each task in its box. Check runs, in your browser, the visible tests that{" "}
            <code>deno task grade</code>{" "}
            runs and property tests that compare your function with the TF.js twin on random inputs;
            a loop that never ends is stopped after a few seconds. Your code stays in this browser;
            Download gives a <code>mod.ts</code> for the grader (the tasks are also in the{" "}
            <a href={page.href("assignments/index.html")}>assignments</a>).
          </p>
          {data.exercises.map((e) => (
            <Island
              name="Exercise"
              component={Exercise}
              props={{ ...e, worker: page.href("workers/exercise.js") }}
            />
          ))}
        </section>
      )}
      <nav class="pager" aria-label="Lessons">
        {data.prev
          ? (
            <a rel="prev" href={page.href(`lessons/${data.prev.slug}/index.html`)}>
              ← {data.prev.title}
            </a>
          )
          : <a href={page.href("index.html")}>← All lessons</a>}
        {data.next
          ? (
            <a rel="next" href={page.href(`lessons/${data.next.slug}/index.html`)}>
              {data.next.title} →
            </a>
          )
          : <a href={page.href("results/index.html")}>Results →</a>}
      </nav>
    </article>
  );
}

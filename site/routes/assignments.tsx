/** The graded tasks: one section per task (`#02.1`), how to start it and how to check it. */
import { LESSONS } from "../../lessons/index.ts";
import { type TaskInfo, TASKS } from "../../kernels/registry.ts";
import { usePage } from "../lib/context.ts";

export const load = (): Promise<readonly TaskInfo[]> => Promise.resolve(TASKS);
export const title = (): string => "Assignments";

export default function Assignments({ data }: { data: readonly TaskInfo[] }) {
  const page = usePage();
  const titleOf = (slug: string) => LESSONS.find((l) => l.slug === slug)?.title ?? slug;
  return (
    <article class="narrow">
      <h1>Assignments</h1>
      <p>
        Each task is one function of the course's API that you write yourself. Start a folder with
        the tasks you want, write the functions in its{" "}
        <code>mod.ts</code>, and grade it as often as you like: the grader runs the lecture's
        examples and edge cases on the tasks the folder was made for, and with <code>--hidden</code>
        {" "}
        the property tests too, showing the smallest input your code gets wrong. Inside the course's
        folder the starter goes in <code>my-work/</code>, which the course's own{" "}
        <code>deno test</code> and <code>deno lint</code>{" "}
        leave alone; any folder outside the course will do as well.
      </p>
      <pre class="cmd"><code>{`deno task assignment new my-work --tasks 02.1,03.1
deno task grade my-work
deno task grade my-work --hidden`}</code></pre>
      {data.map((t) => (
        <section id={t.id} class="tasks">
          <h2>
            Task {t.id}: <code>{t.fn}</code>
          </h2>
          <p>
            {t.title[0].toUpperCase() + t.title.slice(1)}. Taught in{" "}
            <a href={page.href(`lessons/${t.lesson}/index.html`)}>{titleOf(t.lesson)}</a>.
          </p>
          <pre class="cmd"><code>{`deno task assignment new ../task-${t.id} --tasks ${t.id}
deno task grade ../task-${t.id}`}</code></pre>
        </section>
      ))}
    </article>
  );
}
